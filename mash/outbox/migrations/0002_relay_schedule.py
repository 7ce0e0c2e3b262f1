"""Beat runs the outbox relay every minute: whatever the per-transaction relay task missed (the
broker was down, a worker died, the mail server refused) is sent from here. A periodic task an
administrator can see in the admin (django-celery-beat's database scheduler)."""

from django.db import migrations

from mash.schedules import periodic_task

create_schedule, remove_schedule = periodic_task(
    name="Outbox relay",
    task="mash.outbox.tasks.relay_outbox",
    every_minutes=1,
    description=(
        "Sends the emails waiting in the outbox (feedback, reminders, "
        "escalations). Safe to run late, twice or concurrently."
    ),
)


class Migration(migrations.Migration):
    dependencies = [
        ("outbox", "0001_initial"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [migrations.RunPython(create_schedule, remove_schedule)]

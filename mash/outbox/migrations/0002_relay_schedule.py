"""Beat runs the outbox relay every minute: whatever the per-transaction relay task missed (the
broker was down, a worker died, the mail server refused) is sent from here. A periodic task an
administrator can see in the admin (django-celery-beat's database scheduler)."""

from django.db import migrations

TASK = "mash.outbox.tasks.relay_outbox"
NAME = "Outbox relay"


def create_schedule(apps, schema_editor) -> None:
    IntervalSchedule = apps.get_model("django_celery_beat", "IntervalSchedule")
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    every_minute, _ = IntervalSchedule.objects.get_or_create(every=1, period="minutes")
    PeriodicTask.objects.get_or_create(
        name=NAME,
        defaults={
            "task": TASK,
            "interval": every_minute,
            "enabled": True,
            "description": "Sends the emails waiting in the outbox (feedback, reminders, "
            "escalations). Safe to run late, twice or concurrently.",
        },
    )


def remove_schedule(apps, schema_editor) -> None:
    apps.get_model("django_celery_beat", "PeriodicTask").objects.filter(name=NAME).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("outbox", "0001_initial"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [migrations.RunPython(create_schedule, remove_schedule)]

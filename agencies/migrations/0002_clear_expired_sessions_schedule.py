"""Beat deletes expired sessions every night at 03:10 Europe/London (after the 02:30 snapshots,
clear of the hour the clocks change): a periodic task an administrator can see and change in the
admin (django-celery-beat's database scheduler)."""

from django.db import migrations

from mash.schedules import periodic_task

create_schedule, remove_schedule = periodic_task(
    name="Clear expired sessions",
    task="agencies.clear_expired_sessions",
    crontab={"minute": "10", "hour": "3"},
    description=(
        "Deletes sessions past their expiry (Django never does), with the "
        "unsent MARF drafts they hold, and forgets their sign-ins."
    ),
)


class Migration(migrations.Migration):
    dependencies = [
        ("agencies", "0001_initial"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [migrations.RunPython(create_schedule, remove_schedule)]

"""Beat deletes expired sessions every night at 03:10 Europe/London (after the 02:30 snapshots,
clear of the hour the clocks change): a periodic task an administrator can see and change in the
admin (django-celery-beat's database scheduler)."""

from django.db import migrations

TASK = "agencies.clear_expired_sessions"
NAME = "Clear expired sessions"


def create_schedule(apps, schema_editor) -> None:
    CrontabSchedule = apps.get_model("django_celery_beat", "CrontabSchedule")
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    nightly, _ = CrontabSchedule.objects.get_or_create(
        minute="10",
        hour="3",
        day_of_week="*",
        day_of_month="*",
        month_of_year="*",
        timezone="Europe/London",
    )
    PeriodicTask.objects.get_or_create(
        name=NAME,
        defaults={
            "task": TASK,
            "crontab": nightly,
            "enabled": True,
            "description": "Deletes sessions past their expiry (Django never does), with the "
            "unsent MARF drafts they hold, and forgets their sign-ins.",
        },
    )


def remove_schedule(apps, schema_editor) -> None:
    apps.get_model("django_celery_beat", "PeriodicTask").objects.filter(name=NAME).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("agencies", "0001_initial"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [migrations.RunPython(create_schedule, remove_schedule)]

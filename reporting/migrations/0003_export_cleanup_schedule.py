"""Beat deletes export files older than 24 hours every hour: a periodic task an administrator can
see and change in the admin (django-celery-beat's database scheduler)."""

from django.db import migrations

TASK = "reporting.delete_expired_exports"
NAME = "Delete expired exports"


def create_schedule(apps, schema_editor) -> None:
    CrontabSchedule = apps.get_model("django_celery_beat", "CrontabSchedule")
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    hourly, _ = CrontabSchedule.objects.get_or_create(
        minute="15",
        hour="*",
        day_of_week="*",
        day_of_month="*",
        month_of_year="*",
        timezone="Europe/London",
    )
    PeriodicTask.objects.get_or_create(
        name=NAME,
        defaults={
            "task": TASK,
            "crontab": hourly,
            "enabled": True,
            "description": "Deletes KPI workbooks, tables and Annex A files made more than "
            "24 hours ago (they hold figures, and Annex A identifies children).",
        },
    )


def remove_schedule(apps, schema_editor) -> None:
    apps.get_model("django_celery_beat", "PeriodicTask").objects.filter(name=NAME).delete()


class Migration(migrations.Migration):
    dependencies = [("reporting", "0002_snapshot_schedule")]

    operations = [migrations.RunPython(create_schedule, remove_schedule)]

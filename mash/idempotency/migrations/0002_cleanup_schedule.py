"""Beat forgets old Idempotency-Key records and used form tokens every hour: a periodic task an
administrator can see and change in the admin (django-celery-beat's database scheduler)."""

from django.db import migrations

TASK = "idempotency.delete_expired"
NAME = "Forget old idempotency keys and form tokens"


def create_schedule(apps, schema_editor) -> None:
    CrontabSchedule = apps.get_model("django_celery_beat", "CrontabSchedule")
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    hourly, _ = CrontabSchedule.objects.get_or_create(
        minute="25",
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
            "description": "Deletes API Idempotency-Key records older than 24 hours (a retry "
            "after that is a new request) and used form tokens older than a token can be posted.",
        },
    )


def remove_schedule(apps, schema_editor) -> None:
    apps.get_model("django_celery_beat", "PeriodicTask").objects.filter(name=NAME).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("idempotency", "0001_initial"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [migrations.RunPython(create_schedule, remove_schedule)]

"""Beat asks again, every minute, for the build of exports left waiting (their enqueue failed
while the broker was down, or the broker lost the message) or stalled (their worker died): a
periodic task an administrator can see in the admin."""

from django.db import migrations

TASK = "reporting.start_waiting_exports"
NAME = "Start waiting exports"


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
            "description": "Starts KPI workbooks and other downloads left waiting by a broker "
            "outage or a dead worker.",
        },
    )


def remove_schedule(apps, schema_editor) -> None:
    apps.get_model("django_celery_beat", "PeriodicTask").objects.filter(name=NAME).delete()


class Migration(migrations.Migration):
    dependencies = [("reporting", "0004_exportjob_started_at")]

    operations = [migrations.RunPython(create_schedule, remove_schedule)]

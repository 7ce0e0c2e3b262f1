"""Beat forgets old Idempotency-Key records and used form tokens every hour: a periodic task an
administrator can see and change in the admin (django-celery-beat's database scheduler)."""

from django.db import migrations

from mash.schedules import periodic_task

create_schedule, remove_schedule = periodic_task(
    name="Forget old idempotency keys and form tokens",
    task="idempotency.delete_expired",
    crontab={"minute": "25"},
    description=(
        "Deletes API Idempotency-Key records older than 24 hours (a retry "
        "after that is a new request) and used form tokens older than a token can be posted."
    ),
)


class Migration(migrations.Migration):
    dependencies = [
        ("idempotency", "0001_initial"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [migrations.RunPython(create_schedule, remove_schedule)]

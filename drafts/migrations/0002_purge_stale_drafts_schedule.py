"""Beat deletes drafts nobody saved for 30 days every night at 03:20 Europe/London (after the
03:10 session clear-out, clear of the hour the clocks change): a periodic task an administrator
can see and change in the admin (django-celery-beat's database scheduler)."""

from django.db import migrations

from mash.schedules import periodic_task

create_schedule, remove_schedule = periodic_task(
    name="Purge stale drafts",
    task="drafts.purge_stale",
    crontab={"minute": "20", "hour": "3"},
    description=(
        "Deletes unsent MARF and return drafts that nobody has saved for 30 days "
        "(children's names and what was said about them are not kept for good)."
    ),
)


class Migration(migrations.Migration):
    dependencies = [
        ("drafts", "0001_initial"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [migrations.RunPython(create_schedule, remove_schedule)]

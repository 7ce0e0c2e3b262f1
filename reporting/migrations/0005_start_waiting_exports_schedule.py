"""Beat asks again, every minute, for the build of exports left waiting (their enqueue failed
while the broker was down, or the broker lost the message) or stalled (their worker died): a
periodic task an administrator can see in the admin."""

from django.db import migrations

from mash.schedules import periodic_task

create_schedule, remove_schedule = periodic_task(
    name="Start waiting exports",
    task="reporting.start_waiting_exports",
    every_minutes=1,
    description=(
        "Starts KPI workbooks and other downloads left waiting by a broker outage or a dead worker."
    ),
)


class Migration(migrations.Migration):
    dependencies = [("reporting", "0004_exportjob_started_at")]

    operations = [migrations.RunPython(create_schedule, remove_schedule)]

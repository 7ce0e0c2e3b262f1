"""Beat scans any document still waiting every minute: uploads made while the broker or clamd
was down, or whose worker died, are scanned from here."""

from django.db import migrations

from mash.schedules import periodic_task

create_schedule, remove_schedule = periodic_task(
    name="Scan waiting documents",
    task="documents.scan_waiting",
    every_minutes=1,
    description=(
        "Scans uploaded documents not yet scanned for viruses (ClamAV). Does nothing when no "
        "scanner is configured. Safe to run late, twice or concurrently."
    ),
)


class Migration(migrations.Migration):
    dependencies = [
        ("documents", "0001_initial"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [migrations.RunPython(create_schedule, remove_schedule)]

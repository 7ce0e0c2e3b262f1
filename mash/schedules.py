"""Periodic tasks made by data migrations: one way to add a beat schedule entry (an interval or
a crontab in Europe/London) and to take it away, so each schedule migration says only what runs
when. Kept stable: migrations import it, so its behaviour must never change, only grow."""

from collections.abc import Callable
from typing import Any

RunPython = Callable[[Any, Any], None]


def periodic_task(
    *,
    name: str,
    task: str,
    description: str,
    every_minutes: int | None = None,
    crontab: dict[str, str] | None = None,
) -> tuple[RunPython, RunPython]:
    """The (forwards, backwards) pair for ``migrations.RunPython`` that adds `task` under `name`,
    run every `every_minutes` or on `crontab` (minute, hour, ...; the rest "*"), and removes it.
    An entry of that name already there (changed in the admin, say) is left as it is."""
    if (every_minutes is None) == (crontab is None):
        raise ValueError("Give every_minutes or crontab, not both")

    def forwards(apps, schema_editor) -> None:
        PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
        schedule: dict[str, Any]
        if every_minutes is not None:
            interval, _ = apps.get_model(
                "django_celery_beat", "IntervalSchedule"
            ).objects.get_or_create(every=every_minutes, period="minutes")
            schedule = {"interval": interval}
        else:
            fields = {
                "minute": "*",
                "hour": "*",
                "day_of_week": "*",
                "day_of_month": "*",
                "month_of_year": "*",
                **(crontab or {}),
            }
            entry, _ = apps.get_model(
                "django_celery_beat", "CrontabSchedule"
            ).objects.get_or_create(**fields, timezone="Europe/London")
            schedule = {"crontab": entry}
        PeriodicTask.objects.get_or_create(
            name=name,
            defaults={"task": task, "enabled": True, "description": description, **schedule},
        )

    def backwards(apps, schema_editor) -> None:
        apps.get_model("django_celery_beat", "PeriodicTask").objects.filter(name=name).delete()

    return forwards, backwards

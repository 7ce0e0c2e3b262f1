"""Reporting's background work: building export files. Thin: ids in, call a service."""

from celery import shared_task

from mash.tasks import AuditedTask

from . import tasks_snapshots  # noqa: F401 - the worker finds every reporting task here
from .services_exports import export_build, exports_delete_expired, exports_start_waiting


@shared_task(
    base=AuditedTask,
    name="reporting.build_export",
    acks_late=True,
    soft_time_limit=600,
    time_limit=660,
)
def build_export(job_id: str) -> str:
    """Build export job ``job_id``'s file; a job already built is not built again."""
    job = export_build(job_id=job_id)
    return job.state if job is not None else "skipped"


@shared_task(base=AuditedTask, name="reporting.delete_expired_exports")
def delete_expired_exports() -> int:
    """Remove export files older than 24 hours (hourly from beat)."""
    return exports_delete_expired()


@shared_task(base=AuditedTask, name="reporting.start_waiting_exports")
def start_waiting_exports() -> int:
    """Every minute from beat: builds asked for whose enqueue failed (broker down) or whose
    worker died are asked for again."""
    return exports_start_waiting()

"""Virus scanning in the background: ids in, call a service."""

from celery import shared_task

from mash.tasks import AuditedTask

from .services import document_scan, scan_waiting


# Time limits of their own (the default hard limit is 180 s): a 20 MB file over a slow link to
# clamd may take minutes. Celery refuses to queue a task whose soft limit exceeds its hard one.
@shared_task(
    base=AuditedTask,
    name="documents.scan_document",
    acks_late=True,
    soft_time_limit=300,
    time_limit=360,
)
def scan_document(document_id: int) -> str:
    """Scan one uploaded document (asked for after its upload commits)."""
    return document_scan(document_id)


@shared_task(base=AuditedTask, name="documents.scan_waiting", soft_time_limit=3000, time_limit=3060)
def scan_waiting_documents() -> int:
    """Every minute from beat: documents still waiting (the broker was down at upload, clamd
    was down, a worker died) are scanned."""
    return scan_waiting()

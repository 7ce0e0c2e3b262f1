"""Virus scanning in the background: ids in, call a service."""

from celery import shared_task

from mash.tasks import AuditedTask

from .services import document_scan, scan_waiting


@shared_task(base=AuditedTask, name="documents.scan_document", acks_late=True, soft_time_limit=300)
def scan_document(document_id: int) -> str:
    """Scan one uploaded document (asked for after its upload commits)."""
    return document_scan(document_id)


@shared_task(base=AuditedTask, name="documents.scan_waiting", soft_time_limit=3000)
def scan_waiting_documents() -> int:
    """Every minute from beat: documents still waiting (the broker was down at upload, clamd
    was down, a worker died) are scanned."""
    return scan_waiting()

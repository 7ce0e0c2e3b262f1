"""Forgetting old keys and used tokens (hourly from beat)."""

from celery import shared_task

from mash.tasks import AuditedTask

from .services import idempotency_delete_expired


@shared_task(base=AuditedTask, name="idempotency.delete_expired")
def delete_expired() -> int:
    """Delete Idempotency-Key records and used form tokens older than they are honoured."""
    return idempotency_delete_expired()

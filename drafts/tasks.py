"""The nightly purge of old drafts, run by beat (drafts/migrations/0002)."""

from celery import shared_task

from mash.tasks import AuditedTask

from .services import drafts_purge_stale


@shared_task(base=AuditedTask, name="drafts.purge_stale")
def purge_stale_drafts() -> int:
    """Delete drafts untouched for 30 days; how many (drafts.services.drafts_purge_stale)."""
    return drafts_purge_stale()

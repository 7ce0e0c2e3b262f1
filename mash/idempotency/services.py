"""Housekeeping of the idempotency records."""

from datetime import timedelta

from django.utils import timezone

from .api import record_ttl
from .models import IdempotencyRecord, SubmissionToken
from .submissions import max_age


def idempotency_delete_expired(*, now=None) -> int:
    """Delete keys past their time to live and used tokens that could no longer be posted (a
    token older than its max age is refused before its row is looked at). Returns how many."""
    now = now or timezone.now()
    keys, _ = IdempotencyRecord.objects.filter(created_at__lt=now - record_ttl()).delete()
    horizon = now - max(max_age(), timedelta(hours=24))
    tokens, _ = SubmissionToken.objects.filter(created_at__lt=horizon).delete()
    return keys + tokens

"""Reads about the deadline scan."""

from datetime import timedelta

from django.utils import timezone

from .models import Breach, ScanRun


def scan_health() -> dict:
    """The last completed scan's finish time (ISO 8601, or None) and the breaches detected in the
    last hour, for /healthz."""
    last = (
        ScanRun.objects.filter(finished_at__isnull=False)
        .order_by("-finished_at")
        .values_list("finished_at", flat=True)
        .first()
    )
    since = timezone.now() - timedelta(hours=1)
    return {
        "last_scan": last.isoformat() if last else None,
        "breaches_last_hour": Breach.objects.filter(detected_at__gte=since).count(),
    }

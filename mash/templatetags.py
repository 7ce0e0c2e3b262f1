"""Template filters used across the service (registered as builtins in settings)."""

from datetime import datetime

from django import template
from django.utils import timezone

register = template.Library()


def _span(seconds: float) -> str:
    minutes = int(abs(seconds) // 60)
    days, rest = divmod(minutes, 24 * 60)
    hours, minutes = divmod(rest, 60)
    parts = []
    if days:
        parts.append(f"{days} day{'s' if days != 1 else ''}")
    if hours:
        parts.append(f"{hours} hour{'s' if hours != 1 else ''}")
    if minutes and not days:
        parts.append(f"{minutes} minute{'s' if minutes != 1 else ''}")
    return " ".join(parts) or "less than a minute"


@register.filter
def time_left(due: datetime | None) -> str:
    """'3 hours 10 minutes left' or 'Overdue by 2 days 4 hours'."""
    if due is None:
        return ""
    seconds = (due - timezone.now()).total_seconds()
    if seconds < 0:
        return f"Overdue by {_span(seconds)}"
    return f"{_span(seconds)} left"


@register.filter
def is_overdue(due: datetime | None) -> bool:
    return due is not None and due < timezone.now()


@register.filter
def get_item(mapping: dict, key):
    return mapping.get(key) if mapping else None

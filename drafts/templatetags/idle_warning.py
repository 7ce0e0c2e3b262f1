"""`{% idle_timing as idle %}`: what templates/includes/idle_warning.html needs."""

from django import template
from django.conf import settings

from ..idle import idle_seconds, warning_seconds

register = template.Library()


@register.simple_tag(takes_context=True)
def idle_timing(context) -> dict | None:
    """{"seconds", "warning_seconds"} for a signed-in user (past the second factor where it is
    required), else None: nobody else is signed out for being idle."""
    request = context.get("request")
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return None
    verified = getattr(user, "is_verified", None)
    if settings.MASH_REQUIRE_SECOND_FACTOR and verified is not None and not verified():
        return None
    seconds = idle_seconds(request)
    return {"seconds": seconds, "warning_seconds": warning_seconds(seconds)}


@register.filter
def idle_span(seconds: int) -> str:
    """How the warning says the time left, as static/js/idle-warning.js does: "2 minutes",
    "1 minute", "45 seconds"."""
    seconds = max(int(seconds), 0)
    if seconds > 60:
        minutes = -(-seconds // 60)
        return f"{minutes} minutes"
    if seconds == 60:
        return "1 minute"
    return f"{seconds} second{'' if seconds == 1 else 's'}"

"""The idle sign-out, as the page's warning needs it.

A session ends after SESSION_COOKIE_AGE seconds without a request (SESSION_SAVE_EVERY_REQUEST
sets its expiry afresh on every request: mash/settings/base.py), so a page just served has the
whole of it left; the warning shows WARNING_SECONDS before the end."""

from django.conf import settings
from django.http import HttpRequest

#: How long before the idle sign-out the warning shows (settings may shorten it for tests).
WARNING_SECONDS = 120


def idle_seconds(request: HttpRequest) -> int:
    """Seconds from this response until the session expires unless another request comes."""
    return int(request.session.get_expiry_age())


def warning_seconds(total: int) -> int:
    """Seconds before the end to warn: two minutes, or half the time on a very short session."""
    wanted = int(getattr(settings, "MASH_IDLE_WARNING_SECONDS", WARNING_SECONDS))
    return max(1, min(wanted, total // 2))

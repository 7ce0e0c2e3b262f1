"""What /healthz checks: the database, the broker, live workers, the deadline scan and the
outbox. Each check says ok or not and, for those allowed to see it, why.

A check that fails makes /healthz answer 503 naming it, so a load balancer, docker's health check
and the engineer on call all see the same truth: a web process that answers while no deadline
scan has run for five minutes is not healthy, because nobody is being reminded or escalated.
"""

import contextlib
import hmac
from collections.abc import Callable
from datetime import timedelta

from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.http import HttpRequest
from django.utils import timezone
from kombu import Connection

from agencies.roles import Role
from mash.access import is_member

Check = dict
#: How long a worker ping's answer is reused, so a burst of health checks does not each wait for
#: the ping's time-out.
PING_CACHE_SECONDS = 10


def check_database() -> Check:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception as error:  # noqa: BLE001 - a health check reports, it does not raise
        return {"ok": False, "error": error.__class__.__name__}
    return {"ok": True, "vendor": connection.vendor}


def check_broker() -> Check:
    url = settings.CELERY_BROKER_URL
    try:
        with Connection(
            url, transport_options=settings.CELERY_BROKER_TRANSPORT_OPTIONS, connect_timeout=3
        ) as conn:
            conn.ensure_connection(max_retries=1, timeout=3)
    except Exception as error:  # noqa: BLE001
        return {"ok": False, "transport": url.split(":", 1)[0], "error": error.__class__.__name__}
    return {"ok": True, "transport": url.split(":", 1)[0]}


def check_workers() -> Check:
    """Live Celery workers, by a broadcast ping with a short time-out (reused for a few
    seconds). None answering means nothing runs the deadline scan, the outbox or exports."""
    with contextlib.suppress(Exception):  # a cache that is down must not fail the health check
        cached = cache.get("mash:health:workers")
        if cached is not None:
            return cached
    from mash.celery import app

    try:
        replies = app.control.ping(timeout=settings.MASH_HEALTH_PING_TIMEOUT) or []
    except Exception as error:  # noqa: BLE001
        result = {"ok": False, "live": 0, "error": error.__class__.__name__}
    else:
        names = sorted(name for reply in replies for name in reply)
        result = {"ok": bool(names), "live": len(names), "names": names}
    with contextlib.suppress(Exception):
        cache.set("mash:health:workers", result, PING_CACHE_SECONDS)
    return result


def check_deadline_scan() -> Check:
    from deadlines.selectors import scan_health

    health = scan_health()
    return {"ok": not health["late"], **health}


def check_outbox() -> Check:
    """Emails waiting, given up, and the oldest waiting: late when it has waited longer than
    MASH_HEALTH_OUTBOX_LATE_SECONDS (the mail server or every worker has been away that long)."""
    from mash.outbox.services import outbox_health

    health = outbox_health()
    oldest = health.oldest_unsent_at
    late = oldest is not None and timezone.now() - oldest > timedelta(
        seconds=settings.MASH_HEALTH_OUTBOX_LATE_SECONDS
    )
    return {
        "ok": not late,
        "queued": health.queued,
        "failed": health.failed,
        "oldest_unsent_at": oldest.isoformat() if oldest else None,
    }


CHECKS: dict[str, Callable[[], Check]] = {
    "database": check_database,
    "broker": check_broker,
    "workers": check_workers,
    "deadline_scan": check_deadline_scan,
    "outbox": check_outbox,
}
#: Checks that need the database, or the broker, to mean anything.
NEEDS_DATABASE = {"deadline_scan", "outbox"}
NEEDS_BROKER = {"workers"}


def run_checks() -> dict[str, Check]:
    results: dict[str, Check] = {}
    for name, check in CHECKS.items():
        if name in NEEDS_DATABASE and not results["database"]["ok"]:
            results[name] = {"ok": False, "error": "database unavailable"}
        elif name in NEEDS_BROKER and not results["broker"]["ok"]:
            results[name] = {"ok": False, "error": "broker unavailable"}
        else:
            results[name] = check()
    return results


def may_see_details(request: HttpRequest) -> bool:
    """A signed-in administrator (session or API token), or a monitor presenting
    ``Authorization: Bearer <MASH_HEALTHZ_TOKEN>``. Everyone else gets the status and the names
    of the failing checks only."""
    header = request.headers.get("Authorization", "")
    scheme, _, credential = header.partition(" ")
    token = settings.MASH_HEALTHZ_TOKEN
    if token and scheme.lower() == "bearer" and hmac.compare_digest(credential.strip(), token):
        return True
    user = request.user if hasattr(request, "user") else None
    if (user is None or not user.is_authenticated) and scheme.lower() == "token":
        user = _token_user(credential.strip())
    if user is None or not user.is_authenticated:
        return False
    return user.is_superuser or (is_member(user) and user.role == Role.ADMINISTRATOR)


def _token_user(key: str):
    from rest_framework.authtoken.models import Token

    token = Token.objects.select_related("user").filter(key=key).first() if key else None
    if token is None or not token.user.is_active:
        return None
    return token.user

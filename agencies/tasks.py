"""Housekeeping of sign-in sessions, run nightly by beat (agencies/migrations/0002)."""

from celery import shared_task
from django.conf import settings
from django.contrib.sessions.backends.db import SessionStore as DatabaseSessionStore
from django.utils.module_loading import import_string

from mash.tasks import AuditedTask

from .models import SignedInSession


def _session_store() -> type:
    return import_string(f"{settings.SESSION_ENGINE}.SessionStore")


def sign_ins_forget_ended() -> int:
    """Forget the sign-ins (SignedInSession) whose session no longer exists; how many."""
    store = _session_store()
    if issubclass(store, DatabaseSessionStore):  # db and cached_db: one query
        live = store.get_model_class().objects.values("session_key")
        ended = SignedInSession.objects.exclude(session_key__in=live)
    else:
        keys = SignedInSession.objects.values_list("session_key", flat=True)
        ended = SignedInSession.objects.filter(
            session_key__in=[key for key in keys if not store().exists(key)]
        )
    return ended.delete()[0]


@shared_task(base=AuditedTask, name="agencies.clear_expired_sessions")
def clear_expired_sessions() -> int:
    """Delete expired sessions, as `manage.py clearsessions` does, and forget their sign-ins.

    Sessions expire after SESSION_COOKIE_AGE of idleness, but Django never deletes the rows: a
    referrer's unsent MARF draft (children's names, dates of birth, addresses) would stay in the
    session table for good. Returns how many sign-ins were forgotten with them.
    """
    _session_store().clear_expired()
    return sign_ins_forget_ended()

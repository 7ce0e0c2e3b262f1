"""Who is acting, from where, under which correlation id: for request threads and Celery tasks.

The actor and address live in django-auditlog's own context, so its field-change entries and our
named events agree about who did what.
"""

import contextlib
import re
import uuid
from collections.abc import Iterator
from contextvars import ContextVar

from auditlog.context import auditlog_value, set_actor

_correlation_id: ContextVar[str | None] = ContextVar("mash_correlation_id", default=None)
_SAFE_CORRELATION_ID = re.compile(r"^[A-Za-z0-9._-]{1,64}$")


def new_correlation_id() -> str:
    return uuid.uuid4().hex


def clean_correlation_id(value: str | None) -> str:
    """A client-supplied correlation id is kept only when it is short and plain."""
    if value and _SAFE_CORRELATION_ID.match(value):
        return value
    return new_correlation_id()


def current_correlation_id() -> str | None:
    return _correlation_id.get()


def _current() -> dict:
    try:
        return auditlog_value.get()
    except LookupError:
        return {}


def current_actor():
    return _current().get("actor")


def current_remote_addr() -> str | None:
    return _current().get("remote_addr")


def bind_actor(user) -> None:
    """Name the actor once authentication has happened after the middleware ran (API tokens)."""
    context = _current()
    if context and getattr(user, "is_authenticated", False):
        context["actor"] = user


@contextlib.contextmanager
def audit_context(
    *, actor=None, remote_addr: str | None = None, correlation_id: str | None = None
) -> Iterator[str]:
    """Everything audited inside the block names this actor, address and correlation id."""
    cid = correlation_id or new_correlation_id()
    token = _correlation_id.set(cid)
    # auditlog's set_actor does not restore the previous actor on exit; we do, so an actor never
    # outlives its request or task (a worker thread runs many of both).
    actor_token = auditlog_value.set({})
    try:
        with set_actor(actor, remote_addr=remote_addr):
            yield cid
    finally:
        auditlog_value.reset(actor_token)
        _correlation_id.reset(token)

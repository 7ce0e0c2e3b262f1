"""The base class of every Celery task: the audit actor and correlation id travel with the task.

A task enqueued during a request carries the request's actor and correlation id in its message
headers; the worker sets them around the task body, so audit entries written by the task name who
it runs on behalf of.
"""

import logging
from typing import Any

from celery import Task
from django.contrib.auth import get_user_model
from django.db import transaction

from mash.audit.context import audit_context, current_actor, current_correlation_id

ACTOR_HEADER = "mash_actor_id"
CORRELATION_HEADER = "mash_correlation_id"

logger = logging.getLogger(__name__)


class AuditedTask(Task):
    def apply_async(self, args=None, kwargs=None, **options: Any):
        headers = dict(options.pop("headers", None) or {})
        actor = current_actor()
        if ACTOR_HEADER not in headers and getattr(actor, "pk", None) is not None:
            headers[ACTOR_HEADER] = actor.pk
        if CORRELATION_HEADER not in headers and current_correlation_id():
            headers[CORRELATION_HEADER] = current_correlation_id()
        return super().apply_async(args=args, kwargs=kwargs, headers=headers, **options)

    def _header(self, name: str):
        value = getattr(self.request, name, None)
        if value is None:
            value = (getattr(self.request, "headers", None) or {}).get(name)
        return value

    def __call__(self, *args: Any, **kwargs: Any):
        actor = None
        actor_id = self._header(ACTOR_HEADER)
        if actor_id is not None:
            actor = get_user_model().objects.filter(pk=actor_id).first()
        with audit_context(actor=actor, correlation_id=self._header(CORRELATION_HEADER)):
            return super().__call__(*args, **kwargs)


#: How hard a request tries to hand a task to the broker before giving up (it then logs, and the
#: periodic task that covers the work picks it up): one quick retry, well under a second.
PUBLISH_RETRY_POLICY = {
    "max_retries": 1,
    "interval_start": 0,
    "interval_step": 0.2,
    "interval_max": 0.2,
}


def enqueue(task: Task, *args: Any, **kwargs: Any) -> bool:
    """Hand `task` to the broker now; False (logged) when the broker cannot take it.

    Only for work that a periodic task also finds in the database (the outbox relay, a waiting
    export): a broker outage then delays it, and never fails the request that asked for it."""
    try:
        task.apply_async(args=args, kwargs=kwargs, retry=True, retry_policy=PUBLISH_RETRY_POLICY)
    except Exception as error:  # noqa: BLE001 - any broker failure: the periodic task covers it
        logger.warning(
            "Could not enqueue %s (%s: %s); its periodic task will pick the work up",
            task.name,
            error.__class__.__name__,
            error,
        )
        return False
    return True


def enqueue_on_commit(task: Task, *args: Any, marker: str = "", **kwargs: Any) -> None:
    """``enqueue`` once the current transaction commits (at once outside one). A broker that is
    down is logged, never raised into the request whose change has already committed. `marker`
    tags the callback so a caller can tell it is already scheduled in this transaction."""

    def publish() -> None:
        enqueue(task, *args, **kwargs)

    if marker:
        setattr(publish, marker, True)
    transaction.on_commit(publish)

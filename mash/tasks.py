"""The base class of every Celery task: the audit actor and correlation id travel with the task.

A task enqueued during a request carries the request's actor and correlation id in its message
headers; the worker sets them around the task body, so audit entries written by the task name who
it runs on behalf of.
"""

from typing import Any

from celery import Task
from django.contrib.auth import get_user_model

from mash.audit.context import audit_context, current_actor, current_correlation_id

ACTOR_HEADER = "mash_actor_id"
CORRELATION_HEADER = "mash_correlation_id"


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

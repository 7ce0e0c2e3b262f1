"""The one helper that records named domain events, and the one that records a read."""

from typing import Any

from auditlog.signals import accessed
from django.contrib.contenttypes.models import ContentType
from django.db import models

from .context import current_actor, current_correlation_id, current_remote_addr
from .models import AuditEvent


def record_event(
    name: str,
    *,
    target: models.Model | None = None,
    actor=None,
    data: dict[str, Any] | None = None,
    remote_addr: str | None = None,
) -> AuditEvent:
    """Record that `name` happened (e.g. ``contact.decided``) to `target`, by `actor`.

    The actor and address default to those of the current request or task.
    """
    actor = actor if actor is not None else current_actor()
    if actor is not None and not getattr(actor, "is_authenticated", False):
        actor = None
    event = AuditEvent(
        name=name,
        actor=actor,
        actor_label=actor.get_username() if actor is not None else "",
        remote_addr=remote_addr or current_remote_addr(),
        correlation_id=current_correlation_id() or "",
        data=data or {},
    )
    if target is not None:
        event.content_type = ContentType.objects.get_for_model(target, for_concrete_model=False)
        event.object_pk = str(target.pk)
        event.object_repr = str(target)[:200]
    event.save()
    return event


def record_listing(objects, *, query: str = "") -> None:
    """Record that the current actor was shown a list or search result of records that identify
    people: one entry naming every record shown (so a list costs one insert, not one a row)."""
    objects = list(objects)
    if not objects:
        return
    meta = objects[0]._meta
    record_event(
        "records.listed",
        data={
            "model": meta.label_lower,
            "ids": [obj.pk for obj in objects],
            **({"query": query[:200]} if query else {}),
        },
    )


def record_access(instance: models.Model) -> None:
    """Record that the current actor viewed a record that identifies a person.

    Writes django-auditlog's ACCESS entry; the model must be registered with auditlog.
    """
    accessed.send(sender=instance.__class__, instance=instance)

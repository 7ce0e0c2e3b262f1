"""Closing breaches: when an item stops being open (a contact decided, an enquiry closed, a
request returned or withdrawn), its breaches are no longer current.

Called by the services that close items, inside their transaction, so a breach is resolved
exactly when its item closes and never half-way.
"""

from datetime import datetime

from django.db import models

from .models import ITEM_FIELD, Breach, ItemKind


def resolve_breaches(*, kind: ItemKind, item: models.Model, at: datetime) -> int:
    """Set `resolved_at` to `at` on the unresolved breaches of `item` (one UPDATE); returns how
    many were resolved. An item with no breach costs one UPDATE of no rows."""
    kind = ItemKind(kind)
    return Breach.objects.filter(
        kind=kind, resolved_at__isnull=True, **{ITEM_FIELD[kind]: item}
    ).update(resolved_at=at)

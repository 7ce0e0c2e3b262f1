"""Every write to drafts: saving as the user goes, deleting when the form is sent or thrown
away, and the nightly purge of drafts nobody touched for 30 days."""

from datetime import timedelta

from django.db import IntegrityError, transaction
from django.utils import timezone

from mash.audit.events import record_event

from . import kinds
from .models import Draft, DraftKind

#: A draft nobody saved for this long is deleted by the nightly purge.
KEEP_FOR = timedelta(days=30)


def _event(name: str, draft: Draft, **extra) -> None:
    """The audit entry: which draft, of which kind, on which request, by whom. Never the data."""
    record_event(
        name,
        target=draft,
        data={
            "draft_id": draft.pk,
            "kind": draft.kind,
            "information_request_id": draft.information_request_id,
            **extra,
        },
    )


@transaction.atomic
def draft_save(*, owner, kind: str, data: dict, information_request=None) -> Draft:
    """Store `data` as `owner`'s draft of `kind` (on `information_request` for a return),
    replacing what was there. The data is checked against the form first (drafts.kinds):
    ValidationError naming the field, and nothing stored, otherwise. The audit trail records
    that a draft was started (draft.saved), not each keystroke's save nor what it says."""
    kind = DraftKind(kind)
    if (kind == DraftKind.RETURN) != (information_request is not None):
        raise ValueError("A return draft needs its request; a MARF draft has none.")
    data = kinds.validate(kind, data)
    key = {"owner": owner, "kind": kind, "information_request": information_request}
    draft = Draft.objects.select_for_update().filter(**key).first()
    if draft is None:
        try:
            with transaction.atomic():
                draft = Draft.objects.create(**key, data=data)
        except IntegrityError:
            # Two saves at once (autosave and the button): the other made it; update that one.
            draft = Draft.objects.select_for_update().get(**key)
        else:
            _event("draft.saved", draft)
            return draft
    draft.data = data
    draft.save(update_fields=["data", "updated_at"])
    return draft


@transaction.atomic
def draft_delete(*, owner, kind: str, information_request=None, reason: str) -> bool:
    """Delete `owner`'s draft of `kind` (on `information_request`), if any, saying why
    ("sent", "discarded"): call it in the transaction that sends the form. Whether one was
    deleted."""
    draft = Draft.objects.filter(
        owner=owner, kind=DraftKind(kind), information_request=information_request
    ).first()
    if draft is None:
        return False
    _event("draft.deleted", draft, reason=reason)
    draft.delete()
    return True


def drafts_purge_stale(*, now=None) -> int:
    """Delete every draft not saved for KEEP_FOR (30 days); how many. Safe to run twice."""
    cutoff = (now or timezone.now()) - KEEP_FOR
    deleted = 0
    # One audit entry per draft, ids only; batches keep a long list from one huge transaction.
    while True:
        with transaction.atomic():
            batch = list(
                Draft.objects.select_for_update(skip_locked=True)
                .filter(updated_at__lt=cutoff)
                .order_by("pk")[:500]
            )
            if not batch:
                return deleted
            for draft in batch:
                _event("draft.deleted", draft, reason="expired")
            Draft.objects.filter(pk__in=[draft.pk for draft in batch]).delete()
            deleted += len(batch)

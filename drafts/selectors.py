"""Every read of drafts: a user's own, never anyone else's."""

from .models import Draft, DraftKind


def draft_of(*, owner, kind: str, information_request=None) -> Draft | None:
    """`owner`'s draft of `kind` (on `information_request` for a return), or None."""
    if owner is None or not getattr(owner, "is_authenticated", False):
        return None
    return Draft.objects.filter(
        owner=owner, kind=DraftKind(kind), information_request=information_request
    ).first()

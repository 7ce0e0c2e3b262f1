"""Writing case notes: added, never changed (a correction is a new note), always audited."""

from django.core.exceptions import ValidationError
from django.db import transaction

from agencies.roles import HUB_ROLES
from contacts.models import Contact
from contacts.selectors import contacts_visible_to
from enquiries.models import Enquiry
from enquiries.selectors import enquiries_visible_to
from mash import limits
from mash.access import require_role
from mash.audit.events import record_event
from mash.errors import ConflictError

from .models import CaseNote, NoteKind
from .selectors import is_note_reader

KIND_REQUIRED = "Choose what kind of note this is"
KIND_UNKNOWN = "Choose a kind of note from the list"
TEXT_REQUIRED = "Enter the note"
TEXT_LABEL = "Note"


def text_too_long() -> str:
    return limits.too_long_message(TEXT_LABEL, limits.CASE_NOTE.max_length)


def accepts_notes(record: Contact | Enquiry) -> bool:
    """Notes are added while the record is open: an undecided contact, an open enquiry. A
    decided contact or a closed enquiry is final (its notes stay readable)."""
    if isinstance(record, Contact):
        return not record.is_decided
    return not record.is_closed


def _check(kind: str, text: str) -> None:
    errors: dict[str, list[str]] = {}
    if not kind:
        errors["kind"] = [KIND_REQUIRED]
    elif kind not in NoteKind.values:
        errors["kind"] = [KIND_UNKNOWN]
    if not text:
        errors["text"] = [TEXT_REQUIRED]
    elif len(text) > limits.CASE_NOTE.max_length:
        errors["text"] = [text_too_long()]
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def note_add(
    *,
    user,
    contact: Contact | None = None,
    enquiry: Enquiry | None = None,
    kind: str,
    text: str,
    significant: bool = False,
) -> CaseNote:
    """Add a note by `user` to one contact or one enquiry they can see.

    Raises PermissionError for anyone but active hub staff, Contact/Enquiry.DoesNotExist for a
    record outside the user's view (the views answer 404), ValidationError naming `kind` or
    `text` for bad input, and ConflictError when the contact is decided or the enquiry closed.
    Nothing is stored unless everything is right.
    """
    if not is_note_reader(user):
        require_role(user, HUB_ROLES, "add case notes")
        raise PermissionError("Your membership cannot add case notes.")
    if (contact is None) == (enquiry is None):
        raise ValueError("A note is on exactly one contact or one enquiry.")
    # The record, if visible, locked so that it cannot be decided or closed while the note is
    # added (those steps lock it too).
    if contact is not None:
        contact = contacts_visible_to(user).select_for_update().get(pk=contact.pk)
    else:
        enquiry = enquiries_visible_to(user).select_for_update().get(pk=enquiry.pk)
    text = (text or "").strip()
    kind = kind or ""
    _check(kind, text)
    if not accepts_notes(contact or enquiry):
        record = contact or enquiry
        state = "decided" if contact is not None else "closed"
        raise ConflictError(f"{record.reference} is {state}: no more notes can be added to it.")
    note = CaseNote(
        contact=contact, enquiry=enquiry, kind=kind, text=text, significant=bool(significant)
    )
    note.author = user
    note.full_clean()
    note.save()
    record_event(
        "note.added",
        target=note,
        actor=user,
        data={
            "record": "contact" if contact is not None else "enquiry",
            "record_id": (contact or enquiry).pk,
            "kind": kind,
            "significant": note.significant,
        },
    )
    return note

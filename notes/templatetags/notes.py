"""`{% case_notes record as section %}`: what templates/notes/_notes.html shows on a hub page, so
the contact and enquiry views need not know about notes."""

from django import template
from django.urls import reverse

from contacts.models import Contact

from ..forms import NoteForm
from ..selectors import is_note_reader, notes_on
from ..services import accepts_notes

register = template.Library()


@register.simple_tag(takes_context=True)
def case_notes(context, record) -> dict | None:
    """The notes on `record` (a contact or an enquiry) the signed-in user may read, newest
    first, with the "Add a note" form (a posted one in the context as `note_form`, else a fresh
    one), where it posts and whether the record still takes notes; None for anyone who may not
    read notes."""
    request = context.get("request")
    user = getattr(request, "user", None)
    if record is None or not is_note_reader(user):
        return None
    if isinstance(record, Contact):
        action = reverse("notes:contact_notes", kwargs={"pk": record.pk})
    else:
        action = reverse("notes:enquiry_notes", kwargs={"pk": record.pk})
    return {
        "notes": list(notes_on(user, record)),
        "form": context.get("note_form") or NoteForm(),
        "action": action,
        "open": accepts_notes(record),
    }

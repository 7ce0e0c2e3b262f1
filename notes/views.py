"""The hub's case notes pages: a record's notes with the "Add a note" form, and its post.

The contact and enquiry pages show the same section (templates/notes/_notes.html, filled by the
`case_notes` tag) and post here. A post with errors is answered on this page, with the error
summary naming the fields and the note as typed; nothing is stored. Hub staff only: anyone else,
and a record outside the user's view, gets 404.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Model
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from contacts.models import Contact
from enquiries.models import Enquiry
from mash.audit.events import record_access
from mash.errors import ConflictError
from mash.forms import apply_errors
from mash.idempotency.submissions import USED_MESSAGE, SubmissionTokenError, submission_once

from .forms import NoteForm
from .selectors import contact_for_notes, enquiry_for_notes
from .services import note_add

FORM_NAME = "note"


def record_url(record: Model) -> str:
    """The record's own page at its case notes: the contact's page, or the enquiry's Notes and
    documents section."""
    if isinstance(record, Contact):
        return reverse("contacts:contact_detail", kwargs={"pk": record.pk}) + "#case-notes"
    return reverse("enquiries_hub:notes", kwargs={"pk": record.pk}) + "#case-notes"


def _add(request: HttpRequest, record: Model, form: NoteForm):
    """The note made from the posted form, or None with the form's errors in place."""
    if not form.is_valid():
        return None
    on = {"contact": record} if isinstance(record, Contact) else {"enquiry": record}
    try:
        return note_add(
            user=request.user,
            kind=form.cleaned_data["kind"],
            text=form.cleaned_data["text"],
            significant=form.cleaned_data["significant"],
            **on,
        )
    except ValidationError as error:
        apply_errors(form, error)
        return None


def _notes_page(request: HttpRequest, record: Model) -> HttpResponse:
    form = NoteForm(request.POST or None)
    status = 200
    if request.method == "POST":
        status = 400
        try:
            with submission_once(request, FORM_NAME) as submission:
                if submission.already_done:
                    messages.success(request, USED_MESSAGE)
                    return redirect(submission.done_url)
                try:
                    note = _add(request, record, form)
                except ConflictError as error:  # decided or closed since the page was shown
                    form.add_error(None, error.message)
                    note, status = None, 409
                if note is None:
                    transaction.set_rollback(True)  # nothing stored: the token stays unused
                else:
                    messages.success(request, "Your note was added.")
                    url = record_url(record)
                    submission.produced(url)
                    return redirect(url)
        except SubmissionTokenError as error:
            form.add_error(None, error.message)
    record_access(record)  # the page shows the record and its notes, error pages included
    context = {
        "record": record,
        "record_label": "Contact" if isinstance(record, Contact) else "Enquiry",
        "record_url": record_url(record).split("#")[0],
        "note_form": form,
    }
    return render(request, "notes/notes_page.html", context, status=status)


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def contact_notes(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        contact = contact_for_notes(request.user, pk)
    except Contact.DoesNotExist as missing:
        raise Http404 from missing
    return _notes_page(request, contact)


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def enquiry_notes(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        enquiry = enquiry_for_notes(request.user, pk)
    except Enquiry.DoesNotExist as missing:
        raise Http404 from missing
    return _notes_page(request, enquiry)

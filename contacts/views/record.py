"""Hub staff record a contact that arrived by phone, email or police notification."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse

from mash.forms import summary_errors
from mash.idempotency.submissions import USED_MESSAGE, SubmissionTokenError, submission_once

from .. import services
from ..forms_record import ContactDetailsForm, OtherPersonFormSet, SubjectFormSet
from ..services import ContactInput, NamedPersonInput, PersonInput
from .common import apply_errors, require_hub

_PERSON_FIELDS = (
    "given_name",
    "family_name",
    "date_of_birth",
    "expected_date_of_delivery",
    "gender",
    "nhs_number",
    "upn",
    "address",
    "postcode",
)
_DATES = {"date_of_birth", "expected_date_of_delivery"}


def _subjects(formset) -> list[tuple[int, PersonInput]]:
    people = []
    for index, form in enumerate(formset.forms):
        data = form.cleaned_data
        if not data or not (data.get("given_name") or data.get("family_name")):
            continue
        values = {
            name: data.get(name) or ("" if name not in _DATES else None) for name in _PERSON_FIELDS
        }
        people.append((index, PersonInput(**values)))
    return people


def _others(others, subjects) -> list[tuple[int, NamedPersonInput]] | None:
    """Everyone else named on the form, their relationship by the positions the service
    knows (empty rows left out); None, with errors on the rows, when one names a row with
    nobody in it."""
    if not others.is_bound:
        return []
    subject_position = {form_index: i for i, (form_index, _p) in enumerate(subjects)}
    rows = [(i, f) for i, f in enumerate(others.forms) if f.has_person()]
    other_position = {form_index: i for i, (form_index, _f) in enumerate(rows)}
    people, ok = [], True
    for form_index, form in rows:
        data = form.cleaned_data
        to_subject = to_person = None
        target = data.get("related_to") or ""
        if target:
            kind, _, number = target.partition("-")
            positions = subject_position if kind == "subject" else other_position
            if int(number) not in positions:
                form.add_error("related_to", "There is nobody in that part of the form")
                ok = False
                continue
            if kind == "subject":
                to_subject = positions[int(number)]
            else:
                to_person = positions[int(number)]
        person = PersonInput(
            given_name=data["given_name"],
            family_name=data["family_name"],
            date_of_birth=data.get("date_of_birth"),
            nhs_number=data.get("nhs_number") or "",
        )
        people.append(
            (
                form_index,
                NamedPersonInput(
                    person=person,
                    role=data["role"],
                    relationship_type=data.get("relationship_type") or "",
                    to_subject=to_subject,
                    to_person=to_person,
                    in_household=bool(data.get("in_household")),
                ),
            )
        )
    return people if ok else None


_OTHER_FIELD = {
    "relationship.type": "relationship_type",
    "relationship.to_subject": "related_to",
    "relationship.to_person": "related_to",
}


def _show_service_errors(form, formset, people, error: ValidationError, others=None, named=()):
    """Put `subjects[i].field` errors on the right person's form, `people[i]...` on the other
    person's, the rest on the main form."""
    for key, messages_ in error.message_dict.items():
        if key.startswith("people[") and "]." in key and others is not None:
            position = int(key[len("people[") : key.index("]")])
            field = key.split("].", 1)[1]
            field = _OTHER_FIELD.get(field, field)
            target = others.forms[named[position][0]]
            target.add_error(field if field in target.fields else None, messages_)
        elif key.startswith("subjects[") and "]." in key:
            position = int(key[len("subjects[") : key.index("]")])
            field = key.split("].", 1)[1]
            form_index = people[position][0]
            target = formset.forms[form_index]
            target.add_error(field if field in target.fields else None, messages_)
        elif key == "subjects":
            formset.forms[0].add_error(None, messages_)
        else:
            apply_errors(form, ValidationError({key: messages_}))


def _record(request: HttpRequest, form, formset, others):
    """The contact recorded from the posted forms, or None with their errors in place."""
    form_ok = form.is_valid()
    people_ok = formset.is_valid()
    others_ok = not others.is_bound or others.is_valid()
    if not (form_ok and people_ok and others_ok):
        return None
    people = _subjects(formset)
    named = _others(others, people)
    if named is None:
        return None
    data = ContactInput(
        source=form.cleaned_data["source"],
        channel=form.cleaned_data["channel"],
        subjects=[person for _index, person in people],
        consent=form.cleaned_data["consent"],
        consent_detail=form.cleaned_data["consent_detail"],
        concerns=form.cleaned_data["concerns"],
        narrative=form.cleaned_data["narrative"],
        received_at=form.received_at(),
        referring_agency=form.cleaned_data["referring_agency"],
        referrer_name=form.cleaned_data["referrer_name"],
        referrer_role=form.cleaned_data["referrer_role"],
        referrer_organisation=form.cleaned_data["referrer_organisation"],
        referrer_phone=form.cleaned_data["referrer_phone"],
        referrer_email=form.cleaned_data["referrer_email"],
        people=[person for _index, person in named],
    )
    try:
        return services.contact_create(data=data, created_by=request.user)
    except ValidationError as error:
        _show_service_errors(form, formset, people, error, others, named)
        return None


@login_required
def record_contact(request: HttpRequest) -> HttpResponse:
    """Record a contact; the form's one-time token makes a double click one contact."""
    require_hub(request)
    form = ContactDetailsForm(request.POST or None)
    formset = SubjectFormSet(request.POST or None, prefix="subject")
    # The other people named: a post without their part of the form (an older page) names nobody
    posted_others = request.method == "POST" and "other-TOTAL_FORMS" in request.POST
    others = OtherPersonFormSet(request.POST if posted_others else None, prefix="other")
    if request.method == "POST":
        try:
            with submission_once(request, "record_contact") as submission:
                if submission.already_done:
                    messages.success(request, USED_MESSAGE)
                    return redirect(submission.done_url)
                contact = _record(request, form, formset, others)
                if contact is None:
                    transaction.set_rollback(True)  # nothing recorded: the token stays unused
                else:
                    messages.success(request, f"{contact.reference} was recorded.")
                    url = reverse("contacts:contact_detail", kwargs={"pk": contact.pk})
                    submission.produced(url)
                    return redirect(url)
        except SubmissionTokenError as error:
            form.add_error(None, error.message)
    status = 400 if request.method == "POST" else 200
    # One error summary for the whole page: every sub-form's problems, each field once.
    error_items = summary_errors(form, formset, others) if request.method == "POST" else []
    return render(
        request,
        "contacts/record_contact.html",
        {"form": form, "formset": formset, "others": others, "error_items": error_items},
        status=status,
    )

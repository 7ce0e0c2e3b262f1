"""Hub staff record a DA notification that reached them by hand (phone, email, a police visit)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse

from contacts.services import PersonInput
from contacts.views.common import require_hub
from mash.errors import ConflictError
from mash.forms import apply_errors, summary_errors
from mash.idempotency.submissions import USED_MESSAGE, SubmissionTokenError, submission_once

from .forms import AdultForm, ChildFormSet, DaNotificationForm
from .models import DaNotification
from .services import ChildInput, DaNotificationInput, DaPersonInput, da_notification_create

FORM_NAME = "record_da_notification"
_MAIN_FIELDS = {"incident_at": "incident_date"}
_ADULT_FIELDS = {"relationship.type": "relationship_type", "relationship.to_child": None}


def _person(data: dict) -> PersonInput:
    return PersonInput(
        given_name=data.get("given_name") or "",
        family_name=data.get("family_name") or "",
        date_of_birth=data.get("date_of_birth"),
        nhs_number=data.get("nhs_number") or "",
        upn=data.get("upn") or "",
        postcode=data.get("postcode") or "",
    )


def _adult(form: AdultForm) -> DaPersonInput | None:
    if not form.has_person():
        return None
    data = form.cleaned_data
    return DaPersonInput(
        person=_person(data),
        relationship_type=data.get("relationship_type") or "",
        to_child=0 if data.get("relationship_type") else None,
        in_household=bool(data.get("in_household")),
    )


def _show_errors(form, victim, perpetrator, children, rows, error: ValidationError) -> None:
    """Each of the service's errors on the part of the page it names."""
    for key, messages_ in error.message_dict.items():
        target, field = form, _MAIN_FIELDS.get(key, key)
        if key.startswith("children[") and "]." in key:
            position = int(key[len("children[") : key.index("]")])
            target = children.forms[rows[position]]
            field = key.split("].", 1)[1]
        elif key == "children":
            target, field = children.forms[0], None
        elif key.split(".", 1)[0] in ("victim", "perpetrator"):
            who, _, rest = key.partition(".")
            target = victim if who == "victim" else perpetrator
            field = _ADULT_FIELDS.get(rest, rest) if rest else None
        if field is not None and field not in target.fields:
            field = None
        if target is form and field is None:
            apply_errors(form, ValidationError({key: messages_}))
            continue
        target.add_error(field, messages_)


def _record(request: HttpRequest, form, victim, perpetrator, children) -> DaNotification | None:
    """The notification recorded from the posted forms, or None with their errors in place."""
    valid = [part.is_valid() for part in (form, victim, perpetrator, children)]
    if not all(valid):
        return None
    rows = [index for index, child in enumerate(children.forms) if child.is_filled()]
    data = DaNotificationInput(
        occurrence_reference=form.cleaned_data["occurrence_reference"],
        incident_at=form.incident_at(),
        dash_risk=form.cleaned_data["dash_risk"],
        children=[
            ChildInput(
                person=_person(children.forms[index].cleaned_data),
                present=bool(children.forms[index].cleaned_data.get("present")),
            )
            for index in rows
        ],
        victim=_adult(victim),
        perpetrator=_adult(perpetrator),
        police_agency=form.cleaned_data["police_agency"],
        narrative=form.cleaned_data["narrative"],
        referrer_name=f"{form.cleaned_data['police_agency'].name} (recorded by the hub)",
    )
    try:
        notification, _created = da_notification_create(data=data, created_by=request.user)
    except ValidationError as error:
        _show_errors(form, victim, perpetrator, children, rows, error)
        return None
    except ConflictError as conflict:
        form.add_error("occurrence_reference", conflict.message)
        return None
    return notification


@login_required
def record_da_notification(request: HttpRequest) -> HttpResponse:
    """Record a DA notification; the form's one-time token makes a double click one record."""
    require_hub(request)
    posted = request.POST if request.method == "POST" else None
    form = DaNotificationForm(posted)
    victim = AdultForm(posted, prefix="victim", who="victim")
    perpetrator = AdultForm(posted, prefix="perpetrator", who="alleged perpetrator")
    children = ChildFormSet(posted, prefix="child")
    if request.method == "POST":
        try:
            with submission_once(request, FORM_NAME) as submission:
                if submission.already_done:
                    messages.success(request, USED_MESSAGE)
                    return redirect(submission.done_url)
                notification = _record(request, form, victim, perpetrator, children)
                if notification is None:
                    transaction.set_rollback(True)  # nothing recorded: the token stays unused
                else:
                    contact = notification.contact
                    messages.success(
                        request,
                        f"DA notification {notification.occurrence_reference} was recorded as "
                        f"{contact.reference}.",
                    )
                    url = reverse("contacts:contact_detail", kwargs={"pk": contact.pk})
                    submission.produced(url)
                    return redirect(url)
        except SubmissionTokenError as error:
            form.add_error(None, error.message)
    error_items = (
        summary_errors(form, victim, perpetrator, children) if request.method == "POST" else []
    )
    return render(
        request,
        "domestic_abuse/record.html",
        {
            "form": form,
            "victim": victim,
            "perpetrator": perpetrator,
            "children": children,
            "error_items": error_items,
        },
        status=400 if request.method == "POST" else 200,
    )

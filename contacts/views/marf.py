"""The referrer's side of the MARF: the form, page by page, and their own referrals.

Only referrers may use these pages; anyone else gets 404. Each page's answers are saved, as
Continue is pressed, in the referrer's own draft on the server (drafts.Draft, one a referrer), so
signing out, or being signed out when idle, loses nothing: they carry on from the first page not
yet answered. Sending the referral deletes the draft in the same transaction.

A referrer reads their MARFs only through `marfs_of_referrer`, and sees the status, the outcome
in plain words and whether feedback was sent: nothing the hub added.
"""

import re
from datetime import date

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods

from agencies.roles import Role
from drafts.models import DraftKind
from drafts.selectors import draft_of
from drafts.services import KEEP_FOR, draft_delete, draft_save
from mash.audit.events import record_access
from mash.idempotency.submissions import USED_MESSAGE, SubmissionTokenError, submission_once

from .. import services
from ..codes import OUTCOME_FOR_REFERRER, Channel, Gender, Outcome
from ..forms_marf import (
    FORM_FOR_SECTION,
    MarfSectionForm,
    OtherPersonForm,
    SubjectForm,
    answers_summary,
    people_names,
)
from ..marf import (
    ABOUT_YOU,
    CONCERN,
    CONSENT,
    HOUSEHOLD,
    MAX_OTHERS,
    MAX_PEOPLE,
    OTHER_PERSON,
    PEOPLE,
    SECTION_BY_SLUG,
    SECTIONS,
    Section,
    compose_narrative,
    default_source,
    first_incomplete,
    other_people,
)
from ..models import Contact, Marf
from ..selectors import marfs_of_referrer
from ..services import ContactInput, NamedPersonInput, PersonInput
from .common import require_roles

PAGE_SIZE = 50
_SUBJECT_ERROR = re.compile(r"^subjects\[(\d+)\]\.(\w+)$")
_OTHER_ERROR = re.compile(r"^people\[(\d+)\]\.([\w.]+)$")
_OTHER_FIELD = {
    "relationship.type": "relationship_type",
    "relationship.to_subject": "related_to",
    "relationship.to_person": "related_to",
}
# Where each field of the contact service was asked, (section, question): the same name, but
# the narrative is written from the concern's accounts, the first of which is what happened.
_ASKED_AT: dict[str, tuple[Section, str]] = {
    question.name: (section, question.name)
    for section in SECTIONS
    if not section.repeating
    for question in section.questions
} | {"narrative": (CONCERN, "what_happened")}


def _enquiry_of(contact: Contact):
    """The enquiry the contact is in, or None (loaded with the contact where the list asks)."""
    from django.core.exceptions import ObjectDoesNotExist

    try:
        return contact.enquiry_link.enquiry
    except ObjectDoesNotExist:
        return None


def _referrer_status(contact: Contact) -> str:
    """The status a referrer is told: Received, Being looked at, Decided; for a MASH enquiry,
    Enquiry under way until it closes, then Closed."""
    if contact.outcome:
        enquiry = _enquiry_of(contact) if contact.outcome == Outcome.MASH_ENQUIRY else None
        if enquiry is not None:
            return "Closed" if enquiry.is_closed else "Enquiry under way"
        return "Decided"
    if contact.decision_started_at or contact.recommended_outcome:
        return "Being looked at"
    return "Received"


def referrer_view(marf: Marf) -> dict:
    """All a referrer may see of their own MARF besides their answers: reference, when sent,
    the names they gave, status, the outcome in plain words and whether feedback was sent; once
    the enquiry it led to closes, its final outcome in plain words and when that was emailed.
    Nothing the hub added (no rationale, reasons, RAG, assignee, notes, other contacts or what
    agencies said) is in it."""
    from enquiries.services.enquiries import FINAL_OUTCOME_FOR_REFERRER

    contact = marf.contact
    enquiry = _enquiry_of(contact) if contact.outcome == Outcome.MASH_ENQUIRY else None
    closed = enquiry is not None and enquiry.is_closed
    return {
        "pk": contact.pk,
        "reference": contact.reference,
        "submitted_at": marf.submitted_at,
        "names": people_names(marf.answers),
        "status": _referrer_status(contact),
        "outcome": OUTCOME_FOR_REFERRER.get(contact.outcome, "") if contact.outcome else "",
        "feedback_sent_at": contact.feedback_sent_at,
        "final_outcome": FINAL_OUTCOME_FOR_REFERRER.get(enquiry.outcome, "") if closed else "",
        "closed_at": enquiry.closed_at if closed else None,
        "final_word_sent_at": contact.enquiry_link.final_word_sent_at if closed else None,
    }


def _require_referrer(request: HttpRequest) -> None:
    require_roles(request, {Role.REFERRER})


def _draft(request: HttpRequest) -> dict:
    """The referrer's answers so far (their own draft), or {}."""
    draft = draft_of(owner=request.user, kind=DraftKind.MARF)
    return draft.data if draft is not None and isinstance(draft.data, dict) else {}


def _save_draft(request: HttpRequest, draft: dict) -> None:
    draft_save(owner=request.user, kind=DraftKind.MARF, data=draft)


def _discard_draft(request: HttpRequest, *, reason: str) -> None:
    draft_delete(owner=request.user, kind=DraftKind.MARF, reason=reason)


def _step_url(section: Section, *, change: bool = False) -> str:
    url = reverse("contacts:marf_step", kwargs={"step": section.slug})
    return f"{url}?change=1" if change else url


def _defaults(request: HttpRequest, section: Section) -> dict:
    if section is not ABOUT_YOU:
        return {}
    user = request.user
    return {
        "referrer_name": user.get_full_name(),
        "referrer_role": user.job_title,
        "referrer_organisation": user.agency.name,
        "referrer_phone": user.phone,
        "referrer_email": user.email,
        "source": default_source(user.agency),
    }


def _render_step(
    request: HttpRequest,
    section: Section,
    forms: list[MarfSectionForm],
    *,
    status: int = 200,
    others: list[MarfSectionForm] | None = None,
) -> HttpResponse:
    change = request.GET.get("change") == "1"
    index = SECTIONS.index(section)
    if change:
        back = reverse("contacts:marf_check")
    elif index:
        back = _step_url(SECTIONS[index - 1])
    else:
        back = reverse("contacts:marf_start")
    context = {
        "section": section,
        "forms": forms,
        "form": forms[0],
        "has_errors": any(form.errors for form in forms if form.is_bound),
        "step_number": index + 1,
        "step_count": len(SECTIONS),
        "action": _step_url(section, change=change),
        "back_url": back,
        "max_people": MAX_PEOPLE,
        "others": others,
        "max_others": MAX_OTHERS,
        "others_have_errors": any(form.errors for form in others or [] if form.is_bound),
    }
    if others is not None:
        context["has_errors"] = context["has_errors"] or context["others_have_errors"]
    template = "contacts/marf/people.html" if section.repeating else "contacts/marf/step.html"
    return render(request, template, context, status=status)


def _after(request: HttpRequest, section: Section, draft: dict) -> HttpResponse:
    """Where Continue goes: back to check-your-answers when changing an answer, else on."""
    index = SECTIONS.index(section)
    missing = first_incomplete(draft)
    if (request.GET.get("change") == "1" or index == len(SECTIONS) - 1) and missing is None:
        return redirect("contacts:marf_check")
    if index + 1 < len(SECTIONS):
        return redirect(_step_url(SECTIONS[index + 1]))
    return redirect(_step_url(missing))


@login_required
@require_http_methods(["GET", "POST"])
def marf_start(request: HttpRequest) -> HttpResponse:
    """The start page; POST throws the draft away and starts a new referral."""
    _require_referrer(request)
    if request.method == "POST":
        _discard_draft(request, reason="discarded")
        return redirect(_step_url(SECTIONS[0]))
    saved = draft_of(owner=request.user, kind=DraftKind.MARF)
    draft = saved.data if saved is not None and isinstance(saved.data, dict) else {}
    resume = first_incomplete(draft)
    return render(
        request,
        "contacts/marf/start.html",
        {
            "first_url": _step_url(SECTIONS[0]),
            "in_progress": bool(draft),
            "saved_at": saved.updated_at if draft else None,
            "resume_url": _step_url(resume) if resume else reverse("contacts:marf_check"),
            "sections": SECTIONS,
            "idle_minutes": settings.SESSION_IDLE_MINUTES,
            "keep_days": KEEP_FOR.days,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def marf_step(request: HttpRequest, step: str) -> HttpResponse:
    """One section of the form: shown with the draft's answers, saved to the draft when valid."""
    _require_referrer(request)
    section = SECTION_BY_SLUG.get(step)
    if section is None:
        raise Http404
    if section.repeating:
        return _people_step(request, section)
    if section is HOUSEHOLD:
        return _household_step(request, section)
    form_class = FORM_FOR_SECTION[section.slug]
    draft = _draft(request)
    if request.method == "POST":
        form = form_class(request.POST)
        if form.is_valid():
            draft[section.key] = form.answers()
            _save_draft(request, draft)
            return _after(request, section, draft)
        return _render_step(request, section, [form], status=400)
    initial = draft.get(section.key) or _defaults(request, section)
    return _render_step(request, section, [form_class(initial=initial)])


def _people_count(value: str | None) -> int:
    try:
        return min(max(int(value or 1), 1), MAX_PEOPLE)
    except ValueError:
        return 1


def _person_forms(rows: list[dict]) -> list[MarfSectionForm]:
    return [SubjectForm(initial=row, prefix=f"person-{i}") for i, row in enumerate(rows)]


def _people_step(request: HttpRequest, section: Section) -> HttpResponse:
    """The people page: one or more people, with "Add another person" and "Remove"."""
    draft = _draft(request)
    if request.method != "POST":
        return _render_step(request, section, _person_forms(draft.get(section.key) or [{}]))
    count = _people_count(request.POST.get("people-count"))
    forms = [SubjectForm(request.POST, prefix=f"person-{i}") for i in range(count)]
    action = request.POST.get("action", "continue")
    if action == "add" or action.startswith("remove-"):
        # Keep what was typed, unchecked: it is checked when they continue.
        rows = [{name: form[name].value() for name in form.fields} for form in forms]
        added = action == "add" and len(rows) < MAX_PEOPLE
        if added:
            rows.append({})
        elif action.startswith("remove-") and len(rows) > 1:
            position = action.removeprefix("remove-")
            if re.fullmatch(r"[0-9]{1,2}", position) and int(position) < len(rows):
                rows.pop(int(position))
        forms = _person_forms(rows)
        if added:  # take the keyboard to the new person
            forms[-1].fields["given_name"].widget.attrs["autofocus"] = True
        return _render_step(request, section, forms)
    valid = [form.is_valid() for form in forms]
    if all(valid):
        draft[section.key] = [form.answers() for form in forms]
        _save_draft(request, draft)
        return _after(request, section, draft)
    return _render_step(request, section, forms, status=400)


def _other_forms(draft: dict, rows: list[dict]) -> list[MarfSectionForm]:
    return [
        OtherPersonForm(initial=row, prefix=f"other-{i}", answers=draft)
        for i, row in enumerate(rows)
    ]


def _kept_others(forms: list[OtherPersonForm]) -> list[dict] | None:
    """The rows with someone in them, their `related_to` renumbered to the kept rows; None, with
    the error on the row, when one is related to a row left blank."""
    kept = [index for index, form in enumerate(forms) if not form.is_blank()]
    position = {index: new for new, index in enumerate(kept)}
    rows, ok = [], True
    for index in kept:
        row = forms[index].answers()
        target = row.get("related_to") or ""
        if target.startswith("other-"):
            number = int(target.removeprefix("other-"))
            if number not in position:
                forms[index].add_error("related_to", "There is nobody in that part of the form")
                ok = False
                continue
            row["related_to"] = f"other-{position[number]}"
        rows.append(row)
    return rows if ok else None


def _household_step(request: HttpRequest, section: Section) -> HttpResponse:
    """The family and household: everyone else, person by person, and other family as text."""
    draft = _draft(request)
    saved = draft.get(section.key) or {}
    if request.method != "POST":
        form = FORM_FOR_SECTION[section.slug](initial=saved)
        rows = other_people(saved) or [{"in_household": "yes"}]
        return _render_step(request, section, [form], others=_other_forms(draft, rows))
    form = FORM_FOR_SECTION[section.slug](request.POST)
    count = min(max(_int(request.POST.get("others-count")), 0), MAX_OTHERS)
    forms = [
        OtherPersonForm(request.POST, prefix=f"other-{i}", answers=draft) for i in range(count)
    ]
    action = request.POST.get("action", "continue")
    if action == "add-other" or action.startswith("remove-other-"):
        rows = [{name: f[name].value() for name in f.fields} for f in forms]
        added = action == "add-other" and len(rows) < MAX_OTHERS
        if added:
            rows.append({"in_household": "yes"})
        elif action.startswith("remove-other-"):
            position = action.removeprefix("remove-other-")
            if re.fullmatch(r"[0-9]{1,2}", position) and int(position) < len(rows):
                rows.pop(int(position))
        others = _other_forms(draft, rows)
        if added:
            others[-1].fields["given_name"].widget.attrs["autofocus"] = True
        return _render_step(request, section, [form], others=others)
    valid = [form.is_valid()] + [f.is_valid() for f in forms]
    if all(valid):
        rows = _kept_others(forms)
        if rows is not None:
            draft[section.key] = {**form.answers(), OTHER_PERSON.key: rows}
            _save_draft(request, draft)
            return _after(request, section, draft)
    return _render_step(request, section, [form], status=400, others=forms)


def _int(value) -> int:
    try:
        return int(value or 0)
    except ValueError:
        return 0


def _date(value) -> date | None:
    try:
        return date.fromisoformat(value) if value else None
    except (TypeError, ValueError):
        return None


def _contact_input(request: HttpRequest, draft: dict) -> ContactInput:
    about = draft.get(ABOUT_YOU.key) or {}
    concern = draft.get(CONCERN.key) or {}
    consent = draft.get(CONSENT.key) or {}
    subjects = [
        PersonInput(
            given_name=person.get("given_name", ""),
            family_name=person.get("family_name", ""),
            date_of_birth=_date(person.get("date_of_birth")),
            expected_date_of_delivery=_date(person.get("expected_date_of_delivery")),
            gender=person.get("gender") or Gender.NOT_RECORDED,
            nhs_number=person.get("nhs_number", ""),
            upn=person.get("upn", ""),
            address=person.get("address", ""),
            postcode=person.get("postcode", ""),
        )
        for person in draft.get(PEOPLE.key) or []
    ]
    household = draft.get(HOUSEHOLD.key) or {}
    people = []
    for row in other_people(household):
        target = row.get("related_to") or ""
        kind, _, number = target.partition("-")
        people.append(
            NamedPersonInput(
                person=PersonInput(
                    given_name=row.get("given_name", ""),
                    family_name=row.get("family_name", ""),
                    date_of_birth=_date(row.get("date_of_birth")),
                ),
                role=row.get("role", ""),
                relationship_type=row.get("relationship_type", "") if target else "",
                to_subject=int(number) if kind == "subject" and number.isdigit() else None,
                to_person=int(number) if kind == "other" and number.isdigit() else None,
                in_household=row.get("in_household") != "no",
            )
        )
    return ContactInput(
        source=about.get("source", ""),
        channel=Channel.MARF,
        people=people,
        subjects=subjects,
        consent=consent.get("consent", ""),
        consent_detail=consent.get("consent_detail", ""),
        concerns=list(concern.get("concerns") or []),
        narrative=compose_narrative(concern),
        received_at=None,
        referring_agency=request.user.agency,
        referrer_name=about.get("referrer_name", ""),
        referrer_role=about.get("referrer_role", ""),
        referrer_organisation=about.get("referrer_organisation", ""),
        referrer_phone=about.get("referrer_phone", ""),
        referrer_email=about.get("referrer_email", ""),
    )


def _service_errors(request: HttpRequest, draft: dict, error: ValidationError) -> HttpResponse:
    """Show the service's errors on the page where each field was asked (the earliest page with
    an error); errors that belong to no page are shown on check-your-answers."""
    placed: dict[str, dict[int, dict[str, list[str]]]] = {}
    other_errors: dict[int, dict[str, list[str]]] = {}
    unplaced: list[str] = []
    messages = error.message_dict if hasattr(error, "error_dict") else {"": error.messages}
    for key, texts in messages.items():
        if match := _OTHER_ERROR.match(key):
            name = _OTHER_FIELD.get(match[2], match[2])
            other_errors.setdefault(int(match[1]), {}).setdefault(name, []).extend(texts)
            placed.setdefault(HOUSEHOLD.slug, {})
            continue
        if match := _SUBJECT_ERROR.match(key):
            slug, index, name = PEOPLE.slug, int(match[1]), match[2]
        elif key == "subjects":
            slug, index, name = PEOPLE.slug, 0, "__all__"
        elif key in _ASKED_AT:
            section, name = _ASKED_AT[key]
            slug, index = section.slug, 0
        else:
            unplaced.extend(texts)
            continue
        placed.setdefault(slug, {}).setdefault(index, {}).setdefault(name, []).extend(texts)
    section = next((s for s in SECTIONS if s.slug in placed), None)
    if section is None:
        return _render_check(request, draft, errors=unplaced or error.messages, status=400)
    form_class = FORM_FOR_SECTION[section.slug]
    values = draft.get(section.key)
    if section is HOUSEHOLD:
        form = form_class.bound_to(values or {})
        form.service_errors = placed[section.slug].get(0, {})
        form.is_valid()
        others = []
        for index, row in enumerate(other_people(values or {})):
            other = OtherPersonForm.bound_to(row, prefix=f"other-{index}")
            other.fields["related_to"].choices = (
                OtherPersonForm(answers=draft).fields["related_to"].choices
            )
            other.service_errors = other_errors.get(index, {})
            other.is_valid()
            others.append(other)
        return _render_step(request, section, [form], status=400, others=others)
    rows = values if section.repeating else [values or {}]
    prefix = "person-{}" if section.repeating else ""
    forms = []
    for index, row in enumerate(rows or [{}]):
        form = form_class.bound_to(row, prefix=prefix.format(index) or None)
        form.service_errors = placed[section.slug].get(index, {})
        form.is_valid()
        forms.append(form)
    return _render_step(request, section, forms, status=400)


def _render_check(request: HttpRequest, draft: dict, *, errors=(), status: int = 200):
    return render(
        request,
        "contacts/marf/check.html",
        {"summary": answers_summary(draft), "errors": list(errors)},
        status=status,
    )


@login_required
@require_http_methods(["GET", "POST"])
def marf_check(request: HttpRequest) -> HttpResponse:
    """Check your answers; POST sends the referral, creating the contact and its MARF."""
    _require_referrer(request)
    draft = _draft(request)
    if request.method == "POST":
        # The token, not the draft (gone with the first send of a double click, Back and send
        # again, or posts at once), says whether the referral was sent and where it went.
        return _send_once(request, draft)
    if first_incomplete(draft) is not None:
        return _unfinished(draft)
    return _render_check(request, draft)


def _unfinished(draft: dict) -> HttpResponse:
    """Back to the first page of the form still to answer (the start page when nothing is)."""
    missing = first_incomplete(draft)
    return redirect(_step_url(missing) if draft else reverse("contacts:marf_start"))


def _send_once(request: HttpRequest, draft: dict) -> HttpResponse:
    """Send the referral once per check-your-answers page: the first post makes the contact,
    every other post of the same page (at once or later) goes to its confirmation. A post with
    no token or a bad one sends nothing: check your answers again, with a fresh token and the
    reason in the error summary, the draft kept."""
    try:
        with submission_once(request, "marf") as submission:
            if submission.already_done:
                messages.success(request, USED_MESSAGE)
                return redirect(submission.done_url)
            if first_incomplete(draft) is not None:
                transaction.set_rollback(True)  # nothing sent: the token stays unused
                return _unfinished(draft)
            response = _send(request, draft)
            if response.status_code == 302:
                submission.produced(response["Location"])
            else:
                transaction.set_rollback(True)  # refused: corrected answers can be sent
            return response
    except SubmissionTokenError as error:
        if first_incomplete(draft) is not None:
            return _unfinished(draft)  # nothing to check yet: the form where it was left
        return _render_check(request, draft, errors=[error.message], status=400)


def _send(request: HttpRequest, draft: dict) -> HttpResponse:
    try:
        contact = services.contact_create(
            data=_contact_input(request, draft),
            created_by=request.user,
            referrer_user=request.user,
            marf_answers=draft,
        )
    except ValidationError as error:
        return _service_errors(request, draft, error)
    _discard_draft(request, reason="sent")  # in the send's transaction: both or neither
    return redirect("contacts:marf_sent", pk=contact.pk)


def _own_marf(request: HttpRequest, pk: int) -> Marf:
    marf = marfs_of_referrer(request.user).filter(contact_id=pk).first()
    if marf is None:
        raise Http404
    return marf


@login_required
@require_GET
def marf_sent(request: HttpRequest, pk: int) -> HttpResponse:
    """The confirmation: the referral's reference and what happens next."""
    _require_referrer(request)
    marf = _own_marf(request, pk)
    return render(request, "contacts/marf/sent.html", {"marf": referrer_view(marf)})


@login_required
@require_GET
def marf_list(request: HttpRequest) -> HttpResponse:
    """The referrer's own MARFs, newest first, with status, outcome and feedback."""
    _require_referrer(request)
    marfs = marfs_of_referrer(request.user).select_related("contact__enquiry_link__enquiry")
    page = Paginator(marfs, PAGE_SIZE).get_page(request.GET.get("page"))
    rows = [referrer_view(marf) for marf in page.object_list]
    return render(request, "contacts/marf/list.html", {"page": page, "rows": rows})


@login_required
@require_GET
def marf_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """One of the referrer's own MARFs: status, outcome and feedback, and their answers."""
    _require_referrer(request)
    marf = _own_marf(request, pk)
    record_access(marf)
    return render(
        request,
        "contacts/marf/detail.html",
        {"marf": referrer_view(marf), "summary": answers_summary(marf.answers)},
    )

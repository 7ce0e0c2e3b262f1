"""The triage queue, the triage page, and the manager's decisions."""

from datetime import datetime

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core import signing
from django.core.exceptions import ValidationError
from django.db.models import Q, QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from agencies.roles import Role
from mash.audit.events import record_access
from mash.errors import ConflictError
from mash.pagination import KeysetPage

from .. import services
from ..codes import Channel, Concern, Outcome, Source
from ..forms import DecisionForm, ReassignForm, RecommendationForm
from ..models import Contact
from ..selectors import (
    QueueFilters,
    QueueSort,
    contact_for_triage,
    subjects_with_history,
    triage_queue,
)
from ..selectors_open_work import concern_labels, open_work_for_people, subject_summaries
from .common import apply_errors, require_hub, require_roles


def _get_contact(request: HttpRequest, pk: int) -> Contact:
    try:
        return contact_for_triage(request.user, pk)
    except Contact.DoesNotExist as missing:
        raise Http404 from missing


# --- The queue ---------------------------------------------------------------------------

QUEUE_PAGE_SIZE = 50
_QUEUE_SALT = "contacts.queue"

# The sortable columns: (sort key, column heading), and each order in words.
SORTABLE_COLUMNS = (("source", "Source"), ("received", "Received"), ("due", "Decision due"))
SORT_DESCRIPTIONS = {
    ("due", "asc"): "soonest due first",
    ("due", "desc"): "latest due first",
    ("received", "asc"): "received earliest first",
    ("received", "desc"): "received latest first",
    ("source", "asc"): "by source, census code 1A first",
    ("source", "desc"): "by source, census code 10 first",
}


def _token_value(value):
    return value.isoformat() if isinstance(value, datetime) else value


def _token_decoded(value, field: str):
    if field in ("decision_due_at", "received_at"):
        return datetime.fromisoformat(value)
    if not isinstance(value, int) or isinstance(value, bool):
        raise ValueError(field)
    return value


def queue_page(
    queryset: QuerySet[Contact], sort: QueueSort, *, after: str | None, size: int | None = None
) -> KeysetPage:
    """The page after `after` of the queue in `sort`'s order: keyset pagination over
    `sort.keys` (each ascending or descending, the id last), so a page costs the same at any
    depth and rows added meanwhile neither repeat nor go missing. The token is signed and bound
    to its sort: a bad, tampered or other sort's token gives the first page."""
    size = size or QUEUE_PAGE_SIZE
    keys = sort.keys
    salt = f"{_QUEUE_SALT}:{sort.key}:{sort.order}"
    values = None
    if after:
        try:
            raw = signing.loads(after, salt=salt)
            if not isinstance(raw, list) or len(raw) != len(keys):
                raise ValueError("token")
            values = [_token_decoded(v, name) for v, (name, _) in zip(raw, keys, strict=True)]
        except (signing.BadSignature, TypeError, ValueError):
            values = None
    if values is not None:
        after_last = Q()
        for index, (name, descending) in enumerate(keys):
            step = Q(**{f"{name}__{'lt' if descending else 'gt'}": values[index]})
            for earlier in range(index):
                step &= Q(**{keys[earlier][0]: values[earlier]})
            after_last |= step
        queryset = queryset.filter(after_last)
    rows = list(queryset[: size + 1])
    next_token = None
    if len(rows) > size:
        rows = rows[:size]
        last = rows[-1]
        next_token = signing.dumps(
            [_token_value(getattr(last, name)) for name, _ in keys], salt=salt, compress=True
        )
    return KeysetPage(rows=rows, next_token=next_token, has_previous=values is not None)


def _with_who(rows: list[Contact]) -> list[Contact]:
    """Each row's subjects (names, ages at today's local date) and concerns, for the table."""
    today = timezone.localdate()
    for contact in rows:
        contact.who = subject_summaries(contact, today)
        contact.concern_labels = concern_labels(contact)
    return rows


def _sort_headers(request: HttpRequest, sort: QueueSort) -> list[dict]:
    """Each sortable column's heading: its `aria-sort` and the link that sorts by it (ascending
    first, the other way when it is already the sort), filters kept, back to the first page."""
    query = request.GET.copy()
    for name in ("after", "sort", "order"):
        query.pop(name, None)
    headers = []
    for key, label in SORTABLE_COLUMNS:
        current = key == sort.key
        order = "asc" if not current or sort.descending else "desc"
        query.setlist("sort", [key])
        query.setlist("order", [order])
        headers.append(
            {
                "key": key,
                "label": label,
                "aria_sort": ("descending" if sort.descending else "ascending")
                if current
                else "none",
                "url": f"?{query.urlencode()}",
                "action": SORT_DESCRIPTIONS[(key, order)],
                "current": current,
                "descending": current and sort.descending,
            }
        )
    return headers


@login_required
def queue(request: HttpRequest) -> HttpResponse:
    require_hub(request)
    filters = QueueFilters.from_query(request.GET)
    sort = QueueSort.from_query(request.GET)
    page = queue_page(
        triage_queue(request.user, filters, sort), sort, after=request.GET.get("after")
    )
    _with_who(page.rows)
    query = request.GET.copy()
    query.pop("after", None)
    return render(
        request,
        "contacts/triage_queue.html",
        {
            "page": page,
            "filters": filters,
            "sort": sort,
            "sort_description": SORT_DESCRIPTIONS[(sort.key, sort.order)],
            "sort_headers": _sort_headers(request, sort),
            "query": query.urlencode(),
            "sources": Source.choices,
            "channels": Channel.choices,
            "concerns": Concern.choices,
        },
    )


def _render_contact(request: HttpRequest, contact: Contact, *, status: int = 200, **forms):
    record_access(contact)  # every response showing the contact, error pages included
    recommendation = forms.get("recommendation_form") or RecommendationForm(
        auto_id="recommend_%s",
        initial={
            "outcome": contact.recommended_outcome or None,
            "rag": contact.recommended_rag,
            "rationale": contact.recommendation_rationale,
            "threshold_rationale": contact.threshold_rationale,
            "version": contact.version,
        },
    )
    decision = forms.get("decision_form") or DecisionForm(
        auto_id="decide_%s",
        initial={
            "outcome": contact.recommended_outcome or None,
            "rag": contact.recommended_rag,
            "version": contact.version,
        },
    )
    subjects = subjects_with_history(contact)
    context = {
        "contact": contact,
        "subjects": subjects,
        "open_work": _open_work(request, contact, subjects),
        "marf": getattr(contact, "marf", None),
        "recommendation_form": recommendation,
        "decision_form": decision,
        "reassign_form": forms.get("reassign_form") or ReassignForm(auto_id="reassign_%s"),
        "conflict": forms.get("conflict"),
        "concern_labels": [Concern(c).label for c in contact.concerns if c in Concern.values],
        "is_manager": request.user.role == Role.HUB_MANAGER,
        "outcomes": Outcome,
    }
    if context["marf"] is not None:
        from ..forms_marf import answers_summary
        from ..marf import marf_completeness

        context["completeness"] = marf_completeness(context["marf"])
        context["marf_answers"] = answers_summary(context["marf"].answers)
    return render(request, "contacts/contact_detail.html", context, status=status)


def _open_work(request: HttpRequest, contact: Contact, subjects: list[dict]) -> list[dict]:
    """Each subject's open work besides this contact, among the records the user can see."""
    people = [row["person"] for row in subjects]
    work = open_work_for_people(
        request.user, [person.pk for person in people], exclude_contact=contact.pk
    )
    return [{"person": person, "work": work[person.pk]} for person in people]


@login_required
def contact_detail(request: HttpRequest, pk: int) -> HttpResponse:
    contact = _get_contact(request, pk)
    return _render_contact(request, contact)


@login_required
@require_POST
def pick_up(request: HttpRequest, pk: int) -> HttpResponse:
    contact = _get_contact(request, pk)
    try:
        services.contact_pick_up(contact=contact, user=request.user)
    except (ConflictError, PermissionError) as error:
        contact.refresh_from_db()
        return _render_contact(request, contact, status=409, conflict=str(error))
    messages.success(request, f"You picked up {contact.reference}.")
    return redirect("contacts:contact_detail", pk=pk)


def _form_step(
    request: HttpRequest,
    pk: int,
    *,
    form,
    form_name: str,
    action,
    success: str,
    next_url: str,
) -> HttpResponse:
    """Run one triage step from a posted form: field errors stay on the form (400), a conflict
    shows the current state (409), success goes on with a message."""
    contact = _get_contact(request, pk)
    if form.is_valid():
        try:
            action(contact, form.cleaned_data)
        except ValidationError as error:
            apply_errors(form, error)
        except (ConflictError, PermissionError) as error:
            contact = _get_contact(request, pk)
            return _render_contact(request, contact, status=409, conflict=str(error))
        else:
            messages.success(request, success.format(reference=contact.reference))
            return redirect(next_url)
    return _render_contact(request, contact, status=400, **{form_name: form})


@login_required
@require_POST
def recommend(request: HttpRequest, pk: int) -> HttpResponse:
    def action(contact: Contact, data: dict) -> None:
        services.contact_recommend(
            contact=contact,
            user=request.user,
            outcome=data["outcome"],
            rag=data["rag"],
            rationale=data["rationale"],
            threshold_rationale=data["threshold_rationale"],
            expected_version=data["version"],
        )

    return _form_step(
        request,
        pk,
        form=RecommendationForm(request.POST, auto_id="recommend_%s"),
        form_name="recommendation_form",
        action=action,
        success="Your recommendation for {reference} was sent.",
        next_url=reverse("contacts:queue"),
    )


@login_required
@require_POST
def decide(request: HttpRequest, pk: int) -> HttpResponse:
    require_roles(request, {Role.HUB_MANAGER})

    def action(contact: Contact, data: dict) -> None:
        services.contact_decide(
            contact=contact,
            manager=request.user,
            outcome=data["outcome"],
            rag=data["rag"],
            reason=data["reason"],
            expected_version=data["version"],
            separate_enquiry_reason=data["separate_enquiry_reason"],
        )

    return _form_step(
        request,
        pk,
        form=DecisionForm(request.POST, auto_id="decide_%s"),
        form_name="decision_form",
        action=action,
        success="{reference} is decided.",
        next_url=reverse("contacts:decisions"),
    )


@login_required
@require_POST
def reassign(request: HttpRequest, pk: int) -> HttpResponse:
    require_roles(request, {Role.HUB_MANAGER})

    def action(contact: Contact, data: dict) -> None:
        services.contact_reassign(
            contact=contact, to_user=data["assignee"], by=request.user, reason=data["reason"]
        )

    return _form_step(
        request,
        pk,
        form=ReassignForm(request.POST, auto_id="reassign_%s"),
        form_name="reassign_form",
        action=action,
        success="{reference} was reassigned.",
        next_url=reverse("contacts:contact_detail", args=[pk]),
    )

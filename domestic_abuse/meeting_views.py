"""The daily triage meeting's pages: the chair's page (hub), and the read-only list that police
and education members follow while it runs. Thin: the selectors read, the services write.

Every outcome form saves on its own ("Save" per notification, no script needed), so nothing
typed is lost; the page then moves on to the next notification."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from agencies.roles import Role
from contacts.codes import Outcome
from mash.audit.events import record_event
from mash.errors import ConflictError
from mash.forms import apply_errors, summary_errors

from . import meeting_selectors as selectors
from .meeting_forms import AttendeeForm, OutcomeForm
from .meeting_services import (
    OutcomeInput,
    attendee_add,
    attendee_remove,
    meeting_confirm,
    meeting_start,
    meeting_take_new,
    outcome_record,
)
from .models import TriageMeeting


def _visible_meeting(request: HttpRequest, pk: int) -> TriageMeeting:
    """The meeting if the user may open it; 404 otherwise (outsiders, and members once it is
    confirmed or before their agency is recorded as attending)."""
    return get_object_or_404(
        selectors.meetings_visible_to(request.user).select_related("chair"), pk=pk
    )


def _managed_meeting(request: HttpRequest, pk: int) -> TriageMeeting:
    """For the writing views: hub managers only (everyone else 404)."""
    if not selectors.is_hub(request.user) or request.user.role != Role.HUB_MANAGER:
        raise Http404
    return _visible_meeting(request, pk)


def _meeting_url(meeting: TriageMeeting, anchor: str = "") -> str:
    url = reverse("da_meetings:detail", kwargs={"pk": meeting.pk})
    return f"{url}#{anchor}" if anchor else url


# --- The list and starting a meeting ----------------------------------------------------------


@login_required
def meeting_index(request: HttpRequest) -> HttpResponse:
    """Hub staff: today's meeting (or Start), how many notifications wait, earlier meetings.
    Police and education members: the running meetings they attend. Everyone else: 404."""
    user = request.user
    hub = selectors.is_hub(user)
    if not hub and not selectors.is_meeting_member(user):
        raise Http404
    meetings = list(selectors.meeting_list(user)[:30])
    if not hub and not meetings:
        raise Http404
    return _index(request, meetings=meetings, status=200)


def _index(request, *, meetings, status: int, error: str = "") -> HttpResponse:
    hub = selectors.is_hub(request.user)
    today = None
    waiting = 0
    if hub:
        today = next((m for m in meetings if m.date == timezone.localdate()), None)
        waiting = selectors.not_yet_in_meeting(request.user).filter(meeting__isnull=True).count()
    return render(
        request,
        "domestic_abuse/meeting_index.html",
        {
            "meetings": meetings,
            "hub": hub,
            "can_chair": hub and request.user.role == Role.HUB_MANAGER,
            "today_meeting": today,
            "waiting": waiting,
            "error": error,
            "error_list": [{"text": error, "href": ""}] if error else [],
        },
        status=status,
    )


@login_required
@require_POST
def meeting_start_view(request: HttpRequest) -> HttpResponse:
    if not selectors.is_hub(request.user) or request.user.role != Role.HUB_MANAGER:
        raise Http404
    try:
        meeting, created = meeting_start(chair=request.user)
    except ConflictError as conflict:
        meetings = list(selectors.meeting_list(request.user)[:30])
        return _index(request, meetings=meetings, status=409, error=conflict.message)
    if created:
        count = meeting.notifications.count()
        messages.success(
            request,
            f"Today's meeting has started with {count} notification{'s' if count != 1 else ''}.",
        )
    return redirect(_meeting_url(meeting))


# --- The meeting page -----------------------------------------------------------------------


@login_required
def meeting_detail(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = _visible_meeting(request, pk)
    if not selectors.is_hub(request.user):
        return _member_page(request, meeting)
    return _hub_page(request, meeting)


def _member_page(request: HttpRequest, meeting: TriageMeeting) -> HttpResponse:
    """What police and education members see: the meeting's notifications, nothing else."""
    items = selectors.meeting_items(request.user, meeting, with_history=False)
    record_event(
        "meeting.viewed_by_member",
        target=meeting,
        actor=request.user,
        data={"notifications": [item.notification.pk for item in items]},
    )
    agreed, total = selectors.progress(items)
    return render(
        request,
        "domestic_abuse/meeting_member.html",
        {"meeting": meeting, "items": items, "agreed": agreed, "total": total},
    )


def _hub_page(
    request: HttpRequest,
    meeting: TriageMeeting,
    *,
    posted_form: OutcomeForm | None = None,
    attendee_form: AttendeeForm | None = None,
    error_items: list[dict] | None = None,
    incomplete: list | None = None,
    status: int = 200,
) -> HttpResponse:
    items = selectors.meeting_items(request.user, meeting, with_history=True)
    can_edit = request.user.role == Role.HUB_MANAGER and not meeting.is_confirmed
    for item in items:
        if posted_form is not None and posted_form.notification.pk == item.notification.pk:
            item.form = posted_form
        else:
            item.form = OutcomeForm(notification=item.notification)
    attendees = selectors.attendees_of(meeting)
    agreed, total = selectors.progress(items)
    waiting = 0
    if can_edit:
        waiting = selectors.not_yet_in_meeting(request.user).filter(meeting__isnull=True).count()
    return render(
        request,
        "domestic_abuse/meeting_detail.html",
        {
            "meeting": meeting,
            "items": items,
            "can_edit": can_edit,
            "attendees": attendees,
            "missing_agencies": selectors.missing_agency_kinds(attendees),
            "attendee_form": attendee_form or AttendeeForm(),
            "agreed": agreed,
            "total": total,
            "waiting": waiting,
            "error_items": error_items or [],
            "incomplete": incomplete or [],
            "outcomes": Outcome.choices,
            "mash_enquiry": Outcome.MASH_ENQUIRY,
            "saved": _saved(request),
        },
        status=status,
    )


def _saved(request: HttpRequest) -> int | None:
    """The notification just saved (?saved=<id>), to say so beside it."""
    value = request.GET.get("saved", "")
    return int(value) if value.isdigit() and len(value) < 12 else None


def _form_error_items(form) -> list[dict]:
    """The form's errors for the page's one error summary, each linked to its field (a MARAC
    referral refused for a medium risk notification, which shows no checkbox, to its fieldset)."""
    items = []
    for item in summary_errors(form):
        href = item.href
        hidden_marac = isinstance(form, OutcomeForm) and not form.offers_marac
        if hidden_marac and href.endswith("-marac_referral"):
            href = f"#da-{form.notification.pk}"
        items.append({"text": item.text, "href": href})
    return items


def _conflict(request: HttpRequest, meeting: TriageMeeting, conflict: ConflictError):
    """A 409: the page as it now is, with the news (a confirmed meeting, a contact decided
    outside the meeting) in its error summary."""
    meeting.refresh_from_db()
    return _hub_page(
        request, meeting, error_items=[{"text": conflict.message, "href": ""}], status=409
    )


@login_required
@require_POST
def outcome_save(request: HttpRequest, pk: int, notification_pk: int) -> HttpResponse:
    """Save what the meeting agreed for one notification, then move on to the next one."""
    meeting = _managed_meeting(request, pk)
    notification = get_object_or_404(selectors.meeting_notifications(meeting), pk=notification_pk)
    form = OutcomeForm(request.POST, notification=notification)
    if form.is_valid():
        data = form.cleaned_data
        outcome = data["outcome"] or ""
        try:
            outcome_record(
                meeting=meeting,
                notification=notification,
                data=OutcomeInput(
                    outcome=outcome,
                    # A RAG left chosen under another outcome is not part of what was agreed.
                    rag=(data["rag"] or "") if outcome == Outcome.MASH_ENQUIRY else "",
                    marac_referral=bool(data["marac_referral"]),
                    rationale=data["rationale"] or "",
                ),
                by=request.user,
            )
        except ValidationError as error:
            apply_errors(form, error)
        except ConflictError as conflict:
            return _conflict(request, meeting, conflict)
        else:
            ids = list(selectors.meeting_notifications(meeting).values_list("pk", flat=True))
            position = ids.index(notification.pk)
            following = ids[position + 1] if position + 1 < len(ids) else None
            anchor = f"da-{following}" if following else "confirm"
            url = reverse("da_meetings:detail", kwargs={"pk": meeting.pk})
            return redirect(f"{url}?saved={notification.pk}#{anchor}")
    return _hub_page(
        request,
        meeting,
        posted_form=form,
        error_items=_form_error_items(form),
        status=400,
    )


@login_required
@require_POST
def attendee_add_view(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = _managed_meeting(request, pk)
    form = AttendeeForm(request.POST)
    if form.is_valid():
        try:
            attendee_add(
                meeting=meeting,
                agency=form.cleaned_data["agency"],
                name=form.cleaned_data["name"],
                by=request.user,
            )
        except ValidationError as error:
            apply_errors(form, error)
        except ConflictError as conflict:
            return _conflict(request, meeting, conflict)
        else:
            return redirect(_meeting_url(meeting, "attendees"))
    return _hub_page(
        request,
        meeting,
        attendee_form=form,
        error_items=_form_error_items(form),
        status=400,
    )


@login_required
@require_POST
def attendee_remove_view(request: HttpRequest, pk: int, attendee_pk: int) -> HttpResponse:
    meeting = _managed_meeting(request, pk)
    try:
        attendee_remove(meeting=meeting, attendee_id=attendee_pk, by=request.user)
    except ValidationError as error:
        raise Http404 from error
    except ConflictError as conflict:
        return _conflict(request, meeting, conflict)
    return redirect(_meeting_url(meeting, "attendees"))


@login_required
@require_POST
def take_new_view(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = _managed_meeting(request, pk)
    try:
        added = meeting_take_new(meeting=meeting, by=request.user)
    except ConflictError as conflict:
        return _conflict(request, meeting, conflict)
    messages.success(
        request, f"{added} notification{'s' if added != 1 else ''} added to the meeting."
    )
    return redirect(_meeting_url(meeting))


@login_required
@require_POST
def confirm_view(request: HttpRequest, pk: int) -> HttpResponse:
    """Confirm: refused naming (and linking) each notification still without an outcome."""
    meeting = _managed_meeting(request, pk)
    try:
        meeting_confirm(meeting=meeting, by=request.user)
    except ValidationError as error:
        items = selectors.meeting_items(request.user, meeting, with_history=False)
        incomplete = [item for item in items if not item.is_agreed]
        error_items = [
            {
                "text": f"{item.notification.contact.reference} "
                f"({item.notification.occurrence_reference}) has {', '.join(item.problems)}",
                "href": f"#da-{item.notification.pk}",
            }
            for item in incomplete
        ]
        for name, messages_ in error.message_dict.items():
            if name != "notifications" or not incomplete:
                href = "#attendees" if name == "attendees" else ""
                error_items += [{"text": message, "href": href} for message in messages_]
        return _hub_page(
            request, meeting, error_items=error_items, incomplete=incomplete, status=400
        )
    except ConflictError as conflict:
        return _conflict(request, meeting, conflict)
    messages.success(
        request,
        "The meeting is confirmed: each agreed outcome is now its contact's decision.",
    )
    return redirect(_meeting_url(meeting))

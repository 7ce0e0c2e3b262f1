"""A user's own notifications: the list (newest first, filtered by kind or unread), one
notification (opening its record marks it read), marking read, and which kinds are emailed.
Someone else's notification is 404 and nothing is marked."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from .forms import CHOOSABLE, EmailPreferencesForm, NotificationFilterForm
from .models import ALWAYS_EMAILED, Notification
from .selectors import notifications_of
from .services import (
    KINDS,
    email_choices,
    notifications_mark_all_read,
    notifications_mark_read,
    preferences_set,
)

PAGE_SIZE = 25


def _own(request: HttpRequest, pk: int) -> Notification:
    notification = notifications_of(request.user).filter(pk=pk).first()
    if notification is None:
        raise Http404("No such notification.")
    return notification


def _back(request: HttpRequest) -> HttpResponse:
    """Back to the list the user came from (its filters and page), never to another site."""
    target = request.POST.get("next", "")
    if target.startswith("/notifications/") and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return redirect(target)
    return redirect("deadlines:notifications")


@never_cache
@login_required
def notification_list(request: HttpRequest) -> HttpResponse:
    form = NotificationFilterForm(request.GET or None)
    kind, unread = "", False
    status = 200
    if form.is_bound:
        if form.is_valid():
            kind, unread = form.cleaned_data["kind"], form.cleaned_data["unread"]
        else:
            status = 400
    page = Paginator(notifications_of(request.user, kind=kind, unread=unread), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    query = "&".join(
        part for part in (f"kind={kind}" if kind else "", "unread=on" if unread else "") if part
    )
    return render(
        request,
        "deadlines/notifications.html",
        {
            "form": form,
            "page": page,
            "rows": page.object_list,
            "query": query,
            "here": request.get_full_path(),
            "kind": kind,
            "unread": unread,
        },
        status=status,
    )


@never_cache
@login_required
def notification_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """Opening a notification marks it read and opens its record; one without a record shows
    its text."""
    notification = _own(request, pk)
    notifications_mark_read(user=request.user, ids=[notification.pk])
    if notification.link.startswith("/"):
        return redirect(notification.link)
    return render(request, "deadlines/notification.html", {"notification": notification})


@require_POST
@login_required
def mark_read(request: HttpRequest, pk: int) -> HttpResponse:
    notification = _own(request, pk)
    notifications_mark_read(user=request.user, ids=[notification.pk])
    messages.success(request, f"Marked as read: {notification.title}")
    return _back(request)


@require_POST
@login_required
def mark_all_read(request: HttpRequest) -> HttpResponse:
    count = notifications_mark_all_read(user=request.user)
    messages.success(
        request,
        f"{count} notification{'s' if count != 1 else ''} marked as read."
        if count
        else "You had no unread notifications.",
    )
    return _back(request)


@never_cache
@login_required
def preferences(request: HttpRequest) -> HttpResponse:
    """Which kinds of notification are emailed too (escalations always)."""
    status = 200
    if request.method == "POST":
        form = EmailPreferencesForm(request.POST)
        if form.is_valid():
            preferences_set(user=request.user, email=form.choices())
            messages.success(request, "Your email choices are saved.")
            return redirect("deadlines:preferences")
        status = 400
    else:
        current = email_choices(request.user)
        form = EmailPreferencesForm(
            initial={"email": [info.kind.value for info in CHOOSABLE if current[info.kind]]}
        )
    ticked = set(form["email"].value() or [])
    kinds = [
        {
            "value": info.kind.value,
            "label": info.kind.label,
            "hint": info.hint,
            "fixed": info.kind in ALWAYS_EMAILED,
            "checked": info.kind in ALWAYS_EMAILED or info.kind.value in ticked,
        }
        for info in KINDS
    ]
    return render(
        request, "deadlines/preferences.html", {"form": form, "kinds": kinds}, status=status
    )

"""A user's own notifications: the list (shown means read), one notification, and whether
reminders are also emailed. Someone else's notification is 404."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, HttpResponseNotAllowed
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.cache import never_cache

from .models import Notification, NotificationPreference
from .services import notifications_mark_read, preference_set

PAGE_SIZE = 50


@never_cache
@login_required
def notification_list(request: HttpRequest) -> HttpResponse:
    rows = list(Notification.objects.filter(user=request.user)[:PAGE_SIZE])
    unread = [row.pk for row in rows if row.read_at is None]
    notifications_mark_read(user=request.user, ids=unread)
    preference = NotificationPreference.objects.filter(user=request.user).first()
    return render(
        request,
        "deadlines/notifications.html",
        {
            "rows": rows,
            "newly_read": set(unread),
            "email_reminders": preference.email_reminders if preference else True,
        },
    )


@never_cache
@login_required
def notification_detail(request: HttpRequest, pk: int) -> HttpResponse:
    notification = get_object_or_404(Notification, pk=pk, user=request.user)
    notifications_mark_read(user=request.user, ids=[notification.pk])
    return render(request, "deadlines/notification.html", {"notification": notification})


@login_required
def preferences(request: HttpRequest) -> HttpResponse:
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    wanted = request.POST.get("email_reminders") == "yes"
    preference_set(user=request.user, email_reminders=wanted)
    messages.success(
        request,
        "Reminders will be emailed to you."
        if wanted
        else "Reminders will not be emailed to you. Escalations are always emailed.",
    )
    return redirect("deadlines:notifications")

"""The administrator's timescale pages: every timescale in force, changing one, and the local
closure days. Anyone but an administrator gets 404.

A change to a timescale or to the closure days is made in two steps: the form shows a preview
(how many open items' deadlines would move, per kind and RAG, the earliest new deadline and how
many would be overdue at once; deadlines.timescale_preview) with "Confirm change" and "Cancel";
only confirming stores it. The confirmation posts back a signed token of the previewed values
to the same address; a token that is altered, old, or previewed on timescales another
administrator has since changed stores nothing (the last shows the new preview).
"""

from datetime import date

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseNotAllowed
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.cache import never_cache

from agencies.roles import Role
from mash.access import is_member
from mash.clocks import Timescale
from mash.errors import ConflictError
from mash.forms import apply_errors

from .forms_settings import ClosureDayForm, TimescaleForm
from .models import ClosureDay
from .timescale_preview import (
    DeadlinePreview,
    PreviewError,
    closure_add_preview,
    closure_remove_preview,
    preview_token,
    read_preview_token,
    timescale_preview,
)
from .timescale_services import RecomputeResult, closure_day_add, closure_day_remove, timescale_set
from .timescales import setting_key, setting_label, timescale_rows

CONFIRM_TEMPLATE = "deadlines/timescale_confirm.html"


def _require_administrator(request: HttpRequest) -> None:
    if not is_member(request.user) or request.user.role != Role.ADMINISTRATOR:
        raise Http404


def _long_date(day) -> str:
    return f"{day.day} {day:%B %Y}"


def _moved(result: RecomputeResult) -> str:
    count = result.changed
    if count == 1:
        return "1 open item has a new deadline."
    return f"{count} open items have a new deadline."


def _list_page(request: HttpRequest, closure_form: ClosureDayForm, status: int = 200):
    today = timezone.localdate()
    return render(
        request,
        "deadlines/timescale_list.html",
        {
            "rows": timescale_rows(),
            "closures": ClosureDay.objects.filter(date__gte=today),
            "past_closures": ClosureDay.objects.filter(date__lt=today).order_by("-date")[:10],
            "form": closure_form,
        },
        status=status,
    )


@never_cache
@login_required
def timescale_list(request: HttpRequest) -> HttpResponse:
    _require_administrator(request)
    return _list_page(request, ClosureDayForm())


def _ready_for_errors(form):
    """``form``, bound or not, able to take errors from a service (an unbound form has no
    ``cleaned_data`` for ``add_error`` to look in)."""
    form.errors  # noqa: B018 - builds the error dict, also for an unbound form
    if not hasattr(form, "cleaned_data"):
        form.cleaned_data = {}
    return form


def _with_error(form, message: str):
    """``form`` with ``message`` above its fields, for the error summary."""
    _ready_for_errors(form).add_error(None, message)
    return form


def _confirm_page(
    request: HttpRequest,
    *,
    heading: str,
    changes: list[tuple[str, str, str]],
    preview: DeadlinePreview,
    action: str,
    values: dict,
    back_url: str,
    conflict: str = "",
    status: int = 200,
) -> HttpResponse:
    """The preview of a change with "Confirm change" (posting the signed token back to this
    address) and "Cancel"."""
    token = preview_token(actor=request.user, action=action, values=values, basis=preview.basis)
    context = {
        "heading": heading,
        "changes": changes,  # (what, now, after)
        "preview": preview,
        "token": token,
        "back_url": back_url,
        "conflict": conflict,
    }
    return render(request, CONFIRM_TEMPLATE, context, status=status)


def _timescale_words(amount: int, clock: str, warning_percent: int) -> tuple[str, str]:
    return str(Timescale(amount, clock)), f"{warning_percent}% of the time"


def _timescale_confirm_page(request, key, row, values: dict, preview, **extra) -> HttpResponse:
    duration, warning = _timescale_words(**values)
    now_duration, now_warning = _timescale_words(
        row.timescale.amount, row.timescale.clock, row.warning_percent
    )
    return _confirm_page(
        request,
        heading=setting_label(*key),
        changes=[("Duration", now_duration, duration), ("Warning point", now_warning, warning)],
        preview=preview,
        action=f"timescale:{key[0]}:{key[1]}",
        values=values,
        back_url=request.path,
        **extra,
    )


@never_cache
@login_required
def timescale_change(request: HttpRequest, kind: str, rag: str = "") -> HttpResponse:
    """The form; posting it shows the preview; confirming the preview stores the change."""
    _require_administrator(request)
    try:
        key = setting_key(kind, rag.upper())
    except ValueError:
        raise Http404 from None
    row = next(row for row in timescale_rows() if (row.kind, row.rag) == key)
    initial = {
        "amount": row.timescale.amount,
        "clock": row.timescale.clock,
        "warning_percent": row.warning_percent,
    }
    if request.method == "POST" and "token" in request.POST:
        return _timescale_confirm(request, key, row, initial)
    form = TimescaleForm(request.POST or None, initial=initial, kind=key[0], rag=key[1])
    if request.method == "POST" and form.is_valid():
        values = {
            "amount": form.cleaned_data["amount"],
            "clock": str(form.cleaned_data["clock"]),
            "warning_percent": form.cleaned_data["warning_percent"],
        }
        try:
            preview = timescale_preview(actor=request.user, kind=key[0], rag=key[1], **values)
        except ValidationError as error:
            apply_errors(form, error)
        else:
            return _timescale_confirm_page(request, key, row, values, preview)
    return _timescale_form(request, form, row, key)


def _timescale_form(request, form, row, key, status: int = 200) -> HttpResponse:
    return render(
        request,
        "deadlines/timescale_form.html",
        {"form": form, "row": row, "label": setting_label(*key)},
        status=status,
    )


def _timescale_confirm(request: HttpRequest, key, row, initial: dict) -> HttpResponse:
    """Store the previewed values, if the token is good and nothing changed since."""
    action = f"timescale:{key[0]}:{key[1]}"
    try:
        values, basis = read_preview_token(
            request.POST.get("token", ""), actor=request.user, action=action
        )
    except PreviewError as error:
        form = _with_error(TimescaleForm(initial=initial, kind=key[0], rag=key[1]), str(error))
        return _timescale_form(request, form, row, key, status=400)
    try:
        result = timescale_set(actor=request.user, kind=key[0], rag=key[1], basis=basis, **values)
    except ValidationError as error:
        form = TimescaleForm(values, initial=initial, kind=key[0], rag=key[1])
        form.is_valid()
        apply_errors(form, error)
        return _timescale_form(request, form, row, key, status=400)
    except ConflictError as conflict:
        row = next(row for row in timescale_rows() if (row.kind, row.rag) == key)
        preview = timescale_preview(actor=request.user, kind=key[0], rag=key[1], **values)
        return _timescale_confirm_page(
            request, key, row, values, preview, conflict=conflict.message, status=409
        )
    messages.success(request, f"Saved. {_moved(result)}")
    return redirect("timescales:list")


def _closure_add_confirm_page(request, day: date, reason: str, preview, **extra):
    return _confirm_page(
        request,
        heading=f"Make {_long_date(day)} a closure day",
        changes=[("Closure day", "A working day", f"Closed: {reason}")],
        preview=preview,
        action="closure_add",
        values={"day": day.isoformat(), "reason": reason},
        back_url=reverse("timescales:list") + "#closure-days",
        **extra,
    )


@login_required
def closure_add(request: HttpRequest) -> HttpResponse:
    """Posting the form shows the preview; confirming the preview adds the closure day."""
    _require_administrator(request)
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    if "token" in request.POST:
        return _closure_add_confirm(request)
    form = ClosureDayForm(request.POST)
    if form.is_valid():
        day, reason = form.cleaned_data["day"], form.cleaned_data["reason"]
        try:
            preview = closure_add_preview(actor=request.user, day=day, reason=reason)
        except ValidationError as error:
            apply_errors(form, error)
        else:
            return _closure_add_confirm_page(request, day, reason, preview)
    return _list_page(request, form, status=400)


def _closure_add_confirm(request: HttpRequest) -> HttpResponse:
    form = _ready_for_errors(ClosureDayForm())
    try:
        values, basis = read_preview_token(
            request.POST.get("token", ""), actor=request.user, action="closure_add"
        )
        day, reason = date.fromisoformat(values["day"]), str(values["reason"])
    except (PreviewError, KeyError, TypeError, ValueError) as error:
        message = str(error) if isinstance(error, PreviewError) else "Check the change again."
        _with_error(form, message)
        return _list_page(request, form, status=400)
    try:
        closure, result = closure_day_add(actor=request.user, day=day, reason=reason, basis=basis)
    except ValidationError as error:
        apply_errors(form, error)
        return _list_page(request, form, status=400)
    except ConflictError as conflict:
        try:
            preview = closure_add_preview(actor=request.user, day=day, reason=reason)
        except ValidationError as error:
            apply_errors(form, error)
            return _list_page(request, form, status=409)
        return _closure_add_confirm_page(
            request, day, reason, preview, conflict=conflict.message, status=409
        )
    day = _long_date(closure.date)
    messages.success(request, f"{day} is a closure day. {_moved(result)}")
    return redirect("timescales:list")


def _closure_remove_confirm_page(request, closure: ClosureDay, preview, **extra):
    return _confirm_page(
        request,
        heading=f"Make {_long_date(closure.date)} a working day again",
        changes=[("Closure day", f"Closed: {closure.reason}", "A working day")],
        preview=preview,
        action=f"closure_remove:{closure.pk}",
        values={},
        back_url=reverse("timescales:list") + "#closure-days",
        **extra,
    )


@login_required
def closure_remove(request: HttpRequest, pk: int) -> HttpResponse:
    """Posting "Remove" shows the preview; confirming the preview removes the closure day."""
    _require_administrator(request)
    closure = get_object_or_404(ClosureDay, pk=pk)
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    form = _ready_for_errors(ClosureDayForm())
    if closure.date < timezone.localdate():
        _with_error(form, "A closure day that has passed cannot be removed.")
        return _list_page(request, form, status=400)
    if "token" not in request.POST:
        preview = closure_remove_preview(actor=request.user, closure=closure)
        return _closure_remove_confirm_page(request, closure, preview)
    try:
        _, basis = read_preview_token(
            request.POST.get("token", ""), actor=request.user, action=f"closure_remove:{pk}"
        )
        result = closure_day_remove(actor=request.user, closure=closure, basis=basis)
    except PreviewError as error:
        _with_error(form, str(error))
        return _list_page(request, form, status=400)
    except ValidationError as error:
        apply_errors(form, error)
        return _list_page(request, form, status=400)
    except ConflictError as conflict:
        preview = closure_remove_preview(actor=request.user, closure=closure)
        return _closure_remove_confirm_page(
            request, closure, preview, conflict=conflict.message, status=409
        )
    messages.success(
        request, f"{_long_date(closure.date)} is no longer a closure day. {_moved(result)}"
    )
    return redirect("timescales:list")

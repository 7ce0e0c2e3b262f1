"""The administrator's timescale pages: every timescale in force, changing one, and the local
closure days. Anyone but an administrator gets 404."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseNotAllowed
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.cache import never_cache

from agencies.roles import Role
from mash.access import is_member
from mash.forms import apply_errors

from .forms_settings import ClosureDayForm, TimescaleForm
from .models import ClosureDay
from .timescale_services import RecomputeResult, closure_day_add, closure_day_remove, timescale_set
from .timescales import setting_key, setting_label, timescale_rows


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


@never_cache
@login_required
def timescale_change(request: HttpRequest, kind: str, rag: str = "") -> HttpResponse:
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
    form = TimescaleForm(request.POST or None, initial=initial, kind=key[0], rag=key[1])
    if request.method == "POST" and form.is_valid():
        try:
            result = timescale_set(actor=request.user, kind=key[0], rag=key[1], **form.cleaned_data)
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, f"Saved. {_moved(result)}")
            return redirect("timescales:list")
    return render(
        request,
        "deadlines/timescale_form.html",
        {"form": form, "row": row, "label": setting_label(*key)},
    )


@login_required
def closure_add(request: HttpRequest) -> HttpResponse:
    _require_administrator(request)
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    form = ClosureDayForm(request.POST)
    if form.is_valid():
        try:
            closure, result = closure_day_add(actor=request.user, **form.cleaned_data)
        except ValidationError as error:
            apply_errors(form, error)
        else:
            day = _long_date(closure.date)
            messages.success(request, f"{day} is a closure day. {_moved(result)}")
            return redirect("timescales:list")
    return _list_page(request, form, status=400)


@login_required
def closure_remove(request: HttpRequest, pk: int) -> HttpResponse:
    _require_administrator(request)
    closure = get_object_or_404(ClosureDay, pk=pk)
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    try:
        result = closure_day_remove(actor=request.user, closure=closure)
    except ValidationError as error:
        form = ClosureDayForm()
        apply_errors(form, error)
        return _list_page(request, form, status=400)
    messages.success(
        request, f"{_long_date(closure.date)} is no longer a closure day. {_moved(result)}"
    )
    return redirect("timescales:list")

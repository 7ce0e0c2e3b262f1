"""The administrators' school pages (list and search, add, edit, GIAS import, school holidays)
and the key adult's home page. Anyone but an administrator gets 404 on the staff pages."""

from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Count
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.cache import never_cache

from agencies.roles import Role
from mash.access import is_member
from mash.forms import apply_errors

from . import services
from .forms import SchoolForm, SchoolHolidayForm, SchoolImportForm
from .models import Phase, School, SchoolHoliday, SchoolStatus
from .selectors import schools_search, schools_visible_to


def _require_administrator(request: HttpRequest) -> None:
    if not is_member(request.user) or request.user.role != Role.ADMINISTRATOR:
        raise Http404


@login_required
def school_list(request: HttpRequest) -> HttpResponse:
    _require_administrator(request)
    search = request.GET.get("q", "").replace("\x00", "").strip()[:200]
    status = request.GET.get("status", "")
    status = status if status in SchoolStatus.values else ""
    phase = request.GET.get("phase", "")
    phase = phase if phase in Phase.values else ""
    schools = schools_search(schools_visible_to(request.user), search)
    if status:
        schools = schools.filter(status=status)
    if phase:
        schools = schools.filter(phase=phase)
    schools = schools.annotate(key_adult_count=Count("key_adults")).order_by("name", "urn")
    page = Paginator(schools, 50).get_page(request.GET.get("page"))
    query = urlencode({k: v for k, v in (("q", search), ("status", status), ("phase", phase)) if v})
    return render(
        request,
        "schools/school_list.html",
        {
            "page": page,
            "search": search,
            "status": status,
            "phase": phase,
            "statuses": SchoolStatus.choices,
            "phases": Phase.choices,
            "query": query,
        },
    )


@login_required
def school_edit(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    _require_administrator(request)
    school: School | None = None
    if pk is not None:
        school = get_object_or_404(schools_visible_to(request.user), pk=pk)
    form = SchoolForm(request.POST if request.method == "POST" else None, instance=school)
    if request.method == "POST" and form.is_valid():
        try:
            if school is None:
                school = services.school_create(created_by=request.user, **form.cleaned_data)
            else:
                fields = {name: form.cleaned_data[name] for name in form.changed_data}
                services.school_update(school=school, changed_by=request.user, **fields)
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, f"{school} was saved.")
            return redirect("schools:list")
    key_adults = []
    if school is not None:
        key_adults = list(school.key_adults.order_by("last_name", "first_name", "username"))
    return render(
        request,
        "schools/school_form.html",
        {"form": form, "school": school, "key_adults": key_adults},
        status=400 if form.errors else 200,
    )


@never_cache
@login_required
def school_import(request: HttpRequest) -> HttpResponse:
    _require_administrator(request)
    posted = request.method == "POST"
    form = SchoolImportForm(request.POST if posted else None, request.FILES if posted else None)
    result = None
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            result = services.schools_import(
                content=upload.read(), imported_by=request.user, source=upload.name
            )
        except ValidationError as error:
            apply_errors(form, error)
    return render(
        request,
        "schools/school_import.html",
        {"form": form, "result": result},
        status=400 if form.errors else 200,
    )


def _holiday_page(request: HttpRequest, form: SchoolHolidayForm, status: int = 200):
    today = timezone.localdate()
    return render(
        request,
        "schools/holiday_list.html",
        {
            "form": form,
            "holidays": SchoolHoliday.objects.filter(last_day__gte=today).order_by("first_day"),
            "past_holidays": SchoolHoliday.objects.filter(last_day__lt=today).order_by(
                "-first_day"
            )[:10],
        },
        status=status,
    )


@never_cache
@login_required
def holiday_list(request: HttpRequest) -> HttpResponse:
    _require_administrator(request)
    form = SchoolHolidayForm(request.POST if request.method == "POST" else None)
    if request.method == "POST":
        if form.is_valid():
            try:
                holiday = services.school_holiday_add(actor=request.user, **form.cleaned_data)
            except ValidationError as error:
                apply_errors(form, error)
            else:
                messages.success(request, f"{holiday} was added.")
                return redirect("schools:holidays")
        return _holiday_page(request, form, status=400)
    return _holiday_page(request, form)


@login_required
def holiday_remove(request: HttpRequest, pk: int) -> HttpResponse:
    _require_administrator(request)
    holiday = get_object_or_404(SchoolHoliday, pk=pk)
    if request.method != "POST":
        return redirect("schools:holidays")
    services.school_holiday_remove(actor=request.user, holiday=holiday)
    messages.success(request, f"{holiday} was removed.")
    return redirect("schools:holidays")


def key_adult_home(request: HttpRequest) -> HttpResponse:
    """A school key adult's home: their school's Operation Encompass notices (encompass.views)."""
    from encompass.views import key_adult_home as notices_home

    return notices_home(request)

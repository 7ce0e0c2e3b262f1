"""The administrators' staff pages: agencies and users."""

import re

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render

from mash.access import is_member
from mash.forms import apply_errors

from . import services
from .forms import AgencyForm, DeactivateForm, UserCreateForm, UserEditForm
from .models import Agency
from .roles import Role
from .selectors import agencies_visible_to, users_for_staff_page


def _require_administrator(request: HttpRequest) -> None:
    if not is_member(request.user) or request.user.role != Role.ADMINISTRATOR:
        raise Http404


@login_required
def staff_user_list(request: HttpRequest) -> HttpResponse:
    _require_administrator(request)
    search = request.GET.get("q", "").replace("\x00", "").strip()[:100]
    role = request.GET.get("role", "")
    role = role if role in Role.values else ""
    agency_id = request.GET.get("agency", "")
    agency_id = int(agency_id) if re.fullmatch(r"[0-9]{1,9}", agency_id) else None
    users = users_for_staff_page(request.user, search=search, agency_id=agency_id, role=role)
    page = Paginator(users, 50).get_page(request.GET.get("page"))
    return render(
        request,
        "agencies/staff_user_list.html",
        {
            "page": page,
            "search": search,
            "role": role,
            "agency_id": agency_id,
            "roles": Role.choices,
            "agencies": agencies_visible_to(request.user),
        },
    )


@login_required
def staff_user_create(request: HttpRequest) -> HttpResponse:
    _require_administrator(request)
    form = UserCreateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            user = services.user_create(**form.cleaned_data)
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, f"{user.display_name} can now sign in.")
            return redirect("agencies:staff_user_list")
    return render(request, "agencies/staff_user_form.html", {"form": form, "creating": True})


@login_required
def staff_user_edit(request: HttpRequest, pk: int) -> HttpResponse:
    _require_administrator(request)
    user = get_object_or_404(users_for_staff_page(request.user), pk=pk)
    form = UserEditForm(request.POST or None, instance=user)
    if request.method == "POST" and form.is_valid():
        fields = {name: form.cleaned_data[name] for name in form.changed_data}
        try:
            services.user_update(user=user, changed_by=request.user, **fields)
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, f"{user.display_name}'s details were saved.")
            return redirect("agencies:staff_user_list")
    return render(
        request,
        "agencies/staff_user_form.html",
        {"form": form, "creating": False, "subject": user, "deactivate_form": DeactivateForm()},
    )


@login_required
def staff_user_deactivate(request: HttpRequest, pk: int) -> HttpResponse:
    _require_administrator(request)
    user = get_object_or_404(users_for_staff_page(request.user), pk=pk)
    if request.method != "POST":
        return redirect("agencies:staff_user_edit", pk=pk)
    form = DeactivateForm(request.POST)
    if user.pk == request.user.pk:
        form.add_error("reason", "You cannot deactivate your own account.")
    elif form.is_valid():
        services.user_deactivate(user=user, reason=form.cleaned_data["reason"])
        messages.success(request, f"{user.display_name} can no longer sign in.")
        return redirect("agencies:staff_user_list")
    return render(
        request,
        "agencies/staff_user_form.html",
        {
            "form": UserEditForm(instance=user),
            "creating": False,
            "subject": user,
            "deactivate_form": form,
        },
        status=400,
    )


@login_required
def staff_agency_list(request: HttpRequest) -> HttpResponse:
    _require_administrator(request)
    return render(
        request,
        "agencies/staff_agency_list.html",
        {"agencies": agencies_visible_to(request.user)},
    )


@login_required
def staff_agency_edit(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    _require_administrator(request)
    agency: Agency | None = None
    if pk is not None:
        agency = get_object_or_404(agencies_visible_to(request.user), pk=pk)
    form = AgencyForm(request.POST or None, instance=agency)
    if request.method == "POST" and form.is_valid():
        try:
            if agency is None:
                agency = services.agency_create(
                    **{k: v for k, v in form.cleaned_data.items() if k != "is_active"}
                )
            else:
                services.agency_update(
                    agency=agency, **{name: form.cleaned_data[name] for name in form.changed_data}
                )
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, f"{agency.name} was saved.")
            return redirect("agencies:staff_agency_list")
    return render(request, "agencies/staff_agency_form.html", {"form": form, "agency": agency})

"""Finding people and looking at one."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from mash.audit.events import record_access, record_listing

from .. import services
from ..forms import MergeForm
from ..forms_person import PersonCorrectionForm
from ..models import HouseholdMember, PersonAddress, Relationship, relationship_words
from ..selectors import contacts_of_people, people_search, people_visible_to
from ..selectors_open_work import open_work_for_people
from .common import apply_errors, require_hub


@login_required
def person_search(request: HttpRequest) -> HttpResponse:
    """One box: name (aliases, near spellings), date of birth, NHS number or postcode."""
    require_hub(request)
    q = request.GET.get("q", "").strip()[:200]
    people = people_search(request.user, q) if q else []
    record_listing(people, query=q)
    context = {"q": q, "people": people, "history": contacts_of_people(people)}
    template = (
        "contacts/_person_results.html"
        if request.headers.get("HX-Request")
        else "contacts/person_search.html"
    )
    return render(request, template, context)


def person_family(person) -> dict:
    """The person's household (the people living with them now), relationships in words (both
    directions) and address history: three queries, however many rows."""
    households = HouseholdMember.objects.filter(person=person).values("household_id")
    household = [
        {"person": member.person, "related": member.related, "relationship": member.relationship}
        for member in HouseholdMember.objects.filter(household_id__in=households)
        .exclude(person=person)
        .select_related("person")
        .order_by("person__family_name", "person__given_name", "person_id")
        .distinct()
    ]
    relationships = []
    for link in (
        Relationship.objects.filter(Q(from_person=person) | Q(to_person=person))
        .select_related("from_person", "to_person")
        .order_by("id")
    ):
        forward = link.from_person_id == person.pk
        other = link.to_person if forward else link.from_person
        relationships.append(
            {
                "kind": link.kind,
                "forward": forward,
                "words": relationship_words(link.kind, forward=forward, gender=person.gender),
                "other": other,
                "learnt_from_id": link.learnt_from_id,
                "learnt_from_reference": f"C{link.learnt_from_id:06d}"
                if link.learnt_from_id
                else "",
            }
        )
    addresses = list(PersonAddress.objects.filter(person=person))
    for entry in addresses:
        entry.learnt_from_reference = f"C{entry.learnt_from_id:06d}" if entry.learnt_from_id else ""
    return {"household": household, "relationships": relationships, "addresses": addresses}


def _person_page(
    request: HttpRequest,
    person,
    *,
    form=None,
    correction_form=None,
    status: int = 200,
) -> HttpResponse:
    record_access(person)  # every response showing the person, error pages included
    open_work = open_work_for_people(request.user, [person.pk])[person.pk]
    return render(
        request,
        "contacts/person_detail.html",
        {
            "person": person,
            "aliases": person.aliases.all(),
            "contacts": contacts_of_people([person])[person.pk],
            "can_merge": request.user.is_hub_staff,
            "merge_form": form or MergeForm(),
            "correction_form": correction_form or PersonCorrectionForm.for_person(person),
            "corrections": person.corrections.select_related("corrected_by"),
            "open_work": open_work,
            "chronology_url": f"/people/{person.pk}/chronology/",
            **person_family(person),
        },
        status=status,
    )


@login_required
def person_detail(request: HttpRequest, pk: int) -> HttpResponse:
    require_hub(request)  # agencies see their people to check on the request page only
    person = get_object_or_404(people_visible_to(request.user), pk=pk)
    return _person_page(request, person)


@login_required
@require_POST
def person_merge(request: HttpRequest, pk: int) -> HttpResponse:
    require_hub(request)
    visible = people_visible_to(request.user)
    person = get_object_or_404(visible, pk=pk)
    form = MergeForm(request.POST)
    if form.is_valid():
        duplicate = visible.filter(pk=form.cleaned_data["duplicate"]).first()
        if duplicate is None:
            form.add_error("duplicate", "There is no person with that record number.")
        else:
            try:
                services.person_merge(
                    keep=person,
                    duplicate=duplicate,
                    reason=form.cleaned_data["reason"],
                    merged_by=request.user,
                )
            except ValidationError as error:
                apply_errors(form, error)
            else:
                messages.success(
                    request, f"{duplicate.full_name}'s record was merged into this one."
                )
                return redirect("contacts:person_detail", pk=person.pk)
    return _person_page(request, person, form=form, status=400)


@login_required
def person_correct(request: HttpRequest, pk: int) -> HttpResponse:
    """Correct a person's details (hub staff): the old values are kept and audited."""
    require_hub(request)
    person = get_object_or_404(people_visible_to(request.user), pk=pk)
    if request.method != "POST":
        return _person_page(request, person)
    form = PersonCorrectionForm.for_person(person, request.POST)
    if form.is_valid():
        try:
            corrections = services.person_correct(
                person=person,
                changes=form.changes(person),
                reason=form.cleaned_data["reason"],
                corrected_by=request.user,
            )
        except ValidationError as error:
            apply_errors(form, error)
        else:
            fields = ", ".join(c.get_field_display().lower() for c in corrections)
            messages.success(request, f"Corrected: {fields}. The old values are kept.")
            return redirect("contacts:person_detail", pk=person.pk)
    return _person_page(request, person, correction_form=form, status=400)

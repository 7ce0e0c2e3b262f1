"""Reads of schools, already scoped to the user (fail closed).

- Hub staff and administrators see every school (names and URNs are public data, but only the
  hub and the administrators have a use for the list: choosing a pupil's school, managing them).
- A school key adult sees their own school through ``key_adult_school`` and nothing else; the
  list of schools is not theirs (404).
- Everyone else sees none.
"""

from __future__ import annotations

import re

from django.core.exceptions import ValidationError
from django.db.models import Q, QuerySet

from agencies.roles import HUB_ROLES, Role
from mash.access import is_member

from .models import School, SchoolHoliday, SchoolStatus

SCHOOL_LIST_ROLES = HUB_ROLES | {Role.ADMINISTRATOR}
_URN = re.compile(r"^[0-9]{6}$")
_LEADING_URN = re.compile(r"^\s*(?:URN\s*)?([0-9]{6})\b", re.IGNORECASE)
_TRAILING_URN = re.compile(r"\(URN ([0-9]{6})\)\s*$", re.IGNORECASE)


def schools_visible_to(user, *, queryset: QuerySet[School] | None = None) -> QuerySet[School]:
    queryset = School.objects.all() if queryset is None else queryset
    if not is_member(user) or user.role not in SCHOOL_LIST_ROLES:
        return queryset.none()
    return queryset


def schools_search(queryset: QuerySet[School], query: str) -> QuerySet[School]:
    """Schools whose URN starts with the digits typed, or whose name holds every word typed."""
    query = (query or "").replace("\x00", "").strip()[:200]
    if not query:
        return queryset
    if query.isdigit():
        return queryset.filter(urn__startswith=query)
    condition = Q()
    for word in query.split():
        condition &= Q(name__icontains=word)
    return queryset.filter(condition)


def key_adult_school(user) -> School | None:
    """The school a key adult works for, or None for anyone else (fail closed)."""
    if not is_member(user) or user.role != Role.SCHOOL_KEY_ADULT:
        return None
    school_id = getattr(user, "school_id", None)
    if school_id is None:
        return None
    return School.objects.filter(pk=school_id).first()


def open_school_choices() -> QuerySet[School]:
    """Schools that may be chosen for a pupil or a key adult: open ones, by name."""
    return School.open_schools.order_by("name", "urn")


def school_from_choice(text: str, *, field: str = "school") -> School | None:
    """The open school a typed choice names: its 6-digit URN ("100000", "100000 Northfield
    Primary", "Northfield Primary (URN 100000)") or its exact name when no other open school has
    it. Empty gives None. Anything else is a ``ValidationError`` naming `field`."""
    text = " ".join((text or "").replace("\x00", "").split())
    if not text:
        return None
    match = _TRAILING_URN.search(text) or _LEADING_URN.match(text)
    if match:
        urn = match.group(1)
        school = School.objects.filter(urn=urn).first()
        if school is None:
            raise ValidationError({field: f"No school has the URN {urn}: check the number."})
        if school.status != SchoolStatus.OPEN:
            raise ValidationError({field: f"{school} is closed: choose the pupil's school now."})
        return school
    if text.isdigit():
        raise ValidationError({field: "A URN is 6 digits: check the number."})
    named = list(School.open_schools.filter(name__iexact=text)[:2])
    if len(named) == 1:
        return named[0]
    if named:
        raise ValidationError(
            {field: f"More than one open school is called “{text}”: enter its 6-digit URN."}
        )
    raise ValidationError(
        {field: f"No open school is called “{text[:100]}”: enter its 6-digit URN or its name."}
    )


def school_holidays() -> QuerySet[SchoolHoliday]:
    return SchoolHoliday.objects.order_by("first_day")

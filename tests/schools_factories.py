"""Factories and helpers for schools and school key adults (tests/test_schools.py and others)."""

import factory
from factory.django import DjangoModelFactory

from agencies.models import AgencyKind
from agencies.roles import Role
from schools.models import Phase, School, SchoolStatus
from tests.factories import AgencyFactory, UserFactory

GIAS_HEADER = (
    "URN,LA (code),LA (name),EstablishmentNumber,EstablishmentName,TypeOfEstablishment (name),"
    "EstablishmentStatus (name),PhaseOfEducation (name),StatutoryLowAge,StatutoryHighAge,Postcode"
)


class SchoolFactory(DjangoModelFactory):
    class Meta:
        model = School
        django_get_or_create = ("urn",)

    urn = factory.Sequence(lambda n: f"{140000 + n:06d}")
    name = factory.Sequence(lambda n: f"Test School {n}")
    phase = Phase.PRIMARY
    status = SchoolStatus.OPEN
    establishment_type = "Community school"
    postcode = "LS1 4AP"
    local_authority = "Leeds"


def education_agency():
    return AgencyFactory(name="Education Safeguarding", code="education", kind=AgencyKind.EDUCATION)


def key_adult_of(school: School, **kwargs):
    """A school key adult (DSL) of `school`, in the education agency."""
    return UserFactory(
        agency=kwargs.pop("agency", None) or education_agency(),
        role=Role.SCHOOL_KEY_ADULT,
        school=school,
        **kwargs,
    )


def gias_row(
    urn: str,
    name: str,
    *,
    kind: str = "Community school",
    status: str = "Open",
    phase: str = "Primary",
    low: str = "4",
    high: str = "11",
    postcode: str = "LS1 4AP",
    la: str = "Leeds",
) -> str:
    return f'{urn},383,{la},2001,"{name}",{kind},"{status}",{phase},{low},{high},{postcode}'


def gias_csv(*rows: str, header: str = GIAS_HEADER) -> bytes:
    return ("\n".join([header, *rows]) + "\n").encode("utf-8")

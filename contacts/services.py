"""Every write to people."""

from datetime import date

from django.db import transaction

from mash.audit.events import record_event

from .models import Gender, Person
from .validators import normalise_nhs_number, normalise_postcode


@transaction.atomic
def person_create(
    *,
    given_name: str,
    family_name: str,
    date_of_birth: date | None = None,
    gender: str = Gender.NOT_RECORDED,
    nhs_number: str = "",
    address: str = "",
    postcode: str = "",
    created_by=None,
) -> Person:
    person = Person(
        given_name=given_name.strip(),
        family_name=family_name.strip(),
        date_of_birth=date_of_birth,
        gender=gender,
        nhs_number=normalise_nhs_number(nhs_number),
        address=address.strip(),
        postcode=normalise_postcode(postcode),
        created_by=created_by,
        modified_by=created_by,
    )
    person.full_clean()
    person.save()
    record_event("person.created", target=person)
    return person

"""factory_boy factories for every app's models. Users are made with a usable password."""

import factory
from factory.django import DjangoModelFactory

from agencies.models import Agency, AgencyKind, Membership, User
from agencies.roles import Role
from contacts.models import Gender, Person

PASSWORD = "correct-horse-battery-staple"


class AgencyFactory(DjangoModelFactory):
    class Meta:
        model = Agency
        django_get_or_create = ("code",)

    name = factory.Sequence(lambda n: f"Agency {n}")
    code = factory.Sequence(lambda n: f"agency-{n}")
    kind = AgencyKind.OTHER
    membership = Membership.CORE


class UserFactory(DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    # Staff names never collide with the names of people in a test's records
    # (a board member called "Katherine Smith" once failed a "no Smith here" check).
    first_name = factory.Iterator(["Alex", "Robin", "Jordan", "Morgan", "Casey"])
    last_name = factory.Sequence(lambda n: f"Staffmember{n}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.org")
    agency = factory.SubFactory(AgencyFactory)
    role = Role.HUB_WORKER

    @factory.post_generation
    def password(self, create: bool, extracted: str | None, **kwargs) -> None:
        self.set_password(extracted or PASSWORD)
        if create:
            self.save(update_fields=["password"])


class PersonFactory(DjangoModelFactory):
    class Meta:
        model = Person

    given_name = factory.Faker("first_name")
    family_name = factory.Faker("last_name")
    date_of_birth = factory.Faker("date_of_birth", minimum_age=0, maximum_age=17)
    gender = Gender.NOT_RECORDED
    postcode = "LS1 4AP"


def person_input(**overrides):
    """A valid PersonInput for intake, with overrides."""
    from contacts.services import PersonInput

    values = {"given_name": "John", "family_name": "Smith", "date_of_birth": None}
    values.update(overrides)
    return PersonInput(**values)


def contact_input(**overrides):
    """A valid ContactInput (one subject, phone, consent given) with overrides."""
    from contacts.codes import Channel, Consent, Source
    from contacts.services import ContactInput

    values = {
        "source": Source.SCHOOLS,
        "channel": Channel.PHONE,
        "subjects": [person_input()],
        "consent": Consent.GIVEN,
        "concerns": ["neglect"],
        "narrative": "Child arrived hungry and unkempt for the third day running.",
        "referrer_name": "Ms Jones",
        "referrer_email": "jones@school.example",
    }
    values.update(overrides)
    return ContactInput(**values)

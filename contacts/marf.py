"""The MARF (Multi-Agency Referral Form): its sections and questions as data, and how complete a
submitted form is. Pure functions: nothing here touches the database.

The answers are kept as the referrer submitted them, one dict per section under the section's
`key` (the people section holds a list, one dict per person); dates are ISO strings.
"""

from dataclasses import dataclass
from typing import TYPE_CHECKING

from agencies.models import AgencyKind
from mash import limits

from .codes import Concern, Consent, Gender, Source
from .models.contacts import ConcernRole
from .models.people import RelationshipType

if TYPE_CHECKING:
    from agencies.models import Agency

    from .models import Marf

THIN_NARRATIVE = 200  # an account of what happened shorter than this is "thin"
MAX_PEOPLE = 10


@dataclass(frozen=True)
class Question:
    """One question of the form. `kind` is text, email, tel, textarea, select, radios,
    checkboxes or date."""

    name: str
    label: str
    kind: str = "text"
    hint: str = ""
    choices: tuple[tuple[str, str], ...] = ()
    max_length: int | None = None
    error: str = ""  # set for a required question: the message when it is not answered
    autocomplete: str = ""
    summary: str = ""  # a shorter label for check-your-answers, where the question is long
    say_optional: bool = True  # add "(optional)" to the label when not required

    @property
    def required(self) -> bool:
        """A question is required when it has a message for a missing answer."""
        return bool(self.error)

    @property
    def short_label(self) -> str:
        """The label for summaries: `summary` where given, else the question itself."""
        return self.summary or self.label


@dataclass(frozen=True)
class Section:
    """One page of the form. A `repeating` section is asked once per person."""

    slug: str
    key: str
    title: str
    heading: str
    questions: tuple[Question, ...]
    repeating: bool = False
    intro: str = ""


ABOUT_YOU = Section(
    slug="about-you",
    key="about_you",
    title="About you",
    heading="About you",
    intro="The hub will contact you on these details if they need to know more.",
    questions=(
        Question(
            "referrer_name",
            "Your full name",
            max_length=limits.REFERRER_NAME.input_length,
            error="Enter your full name",
            autocomplete="name",
        ),
        Question(
            "referrer_role",
            "Your job title or role",
            max_length=limits.REFERRER_ROLE.input_length,
            error="Enter your job title or role",
            autocomplete="organization-title",
        ),
        Question(
            "referrer_organisation",
            "Your organisation",
            max_length=limits.ORGANISATION.input_length,
            error="Enter the name of your organisation",
            autocomplete="organization",
        ),
        Question(
            "referrer_phone",
            "Phone number",
            kind="tel",
            max_length=limits.PHONE.input_length,
            hint="Give a phone number or an email address so the hub can call you back.",
            autocomplete="tel",
        ),
        Question(
            "referrer_email",
            "Email address",
            kind="email",
            max_length=limits.EMAIL.input_length,
            autocomplete="email",
        ),
        Question(
            "source",
            "Which best describes where this referral comes from?",
            kind="select",
            choices=tuple(Source.choices),
            hint="The referral source used in the Children in Need census.",
            error="Select where this referral comes from",
            summary="Referral source",
        ),
    ),
)

PEOPLE = Section(
    slug="people",
    key="people",
    title="The person or people",
    heading="Who is the concern about?",
    repeating=True,
    intro="Add each child or adult you are worried about. Give as much as you know.",
    questions=(
        Question(
            "given_name",
            "First name",
            max_length=limits.PERSON_NAME.input_length,
            hint="For an unborn child, you can write Unborn.",
            error="Enter the person's first name",
        ),
        Question(
            "family_name",
            "Last name",
            max_length=limits.PERSON_NAME.input_length,
            error="Enter the person's last name",
        ),
        Question(
            "date_of_birth",
            "Date of birth",
            kind="date",
            hint="For example, 27 3 2014. Leave it blank for an unborn child.",
        ),
        Question(
            "expected_date_of_delivery",
            "Expected date of delivery",
            kind="date",
            hint="Only for an unborn child, instead of a date of birth. For example, 14 9 2026.",
        ),
        Question("gender", "Gender", kind="radios", choices=tuple(Gender.choices)),
        Question("address", "Address", kind="textarea", max_length=limits.ADDRESS.input_length),
        Question("postcode", "Postcode", max_length=limits.POSTCODE.input_length),
        Question(
            "nhs_number",
            "NHS number",
            max_length=limits.NHS_NUMBER.input_length,
            hint="10 digits, for example 943 476 5919.",
        ),
        Question(
            "upn",
            "Unique pupil number (UPN)",
            max_length=limits.UPN.input_length,
            hint="13 characters, starting with a letter. Schools know it.",
        ),
    ),
)

CONCERN = Section(
    slug="concern",
    key="concern",
    title="The concern",
    heading="What are you worried about?",
    questions=(
        Question(
            "concerns",
            "What kind of concern is it?",
            kind="checkboxes",
            choices=tuple(Concern.choices),
            hint="Select all that apply.",
            error="Select at least one kind of concern",
            summary="Kind of concern",
        ),
        Question(
            "what_happened",
            "What happened",
            kind="textarea",
            max_length=limits.MARF_WHAT_HAPPENED.input_length,
            hint="What you saw or were told, when and where, and who was there.",
            error="Describe what happened",
        ),
        Question(
            "child_said",
            "What the child or adult said",
            kind="textarea",
            max_length=limits.MARF_CHILD_SAID.input_length,
            hint="In their own words, if you can.",
        ),
        Question(
            "done_so_far",
            "What has been done so far",
            kind="textarea",
            max_length=limits.MARF_DONE_SO_FAR.input_length,
            hint="For example, who you have told, advice given, other services involved.",
        ),
    ),
)

HOUSEHOLD = Section(
    slug="household",
    key="household",
    title="Family and household",
    heading="The family and household",
    intro="Name, one by one, everyone else in the family and household: parents, carers, "
    "brothers and sisters, partners, other adults who live there (related or not, for example "
    "a lodger) and anyone alleged to have caused harm. The hub checks each of them.",
    questions=(
        Question(
            "other_family",
            "Other family or important adults who live elsewhere",
            kind="textarea",
            max_length=limits.MARF_OTHER_FAMILY.input_length,
            hint="For example, a grandparent who helps with care. Name anyone the hub should "
            "check as a person above instead.",
        ),
    ),
)

MAX_OTHERS = 10
LIVES_HERE = (("yes", "Yes"), ("no", "No"))

#: One other person on the household page (a parent, partner, lodger, alleged perpetrator...),
#: stored in the household section's answers under "people". Names are asked only for a row the
#: referrer fills in: a blank row is left out.
OTHER_PERSON = Section(
    slug="household",
    key="people",
    title="Other person",
    heading="Other person",
    repeating=True,
    questions=(
        Question(
            "given_name",
            "First name",
            max_length=limits.PERSON_NAME.input_length,
            say_optional=False,
        ),
        Question(
            "family_name",
            "Last name",
            max_length=limits.PERSON_NAME.input_length,
            say_optional=False,
        ),
        Question(
            "date_of_birth",
            "Date of birth",
            kind="date",
            hint="If you know it. For example, 3 11 1990.",
        ),
        Question(
            "relationship_type",
            "Their relationship",
            kind="select",
            choices=tuple(RelationshipType.choices),
            hint="What they are to the person chosen next: a child's mother is a parent.",
            say_optional=False,
        ),
        Question(
            "related_to",
            "To whom",
            kind="select",
            say_optional=False,
            summary="Related to",
        ),
        Question(
            "role",
            "Their part in the concern",
            kind="select",
            choices=tuple(ConcernRole.choices),
            say_optional=False,
            summary="Role in the concern",
        ),
        Question(
            "in_household",
            "Do they live with the child or adult?",
            kind="radios",
            choices=LIVES_HERE,
            summary="Lives in the household",
        ),
    ),
)

CONSENT = Section(
    slug="consent",
    key="consent",
    title="Consent",
    heading="Consent to share",
    questions=(
        Question(
            "consent",
            "Did the family (or the adult) agree to this referral?",
            kind="radios",
            choices=tuple(Consent.choices),
            error="Select whether consent was given, not given or not sought",
            summary="Consent",
        ),
        Question(
            "consent_detail",
            "Lawful basis or reason",
            kind="textarea",
            max_length=limits.CONSENT_DETAIL.input_length,
            hint="Needed if consent was not given: the lawful basis for sharing. Needed if it "
            "was not sought: why not (for example, asking would put someone at risk).",
            say_optional=False,
        ),
    ),
)

SECTIONS: tuple[Section, ...] = (ABOUT_YOU, PEOPLE, CONCERN, HOUSEHOLD, CONSENT)
SECTION_BY_SLUG = {section.slug: section for section in SECTIONS}

# The referral source most referrers of each kind of agency would choose.
_SOURCE_FOR_KIND = {
    AgencyKind.EDUCATION: Source.SCHOOLS,
    AgencyKind.HEALTH: Source.OTHER_HEALTH,
    AgencyKind.MENTAL_HEALTH: Source.OTHER_HEALTH,
    AgencyKind.SUBSTANCE_MISUSE: Source.OTHER_HEALTH,
    AgencyKind.POLICE: Source.POLICE,
    AgencyKind.HOUSING: Source.HOUSING,
    AgencyKind.CHILDRENS_SOCIAL_CARE: Source.LA_SOCIAL_CARE,
    AgencyKind.ADULTS_SOCIAL_CARE: Source.LA_SOCIAL_CARE,
    AgencyKind.EARLY_HELP: Source.EARLY_HELP,
    AgencyKind.TRADING_STANDARDS: Source.OTHER_INTERNAL,
    AgencyKind.PROBATION: Source.OTHER_LEGAL,
    AgencyKind.YOUTH_OFFENDING: Source.OTHER_LEGAL,
}


def default_source(agency: "Agency | None") -> str:
    """The census source to offer first for a referrer of `agency` (2A for a school)."""
    kind = getattr(agency, "kind", "")
    return str(_SOURCE_FOR_KIND.get(kind, Source.OTHER))


def compose_narrative(concern: dict) -> str:
    """The contact's narrative from the concern section's three accounts, headed."""
    parts = [
        (question.label, str(concern.get(question.name) or "").strip())
        for question in CONCERN.questions
        if question.kind == "textarea"
    ]
    text = "\n\n".join(f"{label}:\n{value}" for label, value in parts if value)
    return text[: limits.NARRATIVE.max_length]


def first_incomplete(answers: dict) -> Section | None:
    """The first section the draft has no answers for, or None when every page was done."""
    for section in SECTIONS:
        value = answers.get(section.key)
        if value is None or (section.repeating and not value):
            return section
    return None


def _text(values: dict, name: str) -> str:
    value = values.get(name) if isinstance(values, dict) else None
    return str(value).strip() if value else ""


def _result(section: Section, status: str, notes: list[str]) -> dict:
    return {"title": section.title, "status": status, "note": " ".join(notes)}


def _about_you(values: dict) -> dict:
    if not values:
        return _result(ABOUT_YOU, "missing", ["No details of the referrer."])
    notes = []
    if not _text(values, "referrer_name"):
        notes.append("No name for the referrer.")
    if not _text(values, "referrer_phone") and not _text(values, "referrer_email"):
        notes.append("No phone number or email to call the referrer back.")
    return _result(ABOUT_YOU, "thin" if notes else "complete", notes)


def _people(people) -> dict:
    people = [p for p in people or [] if isinstance(p, dict)] if isinstance(people, list) else []
    if not people:
        return _result(PEOPLE, "missing", ["Nobody named."])
    notes = []
    for index, person in enumerate(people, start=1):
        name = f"{_text(person, 'given_name')} {_text(person, 'family_name')}".strip()
        name = name or f"person {index}"
        if not _text(person, "date_of_birth") and not _text(person, "expected_date_of_delivery"):
            notes.append(f"No date of birth for {name}.")
        if not _text(person, "address") and not _text(person, "postcode"):
            notes.append(f"No address for {name}.")
    return _result(PEOPLE, "thin" if notes else "complete", notes)


def _concern(values: dict) -> dict:
    happened = _text(values, "what_happened")
    if not values or (not happened and not values.get("concerns")):
        return _result(CONCERN, "missing", ["No account of the concern."])
    notes = []
    if not values.get("concerns"):
        notes.append("No kind of concern chosen.")
    if len(happened) < THIN_NARRATIVE:
        notes.append(f"The account of what happened is short ({len(happened)} characters).")
    if not _text(values, "done_so_far"):
        notes.append("Does not say what has been done so far.")
    return _result(CONCERN, "thin" if notes else "complete", notes)


def other_people(values) -> list[dict]:
    """The other people named on the household page (none on a MARF sent before they were)."""
    people = values.get(OTHER_PERSON.key) if isinstance(values, dict) else None
    return [p for p in people if isinstance(p, dict)] if isinstance(people, list) else []


def _household(values: dict) -> dict:
    # MARFs sent before people were named one by one have "household_members" text instead.
    named = other_people(values) or _text(values, "household_members")
    if not named and not _text(values, "other_family"):
        return _result(HOUSEHOLD, "missing", ["No household information."])
    if not named:
        return _result(HOUSEHOLD, "thin", ["Does not say who lives in the household."])
    return _result(HOUSEHOLD, "complete", [])


def _consent(values: dict) -> dict:
    consent = _text(values, "consent")
    if consent not in Consent.values:
        return _result(CONSENT, "missing", ["Consent not recorded."])
    if consent != Consent.GIVEN and not _text(values, "consent_detail"):
        return _result(CONSENT, "thin", ["No lawful basis or reason given."])
    return _result(CONSENT, "complete", [])


def marf_completeness(marf: "Marf") -> list[dict]:
    """For each expected section of a submitted MARF: {"title", "status", "note"}, where status
    is "complete", "thin" (given but too little to go on) or "missing"."""
    answers = getattr(marf, "answers", None)
    answers = answers if isinstance(answers, dict) else {}

    def section(key: str) -> dict:
        value = answers.get(key)
        return value if isinstance(value, dict) else {}

    return [
        _about_you(section(ABOUT_YOU.key)),
        _people(answers.get(PEOPLE.key)),
        _concern(section(CONCERN.key)),
        _household(section(HOUSEHOLD.key)),
        _consent(section(CONSENT.key)),
    ]

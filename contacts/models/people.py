"""People the hub is worried about, the other names they go by, and their households."""

import jellyfish
from django.conf import settings
from django.db import models
from guardian.models import GroupObjectPermissionBase, UserObjectPermissionBase

from mash import limits
from mash.limits import limited_text
from mash.models import TrackedModel

from ..codes import Ethnicity, Gender
from ..validators import validate_nhs_number, validate_postcode, validate_upn


def name_tokens(*names: str) -> list[str]:
    return [token for name in names for token in name.lower().replace("-", " ").split() if token]


def phonetic_keys(*names: str) -> str:
    """Metaphone keys of every name token, space-separated, so "Jon Smyth" finds "John Smith"."""
    keys = {jellyfish.metaphone(token) for token in name_tokens(*names)}
    return " ".join(sorted(key for key in keys if key))


class Person(TrackedModel):
    given_name = models.CharField(max_length=limits.PERSON_NAME.max_length)
    family_name = models.CharField(max_length=limits.PERSON_NAME.max_length)
    date_of_birth = models.DateField(null=True, blank=True)
    expected_date_of_delivery = models.DateField(
        null=True, blank=True, help_text="For an unborn child, instead of a date of birth."
    )
    gender = models.CharField(max_length=1, choices=Gender.choices, default=Gender.NOT_RECORDED)
    ethnicity = models.CharField(max_length=4, choices=Ethnicity.choices, default=Ethnicity.NOBT)
    nhs_number = models.CharField(
        "NHS number",
        max_length=limits.NHS_NUMBER.max_length,
        blank=True,
        validators=[validate_nhs_number],
        db_index=True,
    )
    upn = models.CharField(
        "Unique pupil number",
        max_length=limits.UPN.max_length,
        blank=True,
        validators=[validate_upn],
        db_index=True,
    )
    address = limited_text(limits.ADDRESS, blank=True)
    postcode = models.CharField(
        max_length=limits.POSTCODE.max_length, blank=True, validators=[validate_postcode]
    )
    # Search support, kept in step by save(): every name and alias, lower-cased, and their
    # phonetic keys.
    school = models.CharField(
        max_length=limits.SCHOOL.max_length,
        blank=True,
        help_text="The person's current school or setting (name or DfE URN).",
    )
    current_school = models.ForeignKey(
        "schools.School",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="pupils",
        help_text="The school record, when the school is known by its URN.",
    )
    search_text = models.TextField(blank=True, editable=False)
    phonetic = models.TextField(blank=True, editable=False)
    merged_into = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="merged_from",
        help_text="Set when this record was found to duplicate another and merged into it.",
    )
    merged_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["family_name", "given_name", "id"]
        verbose_name_plural = "people"
        indexes = [
            models.Index(fields=["postcode"]),
            models.Index(fields=["date_of_birth"]),
        ]

    def __str__(self) -> str:
        return f"{self.given_name} {self.family_name}"

    @property
    def full_name(self) -> str:
        return str(self)

    @property
    def is_unborn(self) -> bool:
        return self.date_of_birth is None and self.expected_date_of_delivery is not None

    def refresh_search_fields(self, aliases: list[tuple[str, str]] | None = None) -> None:
        if aliases is None:
            aliases = list(self.aliases.values_list("given_name", "family_name")) if self.pk else []
        names = [self.given_name, self.family_name] + [part for pair in aliases for part in pair]
        self.search_text = " ".join(name_tokens(*names))
        self.phonetic = phonetic_keys(*names)

    def save(self, *args, **kwargs) -> None:
        self.refresh_search_fields()
        super().save(*args, **kwargs)


class PersonAlias(models.Model):
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="aliases")
    given_name = models.CharField(max_length=limits.PERSON_NAME.max_length, blank=True)
    family_name = models.CharField(max_length=limits.PERSON_NAME.max_length, blank=True)

    class Meta:
        verbose_name_plural = "person aliases"

    def __str__(self) -> str:
        return f"{self.given_name} {self.family_name}".strip()


class Household(TrackedModel):
    address = limited_text(limits.ADDRESS, blank=True)
    postcode = models.CharField(
        max_length=limits.POSTCODE.max_length, blank=True, validators=[validate_postcode]
    )

    def __str__(self) -> str:
        return f"Household at {self.postcode or 'unknown address'}"


class HouseholdMember(models.Model):
    household = models.ForeignKey(Household, on_delete=models.CASCADE, related_name="members")
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="household_links")
    related = models.BooleanField(
        default=True, help_text="Related to the family (or, if not, e.g. a lodger or partner)."
    )
    relationship = models.CharField(max_length=limits.RELATIONSHIP.max_length, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["household", "person"], name="unique_household_member")
        ]

    def __str__(self) -> str:
        return f"{self.person} in {self.household}"


class PersonUserObjectPermission(UserObjectPermissionBase):
    content_object = models.ForeignKey(Person, on_delete=models.CASCADE)


class PersonGroupObjectPermission(GroupObjectPermissionBase):
    content_object = models.ForeignKey(Person, on_delete=models.CASCADE)


class RelationshipType(models.TextChoices):
    """How one person is related to another (DOMAIN.md, "Households, history and documents"),
    read from the first person: "A is a parent of B"."""

    PARENT = "parent", "Parent"
    STEP_PARENT = "step_parent", "Step-parent"
    CARER = "carer", "Carer"
    PARTNER = "partner", "Partner (of a parent or carer)"
    SIBLING = "sibling", "Sibling (full)"
    HALF_SIBLING = "half_sibling", "Half-sibling"
    STEP_SIBLING = "step_sibling", "Step-sibling"
    GRANDPARENT = "grandparent", "Grandparent"
    OTHER_RELATIVE = "other_relative", "Other relative"
    UNRELATED_HOUSEHOLD_MEMBER = "unrelated_household_member", "Unrelated household member"


#: Relationships that make the first person an ancestor of the second: a chain of them can never
#: lead back to where it started.
ANCESTOR_TYPES = (
    RelationshipType.PARENT,
    RelationshipType.STEP_PARENT,
    RelationshipType.GRANDPARENT,
)
#: Relationships that read the same both ways.
SYMMETRIC_TYPES = (
    RelationshipType.PARTNER,
    RelationshipType.SIBLING,
    RelationshipType.HALF_SIBLING,
    RelationshipType.STEP_SIBLING,
    RelationshipType.OTHER_RELATIVE,
    RelationshipType.UNRELATED_HOUSEHOLD_MEMBER,
)

# (words from the first person, words from the second), by gender of the one described.
_WORDS: dict[str, tuple[dict[str, str], dict[str, str]]] = {
    "parent": ({"1": "Father of", "2": "Mother of"}, {"1": "Son of", "2": "Daughter of"}),
    "step_parent": (
        {"1": "Stepfather of", "2": "Stepmother of"},
        {"1": "Stepson of", "2": "Stepdaughter of"},
    ),
    "grandparent": (
        {"1": "Grandfather of", "2": "Grandmother of"},
        {"1": "Grandson of", "2": "Granddaughter of"},
    ),
    "sibling": ({"1": "Brother of", "2": "Sister of"}, {"1": "Brother of", "2": "Sister of"}),
    "half_sibling": (
        {"1": "Half-brother of", "2": "Half-sister of"},
        {"1": "Half-brother of", "2": "Half-sister of"},
    ),
    "step_sibling": (
        {"1": "Stepbrother of", "2": "Stepsister of"},
        {"1": "Stepbrother of", "2": "Stepsister of"},
    ),
}
_NEUTRAL = {
    "parent": ("Parent of", "Child of"),
    "step_parent": ("Step-parent of", "Stepchild of"),
    "carer": ("Carer of", "Cared for by"),
    "partner": ("Partner of", "Partner of"),
    "sibling": ("Sibling of", "Sibling of"),
    "half_sibling": ("Half-sibling of", "Half-sibling of"),
    "step_sibling": ("Step-sibling of", "Step-sibling of"),
    "grandparent": ("Grandparent of", "Grandchild of"),
    "other_relative": ("Relative of", "Relative of"),
    "unrelated_household_member": (
        "Lives with (not related to)",
        "Lives with (not related to)",
    ),
}


def relationship_words(kind: str, *, forward: bool, gender: str = "") -> str:
    """ "Mother of" (forward, of a woman), "Child of" (backward), in words for a person page."""
    gendered = _WORDS.get(kind, ({}, {}))[0 if forward else 1].get(gender)
    if gendered:
        return gendered
    neutral = _NEUTRAL.get(kind)
    return neutral[0 if forward else 1] if neutral else kind


class Relationship(models.Model):
    """`from_person` is `kind` of `to_person` ("Jo is a parent of Sam"), learnt from a contact."""

    from_person = models.ForeignKey(
        Person, on_delete=models.CASCADE, related_name="relationships_from"
    )
    to_person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="relationships_to")
    kind = models.CharField(max_length=30, choices=RelationshipType.choices)
    learnt_from = models.ForeignKey(
        "contacts.Contact",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="relationships_learnt",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(
                fields=["from_person", "to_person", "kind"], name="unique_relationship"
            ),
            models.CheckConstraint(
                condition=~models.Q(from_person=models.F("to_person")),
                name="relationship_not_to_self",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.from_person_id} {self.kind} of {self.to_person_id}"


class PersonAddress(models.Model):
    """One address in a person's history: from/to dates, where it was learnt, whether current."""

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="addresses")
    address = limited_text(limits.ADDRESS, blank=True)
    postcode = models.CharField(
        max_length=limits.POSTCODE.max_length, blank=True, validators=[validate_postcode]
    )
    date_from = models.DateField(null=True, blank=True)
    date_to = models.DateField(null=True, blank=True)
    is_current = models.BooleanField(default=True)
    learnt_from = models.ForeignKey(
        "contacts.Contact",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="addresses_learnt",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-is_current", "-date_from", "-id"]
        verbose_name_plural = "person addresses"
        constraints = [
            models.UniqueConstraint(
                fields=["person"],
                condition=models.Q(is_current=True),
                name="one_current_address_per_person",
            )
        ]

    def __str__(self) -> str:
        return f"{self.address} {self.postcode}".strip()


CORRECTABLE_FIELDS = [
    ("given_name", "First name"),
    ("family_name", "Last name"),
    ("date_of_birth", "Date of birth"),
    ("gender", "Gender"),
    ("ethnicity", "Ethnicity"),
    ("address", "Address"),
    ("postcode", "Postcode"),
    ("school", "School"),
    ("nhs_number", "NHS number"),
    ("upn", "Unique pupil number"),
]


class PersonCorrection(models.Model):
    """A correction of one of a person's details by hub staff: the old value is kept."""

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="corrections")
    field = models.CharField(max_length=40, choices=CORRECTABLE_FIELDS)
    old_value = limited_text(limits.ADDRESS, blank=True)  # the longest detail is an address
    new_value = limited_text(limits.ADDRESS, blank=True)
    reason = limited_text(limits.AUDIT_REASON)
    corrected_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    corrected_at = models.DateTimeField()

    class Meta:
        ordering = ["-corrected_at", "-id"]

    def __str__(self) -> str:
        return f"{self.field} of {self.person_id} corrected"

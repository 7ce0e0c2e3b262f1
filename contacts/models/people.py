"""People the hub is worried about, the other names they go by, and their households."""

import jellyfish
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

"""People the hub is worried about. (Contacts, households and search arrive with the front door.)"""

from django.db import models
from guardian.models import GroupObjectPermissionBase, UserObjectPermissionBase

from mash.models import TrackedModel

from .validators import validate_nhs_number, validate_postcode


class Gender(models.TextChoices):
    """Children in Need census gender codes."""

    NOT_RECORDED = "0", "Not recorded or unborn"
    MALE = "1", "Male"
    FEMALE = "2", "Female"
    INDETERMINATE = "9", "Indeterminate"


class Person(TrackedModel):
    given_name = models.CharField(max_length=100)
    family_name = models.CharField(max_length=100)
    date_of_birth = models.DateField(null=True, blank=True)
    expected_date_of_delivery = models.DateField(
        null=True, blank=True, help_text="For an unborn child, instead of a date of birth."
    )
    gender = models.CharField(max_length=1, choices=Gender.choices, default=Gender.NOT_RECORDED)
    nhs_number = models.CharField(
        "NHS number", max_length=10, blank=True, validators=[validate_nhs_number], db_index=True
    )
    address = models.TextField(blank=True)
    postcode = models.CharField(max_length=8, blank=True, validators=[validate_postcode])

    class Meta:
        ordering = ["family_name", "given_name", "id"]
        verbose_name_plural = "people"

    def __str__(self) -> str:
        return f"{self.given_name} {self.family_name}"

    @property
    def full_name(self) -> str:
        return str(self)


class PersonUserObjectPermission(UserObjectPermissionBase):
    content_object = models.ForeignKey(Person, on_delete=models.CASCADE)


class PersonGroupObjectPermission(GroupObjectPermissionBase):
    content_object = models.ForeignKey(Person, on_delete=models.CASCADE)

"""Schools and early years settings (DfE URN, phase, status) and the deployment's school holidays.

A school is an organisation the hub sends Operation Encompass notices to (DOMAIN.md, "Domestic
abuse notifications and Operation Encompass"). Schools come from the DfE's "Get information about
schools" (GIAS) export (schools.gias) and are never deleted: a closed school is kept, so that
pupils and notices recorded against it still resolve, but it is not offered for new choices.
"""

from django.core.validators import RegexValidator
from django.db import models

from mash.limits import (
    ESTABLISHMENT_TYPE,
    HOLIDAY_NAME,
    LOCAL_AUTHORITY,
    SCHOOL_NAME,
    SCHOOL_POSTCODE,
)
from mash.limits import SCHOOL_URN as URN

validate_urn = RegexValidator(
    r"^[0-9]{6}\Z", "A URN is the school's 6-digit DfE unique reference number, e.g. 100000."
)


class Phase(models.TextChoices):
    EARLY_YEARS = "early_years", "Early years"
    PRIMARY = "primary", "Primary"
    SECONDARY = "secondary", "Secondary"
    SPECIAL = "special", "Special"
    ALTERNATIVE_PROVISION = "alternative_provision", "Alternative provision"


class SchoolStatus(models.TextChoices):
    OPEN = "open", "Open"
    CLOSED = "closed", "Closed"


class OpenSchoolManager(models.Manager):
    def get_queryset(self) -> models.QuerySet:
        return super().get_queryset().filter(status=SchoolStatus.OPEN)


class School(models.Model):
    urn = models.CharField(
        "URN",
        max_length=URN.max_length,
        unique=True,
        validators=[validate_urn],
        help_text="The DfE unique reference number: 6 digits.",
    )
    name = models.CharField(max_length=SCHOOL_NAME.max_length)
    phase = models.CharField(max_length=30, choices=Phase.choices)
    status = models.CharField(max_length=10, choices=SchoolStatus.choices, default="open")
    establishment_type = models.CharField(
        "Type of establishment", max_length=ESTABLISHMENT_TYPE.max_length, blank=True
    )
    postcode = models.CharField(max_length=SCHOOL_POSTCODE.max_length, blank=True)
    local_authority = models.CharField(max_length=LOCAL_AUTHORITY.max_length, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = models.Manager()
    open_schools = OpenSchoolManager()

    class Meta:
        ordering = ["name", "urn"]
        indexes = [models.Index(fields=["status", "name"])]

    def __str__(self) -> str:
        return f"{self.name} (URN {self.urn})"

    @property
    def is_open(self) -> bool:
        return self.status == SchoolStatus.OPEN


class SchoolHoliday(models.Model):
    """Days (first to last, inclusive) on which the deployment's schools are closed: term
    holidays, half terms, training days. They are not school days (schools.calendar)."""

    name = models.CharField(max_length=HOLIDAY_NAME.max_length)
    first_day = models.DateField()
    last_day = models.DateField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["first_day"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(last_day__gte=models.F("first_day")),
                name="school_holiday_last_day_not_before_first",
            )
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.first_day:%d/%m/%Y} to {self.last_day:%d/%m/%Y})"

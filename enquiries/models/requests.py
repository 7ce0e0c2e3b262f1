"""Information requests to partner agencies, and the returns they send back."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from guardian.models import GroupObjectPermissionBase, UserObjectPermissionBase

from mash import limits
from mash.limits import limited_text
from mash.models import TrackedModel


class RequestState(models.TextChoices):
    OPEN = "open", "Open"
    RETURNED = "returned", "Returned"
    WITHDRAWN = "withdrawn", "Withdrawn"


class HandlingMarking(models.TextChoices):
    NONE = "none", "No special handling"
    NOT_TO_FAMILY = "not_to_family", "Not to be shared with the family"
    POLICE_ONLY = "police_only", "Police only: not to leave the MASH"
    HEALTH_ONLY = "health_only", "Health professionals only"
    ORIGINATOR_CONSENT = "originator_consent", "Not to be shared without the originator's consent"


class InformationRequest(TrackedModel):
    enquiry = models.ForeignKey(
        "enquiries.Enquiry", on_delete=models.CASCADE, related_name="requests"
    )
    agency = models.ForeignKey(
        "agencies.Agency", on_delete=models.PROTECT, related_name="information_requests"
    )
    question = limited_text(limits.QUESTION)
    people = models.ManyToManyField(
        "contacts.Person", related_name="information_requests", blank=False
    )
    state = models.CharField(max_length=10, choices=RequestState.choices, default=RequestState.OPEN)
    requested_at = models.DateTimeField()
    due_at = models.DateTimeField()
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="assigned_information_requests",
        help_text="The agency researcher working on it (set by the agency's supervisor).",
    )
    returned_at = models.DateTimeField(null=True, blank=True)
    withdrawn_at = models.DateTimeField(null=True, blank=True)
    withdrawn_reason = limited_text(limits.WITHDRAWN_REASON, blank=True)
    withdrawn_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["due_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["enquiry", "agency"],
                condition=Q(state="open"),
                name="one_open_request_per_agency_per_enquiry",
            )
        ]
        indexes = [
            models.Index(
                fields=["agency", "due_at", "id"],
                condition=Q(state="open"),
                name="request_open_queue",
            ),
            # The deadline scan reads open requests of every agency soonest due first.
            models.Index(
                fields=["due_at", "id"], condition=Q(state="open"), name="request_open_by_due"
            ),
        ]

    def __str__(self) -> str:
        return self.reference

    @property
    def reference(self) -> str:
        return f"R{self.pk:06d}" if self.pk else "New request"

    @property
    def is_open(self) -> bool:
        return self.state == RequestState.OPEN

    @property
    def returned_on_time(self) -> bool | None:
        if self.returned_at is None:
            return None
        return self.returned_at <= self.due_at


class InformationReturn(models.Model):
    """What an agency found. Read-only once submitted; more is an addendum, a new return."""

    request = models.ForeignKey(
        InformationRequest, on_delete=models.PROTECT, related_name="returns"
    )
    information_held = models.BooleanField()
    summary = limited_text(limits.RETURN_SUMMARY, blank=True)
    risk_indicators = limited_text(limits.RISK_INDICATORS, blank=True)
    systems_checked = limited_text(limits.SYSTEMS_CHECKED)
    handling = models.CharField(
        max_length=20, choices=HandlingMarking.choices, default=HandlingMarking.NONE
    )
    is_addendum = models.BooleanField(default=False)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    submitted_at = models.DateTimeField()

    class Meta:
        ordering = ["submitted_at", "id"]

    def __str__(self) -> str:
        kind = "Addendum" if self.is_addendum else "Return"
        return f"{kind} to {self.request}"


class InformationRequestUserObjectPermission(UserObjectPermissionBase):
    content_object = models.ForeignKey(InformationRequest, on_delete=models.CASCADE)


class InformationRequestGroupObjectPermission(GroupObjectPermissionBase):
    content_object = models.ForeignKey(InformationRequest, on_delete=models.CASCADE)

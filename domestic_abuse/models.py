"""Domestic abuse notifications from the police, and the daily meeting that triages them.

A DA notification *is* a contact (source 6, channel police notification, concern domestic
abuse): the contact holds the people, the clocks and the decision; the notification adds what
the police send besides (DOMAIN.md, "Domestic abuse notifications and Operation Encompass").
"""

from django.conf import settings
from django.db import models
from django.db.models import Q

from contacts.codes import Outcome, Rag
from mash import limits
from mash.limits import limited_text
from mash.models import TrackedModel


class DashRisk(models.TextChoices):
    """The DASH risk level the police assessed."""

    STANDARD = "standard", "Standard"
    MEDIUM = "medium", "Medium"
    HIGH = "high", "High"


#: Risk levels the daily meeting triages; standard ones go to the ordinary triage queue.
MEETING_RISKS = (DashRisk.MEDIUM, DashRisk.HIGH)


class TriageMeeting(TrackedModel):
    """One daily multi-agency meeting that triages medium and high risk notifications."""

    date = models.DateField()
    chair = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="chaired_meetings"
    )
    confirmed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-date", "-id"]
        constraints = [
            # One meeting a day: starting it twice (two managers at once) is the same meeting.
            models.UniqueConstraint(fields=["date"], name="one_triage_meeting_per_date")
        ]

    def __str__(self) -> str:
        return f"Daily triage meeting on {self.date:%d %B %Y}"

    @property
    def is_confirmed(self) -> bool:
        return self.confirmed_at is not None


class MeetingAttendee(models.Model):
    """Someone who attended a meeting, for their agency."""

    meeting = models.ForeignKey(TriageMeeting, on_delete=models.CASCADE, related_name="attendees")
    agency = models.ForeignKey("agencies.Agency", on_delete=models.PROTECT, related_name="+")
    name = models.CharField(max_length=limits.REFERRER_NAME.max_length)

    class Meta:
        ordering = ["agency__name", "name", "id"]

    def __str__(self) -> str:
        return f"{self.name} ({self.agency})"


class DaNotification(TrackedModel):
    """What the police send about a domestic abuse incident, beside its contact."""

    contact = models.OneToOneField(
        "contacts.Contact", on_delete=models.CASCADE, related_name="da_notification"
    )
    police_agency = models.ForeignKey("agencies.Agency", on_delete=models.PROTECT, related_name="+")
    occurrence_reference = models.CharField(
        max_length=limits.EXTERNAL_REFERENCE.max_length,
        help_text="The police occurrence reference: the same one sent twice is one notification.",
    )
    incident_at = models.DateTimeField()
    dash_risk = models.CharField(max_length=10, choices=DashRisk.choices)
    victim = models.ForeignKey("contacts.Person", on_delete=models.PROTECT, related_name="+")
    perpetrator = models.ForeignKey(
        "contacts.Person", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    # Filled by the daily meeting (medium and high risk)
    meeting = models.ForeignKey(
        TriageMeeting,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="notifications",
    )
    agreed_outcome = models.CharField(max_length=20, choices=Outcome.choices, blank=True)
    marac_referral = models.BooleanField(default=False)
    agreed_rationale = limited_text(limits.RATIONALE, blank=True)
    #: The initial RAG rating agreed with a MASH enquiry outcome (blank for any other outcome).
    agreed_rag = models.CharField(max_length=5, choices=Rag.choices, blank=True)

    class Meta:
        ordering = ["-contact__received_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["police_agency", "occurrence_reference"],
                name="unique_occurrence_reference_per_police_agency",
            ),
            models.CheckConstraint(
                condition=Q(dash_risk__in=[choice.value for choice in DashRisk]),
                name="da_notification_dash_risk_known",
            ),
        ]
        indexes = [
            models.Index(fields=["dash_risk", "agreed_outcome"], name="da_notification_triage"),
        ]

    def __str__(self) -> str:
        return f"DA notification {self.occurrence_reference}"

    @property
    def triage_route(self) -> str:
        """Where it is triaged: "queue" (standard risk) or "meeting" (medium and high)."""
        return "meeting" if self.dash_risk in MEETING_RISKS else "queue"


class DaChild(models.Model):
    """A child present at, or normally resident where, the incident happened (a subject of the
    contact), and whether they were present (witnessed it)."""

    notification = models.ForeignKey(
        DaNotification, on_delete=models.CASCADE, related_name="children"
    )
    person = models.ForeignKey("contacts.Person", on_delete=models.PROTECT, related_name="+")
    present = models.BooleanField()

    class Meta:
        ordering = ["id"]
        verbose_name = "child in a DA notification"
        constraints = [
            models.UniqueConstraint(
                fields=["notification", "person"], name="unique_da_notification_child"
            )
        ]

    def __str__(self) -> str:
        return f"{self.person} in {self.notification}"

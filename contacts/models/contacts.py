"""Contacts: each concern that arrives, its triage, the manager's decision and the feedback."""

from django.conf import settings
from django.db import models
from django.db.models import Q

from mash import limits
from mash.limits import limited_text
from mash.models import TrackedModel

from ..codes import Channel, Consent, Outcome, Rag, Source
from .people import RelationshipType

NARRATIVE_MAX_LENGTH = limits.NARRATIVE.max_length  # kept for the services that import it


class Contact(TrackedModel):
    # Where it came from
    source = models.CharField(max_length=2, choices=Source.choices)
    referring_agency = models.ForeignKey(
        "agencies.Agency", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    channel = models.CharField(max_length=20, choices=Channel.choices)
    external_reference = models.CharField(
        max_length=limits.EXTERNAL_REFERENCE.max_length,
        blank=True,
        help_text="The sending system's own reference: the same item sent twice is one contact.",
    )
    referrer_name = models.CharField(max_length=limits.REFERRER_NAME.max_length, blank=True)
    referrer_role = models.CharField(max_length=limits.REFERRER_ROLE.max_length, blank=True)
    referrer_organisation = models.CharField(max_length=limits.ORGANISATION.max_length, blank=True)
    referrer_phone = models.CharField(max_length=limits.PHONE.max_length, blank=True)
    referrer_email = models.EmailField(max_length=limits.EMAIL.max_length, blank=True)
    referrer_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="referred_contacts",
    )
    # What it is about
    subjects = models.ManyToManyField(
        "contacts.Person", through="contacts.ContactSubject", related_name="contacts"
    )
    concerns = models.JSONField(default=list, blank=True)
    narrative = limited_text(limits.NARRATIVE, blank=True)
    consent = models.CharField(max_length=12, choices=Consent.choices)
    consent_detail = limited_text(
        limits.CONSENT_DETAIL,
        blank=True,
        help_text="The lawful basis when not given; the reason when not sought.",
    )
    # Clocks
    received_at = models.DateTimeField()
    decision_due_at = models.DateTimeField()
    decision_started_at = models.DateTimeField(null=True, blank=True)
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="assigned_contacts",
    )
    # The social worker's recommendation
    recommended_outcome = models.CharField(max_length=20, choices=Outcome.choices, blank=True)
    recommendation_rationale = limited_text(limits.RATIONALE, blank=True)
    threshold_rationale = limited_text(limits.RATIONALE, blank=True)
    recommended_rag = models.CharField(max_length=5, choices=Rag.choices, blank=True)
    recommended_at = models.DateTimeField(null=True, blank=True)
    recommended_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    # The manager's decision
    outcome = models.CharField(max_length=20, choices=Outcome.choices, blank=True)
    outcome_reason = limited_text(limits.RATIONALE, blank=True)
    initial_rag = models.CharField(max_length=5, choices=Rag.choices, blank=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    feedback_sent_at = models.DateTimeField(null=True, blank=True)
    # KPI K2, kept correct by the services when people are merged or contacts back-dated
    is_repeat = models.BooleanField(default=False)
    prior_contacts_12m = models.PositiveIntegerField(default=0)
    # Optimistic concurrency: every state change bumps it; a stale form is a conflict
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["-received_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["source", "external_reference"],
                condition=~Q(external_reference=""),
                name="unique_external_reference_per_source",
            ),
            models.CheckConstraint(
                condition=Q(outcome="") | Q(decided_at__isnull=False),
                name="decided_contact_has_decided_at",
            ),
        ]
        indexes = [
            models.Index(
                fields=["decision_due_at", "id"],
                condition=Q(outcome=""),
                name="contact_open_queue",
            ),
            models.Index(fields=["received_at"], name="contact_received_at"),
        ]

    def __str__(self) -> str:
        return self.reference

    @property
    def reference(self) -> str:
        return f"C{self.pk:06d}" if self.pk else "New contact"

    @property
    def is_decided(self) -> bool:
        return bool(self.outcome)

    @property
    def state(self) -> str:
        if self.outcome:
            return "decided"
        if self.recommended_outcome:
            return "awaiting_decision"
        if self.decision_started_at:
            return "in_triage"
        return "new"

    @property
    def state_label(self) -> str:
        return {
            "decided": "Decided",
            "awaiting_decision": "Awaiting manager's decision",
            "in_triage": "In triage",
            "new": "Not yet picked up",
        }[self.state]


class MatchReason(models.TextChoices):
    """Why intake took a person named on a contact to be an existing record (or made a new one)."""

    NEW = "new", "New record"
    NHS_NUMBER = "nhs_number", "Same NHS number"
    UPN = "upn", "Same unique pupil number"
    NAME_AND_DATE_OF_BIRTH = "name_dob", "Same name and date of birth"


class ContactSubject(models.Model):
    contact = models.ForeignKey(Contact, on_delete=models.CASCADE, related_name="subject_links")
    person = models.ForeignKey(
        "contacts.Person", on_delete=models.PROTECT, related_name="subject_links"
    )
    # The address the contact gave for the subject, kept as given (the person's history too).
    address = limited_text(limits.ADDRESS, blank=True)
    postcode = models.CharField(max_length=limits.POSTCODE.max_length, blank=True)
    match_reason = models.CharField(max_length=12, choices=MatchReason.choices, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["contact", "person"], name="unique_contact_subject")
        ]

    def __str__(self) -> str:
        return f"{self.person} in {self.contact}"


class ConcernRole(models.TextChoices):
    """A named person's role in the concern."""

    PARENT_CARER = "parent_carer", "Parent or carer"
    ALLEGED_PERPETRATOR = "alleged_perpetrator", "Alleged perpetrator"
    VICTIM = "victim", "Victim"
    WITNESS = "witness", "Witness"
    OTHER = "other", "Other"


class ContactPerson(models.Model):
    """Someone a contact names besides its subjects (a parent, a partner, a lodger, an alleged
    perpetrator): their role in the concern and how they were matched. Subjects stay in
    ContactSubject, so everything that counts subjects (the K-figures, repeats) is unchanged."""

    contact = models.ForeignKey(Contact, on_delete=models.CASCADE, related_name="person_links")
    person = models.ForeignKey(
        "contacts.Person", on_delete=models.PROTECT, related_name="named_in_links"
    )
    role = models.CharField(max_length=20, choices=ConcernRole.choices)
    relationship = models.CharField(max_length=30, choices=RelationshipType.choices, blank=True)
    related_to = models.ForeignKey(
        "contacts.Person", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    in_household = models.BooleanField(default=True)
    address = limited_text(limits.ADDRESS, blank=True)
    postcode = models.CharField(max_length=limits.POSTCODE.max_length, blank=True)
    match_reason = models.CharField(max_length=12, choices=MatchReason.choices, blank=True)

    class Meta:
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(fields=["contact", "person"], name="unique_contact_person")
        ]

    def __str__(self) -> str:
        return f"{self.person} named in {self.contact}"


class DecisionKind(models.TextChoices):
    RECOMMENDATION = "recommendation", "Recommendation"
    DECISION = "decision", "Decision"
    CORRECTION = "correction", "Correction of a decision"


class DecisionEntry(models.Model):
    """The history of recommendations and decisions: entries are added, never changed."""

    contact = models.ForeignKey(Contact, on_delete=models.CASCADE, related_name="decision_entries")
    kind = models.CharField(max_length=20, choices=DecisionKind.choices)
    outcome = models.CharField(max_length=20, choices=Outcome.choices)
    rag = models.CharField(max_length=5, choices=Rag.choices, blank=True)
    rationale = limited_text(limits.RATIONALE, blank=True)
    threshold_rationale = limited_text(limits.RATIONALE, blank=True)
    made_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    made_at = models.DateTimeField()

    class Meta:
        ordering = ["made_at", "id"]
        verbose_name_plural = "decision entries"

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.outcome} on {self.contact}"


class Marf(models.Model):
    """A Multi-Agency Referral Form as the referrer submitted it (their answers, unchanged)."""

    contact = models.OneToOneField(Contact, on_delete=models.CASCADE, related_name="marf")
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="marfs"
    )
    submitted_at = models.DateTimeField()
    answers = models.JSONField(default=dict)

    class Meta:
        ordering = ["-submitted_at"]
        verbose_name = "MARF"

    def __str__(self) -> str:
        return f"MARF for {self.contact}"

"""MASH enquiries: opened from a MASH_ENQUIRY decision, rated Red, Amber or Green, decided."""

from django.conf import settings
from django.db import models
from django.db.models import Q

from contacts.codes import Outcome, Rag
from mash import limits
from mash.limits import limited_text
from mash.models import TrackedModel

ENQUIRY_OUTCOMES = [(value, label) for value, label in Outcome.choices if value != "MASH_ENQUIRY"]
RAG_SEVERITY = {Rag.GREEN: 1, Rag.AMBER: 2, Rag.RED: 3}


class EnquiryState(models.TextChoices):
    OPEN = "open", "Open"
    AWAITING_RETURNS = "awaiting_returns", "Awaiting returns"
    AWAITING_DECISION = "awaiting_decision", "Awaiting decision"
    CLOSED = "closed", "Closed"


class Enquiry(TrackedModel):
    contact = models.OneToOneField(
        "contacts.Contact", on_delete=models.PROTECT, related_name="enquiry"
    )
    state = models.CharField(max_length=20, choices=EnquiryState.choices, default=EnquiryState.OPEN)
    initial_rag = models.CharField(max_length=5, choices=Rag.choices)
    rag = models.CharField(max_length=5, choices=Rag.choices)
    opened_at = models.DateTimeField()
    deadline = models.DateTimeField()
    worker = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="enquiries",
        help_text="The hub social worker running the enquiry.",
    )
    people = models.ManyToManyField(
        "contacts.Person", through="enquiries.EnquiryPerson", related_name="enquiries"
    )
    # The worker's recommendation
    recommended_outcome = models.CharField(max_length=20, choices=ENQUIRY_OUTCOMES, blank=True)
    recommended_rag = models.CharField(max_length=5, choices=Rag.choices, blank=True)
    recommendation_rationale = limited_text(limits.RATIONALE, blank=True)
    recommended_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    recommended_at = models.DateTimeField(null=True, blank=True)
    # The manager's decision, which closes the enquiry
    outcome = models.CharField(max_length=20, choices=ENQUIRY_OUTCOMES, blank=True)
    final_rag = models.CharField(max_length=5, choices=Rag.choices, blank=True)
    outcome_reason = limited_text(limits.RATIONALE, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    closed_at = models.DateTimeField(null=True, blank=True)
    # Why this enquiry was opened although a subject already had an open one (DOMAIN.md,
    # "Open work"): blank for the ordinary case.
    separate_reason = limited_text(
        limits.RATIONALE,
        blank=True,
        help_text="Why a second open enquiry was opened for a child who already had one.",
    )
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["deadline", "id"]
        verbose_name_plural = "enquiries"
        constraints = [
            models.CheckConstraint(
                condition=~Q(state="closed") | Q(closed_at__isnull=False, outcome__gt=""),
                name="closed_enquiry_has_outcome",
            )
        ]
        indexes = [
            models.Index(
                fields=["deadline", "id"], condition=~Q(state="closed"), name="enquiry_open_queue"
            ),
            models.Index(fields=["opened_at"], name="enquiry_opened_at"),
        ]

    def __str__(self) -> str:
        return self.reference

    @property
    def reference(self) -> str:
        return f"E{self.pk:06d}" if self.pk else "New enquiry"

    @property
    def is_closed(self) -> bool:
        return self.state == EnquiryState.CLOSED


class EnquiryContactHow(models.TextChoices):
    OPENED = "opened", "Opened the enquiry"
    ADDED = "added", "Added: a subject already had this open enquiry"


class EnquiryContact(models.Model):
    """A contact the enquiry holds: the one that opened it, and each later contact about a
    child of it decided MASH_ENQUIRY while it was open. A contact is in at most one enquiry."""

    enquiry = models.ForeignKey(Enquiry, on_delete=models.CASCADE, related_name="contact_links")
    contact = models.OneToOneField(
        "contacts.Contact", on_delete=models.PROTECT, related_name="enquiry_link"
    )
    how = models.CharField(max_length=10, choices=EnquiryContactHow.choices)
    added_at = models.DateTimeField()
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    reason = limited_text(limits.RATIONALE, blank=True)
    # When the mail server accepted the referrer's final word about this contact (set once).
    final_word_sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["added_at", "id"]

    def __str__(self) -> str:
        return f"{self.contact} in {self.enquiry}"


class EnquiryPerson(models.Model):
    """A person the enquiry checks: a subject of the contact, or a member of their household."""

    enquiry = models.ForeignKey(Enquiry, on_delete=models.CASCADE, related_name="person_links")
    person = models.ForeignKey(
        "contacts.Person", on_delete=models.PROTECT, related_name="enquiry_links"
    )
    is_subject = models.BooleanField(default=True)
    relationship = models.CharField(max_length=limits.RELATIONSHIP.max_length, blank=True)
    # Set when a hub worker added the person by hand (not a subject or household member).
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    added_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["enquiry", "person"], name="unique_enquiry_person")
        ]

    def __str__(self) -> str:
        return f"{self.person} in {self.enquiry}"


class RagChange(models.Model):
    """Who changed the RAG rating, when, from what, to what and why; and how the deadline moved."""

    enquiry = models.ForeignKey(Enquiry, on_delete=models.CASCADE, related_name="rag_changes")
    from_rag = models.CharField(max_length=5, choices=Rag.choices)
    to_rag = models.CharField(max_length=5, choices=Rag.choices)
    reason = limited_text(limits.RATIONALE)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    changed_at = models.DateTimeField()
    previous_deadline = models.DateTimeField()
    new_deadline = models.DateTimeField()

    class Meta:
        ordering = ["changed_at", "id"]

    def __str__(self) -> str:
        return f"{self.enquiry}: {self.from_rag} to {self.to_rag}"

    @property
    def is_escalation(self) -> bool:
        return RAG_SEVERITY[self.to_rag] > RAG_SEVERITY[self.from_rag]

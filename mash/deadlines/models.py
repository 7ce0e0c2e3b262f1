"""What the deadline scan has done: each claimed event, each breach, each notification it sent,
each user's email preference, and each scan's run.

An item is referred to by three nullable foreign keys (contact, enquiry, information request),
exactly one of which is set and matches ``kind``, rather than by a generic content type and object
id: the database then keeps referential integrity, the scan and the pages join without a second
query per row, and each kind has its own partial unique constraint that an
``INSERT ... ON CONFLICT DO NOTHING`` honours.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q


class ItemKind(models.TextChoices):
    CONTACT_DECISION = "contact_decision", "Contact decision"
    ENQUIRY = "enquiry", "MASH enquiry"
    INFORMATION_RETURN = "information_return", "Information return"


class Stage(models.TextChoices):
    WARNING = "warning", "Warning point"
    DEADLINE = "deadline", "Deadline"


#: The foreign key that holds the item of each kind.
ITEM_FIELD = {
    ItemKind.CONTACT_DECISION: "contact",
    ItemKind.ENQUIRY: "enquiry",
    ItemKind.INFORMATION_RETURN: "information_request",
}


def _one_item_matching_kind() -> Q:
    return (
        Q(
            kind=ItemKind.CONTACT_DECISION,
            contact__isnull=False,
            enquiry__isnull=True,
            information_request__isnull=True,
        )
        | Q(
            kind=ItemKind.ENQUIRY,
            contact__isnull=True,
            enquiry__isnull=False,
            information_request__isnull=True,
        )
        | Q(
            kind=ItemKind.INFORMATION_RETURN,
            contact__isnull=True,
            enquiry__isnull=True,
            information_request__isnull=False,
        )
    )


class ItemMixin(models.Model):
    """The item (one of three kinds) that a deadline belongs to."""

    kind = models.CharField(max_length=20, choices=ItemKind.choices)
    contact = models.ForeignKey(
        "contacts.Contact", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    enquiry = models.ForeignKey(
        "enquiries.Enquiry", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    information_request = models.ForeignKey(
        "enquiries.InformationRequest",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    class Meta:
        abstract = True

    @property
    def item(self) -> models.Model:
        return getattr(self, ITEM_FIELD[ItemKind(self.kind)])


class DeadlineEvent(ItemMixin):
    """One (kind, item, stage, deadline) the scan has acted on. Inserting the row is the claim:
    the unique constraints make a second insert of the same key do nothing, so two workers or two
    overlapping scans can never both act on it. A changed deadline is a new key."""

    stage = models.CharField(max_length=10, choices=Stage.choices)
    deadline = models.DateTimeField()
    claim_token = models.UUIDField(help_text="The scan that claimed it.")
    claimed_at = models.DateTimeField()
    processed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["claimed_at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=_one_item_matching_kind(), name="deadline_event_one_item_of_its_kind"
            ),
            *(
                models.UniqueConstraint(
                    fields=["kind", field, "stage", "deadline"],
                    condition=Q(kind=kind),
                    name=f"deadline_event_once_per_{kind}",
                )
                for kind, field in ITEM_FIELD.items()
            ),
        ]
        indexes = [models.Index(fields=["claim_token"], name="deadline_event_claim")]

    def __str__(self) -> str:
        return f"{self.get_stage_display()} of {self.get_kind_display()} {self.item}"


class Breach(ItemMixin):
    """A missed deadline: recorded once per item and deadline (the deadline event's claim)."""

    event = models.OneToOneField(DeadlineEvent, on_delete=models.PROTECT, related_name="breach")
    deadline = models.DateTimeField()
    detected_at = models.DateTimeField(db_index=True)
    resolved_at = models.DateTimeField(null=True, blank=True)
    agency = models.ForeignKey(
        "agencies.Agency",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="breaches",
        help_text="The agency whose return is late (returns only).",
    )

    class Meta:
        ordering = ["-detected_at", "-id"]
        verbose_name_plural = "breaches"
        constraints = [
            models.CheckConstraint(
                condition=_one_item_matching_kind(), name="breach_one_item_of_its_kind"
            )
        ]
        indexes = [
            models.Index(
                fields=["kind", "detected_at"],
                condition=Q(resolved_at__isnull=True),
                name="breach_current",
            )
        ]

    def __str__(self) -> str:
        return f"Breach of {self.get_kind_display()} {self.item} due {self.deadline:%Y-%m-%d %H:%M}"


class NotificationKind(models.TextChoices):
    REMINDER = "reminder", "Reminder"
    ESCALATION = "escalation", "Escalation"


class Notification(models.Model):
    """A message to one user, shown in the product and, where wanted, emailed."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications"
    )
    kind = models.CharField(max_length=12, choices=NotificationKind.choices)
    event = models.ForeignKey(
        DeadlineEvent,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="notifications",
    )
    title = models.CharField(max_length=200)
    body = models.TextField(blank=True)
    link = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField()
    read_at = models.DateTimeField(null=True, blank=True)
    email_wanted = models.BooleanField(
        default=False, help_text="Escalations always; reminders unless the user turned them off."
    )
    emailed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["event", "user"],
                condition=Q(event__isnull=False),
                name="one_notification_per_event_and_user",
            )
        ]
        indexes = [
            models.Index(
                fields=["user", "created_at"],
                condition=Q(read_at__isnull=True),
                name="notification_unread",
            ),
            models.Index(
                fields=["id"],
                condition=Q(email_wanted=True, emailed_at__isnull=True),
                name="notification_email_pending",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} to {self.user}: {self.title}"


class NotificationPreference(models.Model):
    """A user's choices about notifications. No row means the defaults."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notification_preference"
    )
    email_reminders = models.BooleanField(
        default=True, help_text="Email reminders too. Escalations are always emailed."
    )

    def __str__(self) -> str:
        return f"Notification preferences of {self.user}"


class ScanRun(models.Model):
    """One run of the deadline scan: when, and what it did."""

    started_at = models.DateTimeField()
    finished_at = models.DateTimeField(null=True, blank=True, db_index=True)
    reminders = models.PositiveIntegerField(default=0)
    escalations = models.PositiveIntegerField(default=0)
    breaches = models.PositiveIntegerField(default=0)
    skipped = models.PositiveIntegerField(default=0)
    emails = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["-started_at", "-id"]

    def __str__(self) -> str:
        return f"Deadline scan at {self.started_at:%Y-%m-%d %H:%M:%S}"

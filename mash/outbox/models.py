"""An email waiting to be sent, sent, or given up on."""

from django.db import models
from django.db.models import Q


class EmailState(models.TextChoices):
    QUEUED = "queued", "Waiting to be sent"
    SENT = "sent", "Accepted by the mail server"
    FAILED = "failed", "Given up after repeated failures"


class OutboxEmail(models.Model):
    """One email to one recipient.

    Written in the transaction of the change that causes it, so it exists if and only if that
    change committed. ``message_id`` is fixed when the row is written and sent as the
    ``Message-ID`` header on every attempt: a retry after an uncertain send (the worker died after
    the server accepted the message but before the row was marked sent) carries the same id, so
    the copy is recognisable as the same message.
    """

    message_id = models.CharField(max_length=255, unique=True)
    recipient = models.EmailField(max_length=254)
    subject = models.CharField(max_length=255)
    body = models.TextField()
    purpose = models.CharField(
        max_length=40, help_text="What the email is for, e.g. contact.feedback."
    )
    related_id = models.CharField(
        max_length=40, blank=True, help_text="The record the purpose's handler is told about."
    )
    state = models.CharField(max_length=10, choices=EmailState.choices, default=EmailState.QUEUED)
    attempts = models.PositiveIntegerField(default=0)
    next_attempt_at = models.DateTimeField()
    last_error = models.CharField(max_length=500, blank=True)
    correlation_id = models.CharField(max_length=64, blank=True)
    created_at = models.DateTimeField()
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(
                fields=["next_attempt_at", "id"],
                condition=Q(state="queued"),
                name="outbox_email_due",
            ),
            models.Index(fields=["purpose", "related_id"], name="outbox_email_purpose"),
        ]

    def __str__(self) -> str:
        return f"{self.purpose} to {self.recipient} ({self.get_state_display()})"

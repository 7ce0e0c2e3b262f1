"""Case notes: what the hub's staff write on a contact or an enquiry (DOMAIN.md, "Households,
history and documents"). A note is never edited or deleted: a correction is a new note."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from mash import limits
from mash.limits import limited_text


class NoteKind(models.TextChoices):
    PHONE_CALL = "phone_call", "Phone call"
    PARTNER_DISCUSSION = "partner_discussion", "Discussion with a partner agency"
    MANAGEMENT_OVERSIGHT = "management_oversight", "Management oversight"
    CONSULTATION = "consultation", "Consultation"
    OTHER = "other", "Other"


class NoteImmutableError(Exception):
    """A case note was about to be changed or deleted: notes are added, never changed."""


class CaseNote(models.Model):
    """One note on exactly one contact or one enquiry, by a member of the hub's staff."""

    contact = models.ForeignKey(
        "contacts.Contact",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="case_notes",
    )
    enquiry = models.ForeignKey(
        "enquiries.Enquiry",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="case_notes",
    )
    kind = models.CharField(max_length=30, choices=NoteKind.choices)
    text = limited_text(limits.CASE_NOTE)
    significant = models.BooleanField(
        default=False, help_text="Significant notes are shown in the person's chronology."
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="case_notes"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(contact__isnull=False, enquiry__isnull=True)
                    | Q(contact__isnull=True, enquiry__isnull=False)
                ),
                name="case_note_on_one_record",
                violation_error_message="A note is on exactly one contact or one enquiry.",
            ),
        ]
        indexes = [
            models.Index(fields=["contact", "-created_at", "-id"], name="case_note_contact_idx"),
            models.Index(fields=["enquiry", "-created_at", "-id"], name="case_note_enquiry_idx"),
        ]

    def __str__(self) -> str:
        record = f"contact {self.contact_id}" if self.contact_id else f"enquiry {self.enquiry_id}"
        return f"{self.get_kind_display()} note on {record}"

    def save(self, *args, **kwargs) -> None:
        if not self._state.adding:
            raise NoteImmutableError("A case note is never changed: add a new note instead.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise NoteImmutableError("A case note is never deleted: add a new note instead.")

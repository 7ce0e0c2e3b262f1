"""A document attached to one case record (a contact, an enquiry, later a MARF or a return).

The stored file's name is ours (`documents/<uuid>`), never the uploader's; the uploader's name is
kept, checked, only to show and to offer on download. Nothing is served until ClamAV has found it
clean; an infected file is moved under `quarantine/` and never served.
"""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q


class ScanState(models.TextChoices):
    PENDING = "pending", "Not yet scanned"
    CLEAN = "clean", "Clean"
    INFECTED = "infected", "Quarantined: virus found"
    ERROR = "error", "Could not be scanned"


def stored_name(instance: "Document", filename: str) -> str:
    """The storage name: the document's own uuid, never anything the uploader chose."""
    return f"documents/{instance.uid}"


#: The records a document can belong to: exactly one is set.
OWNER_FIELDS = ("contact", "enquiry", "marf", "information_return")


class Document(models.Model):
    uid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    contact = models.ForeignKey(
        "contacts.Contact",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="documents",
    )
    enquiry = models.ForeignKey(
        "enquiries.Enquiry",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="documents",
    )
    marf = models.ForeignKey(
        "contacts.Marf", null=True, blank=True, on_delete=models.CASCADE, related_name="documents"
    )
    information_return = models.ForeignKey(
        "enquiries.InformationReturn",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="documents",
    )
    original_name = models.CharField(max_length=200, help_text="The uploader's file name, checked.")
    file = models.FileField(upload_to=stored_name, max_length=200)
    kind = models.CharField(max_length=20, help_text="The type found in the file's content.")
    content_type = models.CharField(max_length=100)
    size = models.PositiveBigIntegerField()
    sha256 = models.CharField(max_length=64)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    uploaded_at = models.DateTimeField()
    scan_state = models.CharField(
        max_length=10, choices=ScanState.choices, default=ScanState.PENDING
    )
    scanned_at = models.DateTimeField(null=True, blank=True)
    scan_result = models.CharField(
        max_length=200, blank=True, help_text="ClamAV's signature name, or its error."
    )
    quarantined = models.BooleanField(default=False)

    class Meta:
        ordering = ["-uploaded_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                name="document_exactly_one_record",
                condition=(
                    Q(
                        contact__isnull=False,
                        enquiry__isnull=True,
                        marf__isnull=True,
                        information_return__isnull=True,
                    )
                    | Q(
                        contact__isnull=True,
                        enquiry__isnull=False,
                        marf__isnull=True,
                        information_return__isnull=True,
                    )
                    | Q(
                        contact__isnull=True,
                        enquiry__isnull=True,
                        marf__isnull=False,
                        information_return__isnull=True,
                    )
                    | Q(
                        contact__isnull=True,
                        enquiry__isnull=True,
                        marf__isnull=True,
                        information_return__isnull=False,
                    )
                ),
            ),
            models.CheckConstraint(
                name="document_quarantined_only_if_infected",
                condition=Q(quarantined=False) | Q(scan_state=ScanState.INFECTED),
            ),
        ]
        indexes = [
            models.Index(
                fields=["uploaded_at"],
                name="document_waiting_scan",
                condition=Q(scan_state=ScanState.PENDING),
            )
        ]

    def __str__(self) -> str:
        return self.original_name

    @property
    def is_downloadable(self) -> bool:
        return self.scan_state == ScanState.CLEAN and not self.quarantined

    @property
    def record(self):
        for field in OWNER_FIELDS:
            if getattr(self, f"{field}_id") is not None:
                return getattr(self, field)
        return None

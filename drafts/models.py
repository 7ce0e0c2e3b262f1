"""Drafts: what a user has typed into a MARF or a return and not yet sent, kept on the server so
that it survives the idle sign-out. A draft is its owner's alone: no page, list, export or API
shows it to anyone else (no admin either), and the audit trail records only that one was saved
or deleted, by id, never what it says."""

from django.conf import settings
from django.db import models
from django.db.models import Q


class DraftKind(models.TextChoices):
    MARF = "marf", "Referral (MARF)"
    RETURN = "return", "Return to an information request"


class Draft(models.Model):
    """One unsent form of one user: a referrer's MARF (one at a time, as the form has one), or a
    researcher's return or addendum to one information request."""

    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="drafts"
    )
    kind = models.CharField(max_length=10, choices=DraftKind.choices)
    information_request = models.ForeignKey(
        "enquiries.InformationRequest",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
    )
    #: The form's answers, checked against its fields (drafts/kinds.py) before they are stored.
    data = models.JSONField(default=dict)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True, db_index=True)  # the 30-day purge's clock

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(kind=DraftKind.MARF, information_request__isnull=True)
                    | Q(kind=DraftKind.RETURN, information_request__isnull=False)
                ),
                name="draft_record_matches_kind",
            ),
            # NULLs are distinct in a unique index, so one constraint each way.
            models.UniqueConstraint(
                fields=["owner", "kind"],
                condition=Q(information_request__isnull=True),
                name="draft_one_marf_per_owner",
            ),
            models.UniqueConstraint(
                fields=["owner", "kind", "information_request"],
                condition=Q(information_request__isnull=False),
                name="draft_one_per_owner_and_request",
            ),
        ]

    def __str__(self) -> str:
        # Shown in the audit trail's object_repr: ids only, never a name from the answers.
        return f"{self.get_kind_display()} draft {self.pk}"

"""Operation Encompass notices: what a child's school is told after police attended a domestic
abuse incident where the child was present or normally lives (DOMAIN.md, "Domestic abuse
notifications and Operation Encompass"; docs/adr/0012-operation-encompass.md).

A notice is one child of one DA notification, sent to the school the child attended when the
notice was made. It keeps its own clock: when the school could first see it (``available_at``),
when it had to be there (``due_by``, the start of the next school day after the incident) and
when the key adult had to acknowledge it (``acknowledge_by``, 10:00 that school day), so K14 and
the deadline scan read stored times and never recompute the school-day calendar.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q


class EncompassNotice(models.Model):
    """One child's Operation Encompass notice to their school."""

    notification = models.ForeignKey(
        "domestic_abuse.DaNotification", on_delete=models.PROTECT, related_name="encompass_notices"
    )
    child = models.ForeignKey("contacts.Person", on_delete=models.PROTECT, related_name="+")
    school = models.ForeignKey(
        "schools.School",
        on_delete=models.PROTECT,
        related_name="encompass_notices",
        help_text="The child's school when the notice was made (kept if the child moves).",
    )
    present = models.BooleanField(help_text="Whether the child was present at the incident.")
    available_at = models.DateTimeField(
        help_text="When the school's key adults could first see it (when it was made)."
    )
    due_by = models.DateTimeField(
        help_text="The start of the next school day after the incident: it must be there by then."
    )
    acknowledge_by = models.DateTimeField(
        help_text="The acknowledgement time of the school day it is due: escalated after it."
    )
    opened_at = models.DateTimeField(null=True, blank=True, help_text="First opened by the school.")
    acknowledged_at = models.DateTimeField(null=True, blank=True)
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    escalated_at = models.DateTimeField(
        null=True, blank=True, help_text="When the deadline scan escalated it to the hub."
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="Who recorded the notification or resolved the child's school (none: the API "
        "of a police force's system, or a task).",
    )

    class Meta:
        ordering = ["-available_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["notification", "child"], name="unique_encompass_notice_per_child"
            ),
            models.CheckConstraint(
                condition=Q(acknowledged_at__isnull=True, acknowledged_by__isnull=True)
                | Q(acknowledged_at__isnull=False, acknowledged_by__isnull=False),
                name="encompass_notice_acknowledged_by_whom",
            ),
            models.CheckConstraint(
                condition=Q(acknowledge_by__gt=models.F("due_by")),
                name="encompass_notice_acknowledge_after_due",
            ),
        ]
        indexes = [
            # The key adult's list: their school's, unacknowledged first, newest first.
            models.Index(
                fields=["school", "acknowledged_at", "available_at"], name="encompass_school"
            ),
            # The deadline scan: open notices by their acknowledgement deadline.
            models.Index(
                fields=["acknowledge_by", "id"],
                condition=Q(acknowledged_at__isnull=True),
                name="encompass_unacknowledged",
            ),
        ]

    def __str__(self) -> str:
        return f"Encompass notice {self.reference}"

    @property
    def reference(self) -> str:
        """A reference that names no one (used in the hub's escalations and emails)."""
        return f"EN-{self.pk:06d}" if self.pk else "EN-new"

    @property
    def is_acknowledged(self) -> bool:
        return self.acknowledged_at is not None

    @property
    def was_available_in_time(self) -> bool:
        """K14: available to the school before the start of the next school day."""
        return self.available_at <= self.due_by

    @property
    def was_acknowledged_in_time(self) -> bool:
        """K14: acknowledged by 10:00 that school day."""
        return self.acknowledged_at is not None and self.acknowledged_at <= self.acknowledge_by

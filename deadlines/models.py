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

from contacts.codes import Rag
from mash.clocks import Clock


class ItemKind(models.TextChoices):
    CONTACT_DECISION = "contact_decision", "Contact decision"
    ENQUIRY = "enquiry", "MASH enquiry"
    INFORMATION_RETURN = "information_return", "Information return"
    ENCOMPASS_NOTICE = "encompass_notice", "Operation Encompass notice"


class Stage(models.TextChoices):
    WARNING = "warning", "Warning point"
    DEADLINE = "deadline", "Deadline"


#: The foreign key that holds the item of each kind.
ITEM_FIELD = {
    ItemKind.CONTACT_DECISION: "contact",
    ItemKind.ENQUIRY: "enquiry",
    ItemKind.INFORMATION_RETURN: "information_request",
    ItemKind.ENCOMPASS_NOTICE: "encompass_notice",
}


def _one_item_matching_kind() -> Q:
    """Exactly one item field set: the one of the row's kind."""
    condition = Q()
    for kind, field in ITEM_FIELD.items():
        condition |= Q(
            kind=kind, **{f"{other}__isnull": other != field for other in ITEM_FIELD.values()}
        )
    return condition


class ItemMixin(models.Model):
    """The item (one of the kinds) that a deadline belongs to."""

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
    encompass_notice = models.ForeignKey(
        "encompass.EncompassNotice",
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
    REQUEST_RECEIVED = "request_received", "Information request received"
    RETURN_RECEIVED = "return_received", "Information return received"
    ALLOCATED = "allocated", "Allocated to you"
    AWAITING_DECISION = "awaiting_decision", "Recommendation awaiting decision"
    REMINDER = "reminder", "Reminder"
    ESCALATION = "escalation", "Escalation"
    BREACH = "breach", "Breach"


#: Kinds that are always emailed, whatever the user's preferences say.
ALWAYS_EMAILED = frozenset({NotificationKind.ESCALATION})

#: Whether each kind is emailed when the user has not chosen (no preference row, or a kind added
#: since). Off for the routine, many and already queued: a request received (every researcher
#: and supervisor of the agency hears of each), a return received (a hub worker, of each agency's
#: return) and a recommendation awaiting decision (every manager, of nearly every contact); the
#: agency's queue, the enquiry page and the decisions queue show them. On for what is one
#: person's to act on against a clock: allocated to you, reminder, breach. Escalations: always.
EMAIL_DEFAULTS: dict[str, bool] = {
    NotificationKind.REQUEST_RECEIVED: False,
    NotificationKind.RETURN_RECEIVED: False,
    NotificationKind.ALLOCATED: True,
    NotificationKind.AWAITING_DECISION: False,
    NotificationKind.REMINDER: True,
    NotificationKind.ESCALATION: True,
    NotificationKind.BREACH: True,
}


def email_field(kind: str) -> str:
    """The NotificationPreference field holding the user's email choice for `kind`."""
    return f"email_{kind}"


class Notification(models.Model):
    """A message to one user, shown in the product and, where wanted, emailed.

    ``key`` names the event a notification is about (e.g. ``request:12``), so the same event
    never notifies the same user twice in the same kind; the scan's also carry their claimed
    ``event``."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications"
    )
    kind = models.CharField(max_length=20, choices=NotificationKind.choices)
    key = models.CharField(
        max_length=100, blank=True, default="", help_text="The event it is about, once per user."
    )
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
        default=False, help_text="Escalations always; other kinds as the user chose."
    )
    emailed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["event", "user"],
                condition=Q(event__isnull=False),
                name="one_notification_per_event_and_user",
            ),
            models.UniqueConstraint(
                fields=["user", "kind", "key"],
                condition=~Q(key=""),
                name="one_notification_per_key_and_user",
            ),
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
    """A user's choice of email for each kind of notification. No row means the defaults
    (``EMAIL_DEFAULTS``); escalations are always emailed, so they have no choice."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notification_preference"
    )
    email_request_received = models.BooleanField(
        default=EMAIL_DEFAULTS[NotificationKind.REQUEST_RECEIVED]
    )
    email_return_received = models.BooleanField(
        default=EMAIL_DEFAULTS[NotificationKind.RETURN_RECEIVED]
    )
    email_allocated = models.BooleanField(default=EMAIL_DEFAULTS[NotificationKind.ALLOCATED])
    email_awaiting_decision = models.BooleanField(
        default=EMAIL_DEFAULTS[NotificationKind.AWAITING_DECISION]
    )
    email_reminder = models.BooleanField(default=EMAIL_DEFAULTS[NotificationKind.REMINDER])
    email_breach = models.BooleanField(default=EMAIL_DEFAULTS[NotificationKind.BREACH])

    def __str__(self) -> str:
        return f"Notification preferences of {self.user}"

    def emails(self, kind: str) -> bool:
        """Whether this user wants `kind` emailed."""
        if kind in ALWAYS_EMAILED:
            return True
        return getattr(self, email_field(kind))


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


# --- Timescale settings (issue 5, item 2) -------------------------------------------------------

#: The longest timescale allowed on each clock: 30 days of that clock (30 x 24 elapsed hours,
#: 30 x 8 working hours, 30 working days).
MAX_TIMESCALE_AMOUNT: dict[str, int] = {
    Clock.ELAPSED: 30 * 24,
    Clock.WORKING_HOURS: 30 * 8,
    Clock.WORKING_DAYS: 30,
}
DEFAULT_WARNING_PERCENT = 75


def _amount_within_its_clocks_limit() -> Q:
    condition = Q()
    for clock, limit in MAX_TIMESCALE_AMOUNT.items():
        condition |= Q(clock=clock, amount__gte=1, amount__lte=limit)
    return condition


class TimescaleSetting(models.Model):
    """An administrator's choice of timescale for one kind of item (and RAG rating): how long, on
    which clock, and at what share of the time the warning comes. No row means the code default
    (contacts.timescales, enquiries.timescales); a deployment setting overrides both."""

    kind = models.CharField(max_length=20, choices=ItemKind.choices)
    rag = models.CharField(
        max_length=5,
        blank=True,
        choices=Rag.choices,
        help_text="Blank for the contact decision; the RAG rating for enquiries and returns.",
    )
    amount = models.PositiveIntegerField()
    clock = models.CharField(
        max_length=20,
        choices=Clock.choices,
    )
    warning_percent = models.PositiveSmallIntegerField(default=DEFAULT_WARNING_PERCENT)
    updated_at = models.DateTimeField()
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["kind", "rag"]
        constraints = [
            models.UniqueConstraint(fields=["kind", "rag"], name="timescale_setting_once"),
            models.CheckConstraint(
                condition=Q(kind=ItemKind.CONTACT_DECISION, rag="")
                | Q(
                    kind__in=[ItemKind.ENQUIRY, ItemKind.INFORMATION_RETURN],
                    rag__in=Rag.values,
                ),
                name="timescale_setting_rag_fits_kind",
            ),
            models.CheckConstraint(
                condition=_amount_within_its_clocks_limit(),
                name="timescale_setting_amount_in_range",
            ),
            models.CheckConstraint(
                condition=Q(warning_percent__gte=1, warning_percent__lte=99),
                name="timescale_setting_warning_in_range",
            ),
        ]

    def __str__(self) -> str:
        rag = f" ({self.get_rag_display()})" if self.rag else ""
        return f"{self.get_kind_display()}{rag}: {self.amount} {self.get_clock_display()}"


class ClosureDay(models.Model):
    """A local closure (e.g. an office move, a council closure day): not a working day, on top of
    the nation's bank holidays."""

    date = models.DateField(unique=True)
    reason = models.CharField(max_length=200)
    created_at = models.DateTimeField()
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["date"]

    def __str__(self) -> str:
        return f"{self.date:%d %B %Y}: {self.reason}"


# --- Stored warning points (issue 5: "an indexed query on the stored due time") -----------------


class WarningPoint(ItemMixin):
    """When an open item reaches its warning point, for one deadline: computed once by the scan
    (working-time arithmetic in Python) and then found by an index range on ``warning_at``.

    Only pending points are kept: the row is deleted in the transaction that claims its reminder,
    and rows whose deadline has passed are deleted by the scan. ``basis`` names what the point was
    computed from (the clock, the warning percent and, for working-time clocks, the calendar) and
    is part of the key: the scan only reads rows whose basis is the one in force, so a changed
    setting, closure day or bank-holiday table is never read through a stale row, even one written
    by a scan that raced the change (``deadlines.points.warning_basis``).
    """

    deadline = models.DateTimeField()
    warning_at = models.DateTimeField()
    basis = models.CharField(max_length=40)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=_one_item_matching_kind(), name="warning_point_one_item_of_its_kind"
            ),
            *(
                models.UniqueConstraint(
                    fields=["kind", field, "deadline", "basis"],
                    condition=Q(kind=kind),
                    name=f"warning_point_once_per_{kind}",
                )
                for kind, field in ITEM_FIELD.items()
            ),
        ]
        indexes = [
            models.Index(fields=["kind", "warning_at"], name="warning_point_due"),
            models.Index(fields=["deadline"], name="warning_point_deadline"),
        ]

    def __str__(self) -> str:
        when = f"{self.warning_at:%Y-%m-%d %H:%M}"
        return f"Warning of {self.get_kind_display()} {self.item} at {when}"

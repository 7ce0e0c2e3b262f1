"""Reads about the deadline scan and its breaches."""

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.conf import settings
from django.db.models import BooleanField, Count, Exists, ExpressionWrapper, OuterRef, Q, QuerySet
from django.utils import timezone

from agencies.roles import Role
from enquiries.models import EnquiryState, RequestState
from mash.access import is_member

from .models import ITEM_FIELD, Breach, ItemKind, ScanRun

#: Rows shown on the managers' breach list; the counts always cover every current breach.
BREACH_LIST_LIMIT = 200


def scan_late_after() -> timedelta:
    """How long without a finished scan before /healthz calls the deadline scan late (and
    answers 503): MASH_HEALTH_SCAN_LATE_SECONDS, 5 minutes by default. Beat starts a scan every
    minute, so that is four missed scans."""
    return timedelta(seconds=settings.MASH_HEALTH_SCAN_LATE_SECONDS)


def scan_health() -> dict:
    """The last completed scan's finish time (ISO 8601, or None), whether it is late, and the
    breaches detected in the last hour, for /healthz."""
    last = (
        ScanRun.objects.filter(finished_at__isnull=False)
        .order_by("-finished_at")
        .values_list("finished_at", flat=True)
        .first()
    )
    now = timezone.now()
    return {
        "last_scan": last.isoformat() if last else None,
        # Beat starts a scan every minute: none finished for 5 means the worker, beat or the
        # broker is down and nobody is being reminded or escalated.
        "late": last is None or now - last > scan_late_after(),
        "breaches_last_hour": Breach.objects.filter(
            detected_at__gte=now - timedelta(hours=1)
        ).count(),
    }


# --- Breaches on the queues --------------------------------------------------------------------


def unresolved_breach_exists(kind: ItemKind) -> Exists:
    """An EXISTS condition for a queryset of items of `kind`: the row has an unresolved breach."""
    kind = ItemKind(kind)
    return Exists(
        Breach.objects.filter(
            kind=kind, resolved_at__isnull=True, **{ITEM_FIELD[kind]: OuterRef("pk")}
        )
    )


def is_breached(
    kind: ItemKind, *, due_field: str, now: datetime | None = None
) -> ExpressionWrapper:
    """An annotation for open items of `kind`: breached when the scan recorded an unresolved
    breach, or the item is already past its due time (the scan may not have run yet)."""
    now = now or timezone.now()
    condition = unresolved_breach_exists(kind) | Q(**{f"{due_field}__lt": now})
    return ExpressionWrapper(condition, output_field=BooleanField())


# --- The managers' live breach list ------------------------------------------------------------


def _item_still_open() -> Q:
    # A breach whose item has closed is not current even if it was never resolved: breaches
    # recorded before resolution existed, or one the scan wrote while the item was closing.
    return (
        Q(kind=ItemKind.CONTACT_DECISION, contact__outcome="")
        | (Q(kind=ItemKind.ENQUIRY) & ~Q(enquiry__state=EnquiryState.CLOSED))
        | Q(kind=ItemKind.INFORMATION_RETURN, information_request__state=RequestState.OPEN)
        | Q(kind=ItemKind.ENCOMPASS_NOTICE, encompass_notice__acknowledged_at__isnull=True)
    )


def current_breaches_visible_to(user) -> QuerySet[Breach]:
    """Unresolved breaches of items still open, soonest missed first. Hub managers only (they
    see every record of the hub); everyone else sees none."""
    if not is_member(user) or user.role != Role.HUB_MANAGER:
        return Breach.objects.none()
    return (
        Breach.objects.filter(resolved_at__isnull=True)
        .filter(_item_still_open())
        .order_by("deadline", "id")
    )


@dataclass(frozen=True)
class Tally:
    label: str
    count: int


@dataclass(frozen=True)
class BreachBoard:
    """What the managers' breach list shows: counts by kind and by agency, and the breaches."""

    total: int
    by_kind: list[Tally]
    by_agency: list[Tally]
    rows: list[Breach] = field(default_factory=list)

    @property
    def truncated(self) -> bool:
        return len(self.rows) < self.total


#: Contacts and enquiries are the hub's own deadlines; returns are the partner agency's.
HUB_LABEL = "The hub (contacts and enquiries)"


def breach_board(user, *, limit: int = BREACH_LIST_LIMIT) -> BreachBoard:
    """The current breaches for a manager's live list, in two queries whatever their number:
    one for the counts, one for the first `limit` rows (soonest missed first)."""
    current = current_breaches_visible_to(user)
    groups = list(
        current.order_by()
        .values("kind", "agency__name")
        .annotate(count=Count("id"))
        .order_by("kind", "agency__name")
    )
    by_kind = {kind: 0 for kind in ItemKind}
    by_agency: dict[str, int] = {}
    for group in groups:
        by_kind[ItemKind(group["kind"])] += group["count"]
        agency = group["agency__name"] or HUB_LABEL
        by_agency[agency] = by_agency.get(agency, 0) + group["count"]
    hub = by_agency.pop(HUB_LABEL, 0)
    agencies = [Tally(HUB_LABEL, hub)] if hub else []
    agencies += [Tally(name, count) for name, count in sorted(by_agency.items())]
    rows = list(
        current.select_related(
            "contact",
            "enquiry",
            "information_request__enquiry",
            "encompass_notice__notification",
            "agency",
        )[:limit]
    )
    return BreachBoard(
        total=sum(by_kind.values()),
        by_kind=[Tally(kind.label, count) for kind, count in by_kind.items()],
        by_agency=agencies,
        rows=rows,
    )


# --- Notifications -----------------------------------------------------------------------------


def notifications_visible_to(user, *, queryset: QuerySet | None = None) -> QuerySet:
    """A user's own notifications: nobody sees anyone else's (the API's visibility selector)."""
    from .models import Notification

    queryset = Notification.objects.all() if queryset is None else queryset
    if user is None or not getattr(user, "is_authenticated", False):
        return queryset.none()
    return queryset.filter(user=user)


def notifications_of(user, *, kind: str = "", unread: bool = False) -> QuerySet:
    """The user's own notifications, newest first, optionally of one kind or unread only.
    Nobody sees another user's."""
    from .models import Notification

    if user is None or not getattr(user, "is_authenticated", False):
        return Notification.objects.none()
    rows = Notification.objects.filter(user=user)
    if kind:
        rows = rows.filter(kind=kind)
    if unread:
        rows = rows.filter(read_at__isnull=True)
    return rows.order_by("-created_at", "-id")

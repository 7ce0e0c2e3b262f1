"""Every read of this app, already scoped to the user: My work, the allocation page and the
Decisions queue. Each goes through the records' own visibility selectors, and each list costs
the same number of queries for 5 rows or 50."""

from dataclasses import dataclass, field
from datetime import datetime

from django.core import signing
from django.db.models import (
    Count,
    F,
    IntegerField,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Value,
)
from django.db.models.functions import Coalesce
from django.utils import timezone

from agencies.models import User
from agencies.roles import AGENCY_ROLES, HUB_ROLES, Role
from contacts.models import Contact
from contacts.selectors import contacts_visible_to, decision_queue
from deadlines.models import ItemKind
from deadlines.selectors import is_breached
from enquiries.models import Enquiry, EnquiryPerson, EnquiryState
from enquiries.selectors import agency_queue, enquiries_visible_to
from mash.access import is_member
from mash.pagination import KeysetPage

from .rows import Kind, WorkRow, contact_row, enquiry_row, request_row

#: How many rows of each list a page shows (the soonest due); the rest are counted.
LIST_LIMIT = 100
#: Rows a page of the Decisions queue shows.
DECISIONS_PAGE_SIZE = 50


def is_manager(user) -> bool:
    return is_member(user) and user.role == Role.HUB_MANAGER


def is_staff_with_work(user) -> bool:
    """Hub staff and agency staff have work of their own; nobody else does."""
    return is_member(user) and user.role in HUB_ROLES | AGENCY_ROLES


def hub_staff() -> QuerySet[User]:
    """Who work can be allocated to: active hub workers and managers of an active agency."""
    return User.objects.filter(
        role__in=HUB_ROLES, is_active=True, agency__isnull=False, agency__is_active=True
    ).order_by("first_name", "last_name", "username")


# --- The records, ready for rows ------------------------------------------------------------


def _subject_links() -> Prefetch:
    return Prefetch(
        "person_links",
        queryset=EnquiryPerson.objects.filter(is_subject=True)
        .select_related("person")
        .order_by("person__family_name", "person__given_name", "person_id"),
        to_attr="subject_links",
    )


def open_contacts(user) -> QuerySet[Contact]:
    """Undecided contacts in the user's view, soonest due first, with what a row shows."""
    return (
        contacts_visible_to(user)
        .filter(outcome="")
        .select_related("assignee", "recommended_by")
        .prefetch_related("subjects")
        .annotate(is_breached=is_breached(ItemKind.CONTACT_DECISION, due_field="decision_due_at"))
        .order_by("decision_due_at", "id")
    )


def open_enquiries(user) -> QuerySet[Enquiry]:
    """Open enquiries in the user's view, soonest deadline first, with what a row shows."""
    return (
        enquiries_visible_to(user)
        .exclude(state=EnquiryState.CLOSED)
        .select_related("worker", "recommended_by")
        .prefetch_related(_subject_links())
        .annotate(is_breached=is_breached(ItemKind.ENQUIRY, due_field="deadline"))
        .order_by("deadline", "id")
    )


@dataclass
class WorkList:
    """One list of rows: the first `LIST_LIMIT`, soonest due first, and whether there are more."""

    key: str
    title: str
    empty: str
    rows: list[WorkRow]
    more: bool = False
    more_url: str = ""


def _limited(queryset: QuerySet, make_row) -> tuple[list[WorkRow], bool]:
    records = list(queryset[: LIST_LIMIT + 1])
    return [make_row(record) for record in records[:LIST_LIMIT]], len(records) > LIST_LIMIT


def contact_list(key: str, title: str, empty: str, queryset, more_url: str = "") -> WorkList:
    today = timezone.localdate()
    rows, more = _limited(queryset, lambda contact: contact_row(contact, today))
    return WorkList(key, title, empty, rows, more, more_url)


def enquiry_list(key: str, title: str, empty: str, queryset, more_url: str = "") -> WorkList:
    today = timezone.localdate()
    rows, more = _limited(queryset, lambda enquiry: enquiry_row(enquiry, today))
    return WorkList(key, title, empty, rows, more, more_url)


# --- My work ---------------------------------------------------------------------------------


@dataclass
class MyWork:
    lists: list[WorkList] = field(default_factory=list)
    #: For managers: how many contacts and enquiries await their decision.
    awaiting_decision: int | None = None

    @property
    def rows(self) -> list[WorkRow]:
        return [row for work_list in self.lists for row in work_list.rows]


def awaiting_decision_count(user) -> int:
    """Contacts and enquiries recommended and not yet decided (managers only; 0 otherwise)."""
    if not is_manager(user):
        return 0
    contacts = contacts_visible_to(user).filter(outcome="").exclude(recommended_outcome="")
    enquiries = _enquiries_awaiting_decision(user)
    return contacts.count() + enquiries.count()


def my_work(user) -> MyWork | None:
    """The user's own open work, each list soonest due first; None for roles with no work.

    - Hub staff: the contacts assigned to them and not yet decided, and the open enquiries
      they run; a manager also how many records await their decision.
    - Agency researchers: the open requests assigned to them; a supervisor also the agency's
      open requests nobody has yet.
    """
    if not is_staff_with_work(user):
        return None
    work = MyWork()
    if user.role in HUB_ROLES:
        work.lists.append(
            contact_list(
                "contacts",
                "My contacts",
                "No contacts are assigned to you.",
                open_contacts(user).filter(assignee=user),
                more_url="/contacts/?mine=1",
            )
        )
        work.lists.append(
            enquiry_list(
                "enquiries",
                "My enquiries",
                "You are not running any open enquiries.",
                open_enquiries(user).filter(worker=user),
                more_url="/enquiries/",
            )
        )
        if user.role == Role.HUB_MANAGER:
            work.awaiting_decision = awaiting_decision_count(user)
        return work
    requests = agency_queue(user).select_related("enquiry", "assignee")
    rows, more = _limited(requests.filter(assignee=user), request_row)
    work.lists.append(
        WorkList(
            "requests",
            "My requests",
            "No open requests are assigned to you.",
            rows,
            more,
            "/requests/?mine=1",
        )
    )
    if user.role == Role.AGENCY_SUPERVISOR:
        rows, more = _limited(requests.filter(assignee__isnull=True), request_row)
        work.lists.append(
            WorkList(
                "unassigned_requests",
                "Your agency's requests not yet assigned",
                "Every open request of your agency is assigned.",
                rows,
                more,
                "/requests/",
            )
        )
    return work


# --- Allocation ------------------------------------------------------------------------------


def _count_of(queryset: QuerySet, by: str) -> Coalesce:
    counted = queryset.order_by().values(by).annotate(n=Count("pk")).values("n")
    return Coalesce(Subquery(counted, output_field=IntegerField()), Value(0))


def caseloads() -> QuerySet[User]:
    """Each member of the hub team with their open contacts, open enquiries, and how many of
    those are past due: one query for the whole team."""
    now = timezone.now()
    contacts = Contact.objects.filter(assignee=OuterRef("pk"), outcome="")
    enquiries = Enquiry.objects.filter(worker=OuterRef("pk")).exclude(state=EnquiryState.CLOSED)
    return hub_staff().annotate(
        open_contacts=_count_of(contacts, "assignee"),
        open_enquiries=_count_of(enquiries, "worker"),
        overdue_contacts=_count_of(contacts.filter(decision_due_at__lt=now), "assignee"),
        overdue_enquiries=_count_of(enquiries.filter(deadline__lt=now), "worker"),
    )


@dataclass
class AllocationView:
    caseloads: list[User]
    staff: list[User]
    unallocated_contacts: WorkList
    unallocated_enquiries: WorkList
    worker: User | None = None
    worker_contacts: WorkList | None = None
    worker_enquiries: WorkList | None = None


def allocation_view(user, *, worker_id: int | None = None) -> AllocationView | None:
    """What the allocation page shows a hub manager (None for everyone else): the team's
    caseloads, the contacts and enquiries nobody has, soonest due first, and, when asked for,
    one worker's open work to reassign."""
    if not is_manager(user):
        return None
    team = list(caseloads())
    view = AllocationView(
        caseloads=team,
        staff=team,
        unallocated_contacts=contact_list(
            "contacts",
            "Contacts not allocated",
            "Every undecided contact is allocated.",
            open_contacts(user).filter(assignee__isnull=True),
        ),
        unallocated_enquiries=enquiry_list(
            "enquiries",
            "Enquiries not allocated",
            "Every open enquiry is allocated.",
            open_enquiries(user).filter(worker__isnull=True),
        ),
    )
    worker = next((member for member in team if member.pk == worker_id), None)
    if worker is not None:
        view.worker = worker
        view.worker_contacts = contact_list(
            "worker_contacts",
            f"{worker.display_name}'s contacts",
            f"{worker.display_name} has no undecided contacts.",
            open_contacts(user).filter(assignee=worker),
        )
        view.worker_enquiries = enquiry_list(
            "worker_enquiries",
            f"{worker.display_name}'s enquiries",
            f"{worker.display_name} runs no open enquiries.",
            open_enquiries(user).filter(worker=worker),
        )
    return view


def hub_member(pk) -> User | None:
    """A user by id (any user: the service says why one cannot take work), or None."""
    try:
        pk = int(pk)
    except (TypeError, ValueError):
        return None
    if not 0 < pk <= 2_147_483_647:
        return None
    return User.objects.select_related("agency").filter(pk=pk).first()


# --- The Decisions queue ---------------------------------------------------------------------

_DECISIONS_SALT = "work.decisions"
_KIND_ORDER = {Kind.CONTACT: 0, Kind.ENQUIRY: 1}


def _enquiries_awaiting_decision(user) -> QuerySet[Enquiry]:
    return (
        enquiries_visible_to(user)
        .exclude(state=EnquiryState.CLOSED)
        .exclude(recommended_outcome="")
    )


def _keyed(queryset: QuerySet, due_field: str, kind: str, after: tuple | None) -> QuerySet:
    keyed = queryset.annotate(
        due=F(due_field), kind_rank=Value(_KIND_ORDER[kind], output_field=IntegerField())
    )
    if after is not None:
        due, rank, pk = after
        keyed = keyed.filter(
            Q(due__gt=due) | Q(due=due, kind_rank__gt=rank) | Q(due=due, kind_rank=rank, pk__gt=pk)
        )
    return keyed.order_by().values_list("due", "kind_rank", "id")


def _decode(token: str | None) -> tuple | None:
    if not token:
        return None
    try:
        due, rank, pk = signing.loads(token, salt=_DECISIONS_SALT)
        return datetime.fromisoformat(due), int(rank), int(pk)
    except (signing.BadSignature, TypeError, ValueError):
        return None


def decisions_page(user, *, after: str | None = None, size: int = DECISIONS_PAGE_SIZE):
    """Contacts and enquiries awaiting a manager's decision (recommended, not decided), the
    soonest due first, a page at a time (keyset over due time, kind and id, so a page costs the
    same at any depth). None for anyone but a hub manager."""
    if not is_manager(user):
        return None
    position = _decode(after)
    contacts = contacts_visible_to(user).filter(outcome="").exclude(recommended_outcome="")
    keys = (
        _keyed(contacts, "decision_due_at", Kind.CONTACT, position)
        .union(
            _keyed(_enquiries_awaiting_decision(user), "deadline", Kind.ENQUIRY, position),
            all=True,
        )
        .order_by("due", "kind_rank", "id")
    )
    found = list(keys[: size + 1])
    next_token = None
    if len(found) > size:
        found = found[:size]
        due, rank, pk = found[-1]
        next_token = signing.dumps([due.isoformat(), rank, pk], salt=_DECISIONS_SALT)
    contact_ids = [pk for _, rank, pk in found if rank == _KIND_ORDER[Kind.CONTACT]]
    enquiry_ids = [pk for _, rank, pk in found if rank == _KIND_ORDER[Kind.ENQUIRY]]
    today = timezone.localdate()
    rows: dict[tuple[int, int], WorkRow] = {}
    if contact_ids:
        for contact in decision_queue(user).filter(pk__in=contact_ids):
            rows[(_KIND_ORDER[Kind.CONTACT], contact.pk)] = contact_row(contact, today)
    if enquiry_ids:
        for enquiry in open_enquiries(user).filter(pk__in=enquiry_ids):
            rows[(_KIND_ORDER[Kind.ENQUIRY], enquiry.pk)] = enquiry_row(enquiry, today)
    ordered = [rows[(rank, pk)] for _, rank, pk in found if (rank, pk) in rows]
    return KeysetPage(rows=ordered, next_token=next_token, has_previous=position is not None)

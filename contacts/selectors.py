"""Every read of people and contacts, already scoped to the user: the only way in."""

import re
from dataclasses import dataclass
from datetime import date, datetime

from django.db import connection
from django.db.models import Case, Count, Exists, IntegerField, OuterRef, Q, QuerySet, Value, When
from django.utils import timezone

from agencies.roles import AGENCY_ROLES, HUB_ROLES, Role
from deadlines.models import ItemKind
from deadlines.selectors import is_breached
from mash.access import agency_grant_exists, is_member

from .codes import Channel, Concern, Source
from .models import Contact, ContactSubject, Marf, Person
from .models.people import name_tokens, phonetic_keys
from .services.repeats import repeat_window_start
from .validators import nhs_number_is_valid, normalise_nhs_number, normalise_postcode


def people_visible_to(user, *, queryset: QuerySet[Person] | None = None) -> QuerySet[Person]:
    """The people `user` may see. Fails closed.

    Hub staff see every person of the hub; partner agency staff see only the people their agency
    has been given (an information request's people to check); everyone else sees none.
    """
    queryset = Person.objects.all() if queryset is None else queryset
    if not is_member(user):
        return queryset.none()
    if user.role in HUB_ROLES:
        return queryset
    if user.role in AGENCY_ROLES:
        from enquiries.selectors import information_requests_visible_to

        requests = information_requests_visible_to(user).filter(people=OuterRef("pk"))
        return queryset.filter(
            agency_grant_exists(user, Person, "contacts.view_person") | Exists(requests)
        )
    return queryset.none()


def contacts_visible_to(user, *, queryset: QuerySet[Contact] | None = None) -> QuerySet[Contact]:
    """Contacts are the hub's own: hub staff see them all, nobody else sees any.

    Referrers see their own MARFs through `marfs_of_referrer` (status and feedback only).
    """
    queryset = Contact.objects.all() if queryset is None else queryset
    if not is_member(user) or user.role not in HUB_ROLES:
        return queryset.none()
    return queryset


def marfs_of_referrer(user) -> QuerySet[Marf]:
    """A referrer's own MARFs, newest first; nobody else's."""
    if not is_member(user) or user.role != Role.REFERRER:
        return Marf.objects.none()
    return (
        Marf.objects.filter(submitted_by=user)
        .select_related("contact")
        .order_by("-submitted_at", "-pk")
    )


# --- Triage queue --------------------------------------------------------------------------


@dataclass(frozen=True)
class QueueFilters:
    source: str = ""
    channel: str = ""
    concern: str = ""
    overdue: bool = False
    unassigned: bool = False
    mine: bool = False
    awaiting_decision: bool = False

    @classmethod
    def from_query(cls, params) -> "QueueFilters":
        """Read filters from a query string; unknown values are ignored, never an error page."""
        source = params.get("source", "")
        channel = params.get("channel", "")
        concern = params.get("concern", "")
        return cls(
            source=source if source in Source.values else "",
            channel=channel if channel in Channel.values else "",
            concern=concern if concern in Concern.values else "",
            overdue=params.get("overdue") == "1",
            unassigned=params.get("unassigned") == "1",
            mine=params.get("mine") == "1",
            awaiting_decision=params.get("awaiting_decision") == "1",
        )


@dataclass(frozen=True)
class QueueSort:
    """The queue's order, from `?sort=due|received|source&order=asc|desc`: a value that is not
    one of these is ignored (the default, soonest due first), like the filters'.

    Each order is a keyset (`keys`: field and whether it descends), unique thanks to the id last,
    so pages follow one another with no row lost or repeated. Within one source, soonest due
    first; sources go in census code order (1A, 1B ... 9, 10), not as text.
    """

    key: str = "due"
    descending: bool = False

    FIELDS = {"due": "decision_due_at", "received": "received_at", "source": "source_rank"}

    @classmethod
    def from_query(cls, params) -> "QueueSort":
        key = params.get("sort", "")
        order = params.get("order", "")
        return cls(
            key=key if key in cls.FIELDS else "due",
            descending=order == "desc",
        )

    @property
    def order(self) -> str:
        return "desc" if self.descending else "asc"

    @property
    def keys(self) -> tuple[tuple[str, bool], ...]:
        first = (self.FIELDS[self.key], self.descending)
        if self.key == "due":
            return (first, ("id", False))
        return (first, ("decision_due_at", False), ("id", False))

    @property
    def ordering(self) -> list[str]:
        return [f"-{name}" if descending else name for name, descending in self.keys]


def source_rank() -> Case:
    """A source's place in the census code list, for sorting by source."""
    return Case(
        *(When(source=code, then=Value(rank)) for rank, code in enumerate(Source.values)),
        default=Value(len(Source.values)),
        output_field=IntegerField(),
    )


def triage_queue(
    user, filters: QueueFilters = QueueFilters(), sort: QueueSort = QueueSort()
) -> QuerySet[Contact]:
    """Undecided contacts in `sort`'s order (soonest due first by default; keyset-paginated by
    the caller on `sort.keys`), each marked `is_breached` when it has an unresolved breach or is
    past due and `has_open_work` when a subject has other open work (another undecided contact
    or an open enquiry), with its subjects prefetched: a constant number of queries a page."""
    from .selectors_open_work import has_open_work

    contacts = (
        contacts_visible_to(user)
        .filter(outcome="")
        # Medium and high risk DA notifications wait for the daily meeting (domestic_abuse).
        .exclude(da_notification__dash_risk__in=("medium", "high"))
        .select_related("assignee", "referring_agency")
        .prefetch_related("subjects")
        .annotate(
            subject_count=Count("subject_links"),
            is_breached=is_breached(ItemKind.CONTACT_DECISION, due_field="decision_due_at"),
            has_open_work=has_open_work(user),
            source_rank=source_rank(),
        )
        .order_by(*sort.ordering)
    )
    if filters.source:
        contacts = contacts.filter(source=filters.source)
    if filters.channel:
        contacts = contacts.filter(channel=filters.channel)
    if filters.concern:
        contacts = (
            contacts.filter(concerns__contains=[filters.concern])
            if _json_contains()
            else (contacts.filter(concerns__icontains=f'"{filters.concern}"'))
        )
    if filters.overdue:
        contacts = contacts.filter(decision_due_at__lt=timezone.now())
    if filters.unassigned:
        contacts = contacts.filter(assignee__isnull=True)
    if filters.mine:
        contacts = contacts.filter(assignee=user)
    if filters.awaiting_decision:
        contacts = contacts.exclude(recommended_outcome="")
    return contacts


def _json_contains() -> bool:
    return connection.vendor == "postgresql"


def decision_queue(user) -> QuerySet[Contact]:
    """Recommendations awaiting a manager's decision, soonest due first (managers only)."""
    if not is_member(user) or user.role != Role.HUB_MANAGER:
        return Contact.objects.none()
    return triage_queue(user, QueueFilters(awaiting_decision=True)).select_related("recommended_by")


def contact_for_triage(user, pk: int) -> Contact:
    """One contact with what the triage page shows; raises Contact.DoesNotExist outside view."""
    return (
        contacts_visible_to(user)
        .select_related(
            "assignee", "referring_agency", "referrer_user", "recommended_by", "decided_by"
        )
        .prefetch_related("decision_entries__made_by")
        .get(pk=pk)
    )


def subjects_with_history(contact: Contact) -> list[dict]:
    """Each subject of the contact with their other contacts, newest first, and the repeat
    explanation ("contact 3 in 12 months")."""
    window_start = repeat_window_start(contact.received_at)
    people = list(
        Person.objects.filter(subject_links__contact=contact).order_by("family_name", "pk")
    )
    others = (
        Contact.objects.filter(subject_links__person__in=people)
        .exclude(pk=contact.pk)
        .prefetch_related("subject_links")
        .order_by("-received_at")
        .distinct()
    )
    by_person: dict[int, list[Contact]] = {person.pk: [] for person in people}
    for other in others:
        for link in other.subject_links.all():
            if link.person_id in by_person:
                by_person[link.person_id].append(other)
    rows = []
    for person in people:
        history = by_person[person.pk]
        in_window = [c for c in history if window_start <= c.received_at < contact.received_at]
        rows.append(
            {
                "person": person,
                "history": history,
                "contacts_in_window": len(in_window) + 1 if in_window else 0,
            }
        )
    return rows


# --- Person search ---------------------------------------------------------------------------

_DATE_PATTERNS = ("%d/%m/%Y", "%Y-%m-%d", "%d-%m-%Y", "%d.%m.%Y")
_POSTCODE_TOKEN = re.compile(r"^[A-Z]{1,2}\d[A-Z\d]?\d[A-Z]{2}$")


@dataclass(frozen=True)
class ParsedQuery:
    names: tuple[str, ...] = ()
    date_of_birth: date | None = None
    nhs_number: str = ""
    postcode: str = ""

    @property
    def is_empty(self) -> bool:
        return not (self.names or self.date_of_birth or self.nhs_number or self.postcode)


def parse_search(q: str) -> ParsedQuery:
    """One box: names, a date of birth, an NHS number and a postcode, in any order."""
    q = (q or "")[:200].replace("\x00", "")
    names: list[str] = []
    dob = None
    nhs = ""
    postcode = ""
    tokens = q.split()
    compact = re.sub(r"[\s-]", "", q)
    if re.fullmatch(r"\d{10}", compact) and nhs_number_is_valid(compact):
        return ParsedQuery(nhs_number=normalise_nhs_number(compact))
    index = 0
    while index < len(tokens):
        token = tokens[index]
        pair = (token + (tokens[index + 1] if index + 1 < len(tokens) else "")).upper()
        if dob is None and (parsed := _parse_date(token)):
            dob = parsed
        elif re.fullmatch(r"\d{10}", token.replace("-", "")):
            nhs = token.replace("-", "")
        elif _POSTCODE_TOKEN.match(token.upper()):
            postcode = normalise_postcode(token)
        elif index + 1 < len(tokens) and _POSTCODE_TOKEN.match(pair):
            postcode = normalise_postcode(pair)
            index += 1
        else:
            names.extend(name_tokens(token))
        index += 1
    return ParsedQuery(tuple(names), dob, nhs, postcode)


def _parse_date(token: str) -> date | None:
    for pattern in _DATE_PATTERNS:
        try:
            return datetime.strptime(token, pattern).date()
        except ValueError:
            continue
    return None


def people_search(user, q: str, *, limit: int = 20) -> list[Person]:
    """Find people by name (aliases, near spellings), date of birth, NHS number or postcode.

    Names match when every name word matches a stored name or alias by its start, its sound
    (metaphone: "Jon Smyth" finds "John Smith"), or, on PostgreSQL, trigram similarity.
    Each hit comes with its earlier contacts counted. Merged-away duplicates are left out.
    """
    parsed = parse_search(q)
    if parsed.is_empty:
        return []
    people = people_visible_to(user).filter(merged_into__isnull=True)
    if parsed.nhs_number:
        people = people.filter(nhs_number=parsed.nhs_number)
    if parsed.date_of_birth:
        people = people.filter(date_of_birth=parsed.date_of_birth)
    if parsed.postcode:
        people = people.filter(postcode=parsed.postcode)
    for word in parsed.names:
        condition = Q(search_text__icontains=word)
        key = phonetic_keys(word)
        if key:
            condition |= Q(phonetic__regex=rf"(^| ){re.escape(key)}( |$)")
        if connection.vendor == "postgresql" and len(word) >= 3:
            condition |= Q(search_text__trigram_word_similar=word)
        people = people.filter(condition)
    open_contacts = Contact.objects.filter(subject_links__person=OuterRef("pk"), outcome="")
    people = people.annotate(
        contact_count=Count("subject_links", distinct=True),
        has_open_contact=Exists(open_contacts),
    ).order_by("family_name", "given_name", "pk")
    return list(people[:limit])


def contacts_of_people(people: list[Person]) -> dict[int, list[Contact]]:
    """Earlier contacts of each person, newest first (one query for the whole page)."""
    links = (
        ContactSubject.objects.filter(person__in=people)
        .select_related("contact")
        .order_by("-contact__received_at")
    )
    result: dict[int, list[Contact]] = {person.pk: [] for person in people}
    for link in links:
        result[link.person_id].append(link.contact)
    return result

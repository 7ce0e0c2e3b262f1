"""Every read of the daily triage meeting, already scoped to the user: the only way in.

Who sees a meeting (DOMAIN.md, "Domestic abuse notifications and Operation Encompass"):

* Hub staff see every meeting, with each household's open work and earlier notifications.
* Police and education researchers and supervisors see a meeting *while it runs* (not yet
  confirmed) if, and only if, their agency is recorded as an attendee: the meeting's own
  notifications (names, DASH, incident, the outcomes agreed so far) and nothing else of the hub's.
  Fail closed: until the chair records their agency as attending they see nothing, and once the
  meeting is confirmed they lose it (404).
* Everyone else (other agencies, referrers, board members, administrators, school key adults):
  nothing, ever.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from django.db.models import Exists, OuterRef, Q, QuerySet

from agencies.models import Agency, AgencyKind
from agencies.roles import AGENCY_ROLES, HUB_ROLES
from contacts.codes import Outcome
from contacts.selectors_open_work import OpenWork, open_work_for_people
from mash.access import is_member

from .models import DaChild, DaNotification, DashRisk, MeetingAttendee, TriageMeeting
from .selectors import awaiting_meeting, da_notifications_visible_to, with_people

#: The agencies whose members may follow a running meeting they attend.
MEMBER_AGENCY_KINDS = frozenset({AgencyKind.POLICE, AgencyKind.EDUCATION})
#: The agencies a meeting expects (health is optional, as the deployment says).
EXPECTED_AGENCY_KINDS = (AgencyKind.POLICE, AgencyKind.CHILDRENS_SOCIAL_CARE, AgencyKind.EDUCATION)


def is_hub(user) -> bool:
    return is_member(user) and user.role in HUB_ROLES


def is_meeting_member(user) -> bool:
    """A police or education researcher or supervisor: who may follow a meeting they attend."""
    return (
        is_member(user)
        and user.role in AGENCY_ROLES
        and getattr(user.agency, "kind", None) in MEMBER_AGENCY_KINDS
    )


def meetings_visible_to(
    user, *, queryset: QuerySet[TriageMeeting] | None = None
) -> QuerySet[TriageMeeting]:
    """The meetings `user` may open (see the module's docstring)."""
    meetings = TriageMeeting.objects.all() if queryset is None else queryset
    if is_hub(user):
        return meetings
    if is_meeting_member(user):
        attending = MeetingAttendee.objects.filter(meeting=OuterRef("pk"), agency_id=user.agency_id)
        return meetings.filter(Exists(attending), confirmed_at__isnull=True)
    return meetings.none()


def meeting_list(user) -> QuerySet[TriageMeeting]:
    """The meetings `user` may open, newest first, with their chair."""
    return meetings_visible_to(user).select_related("chair").order_by("-date", "-id")


def meeting_of_date(day: date) -> TriageMeeting | None:
    return TriageMeeting.objects.filter(date=day).first()


def meeting_notifications(meeting: TriageMeeting) -> QuerySet[DaNotification]:
    """The meeting's notifications, oldest received first, with their people (constant queries).
    Not scoped: callers have checked the meeting is visible to the user."""
    return with_people(DaNotification.objects.filter(meeting=meeting)).order_by(
        "contact__received_at", "id"
    )


def not_yet_in_meeting(user) -> QuerySet[DaNotification]:
    """Notifications waiting for the meeting (`awaiting_meeting`: every undecided medium and high
    risk one, oldest first, earlier ones carried over) that no meeting has taken yet, or that an
    unconfirmed meeting holds."""
    return awaiting_meeting(user).filter(Q(meeting__isnull=True) | Q(meeting__confirmed_at=None))


def attendees_of(meeting: TriageMeeting) -> list[MeetingAttendee]:
    return list(meeting.attendees.select_related("agency").order_by("agency__name", "name", "id"))


def missing_agency_kinds(attendees: list[MeetingAttendee]) -> list[str]:
    """The expected agencies (police, children's social care, education) nobody attends for."""
    present = {attendee.agency.kind for attendee in attendees}
    return [AgencyKind(kind).label for kind in EXPECTED_AGENCY_KINDS if kind not in present]


def attendee_agencies() -> QuerySet[Agency]:
    """The agencies an attendee may be recorded for: every active agency, by name."""
    return Agency.objects.filter(is_active=True).order_by("name")


# --- What the meeting shows of each notification ---------------------------------------------


def agreement_problems(notification: DaNotification) -> list[str]:
    """What a notification still lacks before the meeting can be confirmed (empty: agreed)."""
    if not notification.agreed_outcome:
        return ["no agreed outcome"]
    problems = []
    if notification.agreed_outcome == Outcome.MASH_ENQUIRY and not notification.agreed_rag:
        problems.append("no RAG rating for the MASH enquiry")
    if not notification.agreed_rationale.strip():
        problems.append("no rationale")
    return problems


@dataclass
class EarlierNotification:
    pk: int
    contact_id: int
    occurrence_reference: str
    received_at: object
    dash_risk: str

    @property
    def reference(self) -> str:
        """The contact's reference (as `Contact.reference` makes it)."""
        return f"C{self.contact_id:06d}"

    @property
    def dash_label(self) -> str:
        return DashRisk(self.dash_risk).label


@dataclass
class PersonWork:
    person: object
    role: str
    work: OpenWork


@dataclass
class MeetingItem:
    """One notification as the meeting shows it."""

    notification: DaNotification
    people: list[PersonWork] = field(default_factory=list)
    earlier: list[EarlierNotification] = field(default_factory=list)

    @property
    def problems(self) -> list[str]:
        return agreement_problems(self.notification)

    @property
    def needs(self) -> list[str]:
        """What is still to agree: "an agreed outcome", "a rationale"."""
        return [
            ("an " if problem.startswith("no agreed") else "a ") + problem[len("no ") :]
            for problem in self.problems
        ]

    @property
    def is_agreed(self) -> bool:
        return not self.problems

    @property
    def has_open_work(self) -> bool:
        return any(row.work for row in self.people)


def _people(notification: DaNotification) -> list[tuple[object, str]]:
    rows = [
        (child.person, "Child, present" if child.present else "Child, not present")
        for child in notification.children.all()
    ]
    rows.append((notification.victim, "Victim"))
    if notification.perpetrator is not None:
        rows.append((notification.perpetrator, "Alleged perpetrator"))
    return rows


def _earlier_by_person(user, person_ids: set[int]) -> dict[int, dict[int, EarlierNotification]]:
    """Every notification (visible to `user`) naming each person, as a child, the victim or the
    alleged perpetrator. Two queries, however many people."""
    visible = da_notifications_visible_to(user)
    fields = (
        "pk",
        "contact_id",
        "occurrence_reference",
        "contact__received_at",
        "dash_risk",
    )
    result: dict[int, dict[int, EarlierNotification]] = {pk: {} for pk in person_ids}

    def keep(person_id: int, row: tuple) -> None:
        result[person_id][row[0]] = EarlierNotification(*row)

    as_child = DaChild.objects.filter(
        person_id__in=person_ids, notification__in=visible
    ).values_list("person_id", *(f"notification__{name}" for name in fields))
    for person_id, *row in as_child:
        keep(person_id, tuple(row))
    as_adult = visible.filter(
        Q(victim_id__in=person_ids) | Q(perpetrator_id__in=person_ids)
    ).values_list("victim_id", "perpetrator_id", *fields)
    for victim_id, perpetrator_id, *row in as_adult:
        for person_id in (victim_id, perpetrator_id):
            if person_id in result:
                keep(person_id, tuple(row))
    return result


def meeting_items(user, meeting: TriageMeeting, *, with_history: bool) -> list[MeetingItem]:
    """The meeting's notifications, oldest first. With `with_history` (hub staff), each person's
    open work besides this notification and the earlier notifications about the same people.
    A constant number of queries however many notifications: the notifications (2), open work
    (3) and earlier notifications (2)."""
    items = [MeetingItem(notification) for notification in meeting_notifications(meeting)]
    if not with_history or not items:
        return items
    person_ids = {person.pk for item in items for person, _role in _people(item.notification)}
    work = open_work_for_people(user, sorted(person_ids))
    earlier = _earlier_by_person(user, person_ids)
    for item in items:
        own = item.notification
        found: dict[int, EarlierNotification] = {}
        for person, role in _people(own):
            mine = work[person.pk]
            item.people.append(
                PersonWork(
                    person=person,
                    role=role,
                    work=OpenWork(
                        contacts=[c for c in mine.contacts if c.pk != own.contact_id],
                        enquiries=list(mine.enquiries),
                    ),
                )
            )
            for other in earlier[person.pk].values():
                if other.pk != own.pk and other.received_at < own.contact.received_at:
                    found[other.pk] = other
        item.earlier = sorted(found.values(), key=lambda row: (row.received_at, row.pk))
    return items


def progress(items: list[MeetingItem]) -> tuple[int, int]:
    """(agreed, total): "7 of 9 agreed"."""
    return sum(1 for item in items if item.is_agreed), len(items)

"""Demo DA notifications for `make run`: last night's police notifications, one of each risk."""

from datetime import date, timedelta

from django.utils import timezone

from agencies.models import Agency, AgencyKind, User
from contacts.services import PersonInput
from mash.audit.context import audit_context

from .models import DaNotification
from .services import ChildInput, DaNotificationInput, DaPersonInput, da_notification_create

# (reference, risk, hours ago, victim, perpetrator, [(child, present)], narrative)
NOTIFICATIONS = [
    (
        "DEMO-DA-0001",
        "standard",
        14,
        PersonInput("Leanne", "Carter", date(1991, 4, 2), postcode="LS8 1AA"),
        PersonInput("Craig", "Carter", date(1989, 8, 19), postcode="LS8 1AA"),
        [(PersonInput("Mia", "Carter", date(2016, 2, 11), postcode="LS8 1AA"), False)],
        "Verbal argument reported by a neighbour; no injuries; the child was asleep upstairs.",
    ),
    (
        "DEMO-DA-0002",
        "medium",
        10,
        PersonInput("Aisha", "Rahman", date(1993, 12, 5), postcode="LS7 3PD"),
        PersonInput("Imran", "Rahman", date(1990, 1, 23), postcode="LS7 3PD"),
        [
            (PersonInput("Zara", "Rahman", date(2014, 6, 30), postcode="LS7 3PD"), True),
            (PersonInput("Adam", "Rahman", date(2019, 10, 2), postcode="LS7 3PD"), False),
        ],
        "Damage to property during an argument; Zara called 999.",
    ),
    (
        "DEMO-DA-0003",
        "high",
        6,
        PersonInput("Kerry", "Walsh", date(1995, 7, 14), postcode="LS12 4RT"),
        None,
        [(PersonInput("Ella", "Walsh", date(2021, 3, 9), postcode="LS12 4RT"), True)],
        "Strangulation disclosed; suspect left before police arrived and is not yet identified.",
    ),
]


def create_demo_da_notifications() -> int:
    """Create the demo notifications once; returns how many were created."""
    if DaNotification.objects.exists():
        return 0
    police = Agency.objects.filter(kind=AgencyKind.POLICE, is_active=True).first()
    worker = User.objects.filter(username="hub.worker").first()
    if police is None or worker is None:
        return 0
    now = timezone.now()
    made = 0
    for reference, risk, hours, victim, perpetrator, children, narrative in NOTIFICATIONS:
        data = DaNotificationInput(
            occurrence_reference=reference,
            incident_at=now - timedelta(hours=hours + 1),
            received_at=now - timedelta(hours=hours),
            dash_risk=risk,
            victim=DaPersonInput(victim, relationship_type="parent", to_child=0),
            perpetrator=DaPersonInput(perpetrator) if perpetrator else None,
            children=[ChildInput(person, present) for person, present in children],
            police_agency=police,
            narrative=narrative,
            referrer_name="Public protection unit",
        )
        with audit_context(actor=worker):
            _notification, created = da_notification_create(data=data, created_by=worker)
        made += created
    return made

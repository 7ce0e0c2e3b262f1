"""Demo contacts for `make run`: a morning's front door, with repeats and decisions."""

from datetime import date, timedelta

from django.utils import timezone

from agencies.models import Agency, User
from mash.audit.context import audit_context

from . import services
from .codes import Channel, Consent, Source
from .models import Contact
from .services import ContactInput, PersonInput

CHILDREN = [
    PersonInput("John", "Smith", date(2014, 3, 2), nhs_number="9434765919", postcode="LS1 4AP"),
    PersonInput("Kayla", "Smith", date(2017, 9, 14), postcode="LS1 4AP"),
    PersonInput("Tyler", "Brown", date(2010, 1, 30), postcode="LS6 2QT"),
    PersonInput("Maisie", "Wilson", date(2019, 6, 8), postcode="LS9 7HE"),
    PersonInput("Oliver", "Patel", date(2008, 11, 21), postcode="LS11 5DR"),
    PersonInput("Ava", "Nowak", date(2015, 4, 17), postcode="LS12 3JJ"),
]

# (child indexes, source, channel, concerns, hours ago, narrative)
CONTACTS = [
    ([0], Source.SCHOOLS, Channel.PHONE, ["neglect"], 24 * 100, "John often arrives hungry."),
    (
        [0, 1],
        Source.POLICE,
        Channel.POLICE_NOTIFICATION,
        ["domestic_abuse"],
        30,
        "Police attended a domestic incident at the family home overnight; both children present.",
    ),
    ([2], Source.GP, Channel.EMAIL, ["mental_health"], 20, "Tyler disclosed self-harm."),
    ([3], Source.HEALTH_VISITOR, Channel.PHONE, ["neglect"], 3, "Home conditions poor."),
    (
        [4],
        Source.POLICE,
        Channel.POLICE_NOTIFICATION,
        ["missing", "exploitation"],
        2,
        "Oliver missing for two nights, found with older males.",
    ),
    ([5], Source.FAMILY, Channel.PHONE, ["emotional_abuse"], 1, "Grandmother worried."),
]


def create_demo_contacts() -> int:
    """Create the demo contacts once; returns how many were created."""
    if Contact.objects.exists():
        return 0
    worker = User.objects.get(username="hub.worker")
    manager = User.objects.get(username="hub.manager")
    police = Agency.objects.filter(code="police").first()
    now = timezone.now()
    created = []
    for indexes, source, channel, concerns, hours_ago, narrative in CONTACTS:
        with audit_context(actor=worker):
            contact = services.contact_create(
                data=ContactInput(
                    source=source,
                    channel=channel,
                    subjects=[CHILDREN[i] for i in indexes],
                    consent=Consent.GIVEN if source != Source.POLICE else Consent.NOT_GIVEN,
                    consent_detail="" if source != Source.POLICE else "Crime and Disorder Act",
                    concerns=concerns,
                    narrative=narrative,
                    received_at=now - timedelta(hours=hours_ago),
                    referring_agency=police if source == Source.POLICE else None,
                    referrer_name="Demo referrer",
                    referrer_email="referrer@example.org",
                ),
                created_by=worker,
            )
        created.append(contact)
    oldest, second, third = created[0], created[1], created[2]
    with audit_context(actor=worker):
        services.contact_recommend(
            contact=oldest, user=worker, outcome="EARLY_HELP", rationale="Support"
        )
    with audit_context(actor=manager):
        services.contact_decide(contact=oldest, manager=manager, outcome="EARLY_HELP")
    with audit_context(actor=worker):
        services.contact_pick_up(contact=second, user=worker)
        services.contact_recommend(
            contact=second,
            user=worker,
            outcome="MASH_ENQUIRY",
            rag="AMBER",
            rationale="Police and health information needed to understand the risk.",
        )
        services.contact_pick_up(contact=third, user=worker)
    return len(created)

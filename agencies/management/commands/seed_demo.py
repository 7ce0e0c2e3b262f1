"""Load a small demo data set: agencies, one user per role, some people. Safe to run twice."""

from datetime import date

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from agencies.models import Agency, AgencyKind, Membership, User
from agencies.roles import Role
from agencies.services import agency_create, user_create
from contacts.models import Gender, Person
from contacts.services import person_create

DEMO_PASSWORD = "safeguarding-demo-2026"

AGENCIES = [
    ("Children's Social Care", "csc", AgencyKind.CHILDRENS_SOCIAL_CARE, Membership.CORE),
    ("Adults' Social Care", "asc", AgencyKind.ADULTS_SOCIAL_CARE, Membership.CORE),
    ("County Police", "police", AgencyKind.POLICE, Membership.CORE),
    ("Community Health NHS Trust", "health", AgencyKind.HEALTH, Membership.CORE),
    ("Education Safeguarding", "education", AgencyKind.EDUCATION, Membership.CORE),
    ("Probation Service", "probation", AgencyKind.PROBATION, Membership.AFFILIATE),
    ("District Housing", "housing", AgencyKind.HOUSING, Membership.AFFILIATE),
]

USERS = [
    ("hub.worker", "Sam", "Okafor", "csc", Role.HUB_WORKER, "Senior social worker"),
    ("hub.manager", "Priya", "Shah", "csc", Role.HUB_MANAGER, "MASH team manager"),
    ("police.researcher", "Dan", "Hughes", "police", Role.AGENCY_RESEARCHER, "MASH researcher"),
    ("health.researcher", "Amira", "Khan", "health", Role.AGENCY_RESEARCHER, "Safeguarding nurse"),
    ("police.supervisor", "Jo", "Barker", "police", Role.AGENCY_SUPERVISOR, "Detective sergeant"),
    ("referrer", "Chris", "Lee", "education", Role.REFERRER, "Designated safeguarding lead"),
    ("board", "Morgan", "Ellis", "csc", Role.BOARD_MEMBER, "Partnership board member"),
    ("admin", "Alex", "Morgan", "csc", Role.ADMINISTRATOR, "System owner"),
    (
        "school.dsl",
        "Pat",
        "Reid",
        "education",
        Role.SCHOOL_KEY_ADULT,
        "Designated safeguarding lead",
    ),
]

#: Demo schools (URN, name, phase, postcode); the key adult is Northfield's.
SCHOOLS = [
    ("100000", "Northfield Primary School", "primary", "LS1 4AP"),
    ("100001", "Hillside Academy", "secondary", "LS6 2QT"),
]

PEOPLE = [
    ("John", "Smith", date(2014, 3, 2), Gender.MALE, "9434765919", "LS1 4AP"),
    ("Kayla", "Smith", date(2017, 9, 14), Gender.FEMALE, "", "LS1 4AP"),
    ("Tyler", "Brown", date(2010, 1, 30), Gender.MALE, "", "LS6 2QT"),
    ("Maisie", "Wilson", date(2019, 6, 8), Gender.FEMALE, "", "LS9 7HE"),
    ("Oliver", "Patel", date(2008, 11, 21), Gender.MALE, "", "LS11 5DR"),
    ("Ava", "Nowak", date(2015, 4, 17), Gender.FEMALE, "", "LS12 3JJ"),
    ("Leo", "Murphy", date(2012, 12, 1), Gender.MALE, "", "LS8 1NZ"),
    ("Grace", "Adeyemi", date(2021, 2, 26), Gender.FEMALE, "", "LS7 4BB"),
]


class Command(BaseCommand):
    help = "Load demo agencies, one user per role (printed with their password) and some people."

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--allow-production",
            action="store_true",
            help="Load demo logins even with DEBUG off (never on a live service).",
        )

    @transaction.atomic
    def handle(self, *args, **options) -> None:
        if not settings.DEBUG and not options["allow_production"]:
            raise CommandError("Demo logins have known passwords: refusing with DEBUG off.")
        agencies: dict[str, Agency] = {}
        for name, code, kind, membership in AGENCIES:
            agency = Agency.objects.filter(code=code).first()
            if agency is None:
                agency = agency_create(name=name, code=code, kind=kind, membership=membership)
            agencies[code] = agency
        from schools.models import School

        schools = {
            urn: School.objects.get_or_create(
                urn=urn,
                defaults={
                    "name": name,
                    "phase": phase,
                    "postcode": postcode,
                    "local_authority": "Leeds",
                },
            )[0]
            for urn, name, phase, postcode in SCHOOLS
        }
        for username, first, last, agency_code, role, title in USERS:
            if not User.objects.filter(username=username).exists():
                user_create(
                    username=username,
                    password=DEMO_PASSWORD,
                    first_name=first,
                    last_name=last,
                    email=f"{username}@example.org",
                    agency=agencies[agency_code],
                    role=role,
                    job_title=title,
                    school=schools["100000"] if role == Role.SCHOOL_KEY_ADULT else None,
                )
        if not Person.objects.exists():
            for given, family, born, gender, nhs, postcode in PEOPLE:
                person_create(
                    given_name=given,
                    family_name=family,
                    date_of_birth=born,
                    gender=gender,
                    nhs_number=nhs,
                    postcode=postcode,
                )
        from contacts.demo import create_demo_contacts

        made = create_demo_contacts()
        if made:
            self.stdout.write(f"Created {made} demo contacts.")
        from enquiries.demo import create_demo_enquiry

        if create_demo_enquiry():
            self.stdout.write("Opened a demo MASH enquiry with requests to the police and health.")
        from domestic_abuse.demo import create_demo_da_notifications

        if made_da := create_demo_da_notifications():
            self.stdout.write(f"Created {made_da} demo domestic abuse notifications.")
        self.stdout.write(f"Demo logins (password for all: {DEMO_PASSWORD}):")
        for username, _first, _last, agency_code, role, _title in USERS:
            self.stdout.write(
                f"  {username:<20} {Role(role).label} at {agencies[agency_code].name}"
            )

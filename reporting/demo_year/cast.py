"""Who does the generated work and which agencies are asked: the demo's own people where
``seed_demo`` made them, otherwise made here (with unusable passwords: nobody signs in as them)."""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth.models import Permission

from agencies.models import Agency, AgencyKind, Membership, User
from agencies.roles import AGENCY_ROLES, Role
from agencies.services import agency_create, user_create

#: The partner agencies asked for information, by kind, and the share of enquiries asking each.
PARTNERS = [
    ("County Police", "police", AgencyKind.POLICE, 0.95),
    ("Community Health NHS Trust", "health", AgencyKind.HEALTH, 0.85),
    ("Education Safeguarding", "education", AgencyKind.EDUCATION, 0.5),
    ("Probation Service", "probation", AgencyKind.PROBATION, 0.15),
    ("District Housing", "housing", AgencyKind.HOUSING, 0.15),
]


@dataclass
class Cast:
    worker: User
    manager: User
    partners: list[tuple[Agency, float]]  # (agency, share of enquiries that ask it)
    researchers: dict[int, User]  # agency pk -> who submits its returns
    referring: dict[str, Agency]  # agency kind -> the partner agency contacts come from
    view: Permission  # what a request's grant gives the agency's group


def _agency(name: str, code: str, kind: str) -> Agency:
    agency = Agency.objects.filter(kind=kind, is_active=True).order_by("pk").first()
    if agency is None:
        agency = Agency.objects.filter(code=code).first() or agency_create(
            name=name, code=code, kind=kind, membership=Membership.CORE
        )
    return agency


def _user(role: str, username: str, agency: Agency, **filters) -> User:
    found = User.objects.filter(role=role, is_active=True, **filters).order_by("pk").first()
    return found or user_create(username=username, password=None, agency=agency, role=role)


def ensure_cast() -> Cast:
    hub = _agency("Children's Social Care", "csc", AgencyKind.CHILDRENS_SOCIAL_CARE)
    worker = _user(Role.HUB_WORKER, "demo-year.worker", hub, agency__is_active=True)
    manager = _user(Role.HUB_MANAGER, "demo-year.manager", hub, agency__is_active=True)
    partners, researchers, referring = [], {}, {}
    for name, code, kind, share in PARTNERS:
        agency = _agency(name, code, kind)
        partners.append((agency, share))
        referring[kind] = agency
        researcher = (
            User.objects.filter(agency=agency, role__in=AGENCY_ROLES, is_active=True)
            .order_by("role", "pk")
            .first()
        )
        researchers[agency.pk] = researcher or user_create(
            username=f"demo-year.{agency.code}.researcher",
            password=None,
            agency=agency,
            role=Role.AGENCY_RESEARCHER,
        )
    early_help = Agency.objects.filter(kind=AgencyKind.EARLY_HELP, is_active=True).first()
    if early_help is not None:
        referring[AgencyKind.EARLY_HELP] = early_help
    view = Permission.objects.get(
        content_type__app_label="enquiries", codename="view_informationrequest"
    )
    return Cast(worker, manager, partners, researchers, referring, view)

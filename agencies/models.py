"""Agencies, the people who work for them, and the sessions they hold."""

from django.contrib.auth.models import AbstractUser, Group
from django.contrib.sessions.backends.base import SessionBase
from django.db import models, transaction
from django.utils.module_loading import import_string

from .roles import AGENCY_ROLES, HUB_ROLES, SCHOOL_ROLES, Role, role_group_name


class AgencyKind(models.TextChoices):
    CHILDRENS_SOCIAL_CARE = "csc", "Children's Social Care"
    ADULTS_SOCIAL_CARE = "asc", "Adults' Social Care"
    POLICE = "police", "Police"
    HEALTH = "health", "Health"
    EDUCATION = "education", "Education and schools"
    PROBATION = "probation", "Probation"
    YOUTH_OFFENDING = "youth_offending", "Youth Offending"
    SUBSTANCE_MISUSE = "substance_misuse", "Substance Misuse"
    MENTAL_HEALTH = "mental_health", "Mental Health"
    HOUSING = "housing", "Housing"
    FIRE_AND_RESCUE = "fire_rescue", "Fire and Rescue"
    TRADING_STANDARDS = "trading_standards", "Trading Standards"
    EARLY_HELP = "early_help", "Early Help"
    VICTIM_SUPPORT = "victim_support", "Victim Support"
    OTHER = "other", "Other"


class Membership(models.TextChoices):
    CORE = "core", "Core partner"
    AFFILIATE = "affiliate", "Affiliate partner"


class Agency(models.Model):
    name = models.CharField(max_length=150, unique=True)
    code = models.SlugField(
        max_length=40, unique=True, help_text="Short, permanent identifier, e.g. police-north."
    )
    kind = models.CharField(max_length=30, choices=AgencyKind.choices)
    membership = models.CharField(
        max_length=10, choices=Membership.choices, default=Membership.CORE
    )
    is_active = models.BooleanField(default=True)
    group = models.OneToOneField(
        Group, on_delete=models.PROTECT, related_name="agency", editable=False
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "agencies"

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs) -> None:
        # Every agency has its own group: object-level grants go to it, never to single users.
        if self.group_id is None:
            self.group, _ = Group.objects.get_or_create(name=f"agency:{self.code}")
        super().save(*args, **kwargs)


class User(AbstractUser):
    """A member of staff: one agency, one role. Deactivate rather than delete (audit keeps them)."""

    agency = models.ForeignKey(
        Agency, null=True, blank=True, on_delete=models.PROTECT, related_name="users"
    )
    role = models.CharField(max_length=30, choices=Role.choices, blank=True)
    school = models.ForeignKey(
        "schools.School",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="key_adults",
        help_text="For a school key adult (DSL) only: the school whose notices they see.",
    )
    job_title = models.CharField(max_length=150, blank=True)
    phone = models.CharField(max_length=40, blank=True)

    class Meta:
        ordering = ["last_name", "first_name", "username"]

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self._saved_is_active = self.is_active if self.pk else None

    @property
    def is_hub_staff(self) -> bool:
        return self.role in HUB_ROLES

    @property
    def is_agency_staff(self) -> bool:
        return self.role in AGENCY_ROLES

    @property
    def display_name(self) -> str:
        return self.get_full_name() or self.username

    def save(self, *args, **kwargs) -> None:
        self.is_staff = self.role == Role.ADMINISTRATOR or self.is_superuser
        update_fields = kwargs.get("update_fields")
        was_active = self._saved_is_active
        with transaction.atomic():
            super().save(*args, **kwargs)
            if update_fields is None or {"role", "agency", "is_active"} & set(update_fields):
                self._sync_groups()
        if was_active and not self.is_active:
            self.end_sessions()
        self._saved_is_active = self.is_active

    def _sync_groups(self) -> None:
        """Keep group membership equal to role and agency: the groups carry the permissions."""
        wanted: list[Group] = []
        if self.is_active and self.role:
            wanted.append(Group.objects.get_or_create(name=role_group_name(self.role))[0])
        # A key adult is not in their agency's group: no grant to the agency reaches them.
        if self.is_active and self.agency_id and self.role not in SCHOOL_ROLES:
            wanted.append(self.agency.group)
        current = set(self.groups.values_list("pk", flat=True))
        if current != {group.pk for group in wanted}:
            self.groups.set(wanted)

    def end_sessions(self) -> int:
        """Sign the user out everywhere: every session and API token stops working at once."""
        from django.conf import settings

        store: type[SessionBase] = import_string(f"{settings.SESSION_ENGINE}.SessionStore")
        keys = list(self.signed_in_sessions.values_list("session_key", flat=True))
        for key in keys:
            store(session_key=key).delete()
        self.signed_in_sessions.all().delete()
        from rest_framework.authtoken.models import Token

        Token.objects.filter(user=self).delete()
        return len(keys)


class SignedInSession(models.Model):
    """Which sessions a user holds, so they can all be ended when the user is deactivated."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="signed_in_sessions")
    session_key = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"{self.user} since {self.created_at:%Y-%m-%d %H:%M}"

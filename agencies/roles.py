"""The roles of DOMAIN.md, what each may do, and the Django groups that carry their permissions."""

from django.db import models


class Role(models.TextChoices):
    HUB_WORKER = "hub_worker", "Front-door social worker"
    HUB_MANAGER = "hub_manager", "MASH manager"
    AGENCY_RESEARCHER = "agency_researcher", "Agency researcher"
    AGENCY_SUPERVISOR = "agency_supervisor", "Agency supervisor"
    REFERRER = "referrer", "Referrer"
    BOARD_MEMBER = "board_member", "Board member"
    ADMINISTRATOR = "administrator", "Administrator"
    SCHOOL_KEY_ADULT = "school_key_adult", "School key adult (DSL)"


HUB_ROLES = frozenset({Role.HUB_WORKER, Role.HUB_MANAGER})
AGENCY_ROLES = frozenset({Role.AGENCY_RESEARCHER, Role.AGENCY_SUPERVISOR})
#: Who sees the KPIs (KPIS.md, "Who sees them"): board members, managers and administrators.
REPORTING_ROLES = frozenset({Role.BOARD_MEMBER, Role.HUB_MANAGER, Role.ADMINISTRATOR})
#: A school's designated safeguarding lead: their own school's Encompass notices, nothing else.
#: In none of the sets above, so every page and API gated on them answers 404.
SCHOOL_ROLES = frozenset({Role.SCHOOL_KEY_ADULT})

# Model permissions each role's group holds ("app_label.codename"). Object-level access to
# particular records comes from grants to the agency's group, not from these.
ROLE_PERMISSIONS: dict[str, set[str]] = {
    Role.HUB_WORKER: {"contacts.view_person", "contacts.add_person", "contacts.change_person"},
    Role.HUB_MANAGER: {"contacts.view_person", "contacts.add_person", "contacts.change_person"},
    Role.AGENCY_RESEARCHER: {"contacts.view_person"},
    Role.AGENCY_SUPERVISOR: {"contacts.view_person"},
    Role.REFERRER: set(),
    Role.BOARD_MEMBER: set(),
    Role.SCHOOL_KEY_ADULT: set(),
    Role.ADMINISTRATOR: {
        "agencies.view_agency",
        "agencies.add_agency",
        "agencies.change_agency",
        "agencies.view_user",
        "agencies.add_user",
        "agencies.change_user",
        "axes.view_accessattempt",
        "axes.delete_accessattempt",
        "django_celery_beat.view_periodictask",
        "django_celery_beat.change_periodictask",
    },
}


def role_group_name(role: str) -> str:
    return f"role:{role}"


def sync_role_groups(sender=None, **kwargs) -> None:
    """Create each role's group and give it exactly its permissions.

    Connected to post_migrate, which is sent once per app: run only after the last app, when
    every app's permissions exist.
    """
    from django.apps import apps
    from django.contrib.auth.models import Group, Permission
    from django.db.models import Q

    last = [config for config in apps.get_app_configs() if config.models_module is not None][-1]
    if sender is not None and sender.label != last.label:
        return

    for role in Role:
        group, _ = Group.objects.get_or_create(name=role_group_name(role))
        wanted = ROLE_PERMISSIONS[role]
        query = Q(pk__in=[])
        for perm in wanted:
            app_label, codename = perm.split(".", 1)
            query |= Q(content_type__app_label=app_label, codename=codename)
        group.permissions.set(Permission.objects.filter(query))

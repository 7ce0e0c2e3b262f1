from django.apps import AppConfig
from django.db.models.signals import post_migrate


class AgenciesConfig(AppConfig):
    name = "agencies"
    verbose_name = "Agencies and users"

    def ready(self) -> None:
        from auditlog.registry import auditlog

        from . import receivers  # noqa: F401
        from .models import Agency, User
        from .roles import sync_role_groups

        auditlog.register(Agency)
        auditlog.register(
            User,
            exclude_fields=["password", "last_login"],
            m2m_fields={"groups"},
        )
        # After every app's migrate, since permissions of later apps are created by then.
        post_migrate.connect(sync_role_groups, dispatch_uid="sync_role_groups")

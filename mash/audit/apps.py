from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "mash.audit"
    label = "audit"
    verbose_name = "Audit trail"

    def ready(self) -> None:
        from . import receivers  # noqa: F401

from django.apps import AppConfig


class EncompassConfig(AppConfig):
    name = "encompass"
    verbose_name = "Operation Encompass"

    def ready(self) -> None:
        from auditlog.registry import auditlog

        from . import models

        # Case data: every change to a notice (its acknowledgement, its escalation) is audited.
        auditlog.register(models.EncompassNotice)

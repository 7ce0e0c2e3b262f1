from django.apps import AppConfig


class NotesConfig(AppConfig):
    name = "notes"
    verbose_name = "Case notes"

    def ready(self) -> None:
        from auditlog.registry import auditlog

        from . import models

        # The hub's own case notes: every note added is in the audit trail, as are the reads of
        # the pages and lists that show them.
        auditlog.register(models.CaseNote)

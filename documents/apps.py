from django.apps import AppConfig


class DocumentsConfig(AppConfig):
    name = "documents"
    verbose_name = "Documents"

    def ready(self) -> None:
        from auditlog.registry import auditlog

        from . import models, signals, tasks  # noqa: F401 - signals and tasks register themselves

        # Case data: every create, change and delete of a document's record is audited.
        auditlog.register(models.Document)

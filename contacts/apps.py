from django.apps import AppConfig


class ContactsConfig(AppConfig):
    name = "contacts"
    verbose_name = "People and contacts"

    def ready(self) -> None:
        from auditlog.registry import auditlog

        from . import models, tasks  # noqa: F401 - tasks registers the outbox handler

        # Case data and access rights: every create, change and delete is in the audit trail.
        auditlog.register(models.Person, exclude_fields=["search_text", "phonetic"])
        for model in (
            models.PersonAlias,
            models.Household,
            models.HouseholdMember,
            models.Contact,
            models.ContactSubject,
            models.ContactPerson,
            models.Relationship,
            models.PersonAddress,
            models.PersonCorrection,
            models.DecisionEntry,
            models.Marf,
            models.PersonGroupObjectPermission,
            models.PersonUserObjectPermission,
        ):
            auditlog.register(model)

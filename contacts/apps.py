from django.apps import AppConfig


class ContactsConfig(AppConfig):
    name = "contacts"
    verbose_name = "People and contacts"

    def ready(self) -> None:
        from auditlog.registry import auditlog

        from .models import Person, PersonGroupObjectPermission, PersonUserObjectPermission

        auditlog.register(Person)
        auditlog.register(PersonGroupObjectPermission)
        auditlog.register(PersonUserObjectPermission)

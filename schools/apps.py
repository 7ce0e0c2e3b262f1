from django.apps import AppConfig


class SchoolsConfig(AppConfig):
    name = "schools"
    verbose_name = "Schools and the school-day calendar"

    def ready(self) -> None:
        from auditlog.registry import auditlog

        from .models import School, SchoolHoliday

        auditlog.register(School)
        auditlog.register(SchoolHoliday)

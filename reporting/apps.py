from django.apps import AppConfig


class ReportingConfig(AppConfig):
    name = "reporting"
    verbose_name = "Reporting"

    def ready(self) -> None:
        # Late changes to records of a closed month mark its stored KPI figures stale.
        from . import signals

        signals.connect()

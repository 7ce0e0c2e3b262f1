from django.apps import AppConfig


class DomesticAbuseConfig(AppConfig):
    name = "domestic_abuse"
    verbose_name = "Domestic abuse notifications"

    def ready(self) -> None:
        from auditlog.registry import auditlog

        from . import models

        # Case data: every change to a notification, a meeting or its attendees is audited.
        auditlog.register(models.DaNotification)
        auditlog.register(models.DaChild)
        auditlog.register(models.TriageMeeting)
        auditlog.register(models.MeetingAttendee)

from django.apps import AppConfig


class EnquiriesConfig(AppConfig):
    name = "enquiries"
    verbose_name = "MASH enquiries"

    def ready(self) -> None:
        from auditlog.registry import auditlog

        from . import models
        from .services import enquiries  # noqa: F401 - registers the final word's outbox handler

        auditlog.register(models.InformationRequest, m2m_fields={"people"})
        for model in (
            models.Enquiry,
            models.EnquiryPerson,
            models.EnquiryContact,
            models.RagChange,
            models.InformationReturn,
            models.InformationRequestGroupObjectPermission,
            models.InformationRequestUserObjectPermission,
        ):
            auditlog.register(model)

from django.apps import AppConfig


class EnquiriesConfig(AppConfig):
    name = "enquiries"
    verbose_name = "MASH enquiries"

    def ready(self) -> None:
        from auditlog.registry import auditlog

        from . import models

        auditlog.register(models.InformationRequest, m2m_fields={"people"})
        for model in (
            models.Enquiry,
            models.EnquiryPerson,
            models.RagChange,
            models.InformationReturn,
            models.InformationRequestGroupObjectPermission,
            models.InformationRequestUserObjectPermission,
        ):
            auditlog.register(model)

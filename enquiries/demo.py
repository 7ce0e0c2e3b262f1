"""A demo enquiry for `make run`: Amber, with requests out to the police and health."""

from agencies.models import Agency, User
from contacts import services as contact_services
from contacts.models import Contact
from mash.audit.context import audit_context

from . import services
from .models import Enquiry


def create_demo_enquiry() -> bool:
    """Decide the demo contact awaiting a decision as a MASH enquiry and ask two agencies."""
    if Enquiry.objects.exists():
        return False
    contact = Contact.objects.filter(outcome="", recommended_outcome="MASH_ENQUIRY").first()
    if contact is None:
        return False
    manager = User.objects.get(username="hub.manager")
    worker = User.objects.get(username="hub.worker")
    with audit_context(actor=manager):
        contact_services.contact_decide(
            contact=contact, manager=manager, outcome="MASH_ENQUIRY", rag="AMBER"
        )
    enquiry = Enquiry.objects.get(contact=contact)
    with audit_context(actor=worker):
        for code, question in (
            ("police", "Any domestic abuse call-outs or intelligence about the household?"),
            ("health", "Are the children registered and seen? Any A&E attendances?"),
        ):
            agency = Agency.objects.filter(code=code).first()
            if agency is not None:
                services.request_create(
                    enquiry=enquiry,
                    agency=agency,
                    question=question,
                    people=list(enquiry.people.all()),
                    requested_by=worker,
                )
    return True

"""What a MASH_ENQUIRY decision on a contact would do, for the manager's decision form."""

from django import template

from contacts.models import Contact

from ..models import Enquiry
from ..services.enquiries import open_enquiries_of_subjects

register = template.Library()


@register.simple_tag
def enquiry_to_join(contact: Contact) -> Enquiry | None:
    """The open enquiry a MASH_ENQUIRY decision would add `contact` to (None: it would open
    one). One query."""
    return open_enquiries_of_subjects(contact).first()

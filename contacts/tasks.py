"""Feedback to referrers: an email queued in the outbox with the decision, in plain words."""

from datetime import datetime

from django.conf import settings

from mash.outbox.services import on_sent

from .codes import OUTCOME_FOR_REFERRER
from .models import Contact
from .services import contact_mark_feedback_sent

#: The outbox purpose of the referrer's feedback email.
FEEDBACK_PURPOSE = "contact.feedback"


def feedback_message(contact: Contact) -> tuple[str, str]:
    """The email in plain words: the outcome only, no detail about anyone."""
    received = contact.received_at.astimezone().strftime("%-d %B %Y")
    subject = f"Your safeguarding concern {contact.reference}: our decision"
    body = (
        f"Thank you for telling us about your concern on {received} "
        f"(our reference {contact.reference}).\n\n"
        f"{OUTCOME_FOR_REFERRER[contact.outcome]}\n\n"
        "If you are still worried, or the situation changes, contact the MASH again. "
        "If a child or adult is in immediate danger, call 999.\n\n"
        f"{settings.SERVICE_NAME}"
    )
    return subject, body


@on_sent(FEEDBACK_PURPOSE)
def feedback_accepted(related_id: str, sent_at: datetime) -> None:
    """The mail server took the feedback: K11 counts it from now."""
    contact_mark_feedback_sent(contact_id=int(related_id), at=sent_at)

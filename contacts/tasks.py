"""Feedback to referrers: sent after the decision commits, retried on failure."""

import logging
from smtplib import SMTPException

from celery import shared_task
from django.conf import settings
from django.core.mail import send_mail

from .codes import OUTCOME_FOR_REFERRER
from .models import Contact
from .services import contact_mark_feedback_sent

logger = logging.getLogger(__name__)


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


@shared_task(
    bind=True,
    autoretry_for=(SMTPException, OSError),
    retry_backoff=30,
    retry_backoff_max=1800,
    retry_jitter=True,
    max_retries=8,
)
def send_referrer_feedback(self, contact_id: int) -> bool:
    """Email the referrer the outcome. Safe to run twice: a sent feedback is not sent again."""
    contact = Contact.objects.select_related("referrer_user").filter(pk=contact_id).first()
    if contact is None or not contact.outcome or contact.feedback_sent_at is not None:
        return False
    recipient = contact.referrer_email or getattr(contact.referrer_user, "email", "")
    if not recipient:
        logger.warning("No email address to send feedback for %s", contact.reference)
        return False
    subject, body = feedback_message(contact)
    send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [recipient])
    return contact_mark_feedback_sent(contact_id=contact_id)

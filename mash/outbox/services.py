"""Writing emails to the outbox, and the relay that sends them.

``queue_email``/``queue_emails`` are called inside the transaction of the change that causes the
email: the row commits or rolls back with it. After the commit a relay task is asked for (at most
once per transaction); if the broker cannot take it, that is logged and the relay that beat runs
every minute sends the email instead. Nothing in a request waits for a mail server.

``relay`` takes one due email at a time with ``SELECT ... FOR UPDATE SKIP LOCKED``, hands it to
the mail server and marks it sent in the same transaction, only after the server accepted it. A
worker killed in between leaves the row queued and its lock released, so a later relay sends it
again, with the same ``Message-ID``: at least once, never lost, and a repeat recognisable. A
refused send is retried with exponential backoff and given up (``failed``) after
``MASH_OUTBOX_MAX_ATTEMPTS`` attempts; ``/healthz`` reports the oldest unsent email and the failed
count. Two relays never send the same row: the second skips the row the first holds.
"""

import contextlib
import logging
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from email.utils import make_msgid

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.db import connection as db_connection
from django.db import transaction
from django.utils import timezone

from mash.audit.context import current_correlation_id

from .models import EmailState, OutboxEmail

logger = logging.getLogger(__name__)

#: Called with (related_id, sent_at) in the transaction that marks an email of its purpose sent.
SentHandler = Callable[[str, datetime], None]
_sent_handlers: dict[str, SentHandler] = {}

#: Seconds before the first retry; doubled per attempt up to MAX_BACKOFF.
FIRST_BACKOFF = 60
MAX_BACKOFF = 3600


@dataclass(frozen=True)
class Mail:
    """An email to queue: one recipient, plain text."""

    recipient: str
    subject: str
    body: str
    purpose: str
    related_id: str = ""


@dataclass
class RelayResult:
    sent: int = 0
    retried: int = 0
    failed: int = 0
    server_unavailable: bool = False
    more_due: bool = False


def on_sent(purpose: str) -> Callable[[SentHandler], SentHandler]:
    """Register the handler told when an email of `purpose` has been accepted by the server
    (e.g. to set ``feedback_sent_at``). It runs in the transaction that marks the email sent."""

    def register(handler: SentHandler) -> SentHandler:
        _sent_handlers[purpose] = handler
        return handler

    return register


def new_message_id() -> str:
    return make_msgid(domain=settings.MASH_EMAIL_MESSAGE_ID_DOMAIN)


def queue_emails(mails: Iterable[Mail]) -> list[OutboxEmail]:
    """Write `mails` to the outbox in the current transaction; the relay is asked for after it
    commits. Emails without a recipient are left out (and logged)."""
    now = timezone.now()
    correlation = current_correlation_id() or ""
    rows = []
    for mail in mails:
        if not mail.recipient:
            logger.warning(
                "No address for a %s email (%s): not queued", mail.purpose, mail.related_id
            )
            continue
        rows.append(
            OutboxEmail(
                message_id=new_message_id(),
                recipient=mail.recipient,
                subject=mail.subject[:255],
                body=mail.body,
                purpose=mail.purpose,
                related_id=str(mail.related_id),
                next_attempt_at=now,
                created_at=now,
                correlation_id=correlation[:64],
            )
        )
    if not rows:
        return []
    created = OutboxEmail.objects.bulk_create(rows)
    _ask_for_relay_after_commit()
    return created


def queue_email(
    *, recipient: str, subject: str, body: str, purpose: str, related_id=""
) -> OutboxEmail | None:
    """Write one email to the outbox in the current transaction (see ``queue_emails``)."""
    created = queue_emails([Mail(recipient, subject, body, purpose, str(related_id))])
    return created[0] if created else None


def _ask_for_relay_after_commit() -> None:
    """One relay task per transaction, however many emails it queued."""
    from mash.tasks import enqueue_on_commit

    from .tasks import relay_outbox

    if db_connection.in_atomic_block and any(
        getattr(callback, "outbox_relay", False)
        for _sids, callback, _robust in db_connection.run_on_commit
    ):
        return
    enqueue_on_commit(relay_outbox, marker="outbox_relay")


def backoff(attempts: int) -> timedelta:
    """The wait after the `attempts`-th failed attempt: 1, 2, 4, ... minutes, at most an hour."""
    return timedelta(seconds=min(FIRST_BACKOFF * 2 ** max(attempts - 1, 0), MAX_BACKOFF))


def _message(email: OutboxEmail, mail_connection) -> EmailMessage:
    return EmailMessage(
        subject=email.subject,
        body=email.body,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[email.recipient],
        connection=mail_connection,
        headers={"Message-ID": email.message_id},
    )


def _mark_sent(email: OutboxEmail, now: datetime) -> None:
    email.state = EmailState.SENT
    email.sent_at = now
    email.attempts += 1
    email.last_error = ""
    email.save(update_fields=["state", "sent_at", "attempts", "last_error"])
    handler = _sent_handlers.get(email.purpose)
    if handler is None:
        return
    try:
        with transaction.atomic():  # a failing handler must not unsend the email
            handler(email.related_id, now)
    except Exception:  # noqa: BLE001 - logged; the email itself went
        logger.exception("Handler for sent %s email %s failed", email.purpose, email.pk)


def _mark_failed_attempt(email: OutboxEmail, error: Exception, now: datetime) -> bool:
    """Count a refused attempt; True when the email is given up."""
    email.attempts += 1
    email.last_error = f"{error.__class__.__name__}: {error}"[:500]
    if email.attempts >= settings.MASH_OUTBOX_MAX_ATTEMPTS:
        email.state = EmailState.FAILED
        logger.error(
            "Email %s (%s) given up after %s attempts: %s",
            email.pk,
            email.purpose,
            email.attempts,
            email.last_error,
        )
    else:
        email.next_attempt_at = now + backoff(email.attempts)
    email.save(update_fields=["attempts", "last_error", "state", "next_attempt_at"])
    return email.state == EmailState.FAILED


def _due() -> "OutboxEmail | None":
    return (
        OutboxEmail.objects.select_for_update(skip_locked=True)
        .filter(state=EmailState.QUEUED, next_attempt_at__lte=timezone.now())
        .order_by("next_attempt_at", "id")
        .first()
    )


def relay(*, limit: int = 1000, budget_seconds: float = 90.0) -> RelayResult:
    """Send due emails one at a time until none is due, `limit` are done or the time budget is
    spent (``more_due`` then says so, and the task asks for another relay)."""
    result = RelayResult()
    started = time.monotonic()
    mail_connection = get_connection(fail_silently=False)
    try:
        mail_connection.open()
    except Exception as error:  # noqa: BLE001 - the server is down: try again next minute
        logger.warning("Mail server unavailable (%s); the outbox waits", error)
        result.server_unavailable = True
        return result
    try:
        for _ in range(limit):
            if time.monotonic() - started > budget_seconds:
                result.more_due = True
                break
            with transaction.atomic():
                email = _due()
                if email is None:
                    break
                now = timezone.now()
                try:
                    _message(email, mail_connection).send()
                except Exception as error:  # noqa: BLE001 - recorded on the row and retried
                    logger.warning("Email %s not accepted: %s", email.pk, error)
                    if _mark_failed_attempt(email, error, now):
                        result.failed += 1
                    else:
                        result.retried += 1
                    _reopen(mail_connection)
                    continue
                _mark_sent(email, now)
                result.sent += 1
        else:
            result.more_due = True
    finally:
        try:
            mail_connection.close()
        except Exception:  # noqa: BLE001
            logger.debug("Closing the mail connection failed", exc_info=True)
    return result


def _reopen(mail_connection) -> None:
    """After a refused send the SMTP session may be unusable: start a fresh one."""
    with contextlib.suppress(Exception):
        mail_connection.close()
    try:
        mail_connection.open()
    except Exception:  # noqa: BLE001 - the next send fails and is counted
        logger.debug("Reopening the mail connection failed", exc_info=True)


@dataclass
class OutboxHealth:
    queued: int
    failed: int
    oldest_unsent_at: datetime | None


def outbox_health() -> OutboxHealth:
    from django.db.models import Count, Min, Q

    row = OutboxEmail.objects.filter(state__in=[EmailState.QUEUED, EmailState.FAILED]).aggregate(
        queued=Count("id", filter=Q(state=EmailState.QUEUED)),
        failed=Count("id", filter=Q(state=EmailState.FAILED)),
        oldest=Min("created_at", filter=Q(state=EmailState.QUEUED)),
    )
    return OutboxHealth(queued=row["queued"], failed=row["failed"], oldest_unsent_at=row["oldest"])

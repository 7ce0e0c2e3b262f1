"""One-time tokens on the forms that create something (a MARF, a contact, a return or addendum,
an information request): a double click, a resubmission after Back, or three posts at once make
one record, and every post of the form lands on that record.

A token is signed, not stored, when the page is shown: `{% submission_token "marf" %}` renders
it as a hidden field, holding the user, the form's name, a random nonce and when it was issued.
The view posts within `submission_once(request, "marf")`: the nonce's row is inserted in the
same transaction as the record, so a parallel post of the same token waits on the unique index
and then finds where the first one went, and a later post goes there too. A token that was not
issued to this user for this form, or is older than `MASH_SUBMISSION_TOKEN_MAX_AGE`, is refused
with a message for the form page.

A form posted with no token at all is refused the same way, with its own message: every page we
render carries one, so the post came from a page rendered before the tokens existed (open in a
tab since before an upgrade) or from a script. Nothing is written, and the form page shown with
the message carries a fresh token. (The token guards against duplicates, not against forgery:
CSRF and sign-in do.)
"""

import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from django.conf import settings
from django.core import signing
from django.db import IntegrityError, transaction
from django.http import HttpRequest

from .models import SubmissionToken

FIELD_NAME = "submission_token"
SALT = "mash.idempotency.submission-token"
#: A working day: long enough to fill in a long form, short enough that a stale page is noticed.
MAX_AGE = timedelta(hours=10)

EXPIRED_MESSAGE = (
    "This form was open too long or was not issued to you, so nothing was saved. "
    "Check your answers and send the form again."
)
MISSING_MESSAGE = (
    "This form was not sent from an up-to-date copy of its page, so nothing was saved. "
    "Check your answers and send the form again."
)
USED_MESSAGE = "You had already sent this form. It was saved once: this is what it made."


class SubmissionTokenError(Exception):
    """The posted token is missing, forged, altered, another user's or another form's, or
    expired: `message` says so for the form page."""

    def __init__(self, message: str = EXPIRED_MESSAGE) -> None:
        super().__init__(message)
        self.message = message


def max_age() -> timedelta:
    return getattr(settings, "MASH_SUBMISSION_TOKEN_MAX_AGE", MAX_AGE)


def submission_token_issue(*, user, form: str) -> str:
    """A new signed token for `user` to post `form` once."""
    payload = {"n": secrets.token_urlsafe(24), "u": user.pk, "f": form}
    return signing.TimestampSigner(salt=SALT).sign_object(payload)


def _verify(token: str, *, user, form: str) -> tuple[str, datetime]:
    """The token's nonce and when it was issued, or SubmissionTokenError."""
    signer = signing.TimestampSigner(salt=SALT)
    try:
        payload = signer.unsign_object(token, max_age=max_age())
        _value, stamp, _signature = token.rsplit(signer.sep, 2)
        issued_at = datetime.fromtimestamp(signing.b62_decode(stamp), tz=UTC)
    except (signing.BadSignature, ValueError) as error:
        raise SubmissionTokenError() from error
    if not isinstance(payload, dict) or payload.get("u") != user.pk or payload.get("f") != form:
        raise SubmissionTokenError()
    nonce = payload.get("n")
    if not isinstance(nonce, str) or not nonce:
        raise SubmissionTokenError()
    return nonce, issued_at


@dataclass
class Submission:
    """What `submission_once` found: `done_url` is where an earlier post of the same token went
    (redirect there); otherwise create the record and call `produced(url)` with its page."""

    token: SubmissionToken | None
    done_url: str = ""

    @property
    def already_done(self) -> bool:
        return bool(self.done_url)

    def produced(self, url: str) -> None:
        if self.token is not None:
            self.token.result_url = url
            self.token.save(update_fields=["result_url"])


@contextmanager
def submission_once(request: HttpRequest, form: str) -> Iterator[Submission]:
    """A transaction in which the posted form is used once (see the module docstring).

    Raises SubmissionTokenError before anything is written for a missing or bad token. An
    exception from the block rolls back the record and the token's use, so the form can be
    corrected and sent.
    """
    raw = request.POST.get(FIELD_NAME)
    if not raw:
        raise SubmissionTokenError(MISSING_MESSAGE)
    nonce, issued_at = _verify(raw, user=request.user, form=form)
    with transaction.atomic():
        earlier = None
        try:
            with transaction.atomic():
                token = SubmissionToken.objects.create(
                    token=nonce, user=request.user, form=form, created_at=issued_at
                )
        except IntegrityError:
            # Used already, or being used right now: the insert waited for that post to commit.
            earlier = SubmissionToken.objects.get(token=nonce)
        if earlier is not None:
            yield Submission(token=None, done_url=earlier.result_url or "/")
        else:
            yield Submission(token=token)

"""What a page test posts besides the answers: the create forms' one-time submission token,
as the page would have rendered it (`{% submission_token "<form>" %}`)."""

from django.contrib.auth import SESSION_KEY, get_user_model
from django.test import Client

from mash.idempotency.submissions import FIELD_NAME, submission_token_issue


def submission_token(user, form: str) -> dict:
    """POST data holding a fresh token for `user` to send `form` once: `{**answers, **token}`."""
    return {FIELD_NAME: submission_token_issue(user=user, form=form)}


def signed_in_user(client: Client):
    """The user a test client is signed in as (by `client_for`)."""
    return get_user_model().objects.get(pk=client.session[SESSION_KEY])

"""What makes a submission happen once: the API's idempotency keys, the forms' used tokens, and
the content fingerprint of each external reference an agency system has sent."""

from django.conf import settings
from django.db import models
from django.utils import timezone

#: The longest Idempotency-Key accepted (UUIDs are 36; Stripe allows 255).
KEY_MAX_LENGTH = 255


class IdempotencyRecord(models.Model):
    """One API POST made with an `Idempotency-Key`, and the answer it got.

    The row is inserted before the view runs, in the transaction that wraps the view: a parallel
    request with the same key waits on the unique index until the first commits, then replays the
    stored answer. Only success is stored; anything else rolls the row back with the view's work.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="idempotency_records"
    )
    key = models.CharField(max_length=KEY_MAX_LENGTH)
    #: SHA-256 of method, path with query string and body: the same key for another request is
    #: refused rather than answered with the first request's result.
    request_hash = models.CharField(max_length=64)
    method = models.CharField(max_length=10)
    path = models.CharField(max_length=2000)
    response_status = models.PositiveSmallIntegerField(null=True)
    response_content_type = models.CharField(max_length=200, blank=True)
    response_body = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "key"], name="unique_idempotency_key_per_user")
        ]

    def __str__(self) -> str:
        return f"{self.method} {self.path} ({self.key})"


class SubmissionToken(models.Model):
    """A form's one-time token, recorded when it is used.

    The token itself is signed (user, form, nonce, time issued), so nothing is written when a
    page is shown; the row is inserted in the transaction that creates the record, and its unique
    nonce makes a second post of the same form wait for the first and then go where it went.
    """

    token = models.CharField(max_length=64, unique=True, help_text="The token's random nonce.")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="submission_tokens"
    )
    form = models.CharField(max_length=50)
    created_at = models.DateTimeField(help_text="When the form was shown (the token issued).")
    used_at = models.DateTimeField(default=timezone.now, db_index=True)
    result_url = models.CharField(
        max_length=500, blank=True, help_text="Where the submission led: the record it made."
    )

    def __str__(self) -> str:
        return f"{self.form} token used {self.used_at:%Y-%m-%d %H:%M}"


class ReplayFingerprint(models.Model):
    """The content digest of what an external system first sent under a reference, so that a
    replay (same content) is answered with the first result and a different item under the same
    reference is refused (409) instead of silently dropped."""

    scope = models.CharField(max_length=100, help_text='e.g. "contact:6" (contacts of source 6)')
    reference = models.CharField(max_length=200)
    digest = models.CharField(max_length=64)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["scope", "reference"], name="unique_replay_fingerprint")
        ]

    def __str__(self) -> str:
        return f"{self.scope} {self.reference}"

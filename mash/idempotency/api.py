"""`Idempotency-Key` on every API POST: a retried, double-clicked or parallel request with the same
key makes one record and gets the same answer.

A middleware rather than a mixin on each view: it covers every POST under /api/ (those of views
written later too) without touching them, and `tests/test_idempotency_api.py` walks the URL
resolver to prove each POST endpoint honours the header. The caller is identified with DRF's own
authenticators, since token-authenticated agency systems have no session user here.
"""

import hashlib
import logging
import tempfile
from collections.abc import Callable
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.db import IntegrityError, transaction
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils import timezone

from .models import KEY_MAX_LENGTH, IdempotencyRecord

HEADER = "Idempotency-Key"
REPLAYED_HEADER = "Idempotent-Replayed"
API_PREFIX = "/api/"
#: How long a key is remembered: a retry within this time replays, after it is a new request.
RECORD_TTL = timedelta(hours=24)

logger = logging.getLogger(__name__)


def record_ttl() -> timedelta:
    return getattr(settings, "MASH_IDEMPOTENCY_TTL", RECORD_TTL)


def _error(status: int, detail: str, message: str) -> JsonResponse:
    """The API's one error body, naming the header."""
    return JsonResponse({"detail": detail, "errors": {HEADER: [message]}}, status=status)


def _key_problem(key: str) -> str | None:
    if not key.strip():
        return "Give a non-empty key, e.g. a new UUID for each new request."
    if len(key) > KEY_MAX_LENGTH:
        return f"The key must be {KEY_MAX_LENGTH} characters or fewer."
    if not all(" " <= char <= "~" for char in key):
        return "Use printable ASCII characters only, e.g. a UUID."
    return None


def _api_user(request: HttpRequest):
    """The caller as the API view will see them (session or token), or None when the request is
    not authenticated (the view then answers 401/403 itself, with nothing to remember)."""
    from rest_framework.exceptions import APIException
    from rest_framework.request import Request
    from rest_framework.settings import api_settings

    authenticators = [cls() for cls in api_settings.DEFAULT_AUTHENTICATION_CLASSES]
    try:
        user = Request(request, authenticators=authenticators).user
    except APIException:  # a bad token, or a session post failing CSRF: the view says so
        return None
    return user if user is not None and user.is_authenticated else None


def _request_hash(request: HttpRequest, body: bytes) -> str:
    digest = hashlib.sha256()
    for part in (request.method.encode(), request.get_full_path().encode(), body):
        digest.update(len(part).to_bytes(8, "big"))
        digest.update(part)
    return digest.hexdigest()


#: Bodies up to this size are spooled in memory while hashed; larger ones on disk.
SPOOL_IN_MEMORY = 2_621_440
_CHUNK = 64 * 1024


def _streamed_hash(request: HttpRequest) -> str:
    """The fingerprint of a multipart body too large for `request.body` (an upload over Django's
    DATA_UPLOAD_MAX_MEMORY_SIZE; the files' own limit is the view's): the body is read once,
    hashed and spooled, and the request reads the spool from the start afterwards, so the view
    parses it exactly as it would have."""
    digest = hashlib.sha256()
    for part in (request.method.encode(), request.get_full_path().encode()):
        digest.update(len(part).to_bytes(8, "big"))
        digest.update(part)
    digest.update(b"streamed")
    spool = tempfile.SpooledTemporaryFile(max_size=SPOOL_IN_MEMORY)  # noqa: SIM115 - the request owns it
    while chunk := request._stream.read(_CHUNK):
        digest.update(chunk)
        spool.write(chunk)
    spool.seek(0)
    request._stream = spool
    return digest.hexdigest()


def _replay(record: IdempotencyRecord) -> HttpResponse:
    response = HttpResponse(
        record.response_body,
        status=record.response_status,
        content_type=record.response_content_type or "application/json",
    )
    response[REPLAYED_HEADER] = "true"
    return response


class IdempotencyKeyMiddleware:
    """Honours `Idempotency-Key` on POSTs under /api/ (see the module docstring)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if (
            request.method != "POST"
            or not request.path.startswith(API_PREFIX)
            or HEADER not in request.headers
        ):
            return self.get_response(request)
        key = request.headers[HEADER]
        problem = _key_problem(key)
        if problem is not None:
            return _error(400, f"The {HEADER} header is not valid.", problem)
        user = _api_user(request)
        if user is None:
            return self.get_response(request)
        try:
            request_hash = _request_hash(request, request.body)
        except RequestDataTooBig:
            if not request.content_type.startswith("multipart/"):
                return self.get_response(request)  # refused by the view, as without the header
            request_hash = _streamed_hash(request)  # an upload: files may be larger
        with transaction.atomic():
            record, earlier = self._claim(user, key, request, request_hash)
            if earlier is not None:
                if earlier.request_hash != request_hash:
                    return _error(
                        422,
                        f"This {HEADER} was already used for a different request.",
                        "Reuse a key only to retry the very same request; "
                        "send a new key with a new request.",
                    )
                return _replay(earlier)
            response = self.get_response(request)
            if 200 <= response.status_code < 300 and not response.streaming:
                record.response_status = response.status_code
                record.response_content_type = response.get("Content-Type", "")
                record.response_body = response.content.decode(response.charset or "utf-8")
                record.save(
                    update_fields=["response_status", "response_content_type", "response_body"]
                )
            else:
                # Only success is remembered: the view's work and the key go, so the client can
                # correct the request and retry with the same key.
                transaction.set_rollback(True)
            return response

    def _claim(
        self, user, key: str, request: HttpRequest, request_hash: str
    ) -> tuple[IdempotencyRecord | None, IdempotencyRecord | None]:
        """Insert this request's row (a parallel one with the same key waits here for the first
        to commit or roll back); or the earlier request's row, already answered."""
        for _attempt in range(2):
            try:
                with transaction.atomic():
                    record = IdempotencyRecord.objects.create(
                        user=user,
                        key=key,
                        request_hash=request_hash,
                        method=request.method,
                        path=request.get_full_path()[:2000],
                    )
                return record, None
            except IntegrityError:
                earlier = IdempotencyRecord.objects.filter(user=user, key=key).first()
                if earlier is None:
                    continue  # deleted meanwhile (expired): try again
                if earlier.created_at < timezone.now() - record_ttl():
                    earlier.delete()  # an expired key is a new request
                    continue
                return None, earlier
        raise RuntimeError(f"Could not claim the {HEADER} {key!r}")  # pragma: no cover

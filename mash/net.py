"""The client's address, as the trusted proxies in front of the app report it."""

from django.conf import settings
from django.http import HttpRequest


def client_ip(request: HttpRequest) -> str | None:
    """Return the client's address.

    With no trusted proxy (the default), REMOTE_ADDR is the client. Behind N trusted proxies, the
    N-th address from the right of X-Forwarded-For is the one the outermost proxy saw: anything
    left of it was written by the client and can be forged.
    """
    proxies = settings.MASH_TRUSTED_PROXY_COUNT
    remote_addr = request.META.get("REMOTE_ADDR")
    if proxies <= 0:
        return remote_addr
    forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
    forwarded = [part for part in forwarded if part]
    if len(forwarded) < proxies:
        return remote_addr
    return forwarded[-proxies]

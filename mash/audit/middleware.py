from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

from mash.net import client_ip

from .context import audit_context, clean_correlation_id

CORRELATION_HEADER = "X-Correlation-ID"


class AuditContextMiddleware:
    """Binds the signed-in user, the trusted client address and a correlation id to the request.

    Replaces django-auditlog's middleware, which takes the first X-Forwarded-For entry (forgeable).
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        actor = user if user is not None and user.is_authenticated else None
        cid = clean_correlation_id(request.headers.get(CORRELATION_HEADER))
        with audit_context(actor=actor, remote_addr=client_ip(request), correlation_id=cid):
            response = self.get_response(request)
        response[CORRELATION_HEADER] = cid
        return response

"""Service-wide pages: home, health, and the error pages."""

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from kombu import Connection

from mash.access import is_member


@login_required
def home(request: HttpRequest) -> HttpResponse:
    return render(request, "home.html", {"is_member": is_member(request.user)})


def _check_database() -> dict:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception as error:  # noqa: BLE001 - a health check reports, it does not raise
        return {"ok": False, "error": error.__class__.__name__}
    return {"ok": True, "vendor": connection.vendor}


def _check_broker() -> dict:
    url = settings.CELERY_BROKER_URL
    try:
        with Connection(
            url, transport_options=settings.CELERY_BROKER_TRANSPORT_OPTIONS, connect_timeout=3
        ) as conn:
            conn.ensure_connection(max_retries=1, timeout=3)
    except Exception as error:  # noqa: BLE001
        return {"ok": False, "transport": url.split(":", 1)[0], "error": error.__class__.__name__}
    return {"ok": True, "transport": url.split(":", 1)[0]}


@never_cache
def healthz(request: HttpRequest) -> JsonResponse:
    """For load balancers and the engineer on call: is the database and the broker answering, when
    did the deadline scan last finish and how many breaches did the last hour bring?"""
    checks = {"database": _check_database(), "broker": _check_broker()}
    healthy = all(check["ok"] for check in checks.values())
    body = {"status": "ok" if healthy else "unavailable", "checks": checks}
    if checks["database"]["ok"]:
        from mash.deadlines.selectors import scan_health

        body["deadline_scan"] = scan_health()
    return JsonResponse(
        body,
        status=200 if healthy else 503,
    )


def _wants_json(request: HttpRequest) -> bool:
    return request.path.startswith("/api/")


def _error(request: HttpRequest, status: int, title: str, template: str) -> HttpResponse:
    if _wants_json(request):
        return JsonResponse({"detail": title, "errors": {}}, status=status)
    return render(request, template, {"title": title}, status=status)


def bad_request(request: HttpRequest, exception=None) -> HttpResponse:
    return _error(request, 400, "Sorry, there is a problem with the request", "errors/400.html")


def permission_denied(request: HttpRequest, exception=None) -> HttpResponse:
    return _error(request, 403, "You do not have access to this page", "errors/403.html")


def page_not_found(request: HttpRequest, exception=None) -> HttpResponse:
    return _error(request, 404, "Page not found", "errors/404.html")


def server_error(request: HttpRequest) -> HttpResponse:
    if _wants_json(request):
        return JsonResponse({"detail": "Server error.", "errors": {}}, status=500)
    # No context processors: whatever failed may be what they need.
    from django.template import loader

    body = loader.get_template("errors/500.html").render(
        {
            "service_name": settings.SERVICE_NAME,
            "title": "Sorry, there is a problem with the service",
        }
    )
    return HttpResponse(body, status=500)


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    return _error(request, 403, "Your form has expired", "errors/403_csrf.html")

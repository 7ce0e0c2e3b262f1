"""Service-wide pages: home, health, and the error pages."""

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache

from agencies.roles import Role
from mash import health
from mash.access import is_member


@login_required
def home(request: HttpRequest) -> HttpResponse:
    if is_member(request.user) and request.user.role == Role.SCHOOL_KEY_ADULT:
        from schools.views import key_adult_home

        return key_adult_home(request)
    return render(request, "home.html", {"is_member": is_member(request.user)})


@never_cache
def healthz(request: HttpRequest) -> JsonResponse:
    """For load balancers, docker's health check and the engineer on call: 200 when every check
    passes, else 503 naming the failing checks. Details (the last scan, live workers, the
    outbox's oldest unsent email, breaches in the last hour) only for administrators or a
    monitoring token (mash.health.may_see_details)."""
    checks = health.run_checks()
    failing = [name for name, check in checks.items() if not check["ok"]]
    body: dict = {"status": "unavailable" if failing else "ok", "failing": failing}
    if health.may_see_details(request):
        body["checks"] = checks
    return JsonResponse(body, status=503 if failing else 200)


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

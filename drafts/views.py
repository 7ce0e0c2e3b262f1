"""Staying signed in: the idle warning's "Stay signed in" asks this to restart the idle clock."""

from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from .idle import idle_seconds


def _wants_json(request: HttpRequest) -> bool:
    return "application/json" in request.headers.get("Accept", "")


@never_cache
@require_POST
def keep_alive(request: HttpRequest) -> HttpResponse:
    """Restart the signed-in user's idle clock (CSRF-protected, like every POST). Answers the
    seconds left before the idle sign-out, as JSON for the page's script; a form posted without
    script goes back to `next`. Signed out: 401 (JSON) or the sign-in page."""
    if not request.user.is_authenticated:
        if _wants_json(request):
            return JsonResponse({"signed_in": False}, status=401)
        return redirect_to_login(request.POST.get("next") or "/")
    # Saving the session sets its expiry afresh (SESSION_SAVE_EVERY_REQUEST does it too).
    request.session.modified = True
    if _wants_json(request):
        return JsonResponse({"signed_in": True, "expires_in": idle_seconds(request)})
    target = request.POST.get("next") or "/"
    if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        target = "/"
    return redirect(target)

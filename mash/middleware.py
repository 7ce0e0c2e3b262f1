from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse

# Paths a signed-in user may reach before proving the second factor.
_OPEN_PREFIXES = ("/static/", "/healthz", "/account/two-factor/", "/account/sign-out/")


class RequireSecondFactorMiddleware:
    """Where the setting requires it, a signed-in user must pass TOTP before anything else."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if (
            settings.MASH_REQUIRE_SECOND_FACTOR
            and request.user.is_authenticated
            and not request.user.is_verified()
            and not request.path.startswith(_OPEN_PREFIXES)
        ):
            if request.path.startswith("/api/"):
                from django.http import JsonResponse

                return JsonResponse(
                    {
                        "detail": "Second factor required: sign in through the service.",
                        "errors": {},
                    },
                    status=403,
                )
            return redirect(f"{reverse('two_factor')}?next={request.get_full_path()}")
        return self.get_response(request)

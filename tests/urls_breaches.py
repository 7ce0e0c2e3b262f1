"""The service's routes plus the breach list at /breaches/, for tests of pages not yet mounted
in mash/urls.py (use with @pytest.mark.urls("tests.urls_breaches"))."""

from django.urls import include, path

from mash.urls import handler400, handler403, handler404, handler500  # noqa: F401
from mash.urls import urlpatterns as service_patterns

urlpatterns = list(service_patterns)
if not any(getattr(pattern, "namespace", None) == "breaches" for pattern in urlpatterns):
    urlpatterns.append(path("breaches/", include("mash.deadlines.urls_breaches")))

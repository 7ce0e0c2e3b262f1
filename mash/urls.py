from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from agencies.auth_views import SignInView, SignOutView, two_factor

from . import views

admin.site.site_header = "MASH front door administration"
admin.site.site_title = "MASH front door"
admin.site.login = SignInView.as_view()  # one sign-in page, with lockout and second factor

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", views.healthz, name="healthz"),
    path("account/sign-in/", SignInView.as_view(), name="login"),
    path("account/sign-out/", SignOutView.as_view(), name="logout"),
    path("account/two-factor/", two_factor, name="two_factor"),
    path("", include("drafts.urls")),  # account/keep-alive/ (the idle warning)
    path("staff/schools/", include("schools.urls")),
    path("staff/", include("agencies.urls")),
    path("", include("contacts.urls")),
    path("enquiries/", include("enquiries.urls_hub")),
    path("da-notifications/", include("domestic_abuse.urls")),
    path("da-meetings/", include("domestic_abuse.meeting_urls")),  # the daily triage meeting
    path("encompass/", include("encompass.urls")),
    path("requests/", include("enquiries.urls_agency")),
    path("", include("documents.urls")),  # documents/..., api/v1/documents/...
    path("", include("notes.urls")),  # contacts/<pk>/notes/, enquiries/<pk>/notes/
    path("", include("chronology.urls")),  # people/<pk>/chronology/
    path("", include("work.urls")),  # my-work/, allocation/
    path("notifications/", include("deadlines.urls")),
    path("reporting/", include("reporting.urls")),
    path("breaches/", include("deadlines.urls_breaches")),
    path("settings/timescales/", include("deadlines.urls_settings")),
    path("api/v1/", include("mash.api.urls")),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("api/docs/", SpectacularSwaggerSplitView.as_view(url_name="api-schema"), name="api-docs"),
    path("admin/", admin.site.urls),
]

handler400 = "mash.views.bad_request"
handler403 = "mash.views.permission_denied"
handler404 = "mash.views.page_not_found"
handler500 = "mash.views.server_error"

from django.urls import include, path
from rest_framework.routers import DefaultRouter

from agencies.api import AgencyViewSet
from chronology.api.urls import urlpatterns as chronology_urlpatterns
from contacts.api import ContactViewSet, PersonViewSet
from deadlines.api import NotificationViewSet
from domestic_abuse.api import DaNotificationViewSet
from domestic_abuse.api.meetings import TriageMeetingViewSet
from encompass.api import EncompassNoticeViewSet
from enquiries.api import (
    EnquiryInformationRequestViewSet,
    EnquiryViewSet,
    InformationRequestViewSet,
)
from notes.api.urls import urlpatterns as notes_urlpatterns
from reporting.api import KpiView
from schools.api import SchoolViewSet

router = DefaultRouter()
router.include_root_view = False
# No format suffixes (`/people.json`, `/people/search.json/`): the API speaks JSON only, and a
# suffix reached custom actions as a `format` argument they do not take (a 500).
router.include_format_suffixes = False
router.register("agencies", AgencyViewSet, basename="agency")
router.register("people", PersonViewSet, basename="person")
router.register("schools", SchoolViewSet, basename="school")
router.register("contacts", ContactViewSet, basename="contact")
router.register("da-notifications", DaNotificationViewSet, basename="da-notification")
router.register("da-meetings", TriageMeetingViewSet, basename="da-meeting")
router.register("encompass-notices", EncompassNoticeViewSet, basename="encompass-notice")
router.register("enquiries", EnquiryViewSet, basename="enquiry")
router.register(
    r"enquiries/(?P<enquiry_id>\d+)/information-requests",
    EnquiryInformationRequestViewSet,
    basename="enquiry-information-request",
)
router.register("information-requests", InformationRequestViewSet, basename="information-request")
router.register("notifications", NotificationViewSet, basename="notification")

urlpatterns = router.urls
urlpatterns += notes_urlpatterns  # contacts/{id}/notes/, enquiries/{id}/notes/
urlpatterns += chronology_urlpatterns  # people/{id}/chronology/
urlpatterns += [path("reporting/kpis/", KpiView.as_view(), name="reporting-kpis")]
urlpatterns += [path("", include("work.api"))]  # my-work/, allocations/

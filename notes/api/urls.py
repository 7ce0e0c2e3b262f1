"""The case notes endpoints, included by mash/api/urls.py under /api/v1/."""

from rest_framework.routers import DefaultRouter

from .views import ContactNoteViewSet, EnquiryNoteViewSet

router = DefaultRouter()
router.include_root_view = False
router.include_format_suffixes = False
router.register(r"contacts/(?P<contact_id>\d+)/notes", ContactNoteViewSet, basename="contact-note")
router.register(r"enquiries/(?P<enquiry_id>\d+)/notes", EnquiryNoteViewSet, basename="enquiry-note")

urlpatterns = router.urls

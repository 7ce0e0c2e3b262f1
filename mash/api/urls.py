from rest_framework.routers import DefaultRouter

from agencies.api import AgencyViewSet
from contacts.api import ContactViewSet, PersonViewSet

router = DefaultRouter()
router.include_root_view = False
router.register("agencies", AgencyViewSet, basename="agency")
router.register("people", PersonViewSet, basename="person")
router.register("contacts", ContactViewSet, basename="contact")

urlpatterns = router.urls

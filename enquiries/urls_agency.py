"""The agency workspace, mounted at /requests/: agency researchers and supervisors only."""

from django.urls import path

from .views import agency, agency_timeliness

app_name = "enquiries_agency"

urlpatterns = [
    path("", agency.queue, name="queue"),
    path("timeliness/", agency_timeliness.timeliness, name="timeliness"),
    path("<int:pk>/", agency.request_detail, name="request_detail"),
    path("<int:pk>/return/", agency.submit_return, name="submit_return"),
    path("<int:pk>/draft/", agency.save_draft, name="save_draft"),
    path("<int:pk>/assign/", agency.assign, name="assign"),
]

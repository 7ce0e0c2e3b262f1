from django.urls import path

from .views import people, triage

app_name = "contacts"

urlpatterns = [
    path("people/", people.person_search, name="person_search"),
    path("people/<int:pk>/", people.person_detail, name="person_detail"),
    path("people/<int:pk>/merge/", people.person_merge, name="person_merge"),
    path("contacts/", triage.queue, name="queue"),
    path("contacts/<int:pk>/", triage.contact_detail, name="contact_detail"),
    path("contacts/<int:pk>/pick-up/", triage.pick_up, name="pick_up"),
    path("contacts/<int:pk>/recommend/", triage.recommend, name="recommend"),
    path("contacts/<int:pk>/decide/", triage.decide, name="decide"),
    path("contacts/<int:pk>/reassign/", triage.reassign, name="reassign"),
    path("decisions/", triage.decisions, name="decisions"),
]

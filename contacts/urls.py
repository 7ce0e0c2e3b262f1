from django.urls import path

from work import views as work_views

from .views import marf, people, record, triage

app_name = "contacts"

urlpatterns = [
    path("people/", people.person_search, name="person_search"),
    path("people/<int:pk>/", people.person_detail, name="person_detail"),
    path("people/<int:pk>/merge/", people.person_merge, name="person_merge"),
    path("people/<int:pk>/correct/", people.person_correct, name="person_correct"),
    path("contacts/", triage.queue, name="queue"),
    path("contacts/new/", record.record_contact, name="record_contact"),
    path("contacts/<int:pk>/", triage.contact_detail, name="contact_detail"),
    path("contacts/<int:pk>/pick-up/", triage.pick_up, name="pick_up"),
    path("contacts/<int:pk>/recommend/", triage.recommend, name="recommend"),
    path("contacts/<int:pk>/decide/", triage.decide, name="decide"),
    path("contacts/<int:pk>/reassign/", triage.reassign, name="reassign"),
    path("decisions/", work_views.decisions, name="decisions"),  # contacts and enquiries
    # The referrer's MARF: the form, page by page, and their own referrals
    path("marf/", marf.marf_start, name="marf_start"),
    path("marf/check/", marf.marf_check, name="marf_check"),
    path("marf/sent/<int:pk>/", marf.marf_sent, name="marf_sent"),
    path("marf/<slug:step>/", marf.marf_step, name="marf_step"),
    path("marfs/", marf.marf_list, name="marf_list"),
    path("marfs/<int:pk>/", marf.marf_detail, name="marf_detail"),
]

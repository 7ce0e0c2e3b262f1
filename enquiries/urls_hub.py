"""The hub's enquiry pages, mounted at /enquiries/ (hub roles only; anyone else gets 404)."""

from django.urls import path

from .views import hub

app_name = "enquiries_hub"

urlpatterns = [
    path("", hub.enquiry_list, name="list"),
    path("<int:pk>/", hub.enquiry_detail, name="detail"),
    # The enquiry's sections (MOJ sub navigation); case notes' own form posts to notes/.
    path("<int:pk>/people/", hub.enquiry_people, name="people"),
    path("<int:pk>/requests/", hub.enquiry_requests, name="requests"),
    path("<int:pk>/notes-and-documents/", hub.enquiry_notes, name="notes"),
    path("<int:pk>/history/", hub.enquiry_history, name="history"),
    path("<int:pk>/decision/", hub.enquiry_decision, name="decision"),
    path("<int:pk>/summary/", hub.enquiry_summary, name="summary"),
    path("<int:pk>/requests/", hub.enquiry_requests, name="request_information"),  # its POST
    path(
        "<int:pk>/requests/<int:request_pk>/withdraw/",
        hub.withdraw_request,
        name="withdraw_request",
    ),
    path("<int:pk>/people/add/", hub.add_person, name="add_person"),
    path("<int:pk>/people/remove/", hub.remove_person, name="remove_person"),
    path("<int:pk>/rag/", hub.change_rag, name="change_rag"),
    path("<int:pk>/recommend/", hub.recommend, name="recommend"),
    path("<int:pk>/decide/", hub.decide, name="decide"),
]

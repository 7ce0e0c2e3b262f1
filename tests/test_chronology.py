"""A person's chronology (issue 11, item 7): every event about them in date order across
contacts, decisions, enquiries, RAG changes, requests and returns, significant notes and
documents, merged records included; filterable by date and kind on the page and through the
API; printable; audited when viewed; hub staff only (everyone else 404); a constant number of
queries however many events; bad filters refused naming the field."""

from datetime import datetime, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from chronology.filters import EventKind
from contacts.codes import Channel, Consent, Outcome, Rag, Source
from contacts.models import (
    ConcernRole,
    Contact,
    ContactPerson,
    ContactSubject,
    DecisionEntry,
    Person,
)
from documents.models import Document, ScanState
from enquiries.models import (
    Enquiry,
    EnquiryPerson,
    EnquiryState,
    InformationRequest,
    InformationReturn,
    RagChange,
    RequestState,
)
from mash.access import grant_to_agency
from mash.audit.models import AuditEvent
from mash.clocks import LONDON
from notes.models import CaseNote, NoteKind
from tests.factories import PersonFactory

pytestmark = pytest.mark.django_db

OUTSIDERS = ["researcher_a", "researcher_b", "supervisor_a", "referrer", "board_member"]
OUTSIDERS += ["administrator"]
START = datetime(2026, 1, 5, 9, 0, tzinfo=LONDON)

# The kinds one bundle makes, in the order they happen (an hour apart).
BUNDLE = [
    EventKind.CONTACT_RECEIVED,
    EventKind.RECOMMENDATION,
    EventKind.DECISION,
    EventKind.ENQUIRY_OPENED,
    EventKind.RAG_CHANGED,
    EventKind.REQUEST_SENT,
    EventKind.RETURN_RECEIVED,
    EventKind.NOTE,
    EventKind.DOCUMENT,
    EventKind.ENQUIRY_CLOSED,
]


def page_url(person) -> str:
    return f"/people/{person.pk}/chronology/"


def api_url(person) -> str:
    return f"/api/v1/people/{person.pk}/chronology/"


def bundle(person, *, day: int, worker, manager, agency, scan_state=ScanState.CLEAN, name=""):
    """One contact about `person` that became an enquiry, and everything that followed: one
    event of each kind, an hour apart, on day `day` after START."""
    at = START + timedelta(days=day)
    hour = timedelta(hours=1)
    contact = Contact.objects.create(
        source=Source.SCHOOLS,
        channel=Channel.PHONE,
        consent=Consent.GIVEN,
        concerns=["neglect", "domestic_abuse"],
        received_at=at,
        decision_due_at=at + timedelta(days=1),
        outcome=Outcome.MASH_ENQUIRY,
        initial_rag=Rag.AMBER,
        decided_at=at + 2 * hour,
        decided_by=manager,
    )
    ContactSubject.objects.create(contact=contact, person=person)
    DecisionEntry.objects.create(
        contact=contact,
        kind="recommendation",
        outcome=Outcome.MASH_ENQUIRY,
        rag=Rag.AMBER,
        rationale=f"Worth a closer look {day}",
        made_by=worker,
        made_at=at + hour,
    )
    DecisionEntry.objects.create(
        contact=contact,
        kind="decision",
        outcome=Outcome.MASH_ENQUIRY,
        rag=Rag.AMBER,
        made_by=manager,
        made_at=at + 2 * hour,
    )
    enquiry = Enquiry.objects.create(
        contact=contact,
        state=EnquiryState.CLOSED,
        initial_rag=Rag.AMBER,
        rag=Rag.RED,
        opened_at=at + 3 * hour,
        deadline=at + timedelta(days=3),
        worker=worker,
        outcome=Outcome.EARLY_HELP,
        final_rag=Rag.GREEN,
        outcome_reason="Family accepted early help",
        decided_by=manager,
        closed_at=at + 9 * hour,
    )
    EnquiryPerson.objects.create(enquiry=enquiry, person=person)
    RagChange.objects.create(
        enquiry=enquiry,
        from_rag=Rag.AMBER,
        to_rag=Rag.RED,
        reason="Police disclosed a recent incident",
        changed_by=worker,
        changed_at=at + 4 * hour,
        previous_deadline=at + timedelta(days=3),
        new_deadline=at + timedelta(days=1),
    )
    request = InformationRequest.objects.create(
        enquiry=enquiry,
        agency=agency,
        question="What do you know of this family?",
        state=RequestState.RETURNED,
        requested_at=at + 5 * hour,
        due_at=at + timedelta(days=1),
        requested_by=worker,
        returned_at=at + 6 * hour,
    )
    request.people.add(person)
    InformationReturn.objects.create(
        request=request,
        information_held=True,
        summary="SECRET RETURN CONTENT",
        systems_checked="Niche",
        submitted_by=worker,
        submitted_at=at + 6 * hour,
    )
    note = CaseNote(
        enquiry=enquiry,
        kind=NoteKind.PHONE_CALL,
        text=f"Spoke to the school {day}",
        significant=True,
        author=worker,
        created_at=at + 7 * hour,
    )
    note.save()
    CaseNote(  # not significant: never in the chronology
        contact=contact,
        kind=NoteKind.OTHER,
        text="An ordinary note",
        author=worker,
        created_at=at + 7 * hour,
    ).save()
    Document.objects.create(
        contact=contact,
        original_name=name or f"police-notice-{day}.pdf",
        file="documents/not-there",
        kind="pdf",
        content_type="application/pdf",
        size=10,
        sha256="0" * 64,
        uploaded_by=worker,
        uploaded_at=at + 8 * hour,
        scan_state=scan_state,
        quarantined=scan_state == ScanState.INFECTED,
    )
    return contact, enquiry


@pytest.fixture
def child(db):
    return PersonFactory(given_name="Kayla", family_name="Brown")


@pytest.fixture
def history(child, hub_worker, manager, agency_a):
    """Two bundles about the child, a week apart."""
    first = bundle(child, day=0, worker=hub_worker, manager=manager, agency=agency_a)
    second = bundle(child, day=7, worker=hub_worker, manager=manager, agency=agency_a)
    return first, second


def kinds_of(response) -> list[str]:
    return [event["kind"] for event in response.json()["events"]]


# --- What it shows ---------------------------------------------------------------------------


def test_every_kind_of_event_appears_in_date_order_through_the_api(api_for, hub_worker, history):
    response = api_for(hub_worker).get(api_url(history[0][0].subjects.get()))
    assert response.status_code == 200, response.content
    body = response.json()
    assert kinds_of(response) == BUNDLE + BUNDLE
    whens = [event["when"] for event in body["events"]]
    assert whens == sorted(whens)
    (contact, enquiry), _ = history
    first = body["events"][0]
    assert first["title"] == f"Contact {contact.reference} received"
    assert first["record"] == contact.reference and first["link"] == f"/contacts/{contact.pk}/"
    assert "Schools" in first["detail"] and "Neglect, Domestic abuse" in first["detail"]
    by_kind = {event["kind"]: event for event in body["events"][:10]}
    assert by_kind["recommendation"]["detail"] == "Worth a closer look 0"
    assert by_kind["recommendation"]["by"] == hub_worker.display_name
    assert by_kind["decision"]["title"] == f"Decision on {contact.reference}: MASH enquiry (Amber)"
    assert by_kind["rag_changed"]["title"].endswith("changed from Amber to Red")
    assert by_kind["rag_changed"]["link"] == f"/enquiries/{enquiry.pk}/history/"
    assert by_kind["request_sent"]["link"] == f"/enquiries/{enquiry.pk}/requests/"
    assert by_kind["return_received"]["link"] == f"/enquiries/{enquiry.pk}/requests/#returns-title"
    assert by_kind["note"]["link"] == f"/enquiries/{enquiry.pk}/notes-and-documents/#case-notes"
    assert "County Police" in by_kind["request_sent"]["title"]
    assert "County Police" in by_kind["return_received"]["title"]
    assert by_kind["note"]["detail"] == "Spoke to the school 0"
    assert by_kind["document"]["title"].endswith("police-notice-0.pdf")
    assert by_kind["enquiry_closed"]["title"].endswith("Early help (Green)")
    assert by_kind["enquiry_closed"]["kind_label"] == "Enquiry closed"
    # A return's content, and notes that are not significant, never appear.
    assert "SECRET RETURN CONTENT" not in response.content.decode()
    assert "An ordinary note" not in response.content.decode()
    assert body["filters"] == {"from": None, "to": None, "kinds": []}


def test_the_page_shows_the_events_in_order_with_links_and_print_markup(
    client_for, hub_worker, child, history
):
    (contact, enquiry), _ = history
    response = client_for(hub_worker).get(page_url(child))
    assert response.status_code == 200
    page = response.content.decode()
    assert "<h1" in page and child.full_name in page
    assert page.count('data-testid="event"') == 20
    kinds = [chunk.split('"', 1)[0] for chunk in page.split('data-kind="')[1:]]
    assert kinds == BUNDLE + BUNDLE
    assert f'href="/contacts/{contact.pk}/"' in page and f'href="/enquiries/{enquiry.pk}/"' in page
    assert f'href="/contacts/{contact.pk}/#documents"' in page
    assert "20 events" in page
    # Printable: the print stylesheet, the print button, marked top and bottom, and the
    # filters and back link left off the paper.
    assert 'href="/static/css/print.css" media="print"' in page
    assert "data-app-print" in page and "/static/chronology/print.js" in page
    assert 'data-testid="marking-top"' in page and 'data-testid="marking-bottom"' in page
    assert 'class="govuk-grid-row app-no-print"' in page
    assert (
        f'class="govuk-body govuk-!-margin-bottom-0 app-print-only">Record {contact.reference}'
        in page
    )
    assert "SECRET RETURN CONTENT" not in page and "An ordinary note" not in page


def test_filters_by_date_and_kind_through_the_api(api_for, hub_worker, child, history):
    api = api_for(hub_worker)
    second_day = (START + timedelta(days=7)).date().isoformat()
    response = api.get(api_url(child), {"from": second_day})
    assert kinds_of(response) == BUNDLE
    assert response.json()["filters"]["from"] == second_day
    response = api.get(api_url(child), {"to": START.date().isoformat()})
    assert kinds_of(response) == BUNDLE  # "to" is included: all of the first day
    response = api.get(api_url(child), {"from": "2025-01-01", "to": "2025-12-31"})
    assert kinds_of(response) == []
    response = api.get(api_url(child), {"kinds": "decision,note"})
    assert kinds_of(response) == ["decision", "note", "decision", "note"]
    response = api.get(f"{api_url(child)}?kinds=enquiry_closed&kinds=contact_received")
    assert kinds_of(response) == ["contact_received", "enquiry_closed"] * 2
    response = api.get(api_url(child), {"kinds": "document", "from": second_day})
    assert [event["title"][-18:] for event in response.json()["events"]] == [
        "police-notice-7.pdf"[-18:]
    ]


def test_filters_by_date_and_kind_on_the_page(client_for, hub_worker, child, history):
    client = client_for(hub_worker)
    second_day = (START + timedelta(days=7)).date().isoformat()
    page = client.get(page_url(child), {"from": second_day}).content.decode()
    assert page.count('data-testid="event"') == 10 and "police-notice-0.pdf" not in page
    # the date entered is kept, in the GOV.UK date input's boxes
    assert 'name="from-day" type="text" inputmode="numeric" value="12"' in page
    assert 'name="from-year" type="text" inputmode="numeric" value="2026"' in page
    response = client.get(f"{page_url(child)}?kinds=rag_changed&kinds=return_received")
    page = response.content.decode()
    assert response.status_code == 200
    kinds = [chunk.split('"', 1)[0] for chunk in page.split('data-kind="')[1:]]
    assert kinds == ["rag_changed", "return_received"] * 2
    assert 'value="rag_changed" class="govuk-checkboxes__input" id="id_kinds_5" checked' in page
    page = client.get(page_url(child), {"from": "2025-01-01", "to": "2025-01-02"})
    assert "No events match these filters." in page.content.decode()


def test_an_open_enquiry_shows_as_opened_with_or_without_filters(
    api_for, hub_worker, manager, agency_a, child
):
    _contact, enquiry = bundle(child, day=0, worker=hub_worker, manager=manager, agency=agency_a)
    Enquiry.objects.filter(pk=enquiry.pk).update(
        state=EnquiryState.OPEN, outcome="", final_rag="", closed_at=None
    )
    api = api_for(hub_worker)
    assert kinds_of(api.get(api_url(child))) == BUNDLE[:-1]
    assert kinds_of(api.get(api_url(child), {"kinds": "enquiry_opened,enquiry_closed"})) == [
        "enquiry_opened"
    ]
    assert kinds_of(api.get(api_url(child), {"from": "2026-01-05", "kinds": "enquiry_opened"})) == [
        "enquiry_opened"
    ]
    assert kinds_of(api.get(api_url(child), {"from": "2026-01-06"})) == []


def test_only_clean_documents_are_named(api_for, hub_worker, manager, agency_a, child):
    for day, state in enumerate([ScanState.PENDING, ScanState.INFECTED, ScanState.ERROR]):
        bundle(
            child,
            day=day,
            worker=hub_worker,
            manager=manager,
            agency=agency_a,
            scan_state=state,
            name=f"unchecked-{state}.exe",
        )
    response = api_for(hub_worker).get(api_url(child), {"kinds": "document"})
    titles = [event["title"] for event in response.json()["events"]]
    assert [title.split("(")[1] for title in titles] == [
        "not yet scanned)",
        "quarantined: virus found)",
        "could not be scanned)",
    ]
    assert "unchecked" not in response.content.decode()


def test_the_events_of_merged_records_are_included(
    api_for, client_for, hub_worker, manager, agency_a, child, history
):
    duplicate = PersonFactory(given_name="Kaila", family_name="Brown")
    older = PersonFactory(given_name="K", family_name="Brown")
    bundle(duplicate, day=3, worker=hub_worker, manager=manager, agency=agency_a, name="dup.pdf")
    bundle(older, day=5, worker=hub_worker, manager=manager, agency=agency_a, name="old.pdf")
    # older was merged into duplicate, which was later merged into the child (the service
    # moves subject links; the enquiries, requests and notes stay on the old records).
    ContactSubject.objects.filter(person__in=[duplicate, older]).update(person=child)
    Person.objects.filter(pk=older.pk).update(merged_into=duplicate, merged_at=timezone.now())
    Person.objects.filter(pk=duplicate.pk).update(merged_into=child, merged_at=timezone.now())

    response = api_for(hub_worker).get(api_url(child))
    body = response.json()
    assert len(body["events"]) == 40
    assert sorted(body["merged_records"]) == sorted([duplicate.pk, older.pk])
    titles = " ".join(event["title"] for event in body["events"])
    assert "dup.pdf" in titles and "old.pdf" in titles
    whens = [event["when"] for event in body["events"]]
    assert whens == sorted(whens)
    page = client_for(hub_worker).get(page_url(child)).content.decode()
    assert 'data-testid="merged-records"' in page and f"record {older.pk}" in page

    # The merged record's own chronology holds only its own events, and says where it went.
    own = api_for(hub_worker).get(api_url(older)).json()
    assert own["person"]["merged_into"] == duplicate.pk
    moved = {"contact_received", "recommendation", "decision", "document"}  # with the contact
    assert {event["kind"] for event in own["events"]} == set(BUNDLE) - moved


def test_a_person_named_on_a_contact_has_its_events_too(api_for, hub_worker, child, history):
    (contact, _enquiry), _ = history
    partner = PersonFactory(given_name="Dean", family_name="Cole")
    ContactPerson.objects.create(
        contact=contact, person=partner, role=ConcernRole.ALLEGED_PERPETRATOR
    )
    body = api_for(hub_worker).get(api_url(partner)).json()
    # The contact and what hangs on it; not the enquiry, which does not check him.
    assert [event["kind"] for event in body["events"]] == [
        "contact_received",
        "recommendation",
        "decision",
        "document",
    ]
    assert body["events"][0]["detail"].startswith("Named on the contact: alleged perpetrator.")
    child_events = api_for(hub_worker).get(api_url(child)).json()["events"]
    assert child_events[0]["detail"].startswith("A subject of the contact.")
    assert len(child_events) == 20  # named people add nothing to the subject's chronology


# --- Who sees it ------------------------------------------------------------------------------


@pytest.mark.parametrize("persona", OUTSIDERS)
def test_outside_the_hub_the_page_and_the_api_are_404(
    persona, request, client_for, api_for, child, history, agency_a
):
    user = request.getfixturevalue(persona)
    # Even an agency that was given the child to check (and so may see the person on their
    # request) sees no chronology.
    request_about_child = InformationRequest.objects.filter(people=child).first()
    grant_to_agency(
        obj=request_about_child, agency=agency_a, perm="enquiries.view_informationrequest"
    )
    assert client_for(user).get(page_url(child)).status_code == 404
    assert client_for(user).get(page_url(child), {"from": "nonsense"}).status_code == 404
    response = api_for(user).get(api_url(child))
    assert response.status_code == 404
    assert "Kayla" not in response.content.decode()
    assert api_for(user).get(api_url(child), {"kinds": "nonsense"}).status_code == 404
    assert not AuditEvent.objects.filter(name="chronology.viewed").exists()


@pytest.mark.parametrize("persona", ["hub_worker", "manager"])
def test_hub_staff_see_it_and_each_view_is_audited(
    persona, request, client_for, api_for, child, history
):
    user = request.getfixturevalue(persona)
    assert client_for(user).get(page_url(child), {"kinds": "note"}).status_code == 200
    assert api_for(user).get(api_url(child), {"from": "2026-01-12"}).status_code == 200
    page_view, api_view = AuditEvent.objects.filter(name="chronology.viewed").order_by("pk")
    for event in (page_view, api_view):
        assert event.actor == user and event.object_pk == str(child.pk)
        assert event.content_type.model == "person"
    assert page_view.data == {"from": None, "to": None, "kinds": ["note"], "events": 2} | {
        "via": "page"
    }
    assert api_view.data["from"] == "2026-01-12" and api_view.data["via"] == "api"
    assert api_view.data["events"] == 10


def test_an_unknown_person_is_a_404_and_signed_out_users_sign_in(
    client, client_for, api_for, hub_worker, child
):
    assert client_for(hub_worker).get("/people/999999/chronology/").status_code == 404
    assert api_for(hub_worker).get("/api/v1/people/999999/chronology/").status_code == 404
    response = client.get(page_url(child))
    assert response.status_code == 302 and "/account/sign-in/" in response["Location"]
    assert client.get(api_url(child)).status_code in (401, 403)


def test_an_inactive_user_or_agency_sees_no_chronology(client_for, api_for, hub_worker, child):
    hub_worker.agency.is_active = False
    hub_worker.agency.save()
    assert client_for(hub_worker).get(page_url(child)).status_code == 404
    assert api_for(hub_worker).get(api_url(child)).status_code == 404


# --- Queries ---------------------------------------------------------------------------------


def count_queries(fetch) -> int:
    with CaptureQueriesContext(connection) as context:
        response = fetch()
    assert response.status_code == 200
    return len(context.captured_queries)


def test_200_events_cost_the_same_queries_as_5(
    client_for, api_for, hub_worker, manager, agency_a, agency_b
):
    few = PersonFactory()
    contact, enquiry = bundle(few, day=0, worker=hub_worker, manager=manager, agency=agency_a)
    # Five events: the contact, its recommendation and decision, the return and the document
    # (the enquiry, its note, RAG change and request no longer name the person).
    EnquiryPerson.objects.filter(person=few).delete()
    InformationRequest.people.through.objects.filter(person=few).delete()
    InformationRequest.people.through.objects.create(
        informationrequest=InformationRequest.objects.create(
            enquiry=enquiry,
            agency=agency_b,
            question="Anything?",
            requested_at=START - timedelta(days=30),
            due_at=START,
            requested_by=hub_worker,
            state=RequestState.WITHDRAWN,
            withdrawn_at=START - timedelta(days=29),
        ),
        person=few,
    )
    many = PersonFactory()
    for day in range(20):
        agency = agency_a if day % 2 else agency_b
        bundle(many, day=day, worker=hub_worker, manager=manager, agency=agency)

    client, api = client_for(hub_worker), api_for(hub_worker)
    assert kinds_of(api.get(api_url(few))) == [
        "request_sent",
        "contact_received",
        "recommendation",
        "decision",
        "document",
    ]
    assert len(api.get(api_url(many)).json()["events"]) == 200
    page_few = count_queries(lambda: client.get(page_url(few)))
    page_many = count_queries(lambda: client.get(page_url(many)))
    api_few = count_queries(lambda: api.get(api_url(few)))
    api_many = count_queries(lambda: api.get(api_url(many)))
    assert page_few == page_many
    assert api_few == api_many


# --- Bad input -------------------------------------------------------------------------------

BAD = [
    ({"from": "2026-02-01", "to": "2026-01-01"}, "to"),
    ({"from": "2026-02-30"}, "from"),
    ({"from": "01/02/2026"}, "from"),
    ({"to": "yesterday"}, "to"),
    ({"to": "2026-W01-1"}, "to"),
    ({"from": "２０２６-01-01"}, "from"),
    ({"from": "2026-01-01" * 1000}, "from"),
    ({"kinds": "decision,burglary"}, "kinds"),
    ({"kinds": "x" * 5000}, "kinds"),
]


@pytest.mark.parametrize("query,field", BAD)
def test_bad_filters_through_the_api_are_a_400_naming_the_field(
    query, field, api_for, hub_worker, child, history
):
    response = api_for(hub_worker).get(api_url(child), query)
    assert response.status_code == 400, response.content
    body = response.json()
    assert list(body["errors"]) == [field]
    assert len(body["errors"][field][0]) < 300
    assert not AuditEvent.objects.filter(name="chronology.viewed").exists()


@pytest.mark.parametrize("query,field", BAD)
def test_bad_filters_on_the_page_are_named_in_the_error_summary(
    query, field, client_for, hub_worker, child, history
):
    response = client_for(hub_worker).get(page_url(child), query)
    assert response.status_code == 400
    page = response.content.decode()
    start = page.index('class="govuk-error-summary"')
    summary = page[start : page.index("</ul>", start)]
    anchor = "#id_kinds_0" if field == "kinds" else f"#id_{field}_0"
    assert f'href="{anchor}"' in summary
    assert f'id="{field}-error"' in page
    if field == "kinds":
        assert "Choose the kinds of event from the list" in summary
    assert 'data-testid="event"' not in page
    assert "<title>Error: Chronology" in page


def test_every_kind_and_the_widest_dates_are_accepted(api_for, hub_worker, child, history):
    everything = ",".join(EventKind.values)
    response = api_for(hub_worker).get(
        api_url(child), {"kinds": everything, "from": "0001-01-01", "to": "9999-12-31"}
    )
    assert response.status_code == 200
    assert len(response.json()["events"]) == 20


def test_the_endpoint_is_in_the_schema(client_for, hub_worker):
    schema = client_for(hub_worker).get("/api/schema/?format=json").json()
    operation = schema["paths"]["/api/v1/people/{id}/chronology/"]["get"]
    names = {parameter["name"] for parameter in operation["parameters"]}
    assert names == {"id", "from", "to", "kinds"}
    assert set(operation["responses"]) == {"200", "400", "404"}


def test_a_contact_added_to_an_open_enquiry_is_in_the_chronology(api_for, hub_worker, manager):
    """One enquiry per family: a later MASH_ENQUIRY decision about a child of an open enquiry
    adds the contact to it, and the child's chronology says so."""
    from datetime import date

    from contacts import services as contact_services
    from tests.factories import contact_input, person_input

    def about_the_child():
        subject = person_input(given_name="Ava", family_name="Reid", date_of_birth=date(2016, 4, 5))
        return contact_services.contact_create(data=contact_input(subjects=[subject]))

    first = about_the_child()
    child = first.subjects.get()
    for contact in (first, about_the_child()):
        contact_services.contact_recommend(
            contact=contact, user=hub_worker, outcome="MASH_ENQUIRY", rag="AMBER", rationale="-"
        )
        contact_services.contact_decide(
            contact=contact, manager=manager, outcome="MASH_ENQUIRY", rag="AMBER"
        )
    [enquiry] = Enquiry.objects.all()
    second = Contact.objects.exclude(pk=first.pk).get()
    assert second.subjects.get() == child
    response = api_for(hub_worker).get(api_url(child), {"kinds": "contact_added"})
    assert response.status_code == 200, response.content
    [event] = response.json()["events"]
    assert event["title"] == f"Contact {second.reference} added to enquiry {enquiry.reference}"
    assert event["link"] == f"/enquiries/{enquiry.pk}/"
    assert event["by"] == manager.display_name

"""Case notes (issue 11, item 5): hub staff add notes to contacts and enquiries, on the pages and
through the API; the notes are the hub's own (agencies, referrers and the board get 404 and never
see a note's text); bad input is refused naming the field with nothing stored; a double post is
one note; the lists cost the same number of queries for 5 notes as for 50."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django.utils.html import escape

from contacts import services as contact_services
from contacts.models import Contact, Marf
from enquiries import services as enquiry_services
from enquiries.models import Enquiry
from mash import limits
from mash.audit.models import AuditEvent
from notes.models import CaseNote, NoteImmutableError, NoteKind
from notes.selectors import notes_visible_to
from notes.services import note_add
from tests.factories import contact_input, person_input
from tests.forms import submission_token

pytestmark = pytest.mark.django_db

OUTSIDERS = ["researcher_a", "researcher_b", "supervisor_a", "referrer", "board_member"]
OUTSIDERS += ["administrator"]
SECRET = "Mother disclosed the partner's threats on the phone"


@pytest.fixture
def contact(db):
    return contact_services.contact_create(
        data=contact_input(subjects=[person_input(given_name="Kayla", family_name="Brown")])
    )


@pytest.fixture
def enquiry(hub_worker, manager):
    made = contact_services.contact_create(
        data=contact_input(subjects=[person_input(given_name="Leo", family_name="Grant")])
    )
    contact_services.contact_recommend(
        contact=made, user=hub_worker, outcome="MASH_ENQUIRY", rag="AMBER", rationale="Unclear"
    )
    contact_services.contact_decide(
        contact=made, manager=manager, outcome="MASH_ENQUIRY", rag="AMBER"
    )
    return Enquiry.objects.get(contact=made)


def page_of(record) -> str:
    if isinstance(record, Contact):
        return f"/contacts/{record.pk}/"
    return f"/enquiries/{record.pk}/"


def shown_on(record) -> str:
    """The page that lists the record's notes: the contact, or the enquiry's notes section."""
    if isinstance(record, Contact):
        return page_of(record)
    return f"/enquiries/{record.pk}/notes-and-documents/"


def notes_page(record) -> str:
    return page_of(record) + "notes/"


def api_of(record) -> str:
    kind = "contacts" if isinstance(record, Contact) else "enquiries"
    return f"/api/v1/{kind}/{record.pk}/notes/"


def note_form(user, **overrides) -> dict:
    data = {"kind": NoteKind.PHONE_CALL, "text": SECRET, "significant": "on"}
    data.update(overrides)
    return data | submission_token(user, "note")


def add(user, record, text: str = SECRET, **kwargs) -> CaseNote:
    on = {"contact": record} if isinstance(record, Contact) else {"enquiry": record}
    values = {"kind": NoteKind.CONSULTATION, "significant": False} | kwargs
    return note_add(user=user, text=text, **on, **values)


def error_summary(response) -> str:
    page = response.content.decode()
    start = page.index('class="govuk-error-summary"')
    return page[start : page.index("</ul>", start)]


# --- Adding and reading ---------------------------------------------------------------------


@pytest.mark.parametrize("which", ["contact", "enquiry"])
def test_a_hub_worker_adds_a_note_on_the_page_and_it_shows_newest_first(
    which, request, client_for, hub_worker
):
    record = request.getfixturevalue(which)
    client = client_for(hub_worker)
    page = client.get(shown_on(record)).content.decode()
    assert 'data-testid="case-notes"' in page and "No case notes yet." in page
    assert f'action="{notes_page(record)}"' in page and 'name="submission_token"' in page

    earlier = add(hub_worker, record, "An earlier consultation")
    CaseNote.objects.filter(pk=earlier.pk).update(created_at=timezone.now() - timedelta(hours=1))
    response = client.post(notes_page(record), note_form(hub_worker, text="First line\nSecond"))
    assert response.status_code == 302
    # an enquiry's notes are in its Notes and documents section
    section = "notes-and-documents/" if which == "enquiry" else ""
    assert response["Location"] == page_of(record) + section + "#case-notes"

    note = CaseNote.objects.get(text="First line\nSecond")
    assert (note.contact_id, note.enquiry_id) == (
        (record.pk, None) if which == "contact" else (None, record.pk)
    )
    assert note.author == hub_worker and note.significant and note.kind == NoteKind.PHONE_CALL

    page = client.get(shown_on(record)).content.decode()
    assert page.index("First line<br>Second") < page.index("An earlier consultation")
    section = page[page.index('data-testid="case-notes"') :]
    assert "Phone call" in section and 'data-testid="significant"' in section
    assert hub_worker.display_name in section
    event = AuditEvent.objects.get(name="note.added", object_pk=str(note.pk))
    assert event.actor == hub_worker and event.data["record"] == which
    assert event.data["record_id"] == record.pk and event.data["significant"] is True


@pytest.mark.parametrize("which", ["contact", "enquiry"])
def test_a_hub_worker_adds_and_lists_notes_through_the_api(
    which, request, api_for, hub_worker, manager
):
    record = request.getfixturevalue(which)
    api = api_for(hub_worker)
    body = {"kind": "management_oversight", "text": SECRET, "significant": True}
    response = api.post(api_of(record), body, format="json")
    assert response.status_code == 201, response.content
    made = response.json()
    assert made["kind"] == "management_oversight" and made["text"] == SECRET
    assert made["kind_label"] == "Management oversight" and made["significant"] is True
    assert made["author"] == {"id": hub_worker.pk, "name": hub_worker.display_name}
    assert made[which] == record.pk and made["enquiry" if which == "contact" else "contact"] is None
    assert AuditEvent.objects.filter(name="note.added", object_pk=str(made["id"])).exists()

    later = add(manager, record, "Manager's oversight")
    listed = api_for(manager).get(api_of(record))
    assert listed.status_code == 200
    assert [n["id"] for n in listed.json()["results"]] == [later.pk, made["id"]]
    listing = AuditEvent.objects.filter(name="records.listed", actor=manager).get()
    assert listing.data == {"model": "notes.casenote", "ids": [later.pk, made["id"]]}


def test_notes_are_never_changed_or_deleted(hub_worker, contact):
    note = add(hub_worker, contact)
    note.text = "Rewritten"
    with pytest.raises(NoteImmutableError):
        note.save()
    with pytest.raises(NoteImmutableError):
        note.delete()
    assert CaseNote.objects.get().text == SECRET


def test_a_note_is_on_exactly_one_record(hub_worker, contact, enquiry):
    from django.db import IntegrityError, transaction

    with pytest.raises(ValueError):
        note_add(user=hub_worker, contact=contact, enquiry=enquiry, kind="other", text="x")
    with pytest.raises(ValueError):
        note_add(user=hub_worker, kind="other", text="x")
    with pytest.raises(IntegrityError), transaction.atomic():
        CaseNote.objects.create(kind="other", text="x", author=hub_worker)
    assert not CaseNote.objects.exists()


def test_a_decided_contact_or_closed_enquiry_keeps_its_notes_and_takes_no_more(
    client_for, api_for, hub_worker, manager, enquiry
):
    """A decision is final: the record's notes stay readable, and a new note is refused (409),
    on the page too, with nothing stored. (The enquiry fixture's contact is decided.)"""
    contact = enquiry.contact
    add(hub_worker, enquiry, "Before closing")
    enquiry_services.enquiry_recommend(
        enquiry=enquiry, user=hub_worker, outcome="NFA", final_rag="GREEN", rationale="No role"
    )
    enquiry_services.enquiry_decide(
        enquiry=enquiry, manager=manager, outcome="NFA", final_rag="GREEN"
    )
    client = client_for(hub_worker)
    for record in (contact, enquiry):
        page = client.get(shown_on(record)).content.decode()
        assert 'data-testid="notes-closed"' in page and 'data-testid="add-note"' not in page
        response = client.post(notes_page(record), note_form(hub_worker))
        assert response.status_code == 409
        assert "no more notes can be added" in error_summary(response)
        refused = api_for(hub_worker).post(
            api_of(record), {"kind": "other", "text": SECRET}, format="json"
        )
        assert refused.status_code == 409
        assert "no more notes can be added" in refused.json()["detail"]
    assert "Before closing" in client.get(shown_on(enquiry)).content.decode()
    assert list(CaseNote.objects.values_list("text", flat=True)) == ["Before closing"]


# --- Isolation --------------------------------------------------------------------------------


@pytest.mark.parametrize("persona", OUTSIDERS)
@pytest.mark.parametrize("which", ["contact", "enquiry"])
def test_outside_the_hub_every_note_page_and_endpoint_is_a_404_and_stores_nothing(
    persona, which, request, client_for, api_for, hub_worker
):
    record = request.getfixturevalue(which)
    add(hub_worker, record)
    user = request.getfixturevalue(persona)
    client = client_for(user)
    assert client.get(notes_page(record)).status_code == 404
    assert client.post(notes_page(record), note_form(user)).status_code == 404
    api = api_for(user)
    assert api.get(api_of(record)).status_code == 404
    body = {"kind": "other", "text": "Not mine to write"}
    refused = api.post(api_of(record), body, format="json")
    assert refused.status_code == 404
    assert refused.json() == {"detail": "Not found.", "errors": {}}
    assert CaseNote.objects.count() == 1
    assert not notes_visible_to(user).exists()
    with pytest.raises(PermissionError):
        add(user, record, "Not mine to write")
    assert CaseNote.objects.count() == 1


def test_agencies_referrers_and_the_board_never_see_note_text_on_their_pages(
    client_for,
    hub_worker,
    researcher_a,
    researcher_b,
    referrer,
    board_member,
    agency_a,
    enquiry,
    contact,
):
    add(hub_worker, enquiry, SECRET)
    add(hub_worker, contact, SECRET + " (contact)")
    police_request = enquiry_services.request_create(
        enquiry=enquiry,
        agency=agency_a,
        question="What do you hold on Leo?",
        people=list(enquiry.contact.subjects.all()),
        requested_by=hub_worker,
    )
    police = client_for(researcher_a)
    for url in ("/requests/", f"/requests/{police_request.pk}/"):
        response = police.get(url)
        assert response.status_code == 200, url
        assert SECRET not in response.content.decode()
    assert client_for(researcher_b).get(f"/requests/{police_request.pk}/").status_code == 404
    assert SECRET not in client_for(researcher_b).get("/requests/").content.decode()

    marf = Marf.objects.create(
        contact=contact, submitted_by=referrer, submitted_at=timezone.now(), answers={}
    )
    add(hub_worker, contact, SECRET + " (MARF)")
    for url in ("/marfs/", f"/marfs/{marf.contact_id}/"):
        response = client_for(referrer).get(url)
        assert response.status_code == 200, url
        assert SECRET not in response.content.decode()

    response = client_for(board_member).get("/reporting/")
    assert response.status_code == 200
    assert SECRET not in response.content.decode()
    for persona in (researcher_a, referrer, board_member):
        for record in (contact, enquiry):
            assert client_for(persona).get(shown_on(record)).status_code == 404


def test_a_note_on_a_record_that_does_not_exist_is_a_404_and_stores_nothing(
    client_for, api_for, hub_worker
):
    client = client_for(hub_worker)
    api = api_for(hub_worker)
    for url in ("/contacts/999999/notes/", "/enquiries/999999/notes/"):
        assert client.get(url).status_code == 404
        assert client.post(url, note_form(hub_worker)).status_code == 404
    for url in ("/api/v1/contacts/999999/notes/", "/api/v1/enquiries/999999/notes/"):
        assert api.get(url).status_code == 404
        assert api.post(url, {"kind": "other", "text": "x"}, format="json").status_code == 404
    assert not CaseNote.objects.exists()


def test_an_inactive_agency_or_user_sees_no_notes(hub_worker, contact, client_for):
    add(hub_worker, contact)
    hub_worker.agency.is_active = False
    hub_worker.agency.save()
    hub_worker.refresh_from_db()
    assert not notes_visible_to(hub_worker).exists()
    assert client_for(hub_worker).get(notes_page(contact)).status_code == 404


# --- Bad input ----------------------------------------------------------------------------------

BAD_INPUT = [
    ({"kind": "gossip"}, "kind", "Choose a kind of note from the list"),
    ({"kind": ""}, "kind", "Choose what kind of note this is"),
    ({"text": ""}, "text", "Enter the note"),
    ({"text": "   \n  "}, "text", "Enter the note"),
    (
        {"text": "x" * (limits.CASE_NOTE.max_length + 1)},
        "text",
        "Note must be 20,000 characters or fewer",
    ),
]


@pytest.mark.parametrize(("bad", "field", "message"), BAD_INPUT)
@pytest.mark.parametrize("which", ["contact", "enquiry"])
def test_bad_input_on_the_page_is_named_in_the_error_summary_and_nothing_stored(
    bad, field, message, which, request, client_for, hub_worker
):
    record = request.getfixturevalue(which)
    response = client_for(hub_worker).post(notes_page(record), note_form(hub_worker, **bad))
    assert response.status_code == 400
    page = response.content.decode()
    assert "<title>Error: " in page
    summary = error_summary(response)
    assert message in summary
    assert f'href="#note_{field}' in summary
    assert 'class="govuk-form-group govuk-form-group--error"' in page
    assert not CaseNote.objects.exists()
    assert not AuditEvent.objects.filter(name="note.added").exists()


@pytest.mark.parametrize(("bad", "field", "message"), BAD_INPUT)
@pytest.mark.parametrize("which", ["contact", "enquiry"])
def test_bad_input_through_the_api_is_a_400_naming_the_field_and_nothing_stored(
    bad, field, message, which, request, api_for, hub_worker
):
    record = request.getfixturevalue(which)
    body = {"kind": "other", "text": SECRET} | bad
    response = api_for(hub_worker).post(api_of(record), body, format="json")
    assert response.status_code == 400
    assert response.json()["detail"] == "Invalid input."
    assert list(response.json()["errors"]) == [field]
    assert message in response.json()["errors"][field][0]
    assert not CaseNote.objects.exists()


def test_the_page_and_the_api_take_a_note_at_the_limit(client_for, api_for, hub_worker, contact):
    at_limit = "x" * limits.CASE_NOTE.max_length
    page = client_for(hub_worker).post(notes_page(contact), note_form(hub_worker, text=at_limit))
    assert page.status_code == 302
    api = api_for(hub_worker).post(
        api_of(contact), {"kind": "other", "text": at_limit}, format="json"
    )
    assert api.status_code == 201
    assert [len(n.text) for n in CaseNote.objects.all()] == [at_limit.__len__()] * 2


def test_a_missing_or_forged_token_is_refused_and_nothing_stored(client_for, hub_worker, contact):
    client = client_for(hub_worker)
    data = {"kind": "other", "text": SECRET}
    response = client.post(notes_page(contact), data)
    assert response.status_code == 400
    assert "nothing was saved" in error_summary(response)
    assert escape(SECRET) in response.content.decode()  # the note as typed, to send again
    response = client.post(notes_page(contact), data | {"submission_token": "forged"})
    assert response.status_code == 400
    assert not CaseNote.objects.exists()


def test_a_double_post_with_the_same_token_makes_one_note(client_for, hub_worker, contact):
    client = client_for(hub_worker)
    data = note_form(hub_worker)
    first = client.post(notes_page(contact), data)
    second = client.post(notes_page(contact), data)
    assert first.status_code == second.status_code == 302
    assert first["Location"] == second["Location"] == page_of(contact) + "#case-notes"
    assert CaseNote.objects.count() == 1
    assert AuditEvent.objects.filter(name="note.added").count() == 1


def test_a_form_with_errors_keeps_its_token_usable(client_for, hub_worker, contact):
    client = client_for(hub_worker)
    token = submission_token(hub_worker, "note")
    refused = client.post(notes_page(contact), {"kind": "other", "text": ""} | token)
    assert refused.status_code == 400
    sent = client.post(notes_page(contact), {"kind": "other", "text": SECRET} | token)
    assert sent.status_code == 302
    assert CaseNote.objects.count() == 1


def test_the_api_replays_a_retried_idempotency_key_as_one_note(api_for, hub_worker, enquiry):
    api = api_for(hub_worker)
    body = {"kind": "phone_call", "text": SECRET}
    first = api.post(api_of(enquiry), body, format="json", HTTP_IDEMPOTENCY_KEY="note-1")
    again = api.post(api_of(enquiry), body, format="json", HTTP_IDEMPOTENCY_KEY="note-1")
    assert first.status_code == again.status_code == 201
    assert first.json() == again.json()
    assert CaseNote.objects.count() == 1


# --- Query counts -----------------------------------------------------------------------------


def _queries(fetch) -> int:
    with CaptureQueriesContext(connection) as context:
        response = fetch()
    assert response.status_code == 200
    return len(context.captured_queries)


@pytest.mark.parametrize("which", ["contact", "enquiry"])
def test_the_notes_lists_cost_the_same_for_5_and_50_notes(
    which, request, client_for, api_for, hub_worker, manager
):
    from tests.factories import UserFactory

    record = request.getfixturevalue(which)
    authors = [hub_worker, manager] + [
        UserFactory(agency=hub_worker.agency, role=hub_worker.role) for _ in range(3)
    ]
    client = client_for(hub_worker)
    api = api_for(hub_worker)
    counts = {}
    for total in (5, 50):
        while CaseNote.objects.count() < total:
            author = authors[CaseNote.objects.count() % len(authors)]
            add(author, record, f"Note {CaseNote.objects.count()}")
        counts[total] = (
            _queries(lambda: client.get(shown_on(record))),
            _queries(lambda: client.get(notes_page(record))),
            _queries(lambda: api.get(api_of(record))),
        )
        page = client.get(notes_page(record)).content.decode()
        assert page.count('data-testid="case-note"') == total
        assert len(api.get(api_of(record)).json()["results"]) == total
    assert counts[5] == counts[50], counts

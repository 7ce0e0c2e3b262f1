"""Hub staff record a phone or email contact on one page."""

import pytest

from contacts.models import Contact, Person
from tests.forms import submission_token

pytestmark = pytest.mark.django_db


def form_data(**overrides) -> dict:
    data = {
        "channel": "phone",
        "source": "3A",
        "referring_agency": "",
        "received_date": "",
        "received_time": "",
        "referrer_name": "Dr Patel",
        "referrer_role": "GP",
        "referrer_organisation": "Park Surgery",
        "referrer_phone": "0113 000 0000",
        "referrer_email": "patel@surgery.example",
        "concerns": ["neglect", "mental_health"],
        "narrative": "Mother presented in crisis; baby not brought to appointments.",
        "consent": "given",
        "consent_detail": "",
        "subject-TOTAL_FORMS": "3",
        "subject-INITIAL_FORMS": "0",
        "subject-MIN_NUM_FORMS": "1",
        "subject-MAX_NUM_FORMS": "3",
        "subject-0-given_name": "Maisie",
        "subject-0-family_name": "Wilson",
        "subject-0-date_of_birth": "2019-06-08",
        "subject-0-postcode": "ls9 7he",
    }
    data.update(overrides)
    return data


def test_a_phone_contact_is_recorded_with_its_people(client_for, hub_worker):
    token = submission_token(hub_worker, "record_contact")
    response = client_for(hub_worker).post("/contacts/new/", form_data() | token)
    assert response.status_code == 302
    contact = Contact.objects.get()
    assert (contact.channel, contact.source, contact.created_by) == ("phone", "3A", hub_worker)
    assert contact.concerns == ["mental_health", "neglect"]
    person = contact.subjects.get()
    assert (person.full_name, person.postcode) == ("Maisie Wilson", "LS9 7HE")
    assert response["Location"] == f"/contacts/{contact.pk}/"


def test_an_email_read_late_keeps_its_real_received_time(client_for, hub_worker):
    client_for(hub_worker).post(
        "/contacts/new/",
        form_data(channel="email", received_date="2026-11-20", received_time="16:00")
        | submission_token(hub_worker, "record_contact"),
    )
    contact = Contact.objects.get()
    assert contact.received_at.isoformat() == "2026-11-20T16:00:00+00:00"


def test_a_bad_nhs_number_is_shown_on_the_persons_field_and_nothing_is_stored(
    client_for, hub_worker
):
    response = client_for(hub_worker).post(
        "/contacts/new/",
        form_data(**{"subject-0-nhs_number": "9434765918"})
        | submission_token(hub_worker, "record_contact"),
    )
    assert response.status_code == 400
    assert "Enter a valid 10-digit NHS number" in response.content.decode()
    assert not Contact.objects.exists() and not Person.objects.exists()


def test_no_person_and_no_concern_are_named(client_for, hub_worker):
    response = client_for(hub_worker).post(
        "/contacts/new/",
        form_data(concerns=[], **{"subject-0-given_name": "", "subject-0-family_name": ""})
        | submission_token(hub_worker, "record_contact"),
    )
    content = response.content.decode()
    assert response.status_code == 400
    assert "There is a problem" in content
    assert not Contact.objects.exists()


@pytest.mark.parametrize("persona", ["researcher_a", "referrer", "board_member", "administrator"])
def test_only_hub_staff_record_contacts(request, client_for, persona):
    user = request.getfixturevalue(persona)
    assert client_for(user).get("/contacts/new/").status_code == 404
    assert client_for(user).post("/contacts/new/", form_data()).status_code == 404
    assert not Contact.objects.exists()

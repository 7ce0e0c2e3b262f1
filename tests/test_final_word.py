"""The referrer's final word: when the enquiry their contact led to closes, they are emailed its
final outcome in plain words, once, and their MARF shows it; nobody else's MARF is shown."""

import pytest
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext

from contacts import services as contact_services
from contacts.codes import Channel
from enquiries import services
from enquiries.models import Enquiry, EnquiryContact
from enquiries.services.enquiries import FINAL_OUTCOME_FOR_REFERRER
from mash.audit.models import AuditEvent
from mash.errors import ConflictError
from mash.outbox.models import OutboxEmail
from mash.outbox.services import relay
from tests.factories import UserFactory, contact_input, person_input

pytestmark = pytest.mark.django_db
CHILD = "9434765919"
SECRETS = ("SECRET-RATIONALE", "SECRET-REASON", "Smith", "Amber", "AMBER", "Red", "police")


def marf_contact(referrer, *, nhs: str = CHILD, name: str = "Amy"):
    return contact_services.contact_create(
        data=contact_input(
            channel=Channel.MARF,
            subjects=[person_input(given_name=name, nhs_number=nhs)],
            referrer_email="",
        ),
        referrer_user=referrer,
        marf_answers={"people": [{"given_name": name, "family_name": "Smith"}]},
    )


def to_enquiry(contact, hub_worker, manager, rag: str = "AMBER"):
    contact_services.contact_recommend(
        contact=contact, user=hub_worker, outcome="MASH_ENQUIRY", rag=rag, rationale="x"
    )
    contact_services.contact_decide(
        contact=contact, manager=manager, outcome="MASH_ENQUIRY", rag=rag
    )
    return EnquiryContact.objects.get(contact=contact).enquiry


def close(enquiry: Enquiry, hub_worker, manager) -> Enquiry:
    services.enquiry_recommend(
        enquiry=enquiry,
        user=hub_worker,
        outcome="EARLY_HELP",
        final_rag="GREEN",
        rationale="SECRET-RATIONALE about the family",
    )
    return services.enquiry_decide(
        enquiry=enquiry,
        manager=manager,
        outcome="EARLY_HELP",
        final_rag="GREEN",
        reason="SECRET-REASON",
    )


def final_words():
    return OutboxEmail.objects.filter(purpose="enquiry.final_word")


def test_closing_emails_the_referrer_once_in_plain_words(hub_worker, manager, referrer, client_for):
    contact = marf_contact(referrer)
    enquiry = to_enquiry(contact, hub_worker, manager)
    assert not final_words().exists()
    close(enquiry, hub_worker, manager)

    (queued,) = final_words()
    assert queued.recipient == referrer.email
    assert FINAL_OUTCOME_FOR_REFERRER["EARLY_HELP"] in queued.body
    assert contact.reference in queued.subject
    for secret in SECRETS:
        assert secret not in queued.body and secret not in queued.subject, secret

    mail.outbox.clear()
    relay()
    relay()  # a second relay finds nothing more to send
    sent = [m for m in mail.outbox if "final outcome" in m.subject]
    assert len(sent) == 1
    link = EnquiryContact.objects.get(contact=contact)
    first_sent = link.final_word_sent_at
    assert first_sent is not None
    # The relay sending it again (a worker killed after the send) never moves the time.
    assert services.final_word_mark_sent(link_id=link.pk) is False
    link.refresh_from_db()
    assert link.final_word_sent_at == first_sent
    assert AuditEvent.objects.filter(name="enquiry.final_word_sent").count() == 1
    # A closed enquiry cannot be decided again: no second email.
    with pytest.raises(ConflictError):
        close(enquiry, hub_worker, manager)
    assert final_words().count() == 1

    referrer_client = client_for(referrer)
    for url in ("/marfs/", f"/marfs/{contact.pk}/"):
        body = referrer_client.get(url).content.decode()
        assert "Closed" in body and FINAL_OUTCOME_FOR_REFERRER["EARLY_HELP"] in body, url
        assert 'data-testid="marf-final-outcome"' in body
        assert "SECRET-RATIONALE" not in body and "SECRET-REASON" not in body
        assert "Emailed to you" in body


def test_every_contact_the_enquiry_holds_with_a_referrer_is_told(
    hub_worker, manager, referrer, referrer_agency, client_for
):
    other_referrer = UserFactory(
        role="referrer", agency=referrer_agency, email="other@school.example"
    )
    first = marf_contact(referrer)
    enquiry = to_enquiry(first, hub_worker, manager)
    second = marf_contact(other_referrer)
    assert to_enquiry(second, hub_worker, manager) == enquiry  # joined, not a second one
    anonymous = contact_services.contact_create(
        data=contact_input(
            subjects=[person_input(nhs_number=CHILD)], referrer_email="", referrer_name=""
        )
    )
    assert to_enquiry(anonymous, hub_worker, manager) == enquiry
    close(enquiry, hub_worker, manager)
    assert sorted(final_words().values_list("recipient", flat=True)) == sorted(
        [referrer.email, "other@school.example"]
    )

    # Each referrer sees only their own MARF.
    assert client_for(referrer).get(f"/marfs/{second.pk}/").status_code == 404
    assert client_for(other_referrer).get(f"/marfs/{first.pk}/").status_code == 404
    listing = client_for(other_referrer).get("/marfs/").content.decode()
    assert second.reference in listing and first.reference not in listing


def test_while_the_enquiry_is_open_the_referrer_is_told_it_is_under_way(
    hub_worker, manager, referrer, client_for
):
    contact = marf_contact(referrer)
    to_enquiry(contact, hub_worker, manager)
    body = client_for(referrer).get(f"/marfs/{contact.pk}/").content.decode()
    assert "Enquiry under way" in body and "Not known yet" in body


def test_the_referrers_list_runs_the_same_queries_for_5_and_50(
    hub_worker, manager, referrer, client_for
):
    referrer_client = client_for(referrer)

    def make(start: int, count: int) -> None:
        for n in range(start, start + count):
            contact = marf_contact(referrer, nhs="", name=f"Kid{n}")
            if n % 2 == 0:
                close(to_enquiry(contact, hub_worker, manager), hub_worker, manager)

    def queries() -> tuple[int, int]:
        with CaptureQueriesContext(connection) as captured:
            response = referrer_client.get("/marfs/")
        assert response.status_code == 200
        body = response.content.decode()
        return len(captured), body.count('data-testid="marf-row"'), body.count("Closed")

    make(0, 5)
    few, rows, closed = queries()
    assert rows == 5 and closed >= 3
    make(5, 45)
    many, rows, closed = queries()
    assert rows == 50 and closed >= 25 and few == many

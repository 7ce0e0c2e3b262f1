"""The triage queue, the triage page, decisions and person search, as users see them."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from contacts import services
from contacts.models import Contact
from tests.factories import contact_input, person_input

pytestmark = pytest.mark.django_db


def make_contact(**overrides) -> Contact:
    return services.contact_create(data=contact_input(**overrides))


def queries_for(client, url: str) -> int:
    with CaptureQueriesContext(connection) as context:
        assert client.get(url).status_code == 200
    return len(context.captured_queries)


class TestQueue:
    def test_open_contacts_soonest_due_first_with_overdue_marked(self, client_for, hub_worker):
        now = timezone.now()
        later = make_contact(received_at=now - timedelta(minutes=5))
        overdue = make_contact(received_at=now - timedelta(days=6))
        decided = make_contact(received_at=now - timedelta(days=8))
        decided.outcome, decided.decided_at = "NFA", now
        decided.save()
        content = client_for(hub_worker).get("/contacts/").content.decode()
        assert content.index(overdue.reference) < content.index(later.reference)
        assert decided.reference not in content
        assert "Overdue by" in content

    def test_filters_narrow_the_queue_and_bad_values_are_ignored(self, client_for, hub_worker):
        police = make_contact(source="6", channel="police_notification", concerns=["missing"])
        school = make_contact(source="2A", concerns=["neglect"])
        client = client_for(hub_worker)
        content = client.get("/contacts/?source=6").content.decode()
        assert police.reference in content and school.reference not in content
        content = client.get("/contacts/?concern=neglect").content.decode()
        assert school.reference in content and police.reference not in content
        assert client.get("/contacts/?source=zz&after=garbage&concern=<x>").status_code == 200

    def test_mine_and_unassigned(self, client_for, hub_worker):
        mine = make_contact()
        services.contact_pick_up(contact=mine, user=hub_worker)
        waiting = make_contact()
        client = client_for(hub_worker)
        content = client.get("/contacts/?mine=1").content.decode()
        assert mine.reference in content and waiting.reference not in content
        content = client.get("/contacts/?unassigned=1").content.decode()
        assert waiting.reference in content and mine.reference not in content

    def test_the_queue_pages_by_keyset(self, client_for, hub_worker):
        for _ in range(3):
            make_contact()
        from contacts.views import triage

        client = client_for(hub_worker)
        original = triage.QUEUE_PAGE_SIZE
        triage.QUEUE_PAGE_SIZE = 2
        try:
            first = client.get("/contacts/")
            token = first.context["page"].next_token
            second = client.get("/contacts/", {"after": token})
        finally:
            triage.QUEUE_PAGE_SIZE = original
        first_refs = {c.pk for c in first.context["page"].rows}
        second_refs = {c.pk for c in second.context["page"].rows}
        assert len(first_refs) == 2 and len(second_refs) == 1
        assert not first_refs & second_refs

    def test_queue_queries_do_not_grow_with_rows(self, client_for, hub_worker):
        client = client_for(hub_worker)
        for _ in range(5):
            make_contact()
        five = queries_for(client, "/contacts/")
        for _ in range(45):
            make_contact(subjects=[person_input(given_name="Kayla", nhs_number="")])
        assert queries_for(client, "/contacts/") == five


class TestTriagePage:
    def test_the_page_shows_people_and_the_repeat_explained(self, client_for, hub_worker):
        now = timezone.now()
        child = [person_input(nhs_number="9434765919")]
        make_contact(received_at=now - timedelta(days=400), subjects=child)  # outside 12 months
        make_contact(received_at=now - timedelta(days=200), subjects=child)
        make_contact(received_at=now - timedelta(days=90), subjects=child)
        third = make_contact(received_at=now - timedelta(minutes=1), subjects=child)
        content = client_for(hub_worker).get(f"/contacts/{third.pk}/").content.decode()
        assert "John Smith" in content
        assert "Repeat: contact 3 in 12 months" in content

    def test_pick_up_then_recommend_through_the_page(self, client_for, hub_worker):
        contact = make_contact()
        client = client_for(hub_worker)
        assert client.post(f"/contacts/{contact.pk}/pick-up/").status_code == 302
        contact.refresh_from_db()
        response = client.post(
            f"/contacts/{contact.pk}/recommend/",
            {"outcome": "EARLY_HELP", "rationale": "Needs support", "version": contact.version},
        )
        assert response.status_code == 302
        contact.refresh_from_db()
        assert contact.recommended_outcome == "EARLY_HELP"

    def test_a_referral_without_threshold_rationale_is_refused_on_the_form(
        self, client_for, hub_worker
    ):
        contact = make_contact()
        response = client_for(hub_worker).post(
            f"/contacts/{contact.pk}/recommend/",
            {"outcome": "REFERRAL", "rationale": "Serious", "version": contact.version},
        )
        assert response.status_code == 400
        assert "Say why the threshold for a referral is met" in response.content.decode()
        contact.refresh_from_db()
        assert contact.recommended_outcome == ""

    def test_a_second_pick_up_shows_who_has_it(self, client_for, hub_worker, manager):
        contact = make_contact()
        services.contact_pick_up(contact=contact, user=manager)
        response = client_for(hub_worker).post(f"/contacts/{contact.pk}/pick-up/")
        assert response.status_code == 409
        assert "already being triaged by" in response.content.decode()

    def test_a_stale_form_shows_a_conflict_and_the_current_state(
        self, client_for, hub_worker, manager
    ):
        contact = make_contact()
        stale = contact.version
        services.contact_recommend(contact=contact, user=manager, outcome="NFA", rationale="x")
        response = client_for(hub_worker).post(
            f"/contacts/{contact.pk}/recommend/",
            {"outcome": "SIGNPOST", "rationale": "y", "version": stale},
        )
        assert response.status_code == 409
        content = response.content.decode()
        assert "changed by someone else" in content
        assert "Awaiting manager" in content

    def test_viewing_a_contact_is_audited(self, client_for, hub_worker):
        from auditlog.models import LogEntry

        contact = make_contact()
        client_for(hub_worker).get(f"/contacts/{contact.pk}/")
        assert LogEntry.objects.filter(
            object_pk=str(contact.pk),
            content_type__model="contact",
            action=LogEntry.Action.ACCESS,
            actor=hub_worker,
        ).exists()


class TestDecisions:
    def test_manager_overrides_with_a_reason(self, client_for, hub_worker, manager):
        contact = make_contact()
        services.contact_recommend(
            contact=contact, user=hub_worker, outcome="EARLY_HELP", rationale="Support"
        )
        contact.refresh_from_db()
        client = client_for(manager)
        assert contact.reference in client.get("/decisions/").content.decode()
        no_reason = client.post(
            f"/contacts/{contact.pk}/decide/",
            {"outcome": "MASH_ENQUIRY", "rag": "AMBER", "version": contact.version},
        )
        assert no_reason.status_code == 400
        assert "Give a reason" in no_reason.content.decode()
        response = client.post(
            f"/contacts/{contact.pk}/decide/",
            {
                "outcome": "MASH_ENQUIRY",
                "rag": "AMBER",
                "reason": "Police hold relevant information",
                "version": contact.version,
            },
        )
        assert response.status_code == 302
        contact.refresh_from_db()
        assert (contact.outcome, contact.initial_rag) == ("MASH_ENQUIRY", "AMBER")
        page = client.get(f"/contacts/{contact.pk}/").content.decode()
        assert f'href="/enquiries/{contact.enquiry.pk}/"' in page

    def test_a_managers_page_has_no_repeated_ids(self, client_for, hub_worker, manager):
        import re
        from collections import Counter

        contact = make_contact()
        services.contact_recommend(contact=contact, user=hub_worker, outcome="NFA", rationale="-")
        content = client_for(manager).get(f"/contacts/{contact.pk}/").content.decode()
        ids = Counter(re.findall(r'\sid="([^"]+)"', content))
        assert [name for name, count in ids.items() if count > 1] == []
        assert 'for="decide_outcome_0"' in content

    def test_a_hub_worker_cannot_decide(self, client_for, hub_worker):
        contact = make_contact()
        response = client_for(hub_worker).post(
            f"/contacts/{contact.pk}/decide/", {"outcome": "NFA", "version": contact.version}
        )
        assert response.status_code == 404
        assert client_for(hub_worker).get("/decisions/").status_code == 404

    def test_decision_queue_queries_do_not_grow_with_rows(self, client_for, hub_worker, manager):
        client = client_for(manager)

        def recommended() -> None:
            contact = make_contact(subjects=[person_input(nhs_number="")])
            services.contact_recommend(
                contact=contact, user=hub_worker, outcome="NFA", rationale="-"
            )

        for _ in range(5):
            recommended()
        five = queries_for(client, "/decisions/")
        for _ in range(45):
            recommended()
        assert queries_for(client, "/decisions/") == five


class TestPersonSearch:
    @pytest.fixture
    def john(self):
        from datetime import date

        return services.person_create(
            given_name="John",
            family_name="Smith",
            date_of_birth=date(2014, 3, 2),
            nhs_number="9434765919",
            postcode="LS1 4AP",
            aliases=[("Johnny", "Smithers")],
        )

    @pytest.mark.parametrize(
        "q",
        [
            "Jon Smyth",
            "john smith",
            "Smithers",
            "02/03/2014",
            "943 476 5919",
            "ls14ap",
            "Smith LS1 4AP",
        ],
    )
    def test_one_box_finds_by_name_variant_alias_dob_nhs_number_and_postcode(
        self, client_for, hub_worker, john, q
    ):
        services.person_create(given_name="Kayla", family_name="Brown", postcode="M1 1AA")
        response = client_for(hub_worker).get("/people/", {"q": q})
        people = response.context["people"]
        assert [p.pk for p in people] == [john.pk]

    def test_each_hit_shows_earlier_contacts(self, client_for, hub_worker, john):
        contact = make_contact(subjects=[person_input(nhs_number="9434765919")])
        content = client_for(hub_worker).get("/people/", {"q": "john smith"}).content.decode()
        assert contact.reference in content
        assert "Open contact" in content

    def test_merged_duplicates_are_not_found(self, client_for, hub_worker, john):
        duplicate = services.person_create(given_name="Jon", family_name="Smith")
        services.person_merge(keep=john, duplicate=duplicate, reason="same", merged_by=hub_worker)
        people = client_for(hub_worker).get("/people/", {"q": "jon smith"}).context["people"]
        assert [p.pk for p in people] == [john.pk]

    def test_htmx_gets_only_the_results(self, client_for, hub_worker, john):
        response = client_for(hub_worker).get("/people/", {"q": "smith"}, HTTP_HX_REQUEST="true")
        content = response.content.decode()
        assert "<html" not in content and "John Smith" in content

    def test_search_queries_do_not_grow_with_hits(self, client_for, hub_worker):
        client = client_for(hub_worker)
        for _ in range(5):
            services.person_create(given_name="Ann", family_name="Lee")
        five = queries_for(client, "/people/?q=lee")
        for _ in range(15):
            services.person_create(given_name="Ann", family_name="Lee")
        assert queries_for(client, "/people/?q=lee") == five


@pytest.mark.parametrize(
    "persona", ["researcher_a", "supervisor_a", "referrer", "board_member", "administrator"]
)
def test_outsiders_get_404_for_every_front_door_page(request, client_for, persona):
    user = request.getfixturevalue(persona)
    contact = make_contact()
    person = contact.subjects.get()
    client = client_for(user)
    for url in (
        "/contacts/",
        f"/contacts/{contact.pk}/",
        "/decisions/",
        "/people/?q=smith",
        f"/people/{person.pk}/",
    ):
        assert client.get(url).status_code == 404, url
    for url in (f"/contacts/{contact.pk}/pick-up/", f"/contacts/{contact.pk}/recommend/"):
        assert client.post(url, {"outcome": "NFA"}).status_code == 404, url
    contact.refresh_from_db()
    assert contact.assignee is None and contact.recommended_outcome == ""

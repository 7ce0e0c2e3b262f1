"""The triage queue says who (issue 11, item 9) and the contact page shows each person's open work
(item 4): names and ages, concerns, the open-work and repeat tags, sorting with keyset pages, hub
staff only, constant queries."""

import re
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

from contacts import services
from contacts.codes import Source
from contacts.models import Contact, Household, HouseholdMember, Person
from contacts.selectors_open_work import age_in_years, open_work_for_people
from contacts.views import triage
from enquiries.models import Enquiry, EnquiryState
from tests.factories import contact_input, person_input

pytestmark = pytest.mark.django_db

LONDON = ZoneInfo("Europe/London")
QUEUE = "/contacts/"


def make_contact(**overrides) -> Contact:
    return services.contact_create(data=contact_input(**overrides))


def child(given: str, family: str = "Okafor", **values):
    return person_input(given_name=given, family_name=family, **values)


def rows_of(response) -> list[Contact]:
    return list(response.context["page"].rows)


def row_html(content: str, reference: str) -> str:
    """The table row that shows `reference`."""
    [row] = [row for row in re.split(r"<tr\b", content) if f">{reference}<" in row]
    return row


def decide_as_enquiry(contact: Contact, hub_worker, manager) -> Enquiry:
    services.contact_recommend(
        contact=contact, user=hub_worker, outcome="MASH_ENQUIRY", rag="AMBER", rationale="Unclear"
    )
    services.contact_decide(contact=contact, manager=manager, outcome="MASH_ENQUIRY", rag="AMBER")
    return Enquiry.objects.order_by("-pk").first()  # the one it opened (or joined)


def close(enquiry: Enquiry) -> None:
    Enquiry.objects.filter(pk=enquiry.pk).update(
        state=EnquiryState.CLOSED, outcome="NFA", closed_at=enquiry.opened_at
    )


def count_queries(client, url: str) -> int:
    with CaptureQueriesContext(connection) as context:
        assert client.get(url).status_code == 200
    return len(context.captured_queries)


# --- Who: names, ages, concerns ------------------------------------------------------------------


class TestWho:
    def test_names_and_ages_at_todays_local_date(self, client_for, hub_worker):
        # 23:30 UTC on 10 June is 00:30 on 11 June in London (BST): the local date counts.
        with time_machine.travel(datetime(2026, 6, 10, 23, 30, tzinfo=UTC), tick=False):
            contact = make_contact(
                subjects=[
                    child("Ada", date_of_birth=date(2019, 6, 10)),  # birthday yesterday
                    child("Bea", date_of_birth=date(2019, 6, 11)),  # birthday today (local)
                    child("Cy", date_of_birth=date(2019, 6, 12)),  # birthday tomorrow
                    child("Baby", expected_date_of_delivery=date(2026, 9, 1)),
                    child("Dee"),  # no date of birth
                ],
                concerns=["neglect", "domestic_abuse"],
            )
            content = client_for(hub_worker).get(QUEUE).content.decode()
        row = row_html(content, contact.reference)
        who = re.search(r'data-testid="who">(.*?)</td>', row, re.S).group(1)
        text = re.sub(r"<[^>]+>", "|", who)
        names = [part for part in text.split("|") if part]
        assert names == [
            "Ada Okafor",
            "Age 7",
            "Baby Okafor",
            "Unborn",
            "Bea Okafor",
            "Age 7",
            "Cy Okafor",
            "Age 6",
            "Dee Okafor",
            "Age not known",
        ]
        assert 'data-testid="concerns">Domestic abuse, Neglect</td>' in row

    def test_leap_day_birthdays_come_on_the_first_of_march(self):
        born = date(2016, 2, 29)
        assert age_in_years(born, date(2025, 2, 28)) == 8
        assert age_in_years(born, date(2025, 3, 1)) == 9
        assert age_in_years(born, date(2024, 2, 29)) == 8

    def test_a_date_of_birth_after_today_is_not_an_age(self, client_for, hub_worker):
        future = Person.objects.create(
            given_name="Eve", family_name="Okafor", date_of_birth=date.today() + timedelta(days=9)
        )
        contact = make_contact(subjects=[child("Placeholder")])
        contact.subject_links.update(person=future)
        content = client_for(hub_worker).get(QUEUE).content.decode()
        assert "Age not known" in row_html(content, contact.reference)

    def test_the_repeat_tag_stays(self, client_for, hub_worker):
        now = datetime.now(tz=LONDON)
        make_contact(
            subjects=[child("Rae", nhs_number="9434765919")], received_at=now - timedelta(days=30)
        )
        repeat = make_contact(subjects=[child("Rae", nhs_number="9434765919")])
        first_time = make_contact(subjects=[child("Sol")])
        assert repeat.is_repeat
        content = client_for(hub_worker).get(QUEUE).content.decode()
        assert 'data-testid="repeat">Repeat<' in row_html(content, repeat.reference)
        assert 'data-testid="repeat"' not in row_html(content, first_time.reference)


# --- Open work -----------------------------------------------------------------------------------


class TestOpenWorkTag:
    def test_tagged_when_a_subject_has_another_undecided_contact(self, client_for, hub_worker):
        first = make_contact(subjects=[child("Tia", date_of_birth=date(2018, 1, 2))])
        second = make_contact(subjects=[child("Tia", date_of_birth=date(2018, 1, 2)), child("Uma")])
        alone = make_contact(subjects=[child("Vic")])
        assert first.subjects.get() in second.subjects.all()  # matched, not duplicated
        content = client_for(hub_worker).get(QUEUE).content.decode()
        assert 'data-testid="open-work"' in row_html(content, first.reference)
        assert 'data-testid="open-work"' in row_html(content, second.reference)
        assert 'data-testid="open-work"' not in row_html(content, alone.reference)

    def test_tagged_for_an_open_enquiry_and_not_for_closed_or_decided_work(
        self, client_for, hub_worker, manager
    ):
        wyn = [child("Wyn", date_of_birth=date(2017, 3, 4))]
        xan = [child("Xan", date_of_birth=date(2016, 5, 6))]
        decide_as_enquiry(make_contact(subjects=wyn), hub_worker, manager)
        close(decide_as_enquiry(make_contact(subjects=xan), hub_worker, manager))
        decided = make_contact(subjects=[child("Yas")])
        services.contact_recommend(contact=decided, user=hub_worker, outcome="NFA", rationale="-")
        services.contact_decide(contact=decided, manager=manager, outcome="NFA")

        with_enquiry = make_contact(subjects=wyn)
        closed_only = make_contact(subjects=xan)
        decided_only = make_contact(subjects=[child("Yas")])
        content = client_for(hub_worker).get(QUEUE).content.decode()
        assert 'data-testid="open-work"' in row_html(content, with_enquiry.reference)
        assert 'data-testid="open-work"' not in row_html(content, closed_only.reference)
        assert 'data-testid="open-work"' not in row_html(content, decided_only.reference)

    def test_a_household_member_named_on_an_undecided_contact_has_open_work(
        self, client_for, hub_worker
    ):
        from contacts.models import ContactPerson

        named = make_contact(subjects=[child("Ari")])
        lodger = services.person_create(
            given_name="Lou", family_name="Dean", date_of_birth=date(1980, 2, 3)
        )
        ContactPerson.objects.create(contact=named, person=lodger, role="other", in_household=True)
        about_lodger = make_contact(subjects=[child("Lou", "Dean", date_of_birth=date(1980, 2, 3))])
        assert about_lodger.subjects.get() == lodger
        content = client_for(hub_worker).get(QUEUE).content.decode()
        assert 'data-testid="open-work"' in row_html(content, about_lodger.reference)
        work = open_work_for_people(hub_worker, [lodger.pk], exclude_contact=about_lodger.pk)
        assert [contact.pk for contact in work[lodger.pk].contacts] == [named.pk]
        # Named as living elsewhere: not household, no open work from that contact.
        ContactPerson.objects.filter(person=lodger).update(in_household=False)
        assert not open_work_for_people(hub_worker, [lodger.pk], exclude_contact=about_lodger.pk)[
            lodger.pk
        ]

    def test_a_household_member_checked_by_an_open_enquiry_has_open_work(
        self, client_for, hub_worker, manager
    ):
        contact = make_contact(subjects=[child("Zed")])
        partner = services.person_create(
            given_name="Gary", family_name="Lane", date_of_birth=date(1990, 7, 8)
        )
        home = Household.objects.create(postcode="LS1 4AP")
        HouseholdMember.objects.create(household=home, person=contact.subjects.get())
        HouseholdMember.objects.create(household=home, person=partner, related=False)
        decide_as_enquiry(contact, hub_worker, manager)
        about_partner = make_contact(
            subjects=[child("Gary", "Lane", date_of_birth=date(1990, 7, 8))]
        )
        assert about_partner.subjects.get() == partner
        content = client_for(hub_worker).get(QUEUE).content.decode()
        assert 'data-testid="open-work"' in row_html(content, about_partner.reference)

    def test_the_decision_queue_shows_who_and_open_work(self, client_for, hub_worker, manager):
        kid = [child("Ola", date_of_birth=date(2015, 1, 1))]
        make_contact(subjects=kid)
        waiting = make_contact(subjects=kid)
        services.contact_recommend(contact=waiting, user=hub_worker, outcome="NFA", rationale="-")
        content = client_for(manager).get("/decisions/").content.decode()
        row = row_html(content, waiting.reference)
        assert "Ola Okafor" in row and "Age " in row and "Neglect" in row
        assert 'data-testid="open-work"' in row


# --- Sorting and pages ---------------------------------------------------------------------------


@pytest.fixture
def sortable():
    """Contacts with ties in every key: two received together from one source, two together from
    different sources, sources whose census order is not their text order (10 after 9)."""
    base = datetime(2026, 3, 9, 9, 0, tzinfo=LONDON)
    plan = [
        (base, Source.SCHOOLS),
        (base, Source.SCHOOLS),
        (base, Source.POLICE),
        (base + timedelta(hours=2), Source.UNKNOWN),
        (base + timedelta(hours=3), Source.ANONYMOUS),
        (base + timedelta(days=1), Source.FAMILY),
        (base + timedelta(days=1, hours=1), Source.POLICE),
        (base - timedelta(days=1), Source.UNKNOWN),
    ]
    with time_machine.travel(base + timedelta(days=2), tick=False):
        for index, (received, source) in enumerate(plan):
            make_contact(received_at=received, source=source, subjects=[child(f"S{index}")])
    return list(Contact.objects.all())


RANK = {code: rank for rank, code in enumerate(Source.values)}
EXPECTED = {
    ("due", "asc"): lambda c: (c.decision_due_at.timestamp(), c.pk),
    ("due", "desc"): lambda c: (-c.decision_due_at.timestamp(), c.pk),
    ("received", "asc"): lambda c: (c.received_at.timestamp(), c.decision_due_at, c.pk),
    ("received", "desc"): lambda c: (-c.received_at.timestamp(), c.decision_due_at, c.pk),
    ("source", "asc"): lambda c: (RANK[c.source], c.decision_due_at, c.pk),
    ("source", "desc"): lambda c: (-RANK[c.source], c.decision_due_at, c.pk),
}


def walk(client, params: dict, monkeypatch, size: int = 2) -> list[int]:
    """Every row, page after page, following the Next link's token."""
    monkeypatch.setattr(triage, "QUEUE_PAGE_SIZE", size)
    seen: list[int] = []
    response = client.get(QUEUE, params)
    while True:
        assert response.status_code == 200
        rows = rows_of(response)
        assert len(rows) <= size
        seen.extend(contact.pk for contact in rows)
        token = response.context["page"].next_token
        if not token:
            return seen
        response = client.get(QUEUE, {**params, "after": token})


class TestSorting:
    @pytest.mark.parametrize("key,order", list(EXPECTED))
    def test_each_sort_pages_without_losing_or_repeating_a_row(
        self, client_for, hub_worker, sortable, monkeypatch, key, order
    ):
        expected = [c.pk for c in sorted(sortable, key=EXPECTED[(key, order)])]
        seen = walk(client_for(hub_worker), {"sort": key, "order": order}, monkeypatch)
        assert seen == expected
        assert len(set(seen)) == len(sortable)

    def test_default_is_soonest_due_first(self, client_for, hub_worker, sortable, monkeypatch):
        expected = [c.pk for c in sorted(sortable, key=EXPECTED[("due", "asc")])]
        assert walk(client_for(hub_worker), {}, monkeypatch, size=50) == expected

    def test_sources_go_in_census_order_not_text_order(self, client_for, hub_worker, sortable):
        response = client_for(hub_worker).get(QUEUE, {"sort": "source"})
        sources = [contact.source for contact in rows_of(response)]
        assert sources.index("9") < sources.index("10")
        assert sources[0] == Source.FAMILY

    @pytest.mark.parametrize(
        "params",
        [{"sort": "bogus"}, {"sort": "<script>"}, {"order": "sideways"}, {"sort": ""}],
    )
    def test_a_bad_sort_value_gives_the_default_order(
        self, client_for, hub_worker, sortable, params
    ):
        client = client_for(hub_worker)
        response = client.get(QUEUE, params)
        assert response.status_code == 200
        assert response.context["sort"].key == "due" and not response.context["sort"].descending
        assert rows_of(response) == rows_of(client.get(QUEUE))

    def test_a_token_from_another_sort_starts_again(
        self, client_for, hub_worker, sortable, monkeypatch
    ):
        monkeypatch.setattr(triage, "QUEUE_PAGE_SIZE", 2)
        client = client_for(hub_worker)
        token = client.get(QUEUE, {"sort": "received"}).context["page"].next_token
        response = client.get(QUEUE, {"sort": "source", "after": token})
        assert not response.context["page"].has_previous
        assert rows_of(response) == rows_of(client.get(QUEUE, {"sort": "source"}))
        garbage = client.get(QUEUE, {"sort": "received", "after": "x" * 40})
        assert garbage.status_code == 200 and not garbage.context["page"].has_previous

    def test_filters_and_sort_together(self, client_for, hub_worker, sortable, monkeypatch):
        police = sorted(
            (c for c in sortable if c.source == Source.POLICE),
            key=EXPECTED[("received", "desc")],
        )
        seen = walk(
            client_for(hub_worker),
            {"source": "6", "sort": "received", "order": "desc"},
            monkeypatch,
            size=1,
        )
        assert seen == [c.pk for c in police]

    def test_sortable_table_markup(self, client_for, hub_worker, sortable):
        client = client_for(hub_worker)
        content = client.get(QUEUE, {"source": "2A"}).content.decode()
        headers = re.findall(r"<th\b[^>]*>", content)
        assert headers and all('scope="col"' in header for header in headers)
        due = re.search(r'<th [^>]*data-testid="sort-due"[^>]*>', content).group(0)
        assert 'aria-sort="ascending"' in due
        for key in ("received", "source"):
            header = re.search(rf'<th [^>]*data-testid="sort-{key}"[^>]*>.*?</th>', content)
            assert 'aria-sort="none"' in header.group(0)
            assert f"sort={key}&amp;order=asc" in header.group(0)
            assert "source=2A" in header.group(0)  # the filter is kept
        assert len(re.findall(r"aria-sort=\"(?:ascending|descending)\"", content)) == 1
        # The sorted column's link turns the order round.
        assert "sort=due&amp;order=desc" in content

        content = client.get(QUEUE, {"sort": "received", "order": "desc"}).content.decode()
        received = re.search(r'<th [^>]*data-testid="sort-received"[^>]*>.*?</th>', content)
        assert 'aria-sort="descending"' in received.group(0)
        assert "sort=received&amp;order=asc" in received.group(0)
        assert "Sorted received latest first" in content
        # The filter form keeps the sort.
        assert '<input type="hidden" name="sort" value="received">' in content
        assert '<input type="hidden" name="order" value="desc">' in content


# --- Who may see it ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "persona", ["researcher_a", "supervisor_a", "referrer", "board_member", "administrator"]
)
def test_everyone_but_hub_staff_gets_404(request, client_for, persona):
    contact = make_contact()
    client = client_for(request.getfixturevalue(persona))
    for url in (QUEUE, f"{QUEUE}?sort=received&order=desc", f"/contacts/{contact.pk}/"):
        assert client.get(url).status_code == 404, url


def test_hub_staff_see_the_queue(client_for, hub_worker, manager):
    make_contact()
    for user in (hub_worker, manager):
        assert client_for(user).get(f"{QUEUE}?sort=source").status_code == 200


def test_open_work_is_empty_outside_the_hub(researcher_a, hub_worker, board_member):
    kid = [child("Ivo", date_of_birth=date(2014, 4, 4))]
    make_contact(subjects=kid)
    person = make_contact(subjects=kid).subjects.get()
    assert open_work_for_people(hub_worker, [person.pk])[person.pk].contacts
    for outsider in (researcher_a, board_member):
        assert not open_work_for_people(outsider, [person.pk])[person.pk]


# --- The contact page's open work ----------------------------------------------------------------


class TestContactPageOpenWork:
    def test_each_subject_lists_their_other_undecided_contacts_and_open_enquiries(
        self, client_for, hub_worker, manager
    ):
        kim = [child("Kim", date_of_birth=date(2013, 2, 3))]
        lou = [child("Lou", date_of_birth=date(2012, 2, 3))]
        enquiry = decide_as_enquiry(make_contact(subjects=kim), hub_worker, manager)
        closed = decide_as_enquiry(make_contact(subjects=lou), hub_worker, manager)
        close(closed)
        other = make_contact(subjects=kim)
        decided = make_contact(subjects=kim)
        services.contact_recommend(contact=decided, user=hub_worker, outcome="NFA", rationale="-")
        services.contact_decide(contact=decided, manager=manager, outcome="NFA")
        contact = make_contact(subjects=kim + lou)
        kim_person, lou_person = (
            Person.objects.get(given_name="Kim"),
            Person.objects.get(given_name="Lou"),
        )

        content = client_for(hub_worker).get(f"/contacts/{contact.pk}/").content.decode()
        assert "Open work for these people" in content
        section = content[content.index('data-testid="open-work-section"') :]
        section = section[: section.index("</section>")]
        kim_work = re.search(
            rf'data-testid="open-work-{kim_person.pk}">(.*?)</ul>', section, re.S
        ).group(1)
        assert f'href="/contacts/{other.pk}/">{other.reference}</a>' in kim_work
        assert f'href="/enquiries/{enquiry.pk}/">{enquiry.reference}</a>' in kim_work
        assert decided.reference not in kim_work  # decided: not open work
        assert f">{contact.reference}<" not in kim_work  # not the contact itself
        lou_work = re.search(
            rf'data-testid="open-work-{lou_person.pk}">(.*?)</p>', section, re.S
        ).group(1)
        assert "No other open contacts or enquiries." in lou_work
        assert closed.reference not in section

    def test_the_open_work_section_costs_the_same_for_5_and_50_records(
        self, client_for, hub_worker, manager
    ):
        client = client_for(hub_worker)
        mia = [child("Mia", date_of_birth=date(2011, 1, 1))]
        ned = [child("Ned", date_of_birth=date(2011, 1, 2))]
        contact = make_contact(subjects=mia + ned)
        decide_as_enquiry(make_contact(subjects=ned), hub_worker, manager)
        for _ in range(5):
            make_contact(subjects=mia)
        url = f"/contacts/{contact.pk}/"
        few = count_queries(client, url)
        for _ in range(45):
            make_contact(subjects=mia + ned)
        for _ in range(2):
            decide_as_enquiry(make_contact(subjects=mia), hub_worker, manager)
        content = client.get(url).content.decode()
        assert content.count('href="/contacts/') >= 50
        assert count_queries(client, url) == few

    def test_open_work_for_people_is_three_queries_for_any_number(self, hub_worker):
        people = [make_contact(subjects=[child(f"P{i}")]).subjects.get().pk for i in range(5)]
        with CaptureQueriesContext(connection) as few:
            open_work_for_people(hub_worker, people)
        people += [make_contact(subjects=[child(f"Q{i}")]).subjects.get().pk for i in range(45)]
        with CaptureQueriesContext(connection) as many:
            work = open_work_for_people(hub_worker, people)
        assert len(few.captured_queries) == len(many.captured_queries) == 3
        assert all(work[pk].contacts for pk in people)


# --- Query counts on the queue -------------------------------------------------------------------


def test_the_queue_costs_the_same_for_5_and_50_rows(client_for, hub_worker, manager):
    client = client_for(hub_worker)
    urls = [QUEUE, f"{QUEUE}?sort=received&order=desc", f"{QUEUE}?sort=source"]

    def add(n: int, start: int) -> None:
        for index in range(start, start + n):
            make_contact(
                subjects=[child(f"R{index}"), child(f"T{index}", date_of_birth=date(2015, 1, 1))],
                concerns=["neglect", "sexual_abuse"],
            )

    add(4, 0)
    decide_as_enquiry(make_contact(subjects=[child("R0")]), hub_worker, manager)
    make_contact(subjects=[child("R0")])  # open work for R0's contacts
    few = [count_queries(client, url) for url in urls]
    add(45, 4)
    many = [count_queries(client, url) for url in urls]
    assert len(rows_of(client.get(QUEUE))) == 50
    assert many == few


# --- The API -------------------------------------------------------------------------------------


def test_the_api_queue_has_subjects_ages_and_open_work(api_for, hub_worker, client_for):
    with time_machine.travel(datetime(2026, 3, 10, 12, 0, tzinfo=LONDON), tick=False):
        first = make_contact(
            subjects=[
                child("Aya", date_of_birth=date(2020, 3, 10)),
                child("Bo", expected_date_of_delivery=date(2026, 8, 1)),
                child("Cal"),
            ]
        )
        alone = make_contact(subjects=[child("Dov")])
        make_contact(subjects=[child("Aya", date_of_birth=date(2020, 3, 10))])
        body = api_for(hub_worker).get("/api/v1/contacts/").json()
    by_id = {item["id"]: item for item in body["results"]}
    subjects = {s["given_name"]: s for s in by_id[first.pk]["subjects"]}
    assert (subjects["Aya"]["age"], subjects["Aya"]["is_unborn"]) == (6, False)
    assert (subjects["Bo"]["age"], subjects["Bo"]["is_unborn"]) == (None, True)
    assert (subjects["Cal"]["age"], subjects["Cal"]["is_unborn"]) == (None, False)
    assert by_id[first.pk]["open_work"] is True
    assert by_id[alone.pk]["open_work"] is False
    schema = client_for(hub_worker).get("/api/schema/").content.decode()
    assert "QueueContact" in schema and "open_work" in schema and "is_unborn" in schema

"""The referrer's MARF: the form page by page, check your answers, sending it, and seeing the
status and feedback of their own MARFs (and nothing the hub added)."""

from datetime import timedelta
from types import SimpleNamespace

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from agencies.navigation import navigation_for
from contacts import services
from contacts.codes import OUTCOME_FOR_REFERRER, Channel, Outcome
from contacts.marf import marf_completeness
from contacts.models import Contact, Marf, Person
from contacts.timescales import contact_decision_due_at
from drafts.models import Draft, DraftKind
from tests.factories import PersonFactory, UserFactory, contact_input, person_input
from tests.forms import signed_in_user, submission_token

pytestmark = pytest.mark.django_db

LONG_ACCOUNT = (
    "Amy arrived at school hungry for the third day running, wearing the same clothes, and "
    "told her teacher that there was no food at home and that her mum had not been home since "
    "Sunday. Her younger brother was collected by a neighbour. She seemed frightened."
)
ABOUT = {
    "referrer_name": "Ms Jones",
    "referrer_role": "Designated safeguarding lead",
    "referrer_organisation": "Northfield Primary",
    "referrer_phone": "0113 496 0000",
    "referrer_email": "jones@school.example",
    "source": "2A",
}
CONCERN = {
    "concerns": ["neglect", "emotional_abuse"],
    "what_happened": LONG_ACCOUNT,
    "child_said": "There is nothing to eat.",
    "done_so_far": "Breakfast club place given; tried to call mum twice.",
}
# The household page names each other person (here the mother, a subject's parent).
KELLY = {
    "given_name": "Kelly",
    "family_name": "Smith",
    "date_of_birth": "",
    "relationship_type": "parent",
    "related_to": "subject-0",
    "role": "parent_carer",
    "in_household": "yes",
}
HOUSEHOLD = {
    "other_family": "",
    "others-count": "1",
    "action": "continue",
    **{f"other-0-{name}": value for name, value in KELLY.items() if name != "date_of_birth"},
}
HOUSEHOLD_ANSWERS = {"other_family": "", "people": [KELLY]}
CONSENT = {"consent": "not_sought", "consent_detail": "Asking could put Amy at risk."}
PAGES = ("about-you", "people", "concern", "household", "consent")


def person(index: int = 0, born: str = "2 3 2014", due: str = "", **values) -> dict:
    """POST data for person `index` on the people page (dates typed as "day month year")."""
    data = {"given_name": "Amy", "family_name": "Smith", "gender": "2", "postcode": "LS1 4AP"}
    data.update({"address": "1 High Street, Leeds", "nhs_number": "", "upn": "", **values})
    for name, typed in (("date_of_birth", born), ("expected_date_of_delivery", due)):
        parts = (typed.split() + ["", "", ""])[:3]
        data.update(
            {f"{name}-{p}": v for p, v in zip(("day", "month", "year"), parts, strict=True)}
        )
    return {f"person-{index}-{name}": value for name, value in data.items()}


def people_post(*people: dict, action: str = "continue") -> dict:
    data = {"people-count": str(len(people)), "action": action}
    for entry in people:
        data.update(entry)
    return data


def fill_marf(client, *people: dict) -> None:
    """Answer every page of the form (not sending it)."""
    answers = (ABOUT, people_post(*(people or (person(),))), CONCERN, HOUSEHOLD, CONSENT)
    for page, data, after in zip(PAGES, answers, [*PAGES[1:], "check"], strict=True):
        response = client.post(f"/marf/{page}/", data)
        assert response.status_code == 302, (page, response.content.decode()[:3000])
        assert response["Location"] == f"/marf/{after}/"


def send_marf(client, *people: dict) -> Contact:
    fill_marf(client, *people)
    response = client.post("/marf/check/", submission_token(signed_in_user(client), "marf"))
    assert response.status_code == 302
    return Contact.objects.get(pk=int(response["Location"].rstrip("/").split("/")[-1]))


def marf_draft(user) -> dict | None:
    """The answers of `user`'s unsent MARF (kept on the server as they go), or None."""
    draft = Draft.objects.filter(owner=user, kind=DraftKind.MARF).first()
    return draft.data if draft is not None else None


@pytest.fixture
def referrer_client(client_for, referrer):
    return client_for(referrer)


def soon(days: int) -> str:
    day = timezone.localdate() + timedelta(days=days)
    return f"{day.day} {day.month} {day.year}"


class TestTheForm:
    def test_the_whole_form_creates_one_marf_contact(self, referrer_client, referrer):
        known = PersonFactory(given_name="Jack", family_name="Smith", nhs_number="9434765919")
        assert referrer_client.get("/marf/").status_code == 200
        jack = person(1, given_name="Jack", nhs_number="943 476 5919", born="1 6 2021")
        fill_marf(referrer_client, person(0, upn="A123456789012"), jack)
        before = timezone.now()
        response = referrer_client.post("/marf/check/", submission_token(referrer, "marf"))
        after = timezone.now()

        contact = Contact.objects.get()  # exactly one
        assert response["Location"] == f"/marf/sent/{contact.pk}/"
        sent = referrer_client.get(response["Location"]).content.decode()
        assert f'href="/marfs/{contact.pk}/#documents" data-testid="attach-files"' in sent
        assert contact.channel == Channel.MARF and contact.source == "2A"
        assert contact.referring_agency == referrer.agency and contact.referrer_user == referrer
        assert contact.referrer_name == "Ms Jones"
        assert before <= contact.received_at <= after
        assert contact.decision_due_at == contact_decision_due_at(contact.received_at)
        assert contact.concerns == ["emotional_abuse", "neglect"]
        assert LONG_ACCOUNT in contact.narrative and "nothing to eat" in contact.narrative
        assert contact.consent == "not_sought" and "at risk" in contact.consent_detail
        # The known brother is matched by NHS number; Amy is a new record.
        assert set(contact.subjects.all()) == {known, Person.objects.get(given_name="Amy")}
        assert Person.objects.get(given_name="Amy").upn == "A123456789012"
        marf = Marf.objects.get(contact=contact)
        assert marf.submitted_by == referrer and marf.submitted_at == contact.received_at
        assert marf.answers["about_you"] == ABOUT and marf.answers["concern"] == CONCERN
        assert marf.answers["household"] == HOUSEHOLD_ANSWERS
        assert marf.answers["consent"] == CONSENT
        kelly = contact.person_links.get()
        assert (kelly.person.full_name, kelly.role) == ("Kelly Smith", "parent_carer")
        assert marf.answers["people"][0]["date_of_birth"] == "2014-03-02"
        assert marf.answers["people"][1]["nhs_number"] == "943 476 5919"
        assert marf_draft(referrer) is None  # sent, so the draft is gone

        sent = referrer_client.get(response["Location"]).content.decode()
        assert contact.reference in sent and "govuk-panel--confirmation" in sent

    def test_about_you_starts_from_the_referrer_and_their_agency(self, referrer_client, referrer):
        referrer.first_name, referrer.last_name, referrer.job_title = "Ann", "Jones", "DSL"
        referrer.save()
        body = referrer_client.get("/marf/about-you/").content.decode()
        assert 'value="Ann Jones"' in body and 'value="DSL"' in body
        assert 'value="Northfield Primary"' in body
        assert '<option value="2A" selected>' in body  # a school refers as 2A

    def test_start_page_and_the_referrers_navigation(self, referrer_client, referrer, hub_worker):
        body = referrer_client.get("/marf/").content.decode()
        assert "Start now" in body and 'href="/marf/about-you/"' in body
        labels = {item["label"]: item["url"] for item in navigation_for(referrer)}
        assert labels == {"Home": "/", "Make a referral": "/marf/", "Your referrals": "/marfs/"}
        assert "Make a referral" not in {item["label"] for item in navigation_for(hub_worker)}

    def test_check_your_answers_shows_what_was_entered(self, referrer_client):
        fill_marf(referrer_client, person(0), person(1, given_name="Jack", born="1 6 2021"))
        response = referrer_client.get("/marf/check/")
        body = response.content.decode()
        assert response.status_code == 200
        for text in (
            *("Ms Jones", "jones@school.example", "Schools", "Amy", "Jack", "2 March 2014"),
            *("1 June 2021", "LS1 4AP", "Neglect, Emotional abuse", "There is nothing to eat."),
            *("Other person 1", "Kelly", "Parent", "Parent or carer", "Not sought"),
            *("Asking could put Amy at risk.",),
        ):
            assert text in body, text
        for page in PAGES:
            assert f'href="/marf/{page}/?change=1' in body
        assert Contact.objects.count() == 0  # nothing is stored until it is sent

    def test_a_change_link_returns_to_check_your_answers(self, referrer_client):
        fill_marf(referrer_client)
        changed = {**CONCERN, "child_said": "I am hungry."}
        response = referrer_client.post("/marf/concern/?change=1", changed)
        assert response["Location"] == "/marf/check/"
        assert "I am hungry." in referrer_client.get("/marf/check/").content.decode()
        page = referrer_client.get("/marf/concern/?change=1").content.decode()
        assert 'href="/marf/check/" class="govuk-back-link"' in page

    def test_check_sends_an_unfinished_form_back_to_its_first_missing_page(
        self, referrer_client, referrer
    ):
        assert referrer_client.get("/marf/check/")["Location"] == "/marf/"
        referrer_client.post("/marf/about-you/", ABOUT)
        assert referrer_client.get("/marf/check/")["Location"] == "/marf/people/"
        token = submission_token(referrer, "marf")
        assert referrer_client.post("/marf/check/", token)["Location"] == "/marf/people/"
        assert Contact.objects.count() == 0
        assert referrer_client.get("/marf/nothing/").status_code == 404

    def test_add_another_person_and_remove_one(self, referrer_client, referrer):
        response = referrer_client.post("/marf/people/", people_post(person(0), action="add"))
        body = response.content.decode()
        assert response.status_code == 200
        assert body.count('data-testid="person-form"') == 2
        assert 'value="Amy"' in body  # what was typed is kept
        assert "autofocus" in body and "There is a problem" not in body

        two = people_post(person(0), person(1, given_name="Jack"), action="remove-0")
        body = referrer_client.post("/marf/people/", two).content.decode()
        assert body.count('data-testid="person-form"') == 1
        assert 'value="Jack"' in body and 'value="Amy"' not in body
        assert marf_draft(referrer) is None  # nothing saved until they continue

    def test_start_again_throws_the_draft_away(self, referrer_client, referrer):
        referrer_client.post("/marf/about-you/", ABOUT)
        assert "Continue your referral" in referrer_client.get("/marf/").content.decode()
        assert referrer_client.post("/marf/")["Location"] == "/marf/about-you/"
        assert marf_draft(referrer) is None


class TestBadAnswers:
    @pytest.mark.parametrize(
        "page, changes, field, message",
        [
            ("about-you", {"referrer_name": ""}, "referrer_name", "Enter your full name"),
            ("about-you", {"source": "99"}, "source", "Select a valid choice"),
            ("about-you", {"referrer_email": "nope"}, "referrer_email", "correct format"),
            ("concern", {"concerns": []}, "concerns", "Select at least one kind"),
            ("concern", {"what_happened": ""}, "what_happened", "Describe what happened"),
            ("household", {"other_family": "x" * 2001}, "other_family", "2,000"),
            ("household", {"other-0-role": ""}, "other-0-role", "Select their part"),
            ("consent", {"consent": ""}, "consent", "Select whether consent was given"),
            ("consent", {"consent": "not_given", "consent_detail": ""}, "consent_detail", "lawful"),
        ],
    )
    def test_each_page_names_the_field_and_stores_nothing(
        self, referrer_client, referrer, page, changes, field, message
    ):
        valid = dict(zip(PAGES, (ABOUT, None, CONCERN, HOUSEHOLD, CONSENT), strict=True))[page]
        response = referrer_client.post(f"/marf/{page}/", {**valid, **changes})
        body = response.content.decode()
        assert response.status_code == 400
        assert "There is a problem" in body and message in body
        assert f'href="#id_{field}' in body  # the error summary links to the field
        assert f'id="{field}-error"' in body
        assert page.replace("-", "_") not in (marf_draft(referrer) or {})
        assert Contact.objects.count() == 0

    @pytest.mark.parametrize(
        "values, field, message",
        [
            ({"nhs_number": "943 476 5918"}, "nhs_number", "valid 10-digit NHS number"),
            ({"upn": "B123456789012"}, "upn", "unique pupil number"),
            ({"postcode": "XYZ 123"}, "postcode", "real UK postcode"),
            ({"given_name": ""}, "given_name", "Enter the person"),
            ({"born": "1 1 2999"}, "date_of_birth", "today or in the past"),
            ({"born": "31 2 2014"}, "date_of_birth", "must be a real date"),
            ({"born": "2 3"}, "date_of_birth", "must include a year"),
            ({"born": "", "due": "1 1 2020"}, "expected_date", "today or in the future"),
            ({"born": "", "due": "1 1 2999"}, "expected_date", "within the next 10 months"),
            ({"due": "SOON"}, "expected_date", "either a date of birth"),
        ],
    )
    def test_the_people_page_refuses_bad_details(
        self, referrer_client, referrer, values, field, message
    ):
        if values.get("due") == "SOON":
            values = {**values, "due": soon(60)}
        data = people_post(person(0), person(1, **values))
        response = referrer_client.post("/marf/people/", data)
        body = response.content.decode()
        assert response.status_code == 400
        assert message in body
        assert f'href="#id_person-1-{field}' in body
        assert "Person 2: " in body  # the summary says whose detail is wrong
        assert "people" not in (marf_draft(referrer) or {})
        assert Person.objects.count() == 0

    def test_an_unborn_child_with_a_due_date_is_accepted(self, referrer_client):
        due = soon(90)
        contact = send_marf(referrer_client, person(0, given_name="Unborn", born="", due=due))
        subject = contact.subjects.get()
        assert subject.is_unborn and f"{subject.expected_date_of_delivery:%-d %-m %Y}" == due

    @pytest.mark.parametrize(
        "changes, anchor, message",
        [
            (
                {"date_of_birth": "", "expected_date_of_delivery": "2000-01-01"},
                "expected_date_of_delivery_0",
                "Expected date of delivery must be today or in the future",
            ),
            ({"nhs_number": "123"}, "nhs_number", "Enter a valid 10-digit NHS number"),
        ],
    )
    def test_a_service_error_at_sending_shows_on_its_page(
        self, referrer_client, referrer, changes, anchor, message
    ):
        fill_marf(referrer_client)
        draft = Draft.objects.get(owner=referrer, kind=DraftKind.MARF)
        draft.data["people"][0].update(changes)  # e.g. a due date that passed while they typed
        draft.save()
        response = referrer_client.post("/marf/check/", submission_token(referrer, "marf"))
        body = response.content.decode()
        assert response.status_code == 400
        assert "Who is the concern about?" in body  # the people page, with the error
        assert body.count(message) == 2  # in the summary and at the field, once each
        assert f'href="#id_person-0-{anchor}"' in body
        assert Contact.objects.count() == 0 and Person.objects.count() == 0
        assert marf_draft(referrer)["people"][0]["given_name"] == "Amy"  # nothing lost


class TestYourReferrals:
    def test_the_referrer_sees_status_then_the_plain_outcome_and_nothing_else(
        self, referrer_client, hub_worker, manager
    ):
        hub_worker.first_name, hub_worker.last_name = "Harriet", "Assigneeson"
        hub_worker.save()
        manager.first_name, manager.last_name = "Morag", "Managerly"
        manager.save()
        contact = send_marf(referrer_client)
        listing = referrer_client.get("/marfs/").content.decode()
        assert contact.reference in listing and "Amy Smith" in listing
        assert "Received" in listing and "Not yet" in listing

        services.contact_pick_up(contact=contact, user=hub_worker)
        detail = referrer_client.get(f"/marfs/{contact.pk}/").content.decode()
        assert "Being looked at" in detail
        assert LONG_ACCOUNT in detail and "?change=1" not in detail  # their answers, read-only

        contact.refresh_from_db()
        rationale, reason = "SECRET-RATIONALE about them", "SECRET-REASON for the override"
        services.contact_recommend(
            contact=contact, user=hub_worker, outcome=Outcome.EARLY_HELP, rationale=rationale
        )
        services.contact_decide(
            contact=contact,
            manager=manager,
            outcome=Outcome.MASH_ENQUIRY,
            rag="AMBER",
            reason=reason,
        )
        services.contact_mark_feedback_sent(contact_id=contact.pk)
        for url in ("/marfs/", f"/marfs/{contact.pk}/"):
            body = referrer_client.get(url).content.decode()
            assert "Enquiry under way" in body
            assert OUTCOME_FOR_REFERRER[Outcome.MASH_ENQUIRY] in body
            assert "Emailed to you" in body or "Sent " in body
            for hidden in (
                *("SECRET-RATIONALE", "SECRET-REASON", "Amber", "AMBER", "Early help"),
                *("Harriet", "Assigneeson", "Morag", "Managerly", "Repeat"),
            ):
                assert hidden not in body, (url, hidden)

    def test_only_their_own_marfs_are_listed_and_shown(
        self, client_for, referrer_client, referrer_agency
    ):
        other = UserFactory(username="other.referrer", agency=referrer_agency, role="referrer")
        mine = send_marf(referrer_client)
        theirs = services.contact_create(
            data=contact_input(channel=Channel.MARF, subjects=[person_input(given_name="Zed")]),
            referrer_user=other,
            marf_answers={"people": [{"given_name": "Zed", "family_name": "Smith"}]},
        )
        body = referrer_client.get("/marfs/").content.decode()
        assert mine.reference in body and theirs.reference not in body and "Zed" not in body
        for url in (f"/marfs/{theirs.pk}/", f"/marf/sent/{theirs.pk}/"):
            assert referrer_client.get(url).status_code == 404
        other_client = client_for(other)
        assert other_client.get(f"/marfs/{mine.pk}/").status_code == 404
        assert other_client.get(f"/marf/sent/{mine.pk}/").status_code == 404

    @pytest.mark.parametrize(
        "persona", ["hub_worker", "manager", "board_member", "researcher_a", "administrator"]
    )
    def test_everyone_but_referrers_gets_404(self, request, client_for, referrer_client, persona):
        contact = send_marf(referrer_client)
        client = client_for(request.getfixturevalue(persona))
        for url in (
            *("/marf/", "/marf/about-you/", "/marf/people/", "/marf/check/", "/marfs/"),
            *(f"/marf/sent/{contact.pk}/", f"/marfs/{contact.pk}/"),
        ):
            assert client.get(url).status_code == 404, url
        assert client.post("/marf/about-you/", ABOUT).status_code == 404
        assert client.post("/marf/check/").status_code == 404
        assert Contact.objects.count() == 1

    def test_signed_out_visitors_are_sent_to_sign_in(self, client):
        for url in ("/marf/", "/marf/about-you/", "/marfs/", "/marfs/1/"):
            response = client.get(url)
            assert response.status_code == 302 and "sign-in" in response["Location"]

    def test_the_list_runs_the_same_queries_for_5_and_50(self, referrer_client, referrer):
        def make(count: int) -> None:
            for n in range(count):
                services.contact_create(
                    data=contact_input(channel=Channel.MARF, subjects=[person_input()]),
                    referrer_user=referrer,
                    marf_answers={"people": [{"given_name": f"Kid{n}", "family_name": "Smith"}]},
                )

        def queries() -> tuple[int, int]:
            with CaptureQueriesContext(connection) as captured:
                response = referrer_client.get("/marfs/")
            assert response.status_code == 200
            return len(captured), response.content.decode().count('data-testid="marf-status"')

        make(5)
        few, rows = queries()
        assert rows == 5
        make(45)
        many, rows = queries()
        assert rows == 50 and few == many


def completeness(answers) -> dict[str, dict]:
    return {row["title"]: row for row in marf_completeness(SimpleNamespace(answers=answers))}


AMY = {"given_name": "Amy", "family_name": "Smith", "date_of_birth": "2014-03-02"}
FULL = {
    "about_you": ABOUT,
    "people": [{**AMY, "address": "1 High Street", "postcode": "LS1 4AP"}],
    "concern": CONCERN,
    "household": HOUSEHOLD_ANSWERS,
    "consent": CONSENT,
}


class TestCompleteness:
    def test_a_full_marf_is_complete(self):
        rows = marf_completeness(SimpleNamespace(answers=FULL))
        titles = ["About you", "The person or people", "The concern", "Family and household"]
        assert [row["title"] for row in rows] == [*titles, "Consent"]
        assert {row["status"] for row in rows} == {"complete"}

    def test_thin_and_missing_sections(self):
        rows = completeness(
            {
                "about_you": {**ABOUT, "referrer_phone": "", "referrer_email": ""},
                "people": [{**AMY, "date_of_birth": ""}],
                "concern": {**CONCERN, "what_happened": "Hungry."},
                "household": {"household_members": "", "other_family": ""},
                "consent": {"consent": "not_given", "consent_detail": ""},
            }
        )
        assert rows["About you"]["status"] == "thin"
        assert "phone number or email" in rows["About you"]["note"]
        people = rows["The person or people"]
        assert people["status"] == "thin"
        assert "No date of birth for Amy Smith" in people["note"]
        assert "No address for Amy Smith" in people["note"]
        assert rows["The concern"]["status"] == "thin"
        assert "short (7 characters)" in rows["The concern"]["note"]
        assert rows["Family and household"]["status"] == "missing"
        assert rows["Consent"]["status"] == "thin"

    def test_an_unborn_child_with_a_due_date_is_not_thin(self):
        unborn = {
            **FULL["people"][0],
            "date_of_birth": "",
            "expected_date_of_delivery": "2030-01-01",
        }
        rows = completeness({**FULL, "people": [unborn]})
        assert rows["The person or people"]["status"] == "complete"

    def test_empty_or_odd_answers_are_missing_not_an_error(self):
        for answers in ({}, None, {"people": "nonsense", "concern": []}):
            assert {row["status"] for row in completeness(answers).values()} == {"missing"}

    def test_the_triage_page_shows_the_completeness_panel(
        self, referrer_client, client_for, hub_worker
    ):
        contact = send_marf(referrer_client)
        body = client_for(hub_worker).get(f"/contacts/{contact.pk}/").content.decode()
        assert 'data-testid="completeness"' in body and "Family and household" in body

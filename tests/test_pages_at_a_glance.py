"""Pages that read at a glance (issue 12): the enquiry in sections, the manager's one-button
approval, one error summary naming each field once with every error at once, the GOV.UK date
input's messages, and the hub's contact form accepting a one-person contact as a browser sends it.
"""

import re
from html.parser import HTMLParser

import pytest
from django.urls import reverse

from contacts import services as contact_services
from contacts.models import Contact, Person
from enquiries.models import EnquiryState
from tests.factories import contact_input, person_input
from tests.test_enquiry_hub_pages import answer, ask, open_enquiry

pytestmark = pytest.mark.django_db

SECTIONS = {
    "": "Overview",
    "people/": "People",
    "requests/": "Requests and returns",
    "notes-and-documents/": "Notes and documents",
    "history/": "History",
    "decision/": "Decision",
}
OUTSIDERS = ["researcher_a", "supervisor_a", "referrer", "board_member", "administrator"]


def error_summary(html: str) -> str:
    assert html.count('class="govuk-error-summary"') == 1, "one error summary on the page"
    start = html.index('class="govuk-error-summary"')
    return html[start : html.index("</ul>", start)]


def summary_links(html: str) -> list[str]:
    return re.findall(r'<a href="#([^"]+)"', error_summary(html))


class BrowserForm(HTMLParser):
    """The fields a browser submits from a page's form as it stands: text boxes with their
    value, ticked boxes and radios, each select's selected (else first) option, textareas."""

    def __init__(self, html: str, form_index: int = -1) -> None:
        super().__init__()
        self.forms: list[list[tuple[str, str]]] = []
        self._select: tuple[str, list[tuple[str, bool]]] | None = None
        self._option: tuple[str, bool] | None = None
        self._textarea: str | None = None
        self._text = ""
        self.feed(html)
        self.data = self.forms[form_index]

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form":
            self.forms.append([])
        elif not self.forms or "name" not in a and tag != "option":
            return
        elif tag == "input":
            kind = a.get("type", "text")
            if kind in ("checkbox", "radio"):
                if "checked" in a:
                    self.forms[-1].append((a["name"], a.get("value", "on")))
            elif kind not in ("submit", "button", "file"):
                self.forms[-1].append((a["name"], a.get("value") or ""))
        elif tag == "select":
            self._select = (a["name"], [])
        elif tag == "option" and self._select is not None:
            self._select[1].append((a.get("value", ""), "selected" in a))
        elif tag == "textarea":
            self._textarea, self._text = a["name"], ""

    def handle_data(self, data):
        if self._textarea is not None:
            self._text += data

    def handle_endtag(self, tag):
        if tag == "select" and self._select is not None:
            name, options = self._select
            chosen = [value for value, selected in options if selected] or [options[0][0]]
            self.forms[-1].append((name, chosen[0]))
            self._select = None
        elif tag == "textarea" and self._textarea is not None:
            self.forms[-1].append((self._textarea, self._text.strip("\n")))
            self._textarea = None

    def post_data(self, **answers) -> dict:
        """The form's fields as posted, with `answers` typed in (lists for several values)."""
        data: dict[str, list[str]] = {}
        for name, value in self.data:
            data.setdefault(name, []).append(value)
        for name, value in answers.items():
            data[name] = value if isinstance(value, list) else [value]
        return data


# --- The enquiry's sections -------------------------------------------------------------------


@pytest.mark.parametrize("persona", ["hub_worker", "manager"])
def test_every_section_of_the_enquiry_is_its_own_page_with_the_sub_navigation(
    request, client_for, hub_worker, manager, persona
):
    enquiry = open_enquiry(hub_worker, manager)
    client = client_for(request.getfixturevalue(persona))
    for path in SECTIONS:
        response = client.get(f"/enquiries/{enquiry.pk}/{path}")
        assert response.status_code == 200, path
        html = response.content.decode()
        start = html.index('class="moj-sub-navigation"')
        nav = html[start : html.index("</nav>", start)]
        for other_path, other_label in SECTIONS.items():
            assert f'href="/enquiries/{enquiry.pk}/{other_path}"' in nav
            assert other_label in nav
        current = re.findall(
            r'<a class="moj-sub-navigation__link" href="([^"]+)" aria-current', nav
        )
        assert current == [f"/enquiries/{enquiry.pk}/{path}"], path


@pytest.mark.parametrize("persona", OUTSIDERS)
def test_every_section_is_404_outside_the_hub(request, client_for, hub_worker, manager, persona):
    enquiry = open_enquiry(hub_worker, manager)
    client = client_for(request.getfixturevalue(persona))
    for path in SECTIONS:
        response = client.get(f"/enquiries/{enquiry.pk}/{path}")
        assert response.status_code == 404, (persona, path)
        assert enquiry.reference not in response.content.decode()


def test_the_sections_cost_the_same_queries_for_5_and_50_requests(
    client_for, hub_worker, manager, agency_a, researcher_a
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from agencies.models import Agency

    few_enquiry = open_enquiry(hub_worker, manager)
    many_enquiry = open_enquiry(hub_worker, manager)
    agencies = [agency_a] + [
        Agency.objects.create(name=f"Agency {n}", code=f"AG{n}", kind=agency_a.kind)
        for n in range(49)
    ]
    for agency in agencies[:5]:
        ask(few_enquiry, agency, hub_worker)
    for agency in agencies:
        ask(many_enquiry, agency, hub_worker)
    client = client_for(hub_worker)
    for path in SECTIONS:
        counts = []
        for enquiry in (few_enquiry, many_enquiry):
            with CaptureQueriesContext(connection) as captured:
                assert client.get(f"/enquiries/{enquiry.pk}/{path}").status_code == 200
            counts.append(len(captured))
        assert counts[0] == counts[1], (path, counts)


# --- The manager's decision -------------------------------------------------------------------


@pytest.fixture
def recommended(hub_worker, manager, agency_a, researcher_a):
    enquiry = open_enquiry(hub_worker, manager)
    answer(ask(enquiry, agency_a, hub_worker), researcher_a)
    from enquiries import services

    services.enquiry_recommend(
        enquiry=enquiry, user=hub_worker, outcome="REFERRAL", final_rag="RED", rationale="Harm"
    )
    enquiry.refresh_from_db()
    return enquiry


def test_the_manager_approves_the_recommendation_with_one_button(client_for, manager, recommended):
    client = client_for(manager)
    html = client.get(f"/enquiries/{recommended.pk}/decision/").content.decode()
    assert "Approve recommendation" in html and "Choose a different outcome" in html
    assert 'data-testid="recommend-form"' not in html  # no editable recommendation above it
    approve = BrowserForm(
        html,
        form_index=[
            i for i, form in enumerate(BrowserForm(html).forms) if ("choice", "approve") in form
        ][0],
    )
    response = client.post(f"/enquiries/{recommended.pk}/decide/", approve.post_data())
    assert response.status_code == 302
    assert response["Location"] == f"/enquiries/{recommended.pk}/decision/"
    recommended.refresh_from_db()
    assert (recommended.state, recommended.outcome, recommended.final_rag) == (
        EnquiryState.CLOSED,
        "REFERRAL",
        "RED",
    )
    assert recommended.outcome_reason == ""


def test_the_hub_worker_sees_no_decision_form(client_for, hub_worker, recommended):
    html = client_for(hub_worker).get(f"/enquiries/{recommended.pk}/decision/").content.decode()
    assert "Approve recommendation" not in html and "/decide/" not in html
    assert "Awaiting a manager" in html


def test_a_different_outcome_needs_a_reason_named_on_its_field(client_for, manager, recommended):
    response = client_for(manager).post(
        f"/enquiries/{recommended.pk}/decide/",
        {
            "choice": "different",
            "outcome": "EARLY_HELP",
            "final_rag": "AMBER",
            "reason": " ",
            "version": recommended.version,
        },
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert summary_links(html) == ["decide_reason"]
    assert "Give a reason for deciding differently." in error_summary(html)
    assert 'id="decide" open' in html  # the different-outcome reveal is open on its error
    recommended.refresh_from_db()
    assert recommended.state == EnquiryState.AWAITING_DECISION and not recommended.outcome


def test_a_different_outcome_with_nothing_chosen_names_every_field_at_once(
    client_for, manager, recommended
):
    response = client_for(manager).post(
        f"/enquiries/{recommended.pk}/decide/",
        {"choice": "different", "version": recommended.version},
    )
    assert response.status_code == 400
    links = summary_links(response.content.decode())
    assert links == ["decide_outcome_0", "decide_final_rag_0", "decide_reason"]


def test_the_recommendation_reports_every_missing_answer_at_once(client_for, hub_worker, manager):
    enquiry = open_enquiry(hub_worker, manager)
    response = client_for(hub_worker).post(
        f"/enquiries/{enquiry.pk}/recommend/", {"rationale": " ", "version": enquiry.version}
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert summary_links(html) == [
        "recommend_outcome_0",
        "recommend_final_rag_0",
        "recommend_rationale",
    ]
    summary = error_summary(html)
    assert "Give the final RAG rating." in summary
    assert "Give the rationale for your recommendation." in summary
    enquiry.refresh_from_db()
    assert enquiry.recommended_outcome == ""


# --- The contact's decision -------------------------------------------------------------------


@pytest.fixture
def recommended_contact(hub_worker):
    contact = contact_services.contact_create(
        data=contact_input(subjects=[person_input(given_name="Ada", family_name="Hart")])
    )
    contact_services.contact_recommend(
        contact=contact, user=hub_worker, outcome="EARLY_HELP", rationale="Needs support"
    )
    contact.refresh_from_db()
    return contact


def test_the_manager_approves_a_contact_recommendation_with_one_button(
    client_for, manager, recommended_contact
):
    client = client_for(manager)
    html = client.get(f"/contacts/{recommended_contact.pk}/").content.decode()
    assert "Approve recommendation" in html and "Choose a different outcome" in html
    assert f'action="/contacts/{recommended_contact.pk}/recommend/"' not in html
    response = client.post(
        f"/contacts/{recommended_contact.pk}/decide/",
        {
            "choice": "approve",
            "outcome": "EARLY_HELP",
            "rag": "",
            "version": recommended_contact.version,
        },
    )
    assert response.status_code == 302
    recommended_contact.refresh_from_db()
    assert recommended_contact.outcome == "EARLY_HELP"
    assert recommended_contact.outcome_reason == ""


def test_a_different_contact_outcome_needs_a_reason(client_for, manager, recommended_contact):
    response = client_for(manager).post(
        f"/contacts/{recommended_contact.pk}/decide/",
        {"choice": "different", "outcome": "NFA", "version": recommended_contact.version},
    )
    assert response.status_code == 400
    assert summary_links(response.content.decode()) == ["decide_reason"]
    recommended_contact.refresh_from_db()
    assert not recommended_contact.outcome


def test_a_hub_worker_sees_no_contact_decision_form(client_for, hub_worker, recommended_contact):
    html = client_for(hub_worker).get(f"/contacts/{recommended_contact.pk}/").content.decode()
    assert "Approve recommendation" not in html and "/decide/" not in html


def test_a_contact_recommendation_reports_every_missing_answer_at_once(client_for, hub_worker):
    contact = contact_services.contact_create(data=contact_input())
    response = client_for(hub_worker).post(
        f"/contacts/{contact.pk}/recommend/",
        {"outcome": "MASH_ENQUIRY", "rationale": "", "version": contact.version},
    )
    assert response.status_code == 400
    assert summary_links(response.content.decode()) == ["recommend_rag", "recommend_rationale"]


# --- Error summaries name each field once -----------------------------------------------------


def test_the_staff_user_form_names_each_field_once(client_for, administrator):
    response = client_for(administrator).post(
        reverse("agencies:staff_user_create"), {"job_title": ""}
    )
    assert response.status_code == 200
    html = response.content.decode()
    links = summary_links(html)
    assert len(links) == len(set(links)) >= 7
    assert "This field is required." not in html
    summary = error_summary(html)
    for message in ("Enter the username", "Enter the first name", "Choose the agency"):
        assert summary.count(message) == 1, message


# --- Record a contact -------------------------------------------------------------------------


def record_page(client) -> BrowserForm:
    html = client.get("/contacts/new/").content.decode()
    forms = BrowserForm(html).forms
    index = next(i for i, form in enumerate(forms) if ("subject-TOTAL_FORMS", "3") in form)
    return BrowserForm(html, form_index=index)


ONE_PERSON = {
    "channel": "phone",
    "source": "3A",
    "concerns": ["neglect"],
    "narrative": "Baby not brought to appointments.",
    "consent": "given",
    "subject-0-given_name": "Maisie",
    "subject-0-family_name": "Wilson",
}


def test_a_one_person_contact_posted_as_a_browser_sends_it_is_recorded(client_for, hub_worker):
    client = client_for(hub_worker)
    page = record_page(client)
    data = page.post_data(**ONE_PERSON)
    # What made it fail: the empty rows carry their selects' first options.
    assert data["subject-1-gender"] == ["0"] and data["subject-2-gender"] == ["0"]
    assert data["other-0-in_household"] == ["on"]
    response = client.post("/contacts/new/", data)
    assert response.status_code == 302, error_summary(response.content.decode())
    contact = Contact.objects.get()
    assert response["Location"] == f"/contacts/{contact.pk}/"
    assert [p.full_name for p in contact.subjects.all()] == ["Maisie Wilson"]
    assert Person.objects.count() == 1


def test_the_contact_form_has_one_summary_with_each_field_named_once(client_for, hub_worker):
    client = client_for(hub_worker)
    data = record_page(client).post_data(
        **{**ONE_PERSON, "concerns": [], "subject-0-given_name": "", "subject-0-family_name": ""},
        **{"subject-1-family_name": "Wilson", "other-2-family_name": "Lane"},
    )
    response = client.post("/contacts/new/", data)
    assert response.status_code == 400
    html = response.content.decode()
    links = summary_links(html)
    assert len(links) == len(set(links))
    summary = error_summary(html)
    for message in (
        "Choose at least one concern",
        "Enter the first person&#x27;s given name",
        "Enter the first person&#x27;s family name",
        "Enter the second person&#x27;s given name",
        "Enter the given name of other person 3",
        "Choose the role of other person 3 in the concern",
    ):
        assert summary.count(message) == 1, message
    assert "This field is required." not in html
    assert not Contact.objects.exists() and not Person.objects.exists()


@pytest.mark.parametrize(
    ("parts", "message", "box"),
    [
        (("1", "", "2026"), "Date received must include a month", "id_received_date_1"),
        (("", "", "2026"), "Date received must include a day and a month", "id_received_date_0"),
        (("1", "3", ""), "Date received must include a year", "id_received_date_2"),
        (("30", "2", "2026"), "Date received must be a real date", "id_received_date_0"),
        (("1", "3", "26"), "Date received must be a real date, with a 4-digit year", None),
    ],
)
def test_a_date_names_the_part_that_is_wrong(client_for, hub_worker, parts, message, box):
    client = client_for(hub_worker)
    day, month, year = parts
    data = record_page(client).post_data(
        **ONE_PERSON,
        **{"received_date-day": day, "received_date-month": month, "received_date-year": year},
    )
    response = client.post("/contacts/new/", data)
    assert response.status_code == 400
    html = response.content.decode()
    assert message in error_summary(html)
    if box:
        assert summary_links(html) == [box]
        assert re.search(rf'id="{box}" class="[^"]*govuk-input--error', html)
    assert not Contact.objects.exists()


def test_a_subjects_date_of_birth_names_whose_it_is(client_for, hub_worker):
    client = client_for(hub_worker)
    data = record_page(client).post_data(
        **ONE_PERSON,
        **{
            "subject-0-date_of_birth-day": "31",
            "subject-0-date_of_birth-month": "2",
            "subject-0-date_of_birth-year": "2019",
        },
    )
    response = client.post("/contacts/new/", data)
    assert response.status_code == 400
    assert "The first person&#x27;s date of birth must be a real date" in error_summary(
        response.content.decode()
    )


def test_a_persons_corrected_date_of_birth_is_typed_into_the_date_input(client_for, hub_worker):
    child = contact_services.person_create(given_name="Amira", family_name="Hussain")
    client = client_for(hub_worker)
    page = client.get(f"/people/{child.pk}/").content.decode()
    for part in ("day", "month", "year"):
        assert f'name="correct-date_of_birth-{part}"' in page
    assert 'type="date"' not in page
    form = {
        "correct-given_name": "Amira",
        "correct-family_name": "Hussain",
        "correct-date_of_birth-day": "12",
        "correct-date_of_birth-month": "",
        "correct-date_of_birth-year": "2015",
        "correct-gender": child.gender,
        "correct-ethnicity": child.ethnicity,
        "correct-reason": "Birth certificate seen.",
    }
    refused = client.post(f"/people/{child.pk}/correct/", form)
    assert refused.status_code == 400
    assert summary_links(refused.content.decode()) == ["id_correct-date_of_birth_1"]
    assert "Date of birth must include a month" in refused.content.decode()
    child.refresh_from_db()
    assert child.date_of_birth is None
    response = client.post(
        f"/people/{child.pk}/correct/", form | {"correct-date_of_birth-month": "3"}
    )
    assert response.status_code == 302
    child.refresh_from_db()
    assert str(child.date_of_birth) == "2015-03-12"

"""A MASH enquiry end to end in real Chromium (issue 4's "Must show"): a hub worker opens an
Amber enquiry and asks Police and Health; the Police researcher sees only the Police request
(not the Health one, not the referrer, not the narrative) and returns; the hub worker escalates
to Red and the deadline moves as DOMAIN.md says; Health returns; the worker recommends a
referral (Red); the manager approves and the enquiry closes; the MASH summary shows the decision
and each agency's return with its handling marking, marked OFFICIAL-SENSITIVE, and prints to
PDF. Every page visited is checked with axe-core by the helpers."""

import re
from datetime import date, datetime, timedelta
from pathlib import Path

import pytest
from django.utils import timezone
from playwright.sync_api import Locator, Page, expect

from contacts import services
from contacts.codes import Outcome, Rag
from enquiries.models import Enquiry, EnquiryState, HandlingMarking, InformationRequest
from tests.factories import PASSWORD, contact_input, person_input

from .helpers import sign_in, sign_out, submit

pytestmark = pytest.mark.browser

CHILD = ("Tobias", "Wrenfield")
REFERRER = "Referrer Veronica Quill"
NARRATIVE = "Narrative: Tobias was seen at the canal lock gates after midnight with bruised arms."
POLICE_QUESTION = "Police question: any domestic abuse call-outs to the home in the last year?"
HEALTH_QUESTION = "Health question: missed immunisations or A&E attendances for Tobias?"
POLICE_SUMMARY = "Police summary: two call-outs in March, mother's partner arrested once."
POLICE_RISKS = "Police risks: violence in the home."
HEALTH_SUMMARY = "Health summary: three A&E attendances for minor injuries since May."
ESCALATION_REASON = "Escalation reason: Police hold recent domestic abuse call-outs."
RATIONALE = "Worker rationale: threshold for assessment met; strategy discussion needed."
RED_ENQUIRY = timedelta(hours=4)  # DOMAIN.md: Red enquiry decided within 4 elapsed hours
RED_RETURN = timedelta(hours=2)  # DOMAIN.md: Red return due within 2 elapsed hours


def follow(page: Page, link: Locator) -> None:
    """Follow a link to a new page, which the helper checks with axe."""
    submit(page, link)


def nav_link(page: Page, label: str) -> Locator:
    return page.get_by_test_id("navigation").get_by_role("link", name=label, exact=True)


def form_with(page: Page, button: str) -> Locator:
    """The form whose submit button is named `button` (the enquiry page has several forms)."""
    return page.locator("form", has=page.get_by_role("button", name=button, exact=True))


def shown(moment: datetime) -> str:
    """A time as the hub pages show it: '23 November 2026, 19:00' (Europe/London)."""
    return timezone.localtime(moment).strftime("%-d %B %Y, %H:%M")


def amber_enquiry(hub_worker, manager) -> Enquiry:
    """A contact recommended and decided as a MASH enquiry (Amber): the decision opens it."""
    contact = services.contact_create(
        data=contact_input(
            subjects=[
                person_input(
                    given_name=CHILD[0],
                    family_name=CHILD[1],
                    date_of_birth=date(2014, 9, 3),
                    postcode="LS6 2QT",
                )
            ],
            referrer_name=REFERRER,
            narrative=NARRATIVE,
        )
    )
    services.contact_recommend(
        contact=contact,
        user=hub_worker,
        outcome=Outcome.MASH_ENQUIRY,
        rag=Rag.AMBER,
        rationale="Partner checks needed before deciding.",
    )
    services.contact_decide(
        contact=contact, manager=manager, outcome=Outcome.MASH_ENQUIRY, rag=Rag.AMBER
    )
    return Enquiry.objects.get(contact=contact)


def open_enquiry(page: Page, enquiry: Enquiry) -> None:
    """From the navigation, the enquiry queue, then the enquiry itself."""
    follow(page, nav_link(page, "Enquiries"))
    expect(page.get_by_role("heading", level=1)).to_have_text("MASH enquiries")
    queue = page.get_by_test_id("enquiry-queue")
    follow(page, queue.get_by_role("link", name=enquiry.reference, exact=True))
    expect(page.get_by_role("heading", level=1)).to_contain_text(enquiry.reference)


def section(page: Page, label: str) -> None:
    """Open one section of the enquiry from its sub navigation."""
    nav = page.get_by_role("navigation", name=re.compile("^Sections of enquiry"))
    follow(page, nav.get_by_role("link", name=re.compile(f"^{label}")))
    expect(nav.locator("[aria-current=page]")).to_contain_text(label)


def reveal(page: Page, summary: str) -> None:
    """Open a details reveal (if it is closed) by its summary."""
    details = page.locator("details", has=page.get_by_text(summary, exact=True))
    if details.get_attribute("open") is None:
        details.get_by_text(summary, exact=True).click()


def request_information(page: Page, agency: str, question: str) -> None:
    reveal(page, "Send a request to an agency")
    form = form_with(page, "Send request")
    form.get_by_label("Agency to ask").select_option(label=agency)
    form.get_by_label("What do you want to know?").fill(question)
    person = form.get_by_role("group", name="People the agency should check").get_by_label(
        f"{CHILD[0]} {CHILD[1]}", exact=False
    )
    expect(person).to_be_checked()  # every person to check is ticked by default
    submit(page, form.get_by_role("button", name="Send request", exact=True))
    expect(page.get_by_role("main")).to_contain_text(f"was sent to {agency}.")


def assert_nothing_else_visible(page: Page, *secrets: str) -> None:
    """Nothing of the enquiry beyond the request is on the agency's page, not even hidden."""
    html = page.content()
    main = page.get_by_role("main")
    for secret in secrets:
        expect(main).not_to_contain_text(secret)
        assert secret not in html, f"{secret!r} is in the page's HTML at {page.url}"


def open_own_request(page: Page, mine: InformationRequest, other: InformationRequest) -> None:
    """The researcher's queue holds their agency's request only; open it."""
    follow(page, nav_link(page, "Information requests"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Information requests")
    rows = page.get_by_test_id("agency-queue").get_by_test_id("request-row")
    expect(rows).to_have_count(1)
    expect(rows).to_contain_text(mine.reference)
    assert_nothing_else_visible(
        page, other.reference, other.question, other.agency.name, REFERRER, NARRATIVE
    )
    follow(page, rows.get_by_role("link", name=mine.reference, exact=True))
    expect(page.get_by_role("heading", level=1)).to_contain_text(mine.reference)
    expect(page.get_by_test_id("question")).to_have_text(mine.question)
    expect(page.get_by_test_id("person")).to_have_count(1)
    expect(page.get_by_test_id("person")).to_contain_text(f"{CHILD[0]} {CHILD[1]}")
    assert_nothing_else_visible(
        page, other.reference, other.question, other.agency.name, REFERRER, NARRATIVE
    )


def send_return(page: Page, reference: str, *, summary: str, risks: str, handling: str) -> None:
    form = page.get_by_test_id("return-form")
    form.get_by_role(
        "group", name="Does your agency hold information about these people?"
    ).get_by_label("Yes", exact=True).check()
    form.get_by_label("Summary of relevant information").fill(summary)
    form.get_by_label("Risk indicators").fill(risks)
    form.get_by_label("Systems checked").fill("Niche, PNC, SystmOne")
    form.get_by_role("group", name="Handling marking").get_by_label(handling, exact=True).check()
    submit(page, form.get_by_role("button", name="Send return", exact=True))
    expect(page.get_by_role("main")).to_contain_text(f"Your return for {reference} was sent")
    expect(page.get_by_test_id("request-state")).to_have_text("Returned")
    sent = page.get_by_test_id("return")
    expect(sent).to_have_count(1)
    expect(sent).to_contain_text(summary)
    expect(sent).to_contain_text(handling)
    expect(page.get_by_role("button", name="Send return")).to_have_count(0)  # read-only now


def test_enquiry_requests_returns_escalation_decision_and_printed_summary(
    page: Page,
    base_url: str,
    tmp_path: Path,
    hub_worker,
    manager,
    researcher_a,
    researcher_b,
    agency_a,
    agency_b,
) -> None:
    enquiry = amber_enquiry(hub_worker, manager)
    assert (enquiry.rag, enquiry.state, enquiry.worker) == (
        Rag.AMBER,
        EnquiryState.OPEN,
        hub_worker,
    )
    police, health = agency_a.name, agency_b.name

    # 1. The hub worker opens the Amber enquiry and asks Police and Health.
    sign_in(page, base_url, hub_worker.username, PASSWORD)
    open_enquiry(page, enquiry)
    expect(page.get_by_role("heading", level=1).get_by_test_id("rag")).to_have_text("Amber")
    expect(page.get_by_test_id("deadline")).to_contain_text(shown(enquiry.deadline))
    section(page, "Requests and returns")
    request_information(page, police, POLICE_QUESTION)
    request_information(page, health, HEALTH_QUESTION)
    expect(page.get_by_test_id("outstanding-agencies")).to_contain_text(police)
    expect(page.get_by_test_id("outstanding-agencies")).to_contain_text(health)
    police_request = InformationRequest.objects.get(enquiry=enquiry, agency=agency_a)
    health_request = InformationRequest.objects.get(enquiry=enquiry, agency=agency_b)
    assert (police_request.question, health_request.question) == (POLICE_QUESTION, HEALTH_QUESTION)
    sign_out(page)

    # 2. The Police researcher sees only the Police request, and returns.
    sign_in(page, base_url, researcher_a.username, PASSWORD)
    open_own_request(page, police_request, health_request)
    send_return(
        page,
        police_request.reference,
        summary=POLICE_SUMMARY,
        risks=POLICE_RISKS,
        handling=HandlingMarking.NOT_TO_FAMILY.label,
    )
    sign_out(page)

    # 3. The hub worker sees the Police return and escalates to Red: the deadline moves to the
    # earlier of the current deadline and the change time plus 4 elapsed hours.
    sign_in(page, base_url, hub_worker.username, PASSWORD)
    open_enquiry(page, enquiry)
    section(page, "Requests and returns")
    returned = page.get_by_test_id("return-row")
    expect(returned).to_have_count(1)
    expect(returned).to_contain_text(police)
    expect(returned).to_contain_text(POLICE_SUMMARY)
    expect(page.get_by_test_id("outstanding-row")).to_contain_text(health)
    enquiry.refresh_from_db()
    health_request.refresh_from_db()
    deadline_before, health_due_before = enquiry.deadline, health_request.due_at

    section(page, "Overview")
    reveal(page, "Change the RAG rating")
    form = form_with(page, "Change RAG rating")
    form.get_by_role("group", name="New RAG rating").get_by_label("Red", exact=True).check()
    form.get_by_label("Why are you changing the RAG rating?").fill(ESCALATION_REASON)
    started = timezone.now()
    submit(page, form.get_by_role("button", name="Change RAG rating", exact=True))
    finished = timezone.now()

    enquiry.refresh_from_db()
    health_request.refresh_from_db()
    change = enquiry.rag_changes.get()
    assert started <= change.changed_at <= finished
    assert (change.from_rag, change.to_rag, change.reason) == ("AMBER", "RED", ESCALATION_REASON)
    assert change.previous_deadline == deadline_before
    expected_deadline = min(deadline_before, change.changed_at + RED_ENQUIRY)
    assert enquiry.deadline == change.new_deadline == expected_deadline
    assert expected_deadline < deadline_before, "Amber's working day ends after 4 elapsed hours"
    assert health_request.due_at == min(health_due_before, change.changed_at + RED_RETURN)
    expect(page.get_by_role("heading", level=1).get_by_test_id("rag")).to_have_text("Red")
    expect(page.get_by_role("main")).to_contain_text(
        f"{enquiry.reference} is now Red. The enquiry is due {shown(expected_deadline)}."
    )
    expect(page.get_by_test_id("deadline")).to_contain_text(shown(expected_deadline))
    expect(page.get_by_test_id("deadline")).not_to_contain_text(shown(deadline_before))
    section(page, "History")
    expect(page.get_by_test_id("timeline-rag")).to_contain_text(ESCALATION_REASON)
    sign_out(page)

    # 4. The Health researcher sees only the Health request, now Red, and returns.
    sign_in(page, base_url, researcher_b.username, PASSWORD)
    open_own_request(page, health_request, police_request)
    expect(page.get_by_test_id("rag")).to_have_text("Red")
    assert_nothing_else_visible(page, POLICE_SUMMARY, ESCALATION_REASON)
    send_return(
        page,
        health_request.reference,
        summary=HEALTH_SUMMARY,
        risks="Health risks: repeated injuries.",
        handling=HandlingMarking.HEALTH_ONLY.label,
    )
    sign_out(page)

    # 5. The hub worker recommends a referral, final RAG Red, with a rationale.
    sign_in(page, base_url, hub_worker.username, PASSWORD)
    open_enquiry(page, enquiry)
    section(page, "Requests and returns")
    expect(page.get_by_test_id("return-row")).to_have_count(2)
    expect(page.get_by_test_id("outstanding-agencies")).to_have_count(0)
    section(page, "Decision")
    form = form_with(page, "Send recommendation")
    form.get_by_role("group", name="Recommended outcome").get_by_label(
        Outcome.REFERRAL.label, exact=True
    ).check()
    form.get_by_role("group", name="Final RAG rating").get_by_label("Red", exact=True).check()
    form.get_by_label("Rationale", exact=True).fill(RATIONALE)
    submit(page, form.get_by_role("button", name="Send recommendation", exact=True))
    expect(page.get_by_role("main")).to_contain_text(
        f"Your recommendation for {enquiry.reference} was sent to a manager."
    )
    recommendation = page.get_by_test_id("recommendation")
    expect(recommendation).to_contain_text(Outcome.REFERRAL.label)
    expect(recommendation.get_by_test_id("rag")).to_have_text("Red")
    expect(page.get_by_role("button", name="Approve recommendation")).to_have_count(0)
    sign_out(page)

    # 6. The manager approves with one button; the enquiry closes.
    sign_in(page, base_url, manager.username, PASSWORD)
    open_enquiry(page, enquiry)
    section(page, "Decision")
    expect(page.get_by_test_id("recommendation")).to_contain_text(RATIONALE)
    expect(page.get_by_test_id("recommend-form")).to_have_count(0)  # read only for a manager
    submit(page, page.get_by_role("button", name="Approve recommendation", exact=True))
    expect(page.get_by_role("main")).to_contain_text(
        f"{enquiry.reference} is decided and closed: {Outcome.REFERRAL.label}."
    )
    expect(page.get_by_test_id("enquiry-state")).to_have_text("Closed")
    expect(page.get_by_test_id("decision")).to_contain_text(f"{Outcome.REFERRAL.label} (Red)")
    enquiry.refresh_from_db()
    assert (enquiry.state, enquiry.outcome, enquiry.final_rag, enquiry.decided_by) == (
        EnquiryState.CLOSED,
        Outcome.REFERRAL,
        Rag.RED,
        manager,
    )
    assert enquiry.outcome_reason == ""  # approved as recommended: no reason needed

    # 7. The MASH summary: marked, the decision, each agency's return with its marking; prints.
    section(page, "Overview")
    follow(page, page.get_by_role("link", name=f"Printable summary of {enquiry.reference}"))
    expect(page.get_by_role("heading", level=1)).to_have_text(enquiry.reference)
    expect(page.get_by_test_id("marking-top")).to_have_text("OFFICIAL-SENSITIVE")
    expect(page.get_by_test_id("marking-bottom")).to_have_text("OFFICIAL-SENSITIVE")
    decision = page.get_by_test_id("summary-decision")
    expect(decision).to_contain_text(Outcome.REFERRAL.label)
    expect(decision).to_contain_text("Red")
    expect(decision).to_contain_text(RATIONALE)
    expect(page.get_by_test_id("summary-rag-history")).to_contain_text(ESCALATION_REASON)
    agencies = page.get_by_test_id("summary-agency")
    expect(agencies).to_have_count(2)
    police_part = agencies.filter(has=page.get_by_role("heading", name=police, exact=True))
    expect(police_part).to_contain_text(POLICE_SUMMARY)
    expect(police_part.get_by_test_id("handling")).to_have_text(
        f"Handling: {HandlingMarking.NOT_TO_FAMILY.label}"
    )
    # A "Health professionals only" return is named with its marking, its content left out.
    health_part = agencies.filter(has=page.get_by_role("heading", name=health, exact=True))
    expect(health_part.get_by_test_id("withheld")).to_contain_text(
        f'is marked "{HandlingMarking.HEALTH_ONLY.label}"'
    )
    expect(health_part).not_to_contain_text(HEALTH_SUMMARY)
    expect(page.get_by_role("main")).not_to_contain_text(REFERRER)

    page.emulate_media(media="print")
    expect(page.get_by_role("link", name=f"Back to {enquiry.reference}")).to_be_hidden()
    expect(page.get_by_role("button", name="Sign out")).to_be_hidden()
    expect(page.get_by_test_id("marking-top")).to_be_visible()
    pdf = tmp_path / f"{enquiry.reference}.pdf"
    page.pdf(path=str(pdf), format="A4")
    data = pdf.read_bytes()
    assert data.startswith(b"%PDF-") and len(data) > 1000, "the summary did not print"

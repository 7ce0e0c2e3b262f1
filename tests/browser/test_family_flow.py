"""A family through the front door in real Chromium (issue 11's "Must show", first bullet): a
referrer sends a MARF about two children naming their mother, her partner (alleged perpetrator)
and a lodger, and attaches a PDF; the scan finds it clean; the hub worker sees all five people,
the address kept and the document downloadable; a manager decides a MASH enquiry whose people to
check are all five; police are asked and see exactly those five; a second MARF about one of the
children is added to the open enquiry (still one enquiry); the enquiry closes and the referrer
sees the final outcome. Every page visited is checked with axe-core by the helpers.

No Celery worker runs here: the scan the upload asks for is run in-process between steps, as
tests/test_documents.py does, against the real clamd of tests/conftest.py (`scanner`)."""

import re
from datetime import date

import pytest
from playwright.sync_api import Locator, Page, expect

from contacts import services as contact_services
from contacts.codes import OUTCOME_FOR_REFERRER, Outcome
from contacts.models import Contact
from documents.models import Document, ScanState
from documents.tasks import scan_document
from enquiries.models import Enquiry, EnquiryState, HandlingMarking, InformationRequest
from enquiries.services.enquiries import FINAL_OUTCOME_FOR_REFERRER
from tests.factories import PASSWORD, contact_input, person_input

from .helpers import goto, sign_in, sign_out, submit

pytestmark = pytest.mark.browser

ADDRESS = "14 Wharf Street, Leeds"
POSTCODE = "LS2 7EQ"
CHILDREN = [("Maisie", "Thornbury", date(2016, 5, 2)), ("Leo", "Thornbury", date(2019, 8, 20))]
# (first name, last name, relationship to Maisie, part in the concern)
OTHERS = [
    ("Rachel", "Thornbury", "Parent", "Parent or carer"),
    ("Dean", "Colley", "Partner (of a parent or carer)", "Alleged perpetrator"),
    ("Stefan", "Novak", "Unrelated household member", "Other"),
]
FIVE = [f"{c[0]} {c[1]}" for c in CHILDREN] + [f"{o[0]} {o[1]}" for o in OTHERS]
STRANGER = ("Gideon", "Marchbanks")  # on another, unrelated contact
PDF_NAME = "School letter.pdf"
PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
POLICE_QUESTION = "Any domestic abuse call-outs to 14 Wharf Street in the last year?"
POLICE_SUMMARY = "Police summary: Dean Colley arrested after a call-out in March."
RATIONALE = "Worker rationale: threshold for assessment met."


def follow(page: Page, link: Locator) -> None:
    """Follow a link to a new page, which the helper checks with axe."""
    submit(page, link)


def nav_link(page: Page, label: str) -> Locator:
    return page.get_by_test_id("navigation").get_by_role("link", name=label, exact=True)


def form_with(page: Page, button: str) -> Locator:
    return page.locator("form", has=page.get_by_role("button", name=button, exact=True))


def continue_(page: Page) -> None:
    submit(page, page.get_by_role("button", name="Continue", exact=True))


def fill_date(scope: Locator, value: date) -> None:
    group = scope.get_by_role("group", name=re.compile(r"^Date of birth"))
    group.get_by_label("Day").fill(str(value.day))
    group.get_by_label("Month").fill(str(value.month))
    group.get_by_label("Year").fill(str(value.year))


def send_marf(page: Page, referrer, children: list[tuple], others: list[tuple]) -> str:
    """The referrer fills in the MARF page by page and sends it; returns its reference."""
    goto(page, "/")
    follow(page, nav_link(page, "Make a referral"))
    follow(page, page.get_by_role("button", name="Start now"))

    expect(page.get_by_role("heading", level=1)).to_have_text("About you")
    page.get_by_label("Your full name").fill("Priya Shah")
    page.get_by_label("Your job title or role").fill("Designated safeguarding lead")
    page.get_by_label("Your organisation").fill(referrer.agency.name)
    page.get_by_label("Phone number").fill("0113 496 0000")
    page.get_by_label("Which best describes where this referral comes from?").select_option(
        label="Schools"
    )
    continue_(page)

    expect(page.get_by_role("heading", level=1)).to_have_text("Who is the concern about?")
    for index, (given, family, born) in enumerate(children):
        if index:
            submit(page, page.get_by_role("button", name="Add another person", exact=True))
        person = page.get_by_test_id("person-form").nth(index)
        person.get_by_label("First name").fill(given)
        person.get_by_label("Last name").fill(family)
        fill_date(person, born)
        person.get_by_label("Address (optional)").fill(ADDRESS)
        person.get_by_label("Postcode (optional)").fill(POSTCODE)
    continue_(page)

    expect(page.get_by_role("heading", level=1)).to_have_text("What are you worried about?")
    page.get_by_label("Domestic abuse", exact=True).check()
    page.get_by_label("What happened", exact=True).fill(
        "Maisie told her teacher that Dean shouted and threw a plate at her mum last night."
    )
    continue_(page)

    expect(page.get_by_role("heading", level=1)).to_have_text("The family and household")
    for index, (given, family, relationship, role) in enumerate(others):
        if index:
            submit(page, page.get_by_role("button", name="Add another person", exact=True))
        row = page.get_by_test_id("other-person-form").nth(index)
        row.get_by_label("First name").fill(given)
        row.get_by_label("Last name").fill(family)
        row.get_by_label("Their relationship").select_option(label=relationship)
        row.get_by_label("To whom").select_option(label=f"{children[0][0]} {children[0][1]}")
        row.get_by_label("Their part in the concern").select_option(label=role)
    continue_(page)

    expect(page.get_by_role("heading", level=1)).to_have_text("Consent to share")
    page.get_by_label("Given", exact=True).check()
    continue_(page)

    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Check your answers before sending your referral"
    )
    submit(page, page.get_by_role("button", name="Accept and send"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Referral sent")
    return page.get_by_test_id("marf-reference").inner_text().strip()


def open_own_marf(page: Page, reference: str) -> Locator:
    """From the navigation, the referrer's list, then the MARF; returns its row on the list."""
    follow(page, nav_link(page, "Your referrals"))
    row = page.get_by_test_id("marf-list").locator("tbody tr").filter(has_text=reference)
    expect(row).to_have_count(1)
    return row


def open_contact(page: Page, reference: str) -> None:
    follow(page, nav_link(page, "Triage queue"))
    follow(page, page.get_by_test_id("triage-queue").get_by_role("link", name=reference))
    expect(page.get_by_role("heading", level=1)).to_contain_text(reference)


def recommend_mash_enquiry(page: Page, reference: str) -> None:
    """The hub worker picks the contact up and recommends a MASH enquiry (Amber)."""
    open_contact(page, reference)
    submit(page, page.get_by_role("button", name="Pick up this contact"))
    page.get_by_role("group", name="Recommended outcome").get_by_label(
        "MASH enquiry", exact=True
    ).check()
    page.get_by_label("Initial RAG rating (for a MASH enquiry)").select_option(label="Amber")
    page.get_by_label("Rationale", exact=True).fill("Checks with partner agencies needed.")
    submit(page, page.get_by_role("button", name="Send recommendation"))
    expect(page.get_by_role("main")).to_contain_text(
        f"Your recommendation for {reference} was sent."
    )


def decide_as_recommended(page: Page, reference: str) -> Locator:
    """The manager opens the contact from the decision queue and approves the MASH enquiry;
    returns what the form said would happen to the enquiry, read before deciding."""
    follow(page, nav_link(page, "Decisions"))
    follow(page, page.get_by_test_id("decision-queue").get_by_role("link", name=reference))
    expect(page.get_by_test_id("recommendation")).to_contain_text("MASH enquiry")
    said = page.get_by_test_id(re.compile(r"^enquiry-to-")).inner_text()
    submit(page, page.get_by_role("button", name="Approve recommendation", exact=True))
    expect(page.get_by_role("main")).to_contain_text(f"{reference} is decided.")
    return said


def open_enquiry(page: Page, enquiry: Enquiry) -> None:
    follow(page, nav_link(page, "Enquiries"))
    follow(page, page.get_by_test_id("enquiry-queue").get_by_role("link", name=enquiry.reference))
    expect(page.get_by_role("heading", level=1)).to_contain_text(enquiry.reference)


def section(page: Page, label: str) -> None:
    """Open one section of the enquiry from its sub navigation."""
    nav = page.get_by_role("navigation", name=re.compile("^Sections of enquiry"))
    follow(page, nav.get_by_role("link", name=re.compile(f"^{label}")))


def expect_the_five(people: Locator) -> None:
    """Exactly the five, each once: `people` is one row or card per person, named first."""
    expect(people).to_have_count(len(FIVE))
    firsts = people.locator(":scope > :first-child").all_inner_texts()
    assert sorted(text.strip().splitlines()[0] for text in firsts) == sorted(FIVE)


def test_a_family_marf_with_a_pdf_becomes_one_enquiry_and_the_referrer_sees_the_final_outcome(
    page: Page, base_url: str, scanner, referrer, hub_worker, manager, researcher_a, agency_a
) -> None:
    unrelated = contact_services.contact_create(
        data=contact_input(subjects=[person_input(given_name=STRANGER[0], family_name=STRANGER[1])])
    )

    # 1. The referrer sends the MARF about both children and the three adults, then attaches
    # a PDF on the sent MARF's page.
    sign_in(page, base_url, referrer.username, PASSWORD)
    reference = send_marf(page, referrer, CHILDREN, OTHERS)
    contact = Contact.objects.get(marf__submitted_by=referrer)
    assert contact.reference == reference
    row = open_own_marf(page, reference)
    follow(page, row.get_by_role("link", name=reference, exact=True))
    upload = page.get_by_test_id("document-upload")
    upload.get_by_label("Upload a file").set_input_files(
        {"name": PDF_NAME, "mimeType": "application/pdf", "buffer": PDF}
    )
    submit(page, upload.get_by_role("button", name="Attach file"))
    document = page.get_by_test_id("documents").get_by_test_id("document")
    expect(document).to_contain_text(PDF_NAME)
    expect(document.get_by_test_id("scan-state")).to_have_text("Not yet scanned")
    sign_out(page)

    # 2. The scan runs (no worker here: in-process) and finds it clean. The hub worker sees
    # all five people, the address kept, and the document clean and downloadable.
    uploaded = Document.objects.get(marf=contact.marf)
    scan_document.apply(args=(uploaded.pk,))
    uploaded.refresh_from_db()
    assert uploaded.scan_state == ScanState.CLEAN

    sign_in(page, base_url, hub_worker.username, PASSWORD)
    open_contact(page, reference)
    named = page.get_by_test_id("people-named")
    expect_the_five(named.locator("tbody tr"))
    expect(named.locator("tbody tr").filter(has_text="Dean Colley")).to_contain_text(
        "Alleged perpetrator"
    )
    subjects = page.get_by_test_id("subject")
    expect(subjects).to_have_count(2)
    for card in (subjects.nth(0), subjects.nth(1)):
        expect(card).to_contain_text(f"{ADDRESS} {POSTCODE}")
    document = page.get_by_test_id("documents").get_by_test_id("document")
    expect(document).to_have_count(1)
    expect(document.get_by_test_id("scan-state")).to_have_text("Clean")
    expect(document.get_by_test_id("from-marf")).to_be_visible()
    with page.expect_download() as download:
        document.get_by_role("link", name=PDF_NAME).click()
    assert download.value.suggested_filename == PDF_NAME
    with open(download.value.path(), "rb") as downloaded:
        assert downloaded.read() == PDF

    # 3. Recommended, then decided by the manager: a MASH enquiry, its people all five.
    recommend_mash_enquiry(page, reference)
    sign_out(page)
    sign_in(page, base_url, manager.username, PASSWORD)
    said = decide_as_recommended(page, reference)
    assert "a new enquiry opens" in said
    enquiry = Enquiry.objects.get(contact=contact)
    sign_out(page)

    # 4. The hub worker sees the five to check and asks police about all of them.
    sign_in(page, base_url, hub_worker.username, PASSWORD)
    open_enquiry(page, enquiry)
    section(page, "People")
    expect_the_five(page.get_by_test_id("people").get_by_test_id("person-row"))
    section(page, "Requests and returns")
    form = form_with(page, "Send request")
    form.get_by_label("Agency to ask").select_option(label=agency_a.name)
    form.get_by_label("What do you want to know?").fill(POLICE_QUESTION)
    ticks = form.get_by_role("group", name="People the agency should check").get_by_role("checkbox")
    expect(ticks).to_have_count(len(FIVE))
    for index in range(len(FIVE)):
        expect(ticks.nth(index)).to_be_checked()
    submit(page, form.get_by_role("button", name="Send request", exact=True))
    expect(page.get_by_role("main")).to_contain_text(f"was sent to {agency_a.name}.")
    police_request = InformationRequest.objects.get(enquiry=enquiry)
    sign_out(page)

    # The police researcher sees exactly the five, nobody else, and returns.
    sign_in(page, base_url, researcher_a.username, PASSWORD)
    follow(page, nav_link(page, "Information requests"))
    follow(page, page.get_by_role("link", name=police_request.reference, exact=True))
    expect_the_five(page.get_by_test_id("person"))
    html = page.content()
    assert STRANGER[1] not in html and unrelated.reference not in html
    form = page.get_by_test_id("return-form")
    form.get_by_role(
        "group", name="Does your agency hold information about these people?"
    ).get_by_label("Yes", exact=True).check()
    form.get_by_label("Summary of relevant information").fill(POLICE_SUMMARY)
    form.get_by_label("Systems checked").fill("Niche, PNC")
    form.get_by_role("group", name="Handling marking").get_by_label(
        HandlingMarking.NOT_TO_FAMILY.label, exact=True
    ).check()
    submit(page, form.get_by_role("button", name="Send return", exact=True))
    expect(page.get_by_test_id("request-state")).to_have_text("Returned")
    sign_out(page)

    # 5. A second MARF about Maisie (same name and date of birth) joins the open enquiry.
    sign_in(page, base_url, referrer.username, PASSWORD)
    second = send_marf(page, referrer, CHILDREN[:1], [])
    sign_out(page)
    sign_in(page, base_url, hub_worker.username, PASSWORD)
    recommend_mash_enquiry(page, second)
    sign_out(page)
    sign_in(page, base_url, manager.username, PASSWORD)
    said = decide_as_recommended(page, second)
    assert f"added to the open enquiry {enquiry.reference}" in said
    assert Enquiry.objects.count() == 1
    open_enquiry(page, enquiry)
    expect(page.get_by_test_id("added-contact-link")).to_have_text(second)
    section(page, "History")
    expect(page.get_by_test_id("timeline")).to_contain_text(f"Contact {second} added")
    section(page, "People")
    expect_the_five(page.get_by_test_id("people").get_by_test_id("person-row"))
    sign_out(page)

    # 6. The worker recommends a referral; the manager approves and the enquiry closes.
    sign_in(page, base_url, hub_worker.username, PASSWORD)
    open_enquiry(page, enquiry)
    section(page, "Decision")
    form = form_with(page, "Send recommendation")
    form.get_by_role("group", name="Recommended outcome").get_by_label(
        Outcome.REFERRAL.label, exact=True
    ).check()
    form.get_by_role("group", name="Final RAG rating").get_by_label("Amber", exact=True).check()
    form.get_by_label("Rationale", exact=True).fill(RATIONALE)
    submit(page, form.get_by_role("button", name="Send recommendation", exact=True))
    expect(page.get_by_test_id("recommendation")).to_contain_text(Outcome.REFERRAL.label)
    sign_out(page)
    sign_in(page, base_url, manager.username, PASSWORD)
    open_enquiry(page, enquiry)
    section(page, "Decision")
    submit(page, page.get_by_role("button", name="Approve recommendation", exact=True))
    expect(page.get_by_test_id("enquiry-state")).to_have_text("Closed")
    enquiry.refresh_from_db()
    assert (enquiry.state, enquiry.outcome) == (EnquiryState.CLOSED, Outcome.REFERRAL)
    sign_out(page)

    # The referrer sees the final outcome on their list and on the first MARF.
    sign_in(page, base_url, referrer.username, PASSWORD)
    row = open_own_marf(page, reference)
    expect(row.get_by_test_id("marf-status")).to_have_text("Closed")
    expect(row.get_by_test_id("marf-final-outcome")).to_have_text(
        FINAL_OUTCOME_FOR_REFERRER[Outcome.REFERRAL]
    )
    follow(page, row.get_by_role("link", name=reference, exact=True))
    expect(page.get_by_test_id("marf-outcome")).to_have_text(
        OUTCOME_FOR_REFERRER[Outcome.MASH_ENQUIRY]
    )
    expect(page.get_by_test_id("marf-final-outcome")).to_contain_text(
        FINAL_OUTCOME_FOR_REFERRER[Outcome.REFERRAL]
    )
    main = page.get_by_role("main")
    for secret in (RATIONALE, POLICE_SUMMARY, "Amber"):
        expect(main).not_to_contain_text(secret)

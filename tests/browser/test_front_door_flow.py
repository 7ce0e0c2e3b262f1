"""The front door end to end in real Chromium (issue 3's "Must show"): a referrer sends a MARF
about a child who had a contact 3 months earlier; a hub social worker finds it at the top of the
triage queue, picks it up, sees the repeat flag and recommends early help; a manager overrides
to a MASH enquiry (Amber) with a reason; the referrer then sees the outcome in plain words and
nothing the hub wrote. Every page visited is checked with axe-core by the helpers."""

import re
from datetime import date, timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import Locator, Page, expect

from contacts import services
from contacts.codes import OUTCOME_FOR_REFERRER, Outcome
from contacts.models import Contact, Person
from tests.factories import PASSWORD, contact_input, person_input

from .helpers import goto, sign_in, sign_out, submit

pytestmark = pytest.mark.browser

NHS_NUMBER = "9434765919"  # valid Modulus 11 (the form's own example)
CHILD = ("Ellie", "Carter")
DATE_OF_BIRTH = date(2017, 3, 14)
RATIONALE = "Worker rationale: family open to support, school reports no injuries."
OUTCOME_VALUE = {label: value for value, label in Outcome.choices}
REASON = "Manager reason: second contact in three months, partner checks needed first."


def follow(page: Page, link: Locator) -> None:
    """Follow a link to a new page, which the helper checks with axe."""
    submit(page, link)


def nav_link(page: Page, label: str) -> Locator:
    return page.get_by_test_id("navigation").get_by_role("link", name=label, exact=True)


def fill_date(page: Page, legend: str, value: date) -> None:
    group = page.get_by_role("group", name=legend, exact=True)
    group.get_by_label("Day").fill(str(value.day))
    group.get_by_label("Month").fill(str(value.month))
    group.get_by_label("Year").fill(str(value.year))


def continue_(page: Page) -> None:
    submit(page, page.get_by_role("button", name="Continue", exact=True))


def decide_as_manager(page: Page, *, outcome: str, rag: str, reason: str) -> None:
    """Choose a different outcome than the recommendation (a details reveal) and fill it in by
    its labels: each form on the page has its own ids, so each label names its own field."""
    page.get_by_text("Choose a different outcome", exact=True).click()
    form = page.get_by_test_id("different-outcome")
    form.get_by_role("radio", name=outcome, exact=True).check()
    form.get_by_label("Initial RAG rating (for a MASH enquiry)").select_option(label=rag)
    form.get_by_label("Reason (needed when you choose differently from the recommendation)").fill(
        reason
    )


def earlier_decided_contact(hub_worker, manager) -> Contact:
    """The child's contact received 3 months ago, already decided (so not in the queue)."""
    contact = services.contact_create(
        data=contact_input(
            subjects=[
                person_input(
                    given_name=CHILD[0],
                    family_name=CHILD[1],
                    date_of_birth=DATE_OF_BIRTH,
                    nhs_number=NHS_NUMBER,
                    postcode="LS1 4AP",
                )
            ],
            received_at=timezone.now() - timedelta(days=90),
        )
    )
    services.contact_recommend(
        contact=contact, user=hub_worker, outcome=Outcome.NFA, rationale="Advice given."
    )
    return services.contact_decide(contact=contact, manager=manager, outcome=Outcome.NFA)


def send_marf(page: Page, referrer) -> str:
    """The referrer fills in the MARF page by page and sends it; returns its reference."""
    goto(page, "/")
    follow(page, nav_link(page, "Make a referral"))
    follow(page, page.get_by_role("button", name="Start now"))

    expect(page.get_by_role("heading", level=1)).to_have_text("About you")
    page.get_by_label("Your full name").fill("Priya Shah")
    page.get_by_label("Your job title or role").fill("Designated safeguarding lead")
    page.get_by_label("Your organisation").fill(referrer.agency.name)
    page.get_by_label("Phone number").fill("0113 496 0000")
    page.get_by_label("Email address").fill("p.shah@northfield.example")
    page.get_by_label("Which best describes where this referral comes from?").select_option(
        label="Schools"
    )
    continue_(page)

    expect(page.get_by_role("heading", level=1)).to_have_text("Who is the concern about?")
    page.get_by_label("First name").fill(CHILD[0])
    page.get_by_label("Last name").fill(CHILD[1])
    fill_date(page, "Date of birth (optional)", DATE_OF_BIRTH)
    page.get_by_label("Female", exact=True).check()
    page.get_by_label("Address (optional)").fill("12 Park Row, Leeds")
    page.get_by_label("Postcode (optional)").fill("LS1 4AP")
    page.get_by_label("NHS number (optional)").fill("943 476 5919")
    continue_(page)

    expect(page.get_by_role("heading", level=1)).to_have_text("What are you worried about?")
    page.get_by_label("Neglect", exact=True).check()
    page.get_by_label("Emotional abuse", exact=True).check()
    page.get_by_label("What happened", exact=True).fill(
        "Ellie came to school hungry every day this week and said there was no food at home."
    )
    page.get_by_label("What the child or adult said (optional)").fill("Mum is always asleep.")
    page.get_by_label("What has been done so far (optional)").fill("Breakfast club place.")
    continue_(page)

    expect(page.get_by_role("heading", level=1)).to_have_text("The family and household")
    page.get_by_label("First name").fill("Dawn")
    page.get_by_label("Last name").fill("Carter")
    page.get_by_label("Their relationship").select_option(label="Parent")
    page.get_by_label("To whom").select_option(label=f"{CHILD[0]} {CHILD[1]}")
    page.get_by_label("Their part in the concern").select_option(label="Parent or carer")
    continue_(page)

    expect(page.get_by_role("heading", level=1)).to_have_text("Consent to share")
    page.get_by_label("Given", exact=True).check()
    continue_(page)

    expect(page).to_have_url(re.compile(r"/marf/check/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Check your answers before sending your referral"
    )
    expect(page.get_by_test_id("answers-person")).to_contain_text("943 476 5919")
    submit(page, page.get_by_role("button", name="Accept and send"))

    expect(page.get_by_role("heading", level=1)).to_have_text("Referral sent")
    return page.get_by_test_id("marf-reference").inner_text().strip()


def test_marf_triaged_overridden_and_outcome_shown_to_referrer(
    page: Page, base_url: str, referrer, hub_worker, manager
) -> None:
    earlier = earlier_decided_contact(hub_worker, manager)

    # 1. The referrer sends a MARF about the same child (same NHS number).
    sign_in(page, base_url, referrer.username, PASSWORD)
    reference = send_marf(page, referrer)
    contact = Contact.objects.get(marf__submitted_by=referrer)
    assert contact.reference == reference
    assert Person.objects.filter(nhs_number=NHS_NUMBER).count() == 1, "intake duplicated the child"
    assert contact.subject_links.get().person_id == earlier.subject_links.get().person_id
    sign_out(page)

    # 2. The hub social worker: top of the queue, pick up, repeat flag, recommend early help.
    sign_in(page, base_url, hub_worker.username, PASSWORD)
    follow(page, nav_link(page, "Triage queue"))
    queue = page.get_by_test_id("triage-queue")
    first_row = queue.locator("tbody tr").first
    expect(first_row.get_by_role("link")).to_have_text(reference)
    expect(queue).not_to_contain_text(earlier.reference)  # decided: not in the queue
    follow(page, first_row.get_by_role("link", name=reference, exact=True))

    expect(page.get_by_role("heading", level=1)).to_contain_text(reference)
    submit(page, page.get_by_role("button", name="Pick up this contact"))
    expect(page.get_by_role("main")).to_contain_text(f"You picked up {reference}.")
    expect(page.get_by_role("button", name="Pick up this contact")).to_have_count(0)
    subject = page.get_by_test_id("subject")
    expect(subject.get_by_test_id("repeat-flag")).to_have_text("Repeat: contact 2 in 12 months")
    expect(subject).to_contain_text(earlier.reference)

    page.get_by_role("group", name="Recommended outcome").get_by_label(
        "Early help", exact=True
    ).check()
    page.get_by_label("Rationale", exact=True).fill(RATIONALE)
    submit(page, page.get_by_role("button", name="Send recommendation"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Triage queue")
    expect(page.get_by_role("main")).to_contain_text(
        f"Your recommendation for {reference} was sent."
    )
    sign_out(page)

    # 3. The manager overrides to a MASH enquiry, Amber, with a reason.
    sign_in(page, base_url, manager.username, PASSWORD)
    follow(page, nav_link(page, "Decisions"))
    decisions = page.get_by_test_id("decision-queue")
    expect(decisions.locator("tbody tr").first).to_contain_text("Early help")
    follow(page, decisions.get_by_role("link", name=reference, exact=True))

    decide_as_manager(page, outcome="MASH enquiry", rag="Amber", reason=REASON)
    submit(page, page.get_by_role("button", name="Record a different outcome"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Decisions")
    expect(page.get_by_role("main")).to_contain_text(f"{reference} is decided.")
    expect(page.get_by_test_id("decision-queue")).not_to_contain_text(reference)
    contact.refresh_from_db()
    assert (contact.outcome, contact.initial_rag, contact.recommended_outcome) == (
        "MASH_ENQUIRY",
        "AMBER",
        "EARLY_HELP",
    )
    assert contact.outcome_reason == REASON
    sign_out(page)

    # 4. The referrer sees the outcome in plain words, and nothing the hub wrote.
    sign_in(page, base_url, referrer.username, PASSWORD)
    follow(page, nav_link(page, "Your referrals"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Your referrals")
    row = page.get_by_test_id("marf-list").locator("tbody tr").filter(has_text=reference)
    expect(row).to_have_count(1)
    expect(row.get_by_test_id("marf-status")).to_have_text("Enquiry under way")
    expect(row).to_contain_text(OUTCOME_FOR_REFERRER["MASH_ENQUIRY"])
    main = page.get_by_role("main")
    for secret in (REASON, RATIONALE, "Amber", "Early help"):
        expect(main).not_to_contain_text(secret)

    follow(page, row.get_by_role("link", name=reference, exact=True))
    expect(page.get_by_test_id("marf-outcome")).to_have_text(OUTCOME_FOR_REFERRER["MASH_ENQUIRY"])
    for secret in (REASON, RATIONALE, "Amber"):
        expect(main).not_to_contain_text(secret)

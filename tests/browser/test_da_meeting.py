"""The daily DA triage meeting in real Chromium, keyboard only (issue 13, item 2).

The chair (a hub manager) starts today's meeting with two notifications waiting (one high risk,
one medium), records a police attendee, agrees a MASH enquiry (Red) with a MARAC referral for the
high risk one and no further action for the medium one, each saved on its own, and confirms.
Nothing is clicked: Tab moves the focus, the arrow keys move through radios and options, Space
ticks, Enter presses buttons, text is typed. Every page reached is checked with axe-core."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import Locator, Page, expect

from contacts.models import Contact
from domestic_abuse.models import DaNotification, TriageMeeting
from enquiries.models import Enquiry
from tests.factories import PASSWORD
from tests.test_da_meeting import notify

from .helpers import axe_check, goto, sign_in

pytestmark = pytest.mark.browser
MAX_TABS = 200
SCREENS = Path("/tmp/screens/da-meeting")


def is_focused(locator: Locator) -> bool:
    return locator.evaluate_all("(elements) => elements.includes(document.activeElement)")


def tab_to(page: Page, locator: Locator, *, limit: int = MAX_TABS) -> None:
    """Press Tab until `locator` (or one of the elements it matches) has the focus."""
    expect(locator.first).to_be_attached()
    for _ in range(limit):
        if is_focused(locator):
            return
        page.keyboard.press("Tab")
    assert is_focused(locator), f"{limit} presses of Tab never reached {locator}"


def arrow_to(page: Page, radios: Locator, target: Locator, *, limit: int = 8) -> None:
    """Into a radio group with Tab, then ArrowDown to `target`, and Space to be sure."""
    tab_to(page, radios)
    for _ in range(limit):
        if is_focused(target):
            break
        page.keyboard.press("ArrowDown")
    assert is_focused(target), f"the arrow keys never reached {target}"
    page.keyboard.press("Space")
    expect(target).to_be_checked()


def type_into(page: Page, locator: Locator, text: str) -> None:
    tab_to(page, locator)
    page.keyboard.type(text)
    expect(locator).to_have_value(text)


def press_button(page: Page, button: Locator) -> None:
    """Tab to a button that submits a form, press Enter, and check the new page with axe."""
    tab_to(page, button)
    with page.expect_navigation():
        page.keyboard.press("Enter")
    axe_check(page)


def test_the_chair_runs_the_meeting_with_the_keyboard_only(
    page: Page, base_url: str, manager, agency_a
) -> None:
    high = notify(agency_a, "Amira", risk="high")
    medium = notify(agency_a, "Ben", risk="medium", family="Okafor", victim="Grace")

    SCREENS.mkdir(parents=True, exist_ok=True)
    sign_in(page, base_url, manager.username, PASSWORD)
    goto(page, "/da-meetings/")
    expect(page.get_by_test_id("waiting")).to_contain_text("2 notifications waiting")
    press_button(page, page.get_by_role("button", name="Start today's meeting"))
    expect(page.get_by_role("heading", level=1)).to_contain_text("Daily triage meeting")
    expect(page.get_by_test_id("progress")).to_have_text("0 of 2 agreed")

    # An attendee for the police: the agency from the list, then the name.
    form = page.get_by_test_id("attendee-form")
    agency = form.get_by_label("Agency")
    tab_to(page, agency)
    for _ in range(10):
        if agency.input_value() == str(agency_a.pk):
            break
        page.keyboard.press("ArrowDown")
    assert agency.input_value() == str(agency_a.pk)
    type_into(page, form.get_by_label("Name"), "DS Patel")
    press_button(page, form.get_by_role("button", name="Add attendee"))
    expect(page.get_by_test_id("attendees")).to_contain_text("DS Patel")

    # The high risk one: a MASH enquiry, Red, with a MARAC referral.
    section = page.locator(f"#da-{high.pk}")
    outcomes = section.locator(f"input[name='da{high.pk}-outcome']")
    arrow_to(page, outcomes, section.get_by_label("MASH enquiry", exact=True))
    rag = section.locator(f"input[name='da{high.pk}-rag']")
    arrow_to(page, rag, section.get_by_label("Red", exact=True))
    marac = section.get_by_label("Refer to MARAC (high risk)")
    tab_to(page, marac)
    page.keyboard.press("Space")
    expect(marac).to_be_checked()
    type_into(page, section.get_by_label("Rationale"), "Serious assault; Amira witnessed it.")
    press_button(page, section.get_by_role("button", name="Save"))
    expect(page.get_by_test_id("progress")).to_have_text("1 of 2 agreed")
    expect(page.locator(f"#da-{high.pk}").get_by_test_id("saved")).to_be_visible()

    # The medium one: no further action (no MARAC offered).
    section = page.locator(f"#da-{medium.pk}")
    expect(section.get_by_label("Refer to MARAC (high risk)")).to_have_count(0)
    outcomes = section.locator(f"input[name='da{medium.pk}-outcome']")
    arrow_to(page, outcomes, section.get_by_label("No further action", exact=True))
    type_into(page, section.get_by_label("Rationale"), "Known to early help; plan in place.")
    press_button(page, section.get_by_role("button", name="Save"))
    expect(page.get_by_test_id("progress")).to_have_text("2 of 2 agreed")

    page.screenshot(path=str(SCREENS / "meeting-agreed.png"), full_page=True)
    press_button(page, page.get_by_role("button", name="Confirm meeting"))
    expect(page.get_by_role("main")).to_contain_text("The meeting is confirmed")
    expect(page.get_by_test_id("meeting-state")).to_have_text("Confirmed")
    expect(page.get_by_test_id("outcome-form")).to_have_count(0)

    meeting = TriageMeeting.objects.get()
    assert meeting.is_confirmed
    decided = dict(
        Contact.objects.filter(da_notification__meeting=meeting).values_list("pk", "outcome")
    )
    assert decided == {high.contact_id: "MASH_ENQUIRY", medium.contact_id: "NFA"}
    assert Enquiry.objects.filter(contact_id=high.contact_id, rag="RED").exists()
    assert DaNotification.objects.get(pk=high.pk).marac_referral is True
    page.screenshot(path=str(SCREENS / "meeting-confirmed.png"), full_page=True)

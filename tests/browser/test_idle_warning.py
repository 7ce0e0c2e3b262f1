"""Work not lost, in a real browser: the warning before the idle sign-out (shown in time, focus
in it, "Stay signed in" by keyboard keeps the session; left alone, the page goes to sign in), and
a return saved as the researcher types (htmx under the app's CSP) that is there after a reload
and gone once sent. axe-core checks every page, and the page with the warning open."""

import re
import time
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from drafts.models import Draft
from enquiries.models import InformationReturn
from tests.factories import PASSWORD
from tests.test_agency_pages import ask, open_enquiry

from .helpers import axe_check, goto, sign_in, submit

pytestmark = pytest.mark.django_db(transaction=True)

SCREENS = Path("/tmp/screens")
IDLE_SECONDS = 12
WARNING_SECONDS = 8  # so the warning opens 4 s after a page loads


@pytest.fixture
def short_idle(settings):
    """A 12-second idle sign-out, warned of 8 seconds before (the live server shares these)."""
    settings.SESSION_COOKIE_AGE = IDLE_SECONDS
    settings.MASH_IDLE_WARNING_SECONDS = WARNING_SECONDS


def test_stay_signed_in_by_keyboard_keeps_the_session(
    page: Page, base_url: str, hub_worker, short_idle
):
    sign_in(page, base_url, hub_worker.username, PASSWORD)
    loaded_before = time.monotonic()
    goto(page, f"{base_url}/contacts/")
    page.locator("main a").first.focus()  # where the user was

    dialog = page.get_by_role("dialog", name="You're about to be signed out")
    expect(dialog).to_be_visible(timeout=WARNING_SECONDS * 1000)
    assert time.monotonic() - loaded_before >= IDLE_SECONDS - WARNING_SECONDS - 0.5
    expect(dialog).to_contain_text(re.compile(r"You will be signed out in \d+ seconds"))
    stay = dialog.get_by_role("button", name="Stay signed in")
    expect(stay).to_be_focused()
    axe_check(page)  # with the dialogue open
    SCREENS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENS / "idle-warning.png"))

    page.keyboard.press("Enter")
    expect(dialog).to_be_hidden()
    # Past the moment the session would have ended without "Stay signed in": still signed in.
    remaining = loaded_before + IDLE_SECONDS + 1 - time.monotonic()
    if remaining > 0:
        page.wait_for_timeout(remaining * 1000)
    goto(page, f"{base_url}/contacts/")
    assert "/account/sign-in/" not in page.url
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    expect(page.get_by_test_id("identity-bar")).to_be_visible()


def test_escape_also_stays_signed_in(page: Page, base_url: str, hub_worker, short_idle):
    sign_in(page, base_url, hub_worker.username, PASSWORD)
    goto(page, f"{base_url}/")
    dialog = page.get_by_role("dialog", name="You're about to be signed out")
    expect(dialog).to_be_visible(timeout=WARNING_SECONDS * 1000)
    page.keyboard.press("Escape")
    expect(dialog).to_be_hidden()
    assert "/account/sign-in/" not in page.url


def test_left_alone_the_page_goes_to_sign_in_and_back_after(
    page: Page, base_url: str, hub_worker, settings
):
    settings.SESSION_COOKIE_AGE = 6
    settings.MASH_IDLE_WARNING_SECONDS = 3
    sign_in(page, base_url, hub_worker.username, PASSWORD)
    goto(page, f"{base_url}/contacts/")
    expect(page.get_by_role("dialog")).to_be_visible(timeout=6000)
    page.wait_for_url(re.compile(r"/account/sign-in/\?next=%2Fcontacts%2F"), timeout=8000)
    axe_check(page)
    expect(page.get_by_role("dialog")).to_have_count(0)  # signed out: no warning


def test_a_return_is_saved_as_it_is_typed_and_gone_once_sent(
    page: Page, base_url: str, hub_worker, manager, agency_a, researcher_a
):
    info_request = ask(open_enquiry(hub_worker, manager), agency_a, hub_worker)
    sign_in(page, base_url, researcher_a.username, PASSWORD)
    url = f"{base_url}/requests/{info_request.pk}/"
    goto(page, url)
    page.get_by_label("Summary of relevant information").fill("Two call-outs, checking PNC")
    page.get_by_label("Systems checked").press_sequentially("Niche")
    status = page.get_by_test_id("draft-status")
    expect(status).to_contain_text(re.compile(r"Draft saved at \d\d:\d\d"))
    assert Draft.objects.get(owner=researcher_a).data["systems_checked"] == "Niche"
    SCREENS.mkdir(parents=True, exist_ok=True)
    page.locator("#return").scroll_into_view_if_needed()
    page.screenshot(path=str(SCREENS / "return-draft-saved.png"), full_page=True)
    assert not InformationReturn.objects.exists()  # saved, not sent

    goto(page, url)  # a new page: the form is filled in from the draft
    expect(page.get_by_label("Summary of relevant information")).to_have_value(
        "Two call-outs, checking PNC"
    )
    page.locator("input[name=information_held][value=yes]").check()
    submit(page, page.get_by_role("button", name="Send return"))
    expect(page.get_by_test_id("return")).to_contain_text("Two call-outs, checking PNC")
    page.wait_for_timeout(2500)  # no late autosave brings the draft back
    assert not Draft.objects.exists()
    expect(page.get_by_test_id("draft-status")).to_have_text("")

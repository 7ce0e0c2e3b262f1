"""Each persona signs in through the real page, sees its own navigation, and every page is
accessible (axe-core: no serious or critical violations)."""

import re

import pytest
from playwright.sync_api import Page, expect

from agencies.navigation import NAV_ITEMS
from agencies.roles import Role
from tests.conftest import PERSONAS
from tests.factories import PASSWORD

from .helpers import SIGN_IN_PATH, goto, sign_in, sign_out, submit

pytestmark = pytest.mark.browser

# Concrete expectations per role family, independent of NAV_ITEMS, so a wrong NAV_ITEMS fails.
MUST_SEE = {
    Role.HUB_WORKER: {"Home", "Triage queue", "Enquiries", "People", "DA meetings"},
    Role.HUB_MANAGER: {
        "Home",
        "Triage queue",
        "Enquiries",
        "Decisions",
        "Breaches",
        "Backlog",
        "People",
        "Reporting",
        "Annex A",
    },
    Role.AGENCY_RESEARCHER: {"Home", "Information requests"},
    Role.AGENCY_SUPERVISOR: {"Home", "Information requests"},
    Role.REFERRER: {"Home", "Make a referral", "Your referrals"},
    Role.BOARD_MEMBER: {"Home", "Reporting"},
    Role.ADMINISTRATOR: {"Home", "Reporting", "Users", "Agencies", "Timescales", "Admin site"},
    Role.SCHOOL_KEY_ADULT: {"Home"},
}
MUST_NOT_SEE = {
    Role.HUB_WORKER: {
        "Decisions",
        "Breaches",
        "Backlog",
        "Reporting",
        "Annex A",
        "Information requests",
        "Make a referral",
        "Users",
        "Agencies",
        "Timescales",
    },
    Role.HUB_MANAGER: {
        "Information requests",
        "Make a referral",
        "Users",
        "Agencies",
        "Timescales",
    },
    Role.AGENCY_RESEARCHER: {
        "DA meetings",
        "Triage queue",
        "Enquiries",
        "People",
        "Reporting",
        "Backlog",
        "Make a referral",
        "Users",
        "Agencies",
    },
    Role.AGENCY_SUPERVISOR: {
        "DA meetings",
        "Triage queue",
        "People",
        "Breaches",
        "Backlog",
        "Reporting",
        "Annex A",
        "Make a referral",
        "Users",
        "Agencies",
    },
    Role.REFERRER: {
        "DA meetings",
        "Triage queue",
        "People",
        "Reporting",
        "Annex A",
        "Information requests",
        "Users",
        "Agencies",
    },
    Role.BOARD_MEMBER: {
        "DA meetings",
        "Triage queue",
        "Enquiries",
        "People",
        "Make a referral",
        "Breaches",
        "Backlog",
        "Annex A",
        "Users",
        "Timescales",
        "Admin site",
    },
    Role.ADMINISTRATOR: {
        "DA meetings",
        "Triage queue",
        "People",
        "Decisions",
        "Breaches",
        "Annex A",
        "Make a referral",
    },
    Role.SCHOOL_KEY_ADULT: {item.label for item in NAV_ITEMS} - {"Home"},
}
#: The home page's heading: a school's key adult lands on their school's notices.
HOME_HEADING = {Role.SCHOOL_KEY_ADULT: "Your school's notices"}


def test_expectations_cover_every_role_and_personas_every_role(request, db) -> None:
    """No browser: guards the tables above and PERSONAS against a role added later."""
    assert set(MUST_SEE) == set(MUST_NOT_SEE) == set(Role)
    assert {request.getfixturevalue(persona).role for persona in PERSONAS} == set(Role)


def nav_links(page: Page):
    return page.locator("[data-testid=navigation] a")


def nav_labels(page: Page) -> list[str]:
    return [text.strip() for text in nav_links(page).all_inner_texts()]


def expect_sign_in_page(page: Page) -> None:
    expect(page).to_have_url(re.compile(re.escape(SIGN_IN_PATH)))
    expect(page.get_by_role("heading", level=1)).to_have_text("Sign in")


@pytest.mark.parametrize("persona", PERSONAS)
def test_persona_signs_in_navigates_and_signs_out(
    persona: str, page: Page, base_url: str, axe_log, request: pytest.FixtureRequest
) -> None:
    user = request.getfixturevalue(persona)
    expected = [item.label for item in NAV_ITEMS if user.role in item.roles]

    sign_in(page, base_url, user.username, PASSWORD)

    expect(page).to_have_url(base_url + "/")
    expect(page.get_by_role("heading", level=1)).to_have_text(
        HOME_HEADING.get(user.role, "MASH front door")
    )
    labels = nav_labels(page)
    assert labels == expected
    assert MUST_SEE[user.role] <= set(labels), f"{user.role} must see {MUST_SEE[user.role]}"
    assert not MUST_NOT_SEE[user.role] & set(labels), f"{user.role} sees too much: {labels}"
    expect(page.get_by_test_id("identity-agency")).to_have_text(user.agency.name)
    expect(page.get_by_test_id("identity-role")).to_have_text(user.get_role_display())

    links = [
        (link.inner_text().strip(), link.get_attribute("href")) for link in nav_links(page).all()
    ]
    for label, href in links:
        response = goto(page, href)
        assert response is not None and response.ok, f"{label} ({href}) answered {response}"
        assert SIGN_IN_PATH not in page.url, f"{label} ({href}) sent {persona} to sign in"
        current = page.locator("[data-testid=navigation] a[aria-current=page]")
        if nav_links(page).count():  # the Django admin (audit trail) has its own layout
            expect(current).to_have_count(1)
            expect(current).to_have_text(label)
    visited = [base_url + href for _, href in links]
    assert set(visited) <= set(axe_log.checked), "axe did not check every page visited"

    goto(page, "/")  # the audit trail is the Django admin, which has no service header
    sign_out(page)
    expect_sign_in_page(page)
    expect(page.get_by_test_id("identity-bar")).to_have_count(0)
    goto(page, "/")  # the session really ended: home asks for sign-in again
    expect_sign_in_page(page)


def test_wrong_password_shows_the_error_summary(page: Page, base_url: str, hub_worker) -> None:
    goto(page, SIGN_IN_PATH)
    form = page.locator("main form")
    form.locator("input[name=username]").fill(hub_worker.username)
    form.locator("input[name=password]").fill("not-the-password")
    response = submit(page, page.get_by_role("button", name="Sign in", exact=True))

    assert response is not None and response.status == 200
    expect_sign_in_page(page)
    expect(page).to_have_title(re.compile(r"^Error: Sign in"))
    summary = page.locator(".govuk-error-summary")
    expect(summary.get_by_role("heading", level=2)).to_have_text("There is a problem")
    expect(summary).to_contain_text("Enter a correct username and password")
    expect(summary).to_be_focused()  # GOV.UK Frontend moves focus to the summary on load
    expect(page.get_by_test_id("identity-bar")).to_have_count(0)

    # One wrong attempt does not lock the account: the right password still signs in.
    sign_in(page, base_url, hub_worker.username, PASSWORD)
    expect(page).to_have_url(base_url + "/")
    expect(page.get_by_test_id("identity-role")).to_have_text(hub_worker.get_role_display())


def test_unknown_url_shows_the_services_404_page(page: Page, base_url: str, hub_worker) -> None:
    sign_in(page, base_url, hub_worker.username, PASSWORD)
    response = goto(page, "/no-such-page/")

    assert response is not None and response.status == 404
    expect(page.get_by_role("heading", level=1)).to_have_text("Page not found")
    expect(page).to_have_title(re.compile(r"^Page not found"))
    expect(page.get_by_test_id("identity-bar")).to_be_visible()
    expect(page.get_by_role("link", name="Go to the start page")).to_have_attribute("href", "/")

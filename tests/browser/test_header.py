"""The header's identity bar (issue 12): the Notifications link has visible text of real size, is
reached with Tab and shows its focus, the unread badge says "unread" to screen readers, the bar
is one row at 1280 px and wraps tidily at 390 px; the notifications and preferences pages have
no axe violations at all."""

from pathlib import Path

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from deadlines.models import Notification, NotificationKind
from tests.factories import PASSWORD

from .helpers import axe_check, goto, sign_in

pytestmark = pytest.mark.browser

SCREENSHOTS = Path("/tmp/mash-header-screenshots")


def _unread(user, count: int) -> None:
    now = timezone.now()
    Notification.objects.bulk_create(
        Notification(
            user=user,
            kind=NotificationKind.REMINDER,
            key=f"test:{index}",
            title=f"C{index:06d} is due soon",
            body="Decision on contact is due. Most of its time has been used.",
            link="/contacts/",
            created_at=now,
        )
        for index in range(count)
    )


def _box(page: Page, test_id: str) -> dict:
    box = page.get_by_test_id(test_id).bounding_box()
    assert box is not None, f"{test_id} is not rendered"
    return box


@pytest.mark.parametrize("width", [1280, 390])
def test_the_notifications_link_is_visible_with_its_badge_and_the_bar_lays_out(
    page: Page, base_url: str, hub_worker, width: int
) -> None:
    _unread(hub_worker, 3)
    page.set_viewport_size({"width": width, "height": 800})
    sign_in(page, base_url, hub_worker.username, PASSWORD)

    link = page.get_by_test_id("notifications-link")
    expect(link).to_be_visible()
    expect(link).to_have_accessible_name("Notifications 3 unread")
    box = _box(page, "notifications-link")
    assert box["width"] > 60 and box["height"] >= 19, box  # real text, not a lone number
    font_size = link.evaluate("element => getComputedStyle(element).fontSize")
    assert float(font_size.removesuffix("px")) >= 16
    badge = _box(page, "unread-count")
    assert badge["width"] > 0 and badge["height"] > 0

    bar = _box(page, "identity-bar")
    name = page.get_by_test_id("identity-bar").get_by_text(hub_worker.display_name)
    sign_out = page.get_by_role("button", name="Sign out")
    name_box, out_box = name.bounding_box(), sign_out.bounding_box()
    assert name_box and out_box
    if width >= 1280:
        # One row: the name, the link and Sign out share a line; the bar is one line tall.
        assert abs(name_box["y"] - box["y"]) < box["height"]
        assert abs((out_box["y"] + out_box["height"] / 2) - (box["y"] + box["height"] / 2)) < 8
        assert name_box["x"] < box["x"] < out_box["x"]
        assert bar["height"] < 80, bar
    else:
        # Wrapped: who is signed in first, then the actions, nothing past the screen's edge.
        assert box["y"] > name_box["y"] + name_box["height"] - 1
        assert box["x"] + box["width"] <= width and out_box["x"] + out_box["width"] <= width
    page_width = page.evaluate("document.documentElement.scrollWidth")
    assert page_width <= width, f"the page scrolls sideways at {width}px ({page_width}px)"
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"home-{width}.png"), full_page=False)


def test_the_notifications_link_is_reached_with_tab_and_shows_its_focus(
    page: Page, base_url: str, hub_worker
) -> None:
    _unread(hub_worker, 1)
    page.set_viewport_size({"width": 1280, "height": 800})
    sign_in(page, base_url, hub_worker.username, PASSWORD)
    link = page.get_by_test_id("notifications-link")
    for _ in range(40):
        page.keyboard.press("Tab")
        if link.evaluate("element => element === document.activeElement"):
            break
    else:
        pytest.fail("Tab never reached the Notifications link")
    box = _box(page, "notifications-link")
    assert box["width"] > 0 and box["height"] > 0
    # GOV.UK's focus state: yellow background, black text.
    background = link.evaluate("element => getComputedStyle(element).backgroundColor")
    assert background == "rgb(255, 221, 0)", background
    page.keyboard.press("Enter")
    page.wait_for_url(f"{base_url}/notifications/")
    assert axe_check(page) == []


def test_the_notifications_and_preferences_pages_have_no_axe_violations(
    page: Page, base_url: str, hub_worker
) -> None:
    _unread(hub_worker, 30)  # two pages, unread tags and buttons
    sign_in(page, base_url, hub_worker.username, PASSWORD)
    goto(page, "/notifications/")
    expect(page.get_by_test_id("notification-row")).to_have_count(25)
    assert axe_check(page) == []
    goto(page, "/notifications/?unread=on&kind=reminder")
    assert axe_check(page) == []
    goto(page, "/notifications/preferences/")
    expect(page.get_by_test_id("fixed-escalation")).to_contain_text("Escalation: always emailed")
    expect(page.get_by_role("checkbox", name="Escalation")).to_have_count(0)
    assert axe_check(page) == []
    page.get_by_role("checkbox", name="Reminder").uncheck()
    with page.expect_navigation():
        page.get_by_role("button", name="Save").click()
    expect(page.get_by_text("Your email choices are saved.")).to_be_visible()
    expect(page.get_by_role("checkbox", name="Reminder")).not_to_be_checked()
    assert axe_check(page) == []

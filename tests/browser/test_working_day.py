"""The hub's working day end to end in real Chromium, keyboard only (issue 12's first "Must show").

The manager allocates three contacts to a worker; the worker sees them in My work and as
notifications; the police researcher returns on a request of the worker's enquiry; the worker is
notified, opens the enquiry from the notification and recommends; the manager is notified, finds
the enquiry in the Decisions queue and approves it with the primary button; the enquiry closes.

Each user has their own browser context. Nothing is clicked: focus moves with Tab (`tab_to`),
arrow keys move between radios and options, Space ticks and Enter follows links and presses
buttons; text is typed. The first page of each session is opened by address. The flow runs at
1280 px; every page it reaches is checked with axe-core there, then opened again at 390 px and
checked with axe-core again (run afresh, not from the fingerprint cache) and for horizontal
overflow. Screenshots of each page at both widths go to /tmp/screens/working-day/.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urldefrag

import pytest
from playwright.sync_api import Browser, Locator, Page, expect

from contacts.codes import Outcome, Rag
from deadlines.models import Notification, NotificationKind
from enquiries.models import EnquiryState, HandlingMarking, InformationRequest
from tests.factories import PASSWORD
from tests.test_work import ask, make_contact, open_enquiry, unique_family

from .helpers import (
    BLOCKING_IMPACTS,
    PageLog,
    _run_axe,
    axe_check,
    format_violations,
    log_for,
    watch,
)

pytestmark = pytest.mark.browser

SCREENS = Path("/tmp/screens/working-day")
WIDE, PHONE = 1280, 390
HEIGHT = 900
TIMEOUT_MS = 10_000
MAX_TABS = 150  # the longest page of the flow has far fewer focusable elements than this

POLICE_SUMMARY = "Two call-outs to the home in March; the mother's partner was arrested once."
POLICE_RISKS = "Violence in the home."
POLICE_SYSTEMS = "Niche, PNC"
RATIONALE = "Police hold recent domestic abuse call-outs: threshold for social care met."


# --- keyboard -----------------------------------------------------------------------------------


def is_focused(locator: Locator) -> bool:
    """Whether the focused element is (one of) the element(s) `locator` matches."""
    return locator.evaluate_all("(elements) => elements.includes(document.activeElement)")


def tab_to(page: Page, locator: Locator, *, backwards: bool = False, limit: int = MAX_TABS) -> None:
    """Press Tab (Shift+Tab if `backwards`) until `locator`, or one of the elements it matches
    (a radio group), has the focus; fail after `limit` presses, naming what had it last."""
    expect(locator.first).to_be_attached()
    key = "Shift+Tab" if backwards else "Tab"
    for _ in range(limit):
        if is_focused(locator):
            return
        page.keyboard.press(key)
    if is_focused(locator):
        return
    active = page.evaluate(
        "() => { const e = document.activeElement; if (!e) return '';"
        " return `${e.tagName} ${e.id} ${(e.textContent || '').trim().slice(0, 60)}`; }"
    )
    pytest.fail(f"{limit} presses of {key} never reached {locator} (focus ended on {active!r})")


def arrow_to(page: Page, radios: Locator, target: Locator, *, limit: int = 12) -> None:
    """With focus in a radio group, move with the arrow keys until `target` is focused, then
    select it with Space (arrows already select; Space makes sure of it)."""
    tab_to(page, radios)
    for _ in range(limit):
        if is_focused(target):
            break
        page.keyboard.press("ArrowDown")
    assert is_focused(target), f"the arrow keys never reached {target}"
    page.keyboard.press("Space")
    expect(target).to_be_checked()


def choose_option(page: Page, select: Locator, value: str, *, limit: int = 30) -> None:
    """Focus a closed select and move through its options with ArrowDown until `value`."""
    tab_to(page, select)
    for _ in range(limit):
        if select.input_value() == value:
            return
        page.keyboard.press("ArrowDown")
    assert select.input_value() == value, f"ArrowDown never reached option {value}"


def type_into(page: Page, locator: Locator, text: str) -> None:
    tab_to(page, locator)
    page.keyboard.type(text)
    expect(locator).to_have_value(text)


# --- sessions: one browser context a user, every page checked at both widths -------------------


@dataclass
class Session:
    """One user's browser context and tab, and what it reached."""

    who: str
    page: Page
    log: PageLog
    shots: list[str] = field(default_factory=list)
    phone_pending: str | None = None
    #: What failed at 390 px: gathered, so that one run reports every page that fails.
    problems: list[str] = field(default_factory=list)

    def arrived(self, name: str) -> None:
        """A new document at 1280 px: axe (failing on serious or critical violations) and a
        screenshot. The page must be checked at 390 px (`on_phone`) before the next one."""
        assert self.phone_pending is None, f"{self.phone_pending} was never checked at {PHONE} px"
        axe_check(self.page)
        self._shoot(name, WIDE)
        self.phone_pending = name

    def on_phone(self, check: Callable[[Page], None] | None = None) -> None:
        """Open the same address again at 390 px: a screenshot, axe run afresh, no horizontal
        overflow, and `check` if given; then back to 1280 px for the rest of the flow (the
        flow's own assertions, such as a success banner shown once, are made before this).
        A serious axe violation or an overflow is recorded in `problems`, and the flow goes on."""
        name, self.phone_pending = self.phone_pending, None
        assert name is not None, "on_phone() without a page reached"
        page = self.page
        page.set_viewport_size({"width": PHONE, "height": HEIGHT})
        try:
            # Without its #fragment: going to the same address with one only scrolls.
            response = page.goto(urldefrag(page.url).url)
            assert response is not None and response.ok, (page.url, response and response.status)
            page.wait_for_load_state("load")
            self._shoot(name, PHONE)  # before the checks, to see what failed
            blocking = [v for v in _run_axe(page) if v["impact"] in BLOCKING_IMPACTS]
            if blocking:
                self.problems.append(format_violations(f"{page.url} at {PHONE} px", blocking))
            log_for(page).document_checked(page.url)
            overflow = page.evaluate("() => document.documentElement.scrollWidth")
            if overflow > PHONE:
                self.problems.append(f"{page.url} is {overflow} px wide at {PHONE} px ({name})")
            if check is not None:
                check(page)
        finally:
            page.set_viewport_size({"width": WIDE, "height": HEIGHT})

    def _shoot(self, name: str, width: int) -> None:
        number = len(self.shots) // 2 + 1
        path = SCREENS / f"{self.who}-{number:02d}-{name}-{width}.png"
        self.page.screenshot(path=str(path), full_page=True)
        self.shots.append(path.name)

    def start(self, url: str, name: str) -> None:
        """The first page of the session, opened by address."""
        self.page.goto(url)
        self.arrived(name)

    def press_to_navigate(self, key: str, name: str) -> None:
        """Press `key` (Enter on a focused link or button) and wait for the new document."""
        with self.page.expect_navigation():
            self.page.keyboard.press(key)
        self.arrived(name)

    def follow(self, locator: Locator, name: str) -> None:
        """Tab to a link or button and press Enter."""
        tab_to(self.page, locator)
        self.press_to_navigate("Enter", name)

    def sign_in(self, username: str) -> None:
        page = self.page
        self.start("/account/sign-in/", "sign-in")
        self.on_phone()
        form = page.locator("main form")
        type_into(page, form.locator("input[name=username]"), username)
        tab_to(page, form.locator("input[name=password]"))
        page.keyboard.type(PASSWORD)
        self.press_to_navigate("Enter", "home")  # Enter in the password box submits the form

    def nav(self, label: str, name: str) -> None:
        """Follow an item of the service navigation."""
        nav = self.page.get_by_test_id("navigation")
        self.follow(nav.get_by_role("link", name=label, exact=True), name)
        expect(nav.locator("[aria-current=page]")).to_contain_text(label)

    def notifications(self) -> None:
        """Follow the header's Notifications link."""
        self.follow(self.page.get_by_test_id("notifications-link"), "notifications")
        expect(self.page.get_by_role("heading", level=1)).to_have_text("Notifications")

    def finish(self) -> list[str]:
        """What the `page` fixture checks at the end (every document checked with axe, no script
        or Content-Security-Policy errors), with what failed at 390 px: the problems found."""
        if self.log.pending is not None:
            axe_check(self.page)
        problems = [f"{self.who}: {problem}" for problem in self.problems]
        if self.phone_pending is not None:
            problems.append(f"{self.who}: {self.phone_pending} was never checked at {PHONE} px")
        if self.log.unchecked:
            problems.append(f"{self.who}: pages never checked with axe: {self.log.unchecked}")
        problems += [f"{self.who}: browser error: {error}" for error in self.log.console_errors]
        return problems


@pytest.fixture
def session_for(browser: Browser, base_url: str):
    """Open a new browser context (no cookies) and tab for one user at 1280 px."""
    SCREENS.mkdir(parents=True, exist_ok=True)
    for old in SCREENS.glob("*.png"):
        old.unlink()
    contexts = []

    def open_session(who: str) -> Session:
        context = browser.new_context(
            base_url=base_url,
            locale="en-GB",
            timezone_id="Europe/London",
            viewport={"width": WIDE, "height": HEIGHT},
        )
        context.set_default_timeout(TIMEOUT_MS)
        contexts.append(context)
        tab = context.new_page()
        return Session(who=who, page=tab, log=watch(tab))

    yield open_session
    for context in contexts:
        context.close()


# --- the day ------------------------------------------------------------------------------------


def unread_count(user) -> int:
    return Notification.objects.filter(user=user, read_at__isnull=True).count()


def assert_notifications_link(page: Page, user) -> None:
    """The header's link is real text of non-zero size, reached with Tab, and shows the count."""
    link = page.get_by_test_id("notifications-link")
    box = link.bounding_box()
    assert box is not None and box["width"] > 0 and box["height"] > 0, box
    expect(link).to_contain_text("Notifications")
    font_size = link.evaluate("(el) => parseFloat(getComputedStyle(el).fontSize)")
    assert font_size >= 16, font_size  # it was 0 px (issue 12)
    expected = unread_count(user)
    assert expected >= 3  # the three contacts allocated
    expect(link.get_by_test_id("unread-count")).to_have_text(f"{expected} unread")
    tab_to(page, link)
    expect(link).to_be_focused()


def test_the_working_day_keyboard_only(
    session_for, hub_worker, manager, researcher_a, agency_a
) -> None:
    # Seeded through services: three undecided contacts nobody holds, and an enquiry of the
    # worker's with a request already sent to the police.
    contacts = [make_contact(name=name, family=unique_family()) for name in ("Ada", "Bo", "Cy")]
    enquiry = open_enquiry(hub_worker, manager, name="Tobias")
    assert enquiry.worker == hub_worker
    police_request: InformationRequest = ask(enquiry, agency_a, hub_worker)
    references = [contact.reference for contact in contacts]

    # 1. The manager allocates the three contacts to the worker.
    boss = session_for("manager")
    boss.sign_in(manager.username)
    boss.on_phone()
    boss.nav("Allocation", "allocation")
    boss.on_phone()
    page = boss.page
    form = page.get_by_test_id("allocate-form")
    for reference in references:
        box = form.get_by_label(f"Select {reference}", exact=True)
        tab_to(page, box)
        page.keyboard.press("Space")
        expect(box).to_be_checked()
    choose_option(page, form.get_by_label("Allocate to"), str(hub_worker.pk))
    boss.follow(form.get_by_role("button", name="Allocate", exact=True), "allocated")
    expect(page.get_by_role("main")).to_contain_text(f"{', '.join(references)} are now with")
    for contact in contacts:
        contact.refresh_from_db()
        assert contact.assignee == hub_worker, contact.reference
    boss.on_phone()

    # 2. The worker sees the count in the header, the contacts in My work and the notifications.
    worker = session_for("worker")
    worker.sign_in(hub_worker.username)
    assert_notifications_link(worker.page, hub_worker)
    worker.on_phone(check=lambda page: assert_notifications_link(page, hub_worker))
    worker.nav("My work", "my-work")
    mine = worker.page.get_by_test_id("my-contacts")
    expect(mine.get_by_test_id("work-row")).to_have_count(3)
    for reference in references:
        expect(mine).to_contain_text(reference)
    expect(worker.page.get_by_test_id("my-enquiries")).to_contain_text(enquiry.reference)
    worker.on_phone()
    worker.notifications()
    allocated = worker.page.get_by_test_id("notification-row").filter(has_text="Allocated to you")
    expect(allocated).to_have_count(3)
    for reference in references:
        expect(allocated.filter(has_text=f"{reference} has been allocated to you")).to_have_count(1)
    worker.on_phone()

    # 3. The police researcher opens the request from their notification and returns.
    police = session_for("police")
    police.sign_in(researcher_a.username)
    police.on_phone()
    police.notifications()
    page = police.page
    police.on_phone()
    police.follow(
        page.get_by_role("link", name=f"New information request {police_request.reference}"),
        "request",
    )
    expect(page.get_by_role("heading", level=1)).to_contain_text(police_request.reference)
    police.on_phone()
    form = page.get_by_test_id("return-form")
    held = form.get_by_role("group", name="Does your agency hold information about these people?")
    arrow_to(page, held.get_by_role("radio"), held.get_by_label("Yes", exact=True))
    type_into(page, form.get_by_label("Summary of relevant information"), POLICE_SUMMARY)
    type_into(page, form.get_by_label("Risk indicators"), POLICE_RISKS)
    type_into(page, form.get_by_label("Systems checked"), POLICE_SYSTEMS)
    marking = form.get_by_role("group", name="Handling marking")
    arrow_to(
        page,
        marking.get_by_role("radio"),
        marking.get_by_label(HandlingMarking.NOT_TO_FAMILY.label, exact=True),
    )
    police.follow(form.get_by_role("button", name="Send return", exact=True), "returned")
    expect(page.get_by_role("main")).to_contain_text(
        f"Your return for {police_request.reference} was sent"
    )
    police_request.refresh_from_db()
    assert police_request.returns.get().summary == POLICE_SUMMARY
    police.on_phone()

    # 4. The worker is told of the return, follows it to the enquiry and recommends.
    worker.notifications()
    page = worker.page
    returned = page.get_by_role("link", name=f"Return received on {enquiry.reference}")
    expect(returned).to_have_count(1)
    worker.on_phone()
    worker.follow(returned, "enquiry")
    expect(page.get_by_role("heading", level=1)).to_contain_text(enquiry.reference)
    worker.on_phone()
    sections = page.get_by_role("navigation", name=re.compile("^Sections of enquiry"))
    worker.follow(sections.get_by_role("link", name="Decision", exact=True), "decision")
    worker.on_phone()
    form = page.get_by_test_id("recommend-form")
    outcome = form.get_by_role("group", name="Recommended outcome")
    arrow_to(
        page, outcome.get_by_role("radio"), outcome.get_by_label(Outcome.REFERRAL.label, exact=True)
    )
    rag = form.get_by_role("group", name="Final RAG rating")
    arrow_to(page, rag.get_by_role("radio"), rag.get_by_label("Red", exact=True))
    type_into(page, form.get_by_label("Rationale", exact=True), RATIONALE)
    worker.follow(form.get_by_role("button", name="Send recommendation", exact=True), "recommended")
    expect(page.get_by_role("main")).to_contain_text(
        f"Your recommendation for {enquiry.reference} was sent to a manager."
    )
    enquiry.refresh_from_db()
    assert (enquiry.recommended_outcome, enquiry.recommended_rag) == (Outcome.REFERRAL, Rag.RED)
    worker.on_phone()

    # 5. The manager is told, finds it in the Decisions queue and approves with the primary
    # button; the enquiry closes.
    boss.notifications()
    page = boss.page
    expect(
        page.get_by_test_id("notification-row").filter(
            has_text=f"{enquiry.reference} is awaiting a decision"
        )
    ).to_have_count(1)
    assert Notification.objects.filter(
        user=manager, kind=NotificationKind.AWAITING_DECISION, link__contains=f"/{enquiry.pk}/"
    ).exists()
    boss.on_phone()
    boss.nav("Decisions", "decisions")
    row = page.get_by_test_id("decision-row").filter(has_text=enquiry.reference)
    expect(row).to_have_count(1)
    expect(row).to_contain_text(Outcome.REFERRAL.label)
    boss.on_phone()
    boss.follow(row.get_by_role("link", name=enquiry.reference, exact=True), "enquiry")
    if not page.url.endswith(f"/enquiries/{enquiry.pk}/decision/"):
        # The queue links to the enquiry's overview: on to its Decision section.
        boss.on_phone()
        sections = page.get_by_role("navigation", name=re.compile("^Sections of enquiry"))
        boss.follow(sections.get_by_role("link", name="Decision", exact=True), "decide")
    expect(page.get_by_role("heading", level=2, name="Decision")).to_be_visible()
    approve = page.get_by_role("button", name="Approve recommendation", exact=True)
    classes = (approve.get_attribute("class") or "").split()
    assert "govuk-button" in classes and "govuk-button--secondary" not in classes, classes
    expect(page.get_by_test_id("recommend-form")).to_have_count(0)
    boss.on_phone()
    boss.follow(approve, "closed")
    expect(page.get_by_role("main")).to_contain_text(
        f"{enquiry.reference} is decided and closed: {Outcome.REFERRAL.label}."
    )
    expect(page.get_by_test_id("enquiry-state")).to_have_text("Closed")
    enquiry.refresh_from_db()
    assert (enquiry.state, enquiry.outcome, enquiry.final_rag, enquiry.decided_by) == (
        EnquiryState.CLOSED,
        Outcome.REFERRAL,
        Rag.RED,
        manager,
    )
    assert enquiry.closed_at is not None
    boss.on_phone()

    problems = [problem for session in (boss, worker, police) for problem in session.finish()]
    assert not problems, "\n".join(problems)

"""Playwright harness: one headless Chromium per run, a fresh context per test, axe on every page.

Run: `.venv/bin/pytest tests/browser` (or `-m browser`; `-m "not browser"` skips them).
Debian's Chromium (/usr/bin/chromium) is used; Playwright's own browsers are never downloaded.
"""

from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, sync_playwright

from .helpers import PageLog, axe_check, log_for, watch

HERE = Path(__file__).resolve().parent
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-quic",
    "--no-first-run",
]
TIMEOUT_MS = 10_000  # fail fast: a local live server answers in milliseconds


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Mark every test in this folder `browser` (this hook sees the whole session's items)."""
    for item in items:
        if item.path.is_relative_to(HERE):
            item.add_marker(pytest.mark.browser)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo):
    report = yield
    if report.when == "call":
        item.stash[_CALL_FAILED] = report.failed
    return report


_CALL_FAILED = pytest.StashKey[bool]()


@pytest.fixture(scope="package")
def _allow_async_unsafe() -> Iterator[None]:
    """Playwright's sync API keeps an asyncio loop running in this thread while it is started, and
    Django refuses ORM calls under a running loop. Allow them for exactly as long as the browser
    runs (this package), so that the rest of the suite keeps Django's guard."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
        yield


@pytest.fixture(scope="package")
def browser(_allow_async_unsafe: None) -> Iterator[Browser]:
    """One Chromium for all browser tests. Package-scoped rather than session-scoped: the whole of
    tests/browser shares it, and it is stopped (and its event loop with it) before any other test
    folder runs."""
    playwright = sync_playwright().start()
    try:
        chromium = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
        )
        try:
            yield chromium
        finally:
            chromium.close()
    finally:
        playwright.stop()


@pytest.fixture
def base_url(live_server) -> str:
    """The live server's address; pytest-django's live_server makes the test transactional."""
    return live_server.url


@pytest.fixture
def page(browser: Browser, base_url: str, request: pytest.FixtureRequest) -> Iterator[Page]:
    """A new browser context (no cookies) and tab per test, with the app's CSP left enforced.

    At the end, the document the test finished on is checked with axe if the test did not check
    it, and the test errors if it reached any document that was never checked, or if the browser
    logged a script error or a Content-Security-Policy refusal."""
    context = browser.new_context(base_url=base_url, locale="en-GB", timezone_id="Europe/London")
    context.set_default_timeout(TIMEOUT_MS)
    tab = context.new_page()
    log = watch(tab)
    try:
        yield tab
        if not request.node.stash.get(_CALL_FAILED, True):
            if log.pending is not None:
                axe_check(tab)
            if log.unchecked:
                pytest.fail(
                    f"pages reached but never checked with axe: {log.unchecked}", pytrace=False
                )
            if log.console_errors:
                pytest.fail(
                    "the browser logged errors:\n" + "\n".join(log.console_errors), pytrace=False
                )
    finally:
        context.close()


@pytest.fixture
def axe_log(page: Page) -> PageLog:
    """The record of what `page` reached and which documents axe checked."""
    return log_for(page)

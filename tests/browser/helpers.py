"""Helpers for the browser tests: axe-core checks, navigation that is always checked, sign-in.

Every page a test reaches is checked with axe-core: `goto` and `submit` run `axe_check` after
the navigation, and the `page` fixture (conftest.py) fails the test if the browser reached a
document that was never checked, checking the last one itself.
"""

from __future__ import annotations

import hashlib
import re
import weakref
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from urllib.parse import urldefrag, urlsplit

from django.conf import settings
from playwright.sync_api import Locator, Page, Response

SIGN_IN_PATH = "/account/sign-in/"
AXE_PATH = Path(settings.BASE_DIR) / "node_modules" / "axe-core" / "axe.min.js"
BLOCKING_IMPACTS = ("critical", "serious")

# Known app defects, reported to the lead: (path, axe rule) -> why. Strict: a listed violation that
# no longer occurs on that path fails too, so the entry is removed once the app is fixed.
KNOWN_VIOLATIONS: dict[tuple[str, str], str] = {}


@cache
def axe_source() -> str:
    if not AXE_PATH.exists():  # pragma: no cover - a setup problem, said plainly
        raise FileNotFoundError(f"{AXE_PATH} is missing: run `npm ci` in {settings.BASE_DIR}")
    return AXE_PATH.read_text(encoding="utf-8")


@dataclass
class PageLog:
    """What one page (tab) did: the documents it reached, which were checked, what it logged."""

    navigated: list[str] = field(default_factory=list)
    checked: list[str] = field(default_factory=list)
    unchecked: list[str] = field(default_factory=list)
    pending: str | None = None
    console_errors: list[str] = field(default_factory=list)

    def document_reached(self, url: str) -> None:
        url = urldefrag(url).url
        if self.navigated and self.navigated[-1] == url and self.pending is None:
            return  # a same-document jump (e.g. to #main-content): nothing new to check
        if self.pending is not None:
            self.unchecked.append(self.pending)
        self.navigated.append(url)
        self.pending = url

    def document_checked(self, url: str) -> None:
        url = urldefrag(url).url
        self.checked.append(url)
        if self.pending == url:
            self.pending = None


_LOGS: weakref.WeakKeyDictionary[Page, PageLog] = weakref.WeakKeyDictionary()


def watch(page: Page) -> PageLog:
    """Start recording a page's documents and console errors (the `page` fixture calls this)."""
    log = PageLog()
    _LOGS[page] = log

    def on_navigated(frame) -> None:
        if frame == page.main_frame and frame.url != "about:blank":
            log.document_reached(frame.url)

    def on_console(message) -> None:
        # Content-Security-Policy refusals and script errors; a 4xx document is not an error.
        text = message.text
        if message.type == "error" and "Failed to load resource" not in text:
            log.console_errors.append(text)

    page.on("framenavigated", on_navigated)
    page.on("console", on_console)
    page.on("pageerror", lambda error: log.console_errors.append(f"Uncaught: {error}"))
    return log


def log_for(page: Page) -> PageLog:
    return _LOGS.setdefault(page, PageLog())


def _target(node: dict) -> str:
    # axe gives a selector per frame (and a list inside a shadow root); join them readably.
    return " >>> ".join(
        " >> ".join(part) if isinstance(part, list) else part for part in node["target"]
    )


def _summary(node: dict) -> str:
    lines = [line.strip() for line in (node.get("failureSummary") or "").splitlines()]
    return " ".join(line for line in lines if line)


def format_violations(url: str, violations: list[dict], max_nodes: int = 10) -> str:
    lines = [f"axe-core: {len(violations)} serious or critical violation(s) on {url}"]
    for violation in violations:
        lines.append(
            f"- {violation['id']} [{violation['impact']}] {violation['help']}"
            f" ({violation['helpUrl'].split('?')[0]})"
        )
        for node in violation["nodes"][:max_nodes]:
            lines.append(f"    {_target(node)}: {_summary(node)}")
        if len(violation["nodes"]) > max_nodes:
            lines.append(f"    ... and {len(violation['nodes']) - max_nodes} more")
    return "\n".join(lines)


# axe results by document fingerprint, for the whole run: the same markup checks the same, so a
# page seen again (the sign-in page in every test) is not run through axe again.
_RESULTS: dict[str, list[dict]] = {}
_CSRF_TOKEN = re.compile(r"\b[A-Za-z0-9]{64}\b")  # Django's masked CSRF token varies per page


def _fingerprint(page: Page) -> str:
    html = page.evaluate("() => document.documentElement.outerHTML")
    return hashlib.sha256(_CSRF_TOKEN.sub("<csrf>", html).encode()).hexdigest()


def _run_axe(page: Page) -> list[dict]:
    if not page.evaluate("() => typeof window.axe === 'object'"):
        page.evaluate(axe_source() + "\n;undefined")
    return page.evaluate(
        """async () => {
            const result = await window.axe.run(document, {resultTypes: ['violations']});
            return result.violations.map(v => ({
                id: v.id, impact: v.impact, help: v.help, helpUrl: v.helpUrl,
                nodes: v.nodes.map(n => ({target: n.target, failureSummary: n.failureSummary})),
            }));
        }"""
    )


def axe_check(page: Page) -> list[dict]:
    """Run axe-core on the page as it is now; fail on any serious or critical violation.

    axe is injected through the DevTools protocol (`page.evaluate`), which the page's
    Content-Security-Policy does not govern, so the app's own CSP stays enforced in the tests
    (an inline `<script>` from `add_script_tag` would be refused by `script-src 'self'`).
    Returns every violation (any impact) for a test that wants to look closer.
    """
    page.wait_for_load_state("load")
    fingerprint = _fingerprint(page)
    if fingerprint not in _RESULTS:
        _RESULTS[fingerprint] = _run_axe(page)
    result = _RESULTS[fingerprint]
    log_for(page).document_checked(page.url)
    path = urlsplit(page.url).path
    known = {rule for (known_path, rule) in KNOWN_VIOLATIONS if known_path == path}
    found = {v["id"] for v in result}
    if known - found:
        raise AssertionError(
            f"known violation(s) {sorted(known - found)} no longer occur on {path}: "
            "remove them from KNOWN_VIOLATIONS in tests/browser/helpers.py"
        )
    blocking = [v for v in result if v["impact"] in BLOCKING_IMPACTS and v["id"] not in known]
    if blocking:
        raise AssertionError(format_violations(page.url, blocking))
    return result


def goto(page: Page, url: str) -> Response | None:
    """Open a URL (relative to the context's base URL) and check the page with axe."""
    response = page.goto(url)
    axe_check(page)
    return response


def submit(page: Page, button: Locator) -> Response | None:
    """Click a button that submits a form, wait for the new document, and check it with axe."""
    with page.expect_navigation() as navigation:
        button.click()
    axe_check(page)
    return navigation.value


def sign_in(page: Page, base_url: str, username: str, password: str) -> Response | None:
    """Sign in through the real sign-in page, as a person would."""
    goto(page, base_url.rstrip("/") + SIGN_IN_PATH)
    form = page.locator("main form")
    form.locator("input[name=username]").fill(username)
    form.locator("input[name=password]").fill(password)
    return submit(page, page.get_by_role("button", name="Sign in", exact=True))


def sign_out(page: Page) -> Response | None:
    return submit(page, page.get_by_role("button", name="Sign out", exact=True))

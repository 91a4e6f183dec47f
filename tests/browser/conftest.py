"""Playwright (sync API) fixtures and helpers driving Debian's chromium against the live server.

Every test gets its own browser context (fresh cookies) over one session-wide browser. The
live server shares pytest-django's test database (in-memory SQLite is handed to the server
thread), so the data must be committed: tests use ``transactional_db`` and seed the demo data.
"""

from __future__ import annotations

import os
import re
import shutil
from collections.abc import Callable, Iterator
from functools import cache
from pathlib import Path
from typing import Any

import pytest

CHROMIUM = shutil.which("chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
AXE_JS = Path(__file__).resolve().parent / "vendor" / "axe.min.js"
PO_FILE = (
    Path(__file__).resolve().parents[2]
    / "src"
    / "shuzheng"
    / "locale"
    / "en"
    / "LC_MESSAGES"
    / "django.po"
)
DEMO_PASSWORD = "Demo@12345"
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
BLOCKING_IMPACTS = {"serious", "critical"}
# The portal is Chinese first; browsers send their own Accept-Language, which Django's
# LocaleMiddleware honours, so contexts say they are a mainland Chinese browser.
DEFAULT_LOCALE = "zh-CN"
PHONE = {
    "viewport": {"width": 390, "height": 844},
    "is_mobile": True,
    "has_touch": True,
    "device_scale_factor": 3,
}
DESKTOP = {"viewport": {"width": 1280, "height": 800}}
OTP_RE = re.compile(r"验证码为\s*(\d{6})")


# --- browser -------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def _playwright() -> Iterator[Any]:
    if CHROMIUM is None:
        pytest.skip("Debian chromium not found on PATH (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    # Playwright's sync API keeps an asyncio loop running in this thread; Django would then
    # refuse ORM calls from the test (seeding, flushing) as "async unsafe". The ORM calls here
    # are plain synchronous code, so allow them while Playwright runs, and restore afterwards.
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    try:
        with sync_playwright() as p:
            yield p
    finally:
        if previous is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


@pytest.fixture(scope="session")
def browser(_playwright: Any) -> Iterator[Any]:
    browser = _playwright.chromium.launch(
        executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
    )
    yield browser
    browser.close()


@pytest.fixture
def new_context(browser: Any) -> Iterator[Callable[..., Any]]:
    """Factory for a fresh browser context; closed at the end of the test.

    CSP is bypassed only so that ``check_axe`` can inject axe-core: the pages send
    ``script-src 'self'`` and Playwright injects file content inline.
    """
    contexts: list[Any] = []

    def make(**kwargs: Any) -> Any:
        options: dict[str, Any] = {**DESKTOP, "locale": DEFAULT_LOCALE, "bypass_csp": True}
        options.update(kwargs)
        context = browser.new_context(**options)
        context.set_default_timeout(10_000)
        context.set_default_navigation_timeout(15_000)
        contexts.append(context)
        return context

    yield make
    for context in contexts:
        context.close()


# --- server and data -----------------------------------------------------------------------


@pytest.fixture
def site(transactional_db: None, live_server: Any, _playwright: Any) -> str:
    """The live server's base URL, its database holding the demo data (put back after each
    test's flush by the root conftest's ``_demo_data_present``)."""
    return str(live_server.url)


@pytest.fixture
def catalog_site(site: str) -> str:
    """``site`` with the demo service catalog (事项中心, data/catalog.json) published too."""
    from shuzheng.catalog.demo import seed_catalog

    seed_catalog()
    return site


@pytest.fixture
def exchange_site(site: str) -> str:
    """``site`` with the data-exchange demo (catalog, registries, consumers, consents) too."""
    from shuzheng.exchange.demo import seed_exchange

    seed_exchange()
    return site


# --- helpers -------------------------------------------------------------------------------


def main_submit(page: Any) -> Any:
    """The submit button of the form in <main> (the header has forms too)."""
    return page.locator("main form button[type=submit]")


def read_login_code(context: Any, base_url: str) -> str:
    """Read the newest login code from the demo SMS outbox in a separate page."""
    outbox = context.new_page()
    try:
        outbox.goto(f"{base_url}/accounts/outbox/")
        body = outbox.locator('[data-testid="outbox-body"]').first
        text = body.inner_text()
    finally:
        outbox.close()
    match = OTP_RE.search(text)
    assert match, f"no login code in the newest outbox message: {text!r}"
    return match.group(1)


def login_password_step(page: Any, base_url: str, username: str, password: str) -> None:
    page.goto(f"{base_url}/accounts/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password)
    main_submit(page).click()
    page.wait_for_load_state()


def login(page: Any, base_url: str, username: str, password: str = DEMO_PASSWORD) -> None:
    """The real two-step login: password, then the SMS code read from the demo outbox."""
    login_password_step(page, base_url, username, password)
    page.wait_for_url(re.compile(r"/accounts/login/code/$"))
    code = read_login_code(page.context, base_url)
    page.fill("input[name=code]", code)
    main_submit(page).click()
    # citizens land on the home page, staff on their desk (identity.views.landing)
    page.wait_for_url(lambda url: url.startswith(base_url) and "/accounts/login" not in url)
    page.wait_for_load_state()
    # Logged in: the personal page opens without a detour to the login page (the admin's
    # console, where an administrator lands, has no site header to look at).
    status = page.request.get(f"{base_url}/me/", max_redirects=0).status
    assert status == 200, f"{username} landed on {page.url} but is not logged in ({status})"


def root_font_size(page: Any) -> float:
    value = page.evaluate("() => getComputedStyle(document.documentElement).fontSize")
    return float(value.removesuffix("px"))


def check_axe(page: Any, *, context: str = "") -> None:
    """Run axe-core (WCAG 2.0/2.1 A and AA) and fail on serious or critical violations."""
    page.add_script_tag(path=str(AXE_JS))
    result = page.evaluate(
        """async (tags) => {
            const r = await axe.run(document, {runOnly: {type: 'tag', values: tags}});
            return r.violations.map(v => ({
                id: v.id, impact: v.impact, help: v.help,
                nodes: v.nodes.map(n => ({target: n.target, summary: n.failureSummary})),
            }));
        }""",
        AXE_TAGS,
    )
    blocking = [v for v in result if v["impact"] in BLOCKING_IMPACTS]
    lines = []
    for v in blocking:
        lines.append(f"[{v['impact']}] {v['id']}: {v['help']}")
        for node in v["nodes"]:
            lines.append(f"    {node['target']}: {node['summary']}")
    where = f" ({context})" if context else ""
    assert not blocking, f"axe violations on {page.url}{where}:\n" + "\n".join(lines)


# --- English catalogue ----------------------------------------------------------------------


@cache
def po_catalog() -> dict[str, str]:
    """msgid → msgstr of the English .po (plain singular, non-fuzzy entries); {} if absent."""
    if not PO_FILE.exists():
        return {}
    entries: dict[str, str] = {}
    entry: dict[str, Any] = {}
    state = ""

    def finish() -> None:
        if entry.get("skip") or "fuzzy" in entry.get("flags", ""):
            return
        key = "".join(entry.get("msgid", []))
        if key:
            entries[key] = "".join(entry.get("msgstr", []))

    for raw in PO_FILE.read_text("utf-8").splitlines():
        line = raw.strip()
        if not line:
            continue
        starts_entry = line.startswith(("#", "msgid ", "msgctxt "))
        if starts_entry and state == "msgstr":
            finish()
            entry, state = {}, ""
        if line.startswith("#,"):
            entry["flags"] = entry.get("flags", "") + line
        elif line.startswith("#"):
            continue
        elif line.startswith("msgctxt ") or line.startswith("msgid_plural "):
            entry["skip"] = True
            state = "other"
        elif line.startswith("msgid "):
            entry["msgid"], state = [_decode(line[6:])], "msgid"
        elif line.startswith("msgstr["):
            entry["skip"], state = True, "msgstr"
        elif line.startswith("msgstr "):
            entry["msgstr"], state = [_decode(line[7:])], "msgstr"
        elif line.startswith('"') and state in ("msgid", "msgstr"):
            entry.setdefault(state, []).append(_decode(line))
    if state == "msgstr":
        finish()
    return entries


def _decode(quoted: str) -> str:
    """Decode one quoted .po string (UTF-8 text with C escapes)."""
    body = quoted.strip()
    if not (body.startswith('"') and body.endswith('"')):
        return ""
    escapes = {"n": "\n", "t": "\t", '"': '"', "\\": "\\"}
    return re.sub(r"\\(.)", lambda m: escapes.get(m.group(1), m.group(1)), body[1:-1])


def english(msgid: str) -> str | None:
    """The English translation of ``msgid`` if the .po has one, else None."""
    return po_catalog().get(msgid) or None

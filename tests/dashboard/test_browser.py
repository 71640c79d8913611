"""A real browser (Debian chromium driven by Playwright; never a downloaded browser): sign in, see
the blocked event, and check the attacker's markup is shown as text and never executed."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from dashboard_support import TOKEN, XSS

from apiward.core import Event

CHROMIUM = Path("/usr/bin/chromium")
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]

pytestmark = pytest.mark.skipif(
    not CHROMIUM.exists() and shutil.which("chromium") is None,
    reason="chromium not installed (apt-get install -y chromium; `make test` installs it)",
)


def test_sign_in_and_see_a_blocked_event_as_text(dashboard_url: str, events: list[Event]) -> None:
    from playwright.sync_api import sync_playwright

    dialogs: list[str] = []
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=ARGS, headless=True)
        try:
            page = browser.new_page()
            page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
            page.goto(f"{dashboard_url}/")
            assert page.url.endswith("/dashboard/login")
            page.fill("#token", "wrong")
            page.click("button[type=submit]")
            assert "Wrong token" in page.inner_text("[role=alert]")
            page.fill("#token", TOKEN)
            page.click("button[type=submit]")
            page.wait_for_selector("#events")
            assert page.url.endswith("/dashboard/")
            # attacker text is rendered as text, not markup
            row = page.locator(f"#events tr:has(a[href$='{events[0].id}'])")
            assert row.locator(".evidence").inner_text().startswith("<script>window.__pwned=1")
            assert page.locator("#events script").count() == 0
            assert page.locator("img").count() == 0
            assert page.evaluate("window.__pwned === undefined")
            # the session cookie is not readable from scripts
            assert "apiward_session" not in page.evaluate("document.cookie")
            page.click(f"a[href$='{events[0].id}']")
            page.wait_for_selector("text=Findings")
            assert XSS in page.inner_text("main")
            assert page.evaluate("window.__pwned === undefined")
            assert dialogs == []
        finally:
            browser.close()

"""End to end in Debian's headless Chromium (Playwright): log in, filter, open a call, play the
recording, seek from the transcript, mark it reviewed; a QA user cannot open admin pages."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import select

from voicebot.store.models import AuditEntry, Review

from .conftest import PASSWORDS, Console

pytestmark = pytest.mark.browser

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--no-first-run"]


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        try:
            yield b
        finally:
            b.close()


def _login(page, console: Console, role: str) -> None:  # type: ignore[no-untyped-def]
    page.goto(console.url + "/calls")
    assert "/login" in page.url
    page.fill("input[name=name]", role)
    page.fill("input[name=password]", PASSWORDS[role])
    page.click("button[type=submit]")
    page.wait_for_url("**/calls")


def test_review_a_call_in_the_browser(browser, console: Console) -> None:  # type: ignore[no-untyped-def]
    page = browser.new_page(viewport={"width": 1360, "height": 1000})
    _login(page, console, "qa")
    assert page.locator("tr[data-call]").count() == len(console.calls)

    page.select_option("select[name=outcome]", "problem_case")
    page.click("#filters button[type=submit]")
    page.wait_for_url("**outcome=problem_case**")
    rows = page.locator("tr[data-call]")
    expected = sorted(c.call_id for c in console.calls if c.outcome == "problem_case")
    assert sorted(rows.nth(i).get_attribute("data-call") for i in range(rows.count())) == expected

    call = console.call("denies_signature")
    page.click(f"a[href='/calls/{call.call_id}']")
    page.wait_for_url(f"**/calls/{call.call_id}")
    page.wait_for_function("document.getElementById('player').readyState >= 1")
    duration = page.evaluate("document.getElementById('player').duration")
    assert abs(duration - call.duration_ms / 1000) < 0.5

    # Play: clicking the first line seeks there and plays; the clock must move.
    lines = page.locator("#transcript .turn")
    assert lines.count() == len(call.turns)
    lines.nth(0).click()
    page.wait_for_function("document.getElementById('player').currentTime > 0.8", timeout=15000)
    assert page.evaluate("!document.getElementById('player').paused")

    # Seek: a later caller line moves the player to that line's start and highlights it.
    target = 5
    start_s = call.turns[target][1] / 1000
    lines.nth(target).click()
    page.wait_for_function(
        f"Math.abs(document.getElementById('player').currentTime - {start_s}) < 1.0")
    page.wait_for_function(f"document.querySelectorAll('#transcript .turn')[{target}]"
                           ".classList.contains('playing')")
    page.evaluate("document.getElementById('player').pause()")

    page.fill("textarea[name=note]", "第二项客户否认亲笔签名，问题件成立。")
    page.click("#mark-reviewed")
    page.wait_for_selector("#reviewed-mark")
    assert "QA user" in page.inner_text("#reviewed-mark")
    page.reload()
    assert page.locator("#reviewed-mark").count() == 1  # persisted, not just on screen

    with console.db.session() as s:
        review = s.scalar(select(Review).where(Review.call_id == call.call_id))
        assert review is not None and review.reviewed and review.verdict == "agree"
        assert review.note == "第二项客户否认亲笔签名，问题件成立。"
        actions = set(s.scalars(select(AuditEntry.action).where(AuditEntry.target == call.call_id)))
    assert {"call.view", "recording.play", "review.mark"} <= actions

    page.goto(console.url + "/calls?reviewed=yes")
    assert page.locator("tr[data-call]").count() == 1

    page.goto(console.url + "/admin/users")
    assert "may not open this page" in page.inner_text("main")
    assert page.locator("nav a[href='/admin']").count() == 0
    page.close()


def test_admin_sees_admin_pages(browser, console: Console) -> None:  # type: ignore[no-untyped-def]
    page = browser.new_page()
    _login(page, console, "admin")
    page.click("nav a[href='/admin']")
    page.wait_for_url("**/admin/users")
    assert page.locator("table tbody tr").count() == len(PASSWORDS)
    page.goto(console.url + "/admin/audit")
    assert page.locator("#audit tbody tr").count() > 0
    page.close()

"""The pages in a real browser: Debian's chromium driven headless by Playwright, against the
app served by uvicorn on a free port. Sign in by keyboard, screen a curated lab's Chinese name,
work an alert with four-eyes (two people, two browsers), upload a CSV and download the result;
axe-core checks every page visited for serious accessibility violations, and screenshots are
kept in tests/artifacts/.

Skipped, saying why, where chromium or Playwright is missing.
"""

from __future__ import annotations

import os
import re
import shutil
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from api.http.app import create_app
from screening.monitoring import service
from screening.monitoring.customers import CustomerData
from screening.monitoring.results import Screener
from screening.settings import Settings
from tests.api.web.conftest import PASSWORDS

ARTIFACTS = Path(__file__).resolve().parents[2] / "artifacts"
AXE = Path(__file__).with_name("vendor") / "axe.min.js"
LISTED = "Korea Mining Development Trading Corp"


def _chromium() -> str:
    path = os.environ.get("SCREENING_CHROMIUM") or shutil.which("chromium")
    if not path:
        pytest.skip("no chromium on this machine (apt-get install chromium)")
    return path


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    executable = _chromium()
    try:
        from playwright.sync_api import Error, sync_playwright
    except ImportError:
        pytest.skip("playwright is not installed (pip install -e '.[dev]')")
    with sync_playwright() as playwright:
        try:
            launched = playwright.chromium.launch(
                executable_path=executable, headless=True, args=["--no-sandbox"]
            )
        except Error as exc:
            pytest.skip(f"chromium at {executable} does not start: {exc.message[:200]}")
        yield launched
        launched.close()


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture
def server(web_settings: Settings, labs_loaded: None, people: dict[str, str]) -> Iterator[str]:
    import uvicorn

    app = create_app(web_settings, start_background=False)
    port = _free_port()
    config = uvicorn.Config(app, host="127.0.0.1", port=port, log_config=None, lifespan="on")
    instance = uvicorn.Server(config)
    thread = threading.Thread(target=instance.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not instance.started:
        assert time.monotonic() < deadline, "uvicorn did not start"
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    instance.should_exit = True
    thread.join(10)


def expect(locator: Any) -> Any:
    # Retries until the page shows it (a click's navigation may still be under way).
    from playwright.sync_api import expect as playwright_expect

    return playwright_expect(locator)


def _page(browser: Any, base: str) -> Any:
    # axe is injected as a script: the pages' CSP (script-src 'self') would rightly refuse it.
    context = browser.new_context(
        base_url=base, bypass_csp=True, viewport={"width": 1280, "height": 900}
    )
    context.set_default_timeout(10_000)
    return context.new_page()


def _axe(page: Any, name: str) -> None:
    page.add_script_tag(path=str(AXE))
    violations = page.evaluate(
        "async () => (await axe.run(document, {resultTypes: ['violations']})).violations"
    )
    serious = [
        f"{v['id']} ({v['impact']}): {v['help']} at {[n['target'] for n in v['nodes']][:3]}"
        for v in violations
        if v["impact"] in ("serious", "critical")
    ]
    assert not serious, f"{name}: {serious}"


def _shot(page: Any, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


def _sign_in(page: Any, username: str) -> None:
    page.goto("/ui/screen")  # a deep link: sign-in first, then back to it
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORDS[username])
    page.click("button[type=submit]")
    page.wait_for_url(re.compile(r"^http://[^/]+/ui/screen$"))


def test_sign_in_by_keyboard_and_screen_a_labs_chinese_name(browser, server) -> None:
    page = _page(browser, server)
    page.goto("/")
    assert page.url.endswith("/ui/signin?next=/ui/")
    _axe(page, "sign-in")
    _shot(page, "signin")
    # Keyboard only: the username field has the focus, then the form goes in order.
    focused = [page.evaluate("document.activeElement.name")]
    page.keyboard.type("alice")
    page.keyboard.press("Tab")
    focused.append(page.evaluate("document.activeElement.name"))
    page.keyboard.type(PASSWORDS["alice"])
    page.keyboard.press("Tab")
    focused.append(page.evaluate("document.activeElement.tagName"))
    assert focused == ["username", "password", "BUTTON"]
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"^http://[^/]+/ui/$"))
    page.keyboard.press("Tab")  # on every page the first stop is the skip link
    assert page.evaluate("document.activeElement.className") == "skip"
    for link in ("Screen", "Review queue", "Customers", "Lists", "Batch", "Audit"):
        assert page.get_by_role("link", name=link, exact=True).count() >= 1
    _axe(page, "home")

    page.get_by_role("link", name="Screen", exact=True).first.click()
    page.get_by_label("Name").fill("深度求索")
    page.get_by_label("Country (headquarters)").fill("CN")
    _axe(page, "screen form")
    page.get_by_role("button", name="Screen").click()
    page.wait_for_url(re.compile(r"^http://[^/]+/ui/screenings/[0-9a-f]+$"))
    assert page.text_content("#decision") == "deny"
    reasons = page.locator("ol.reasons").inner_text()
    assert "curated_ai_labs" in reasons
    assert "深度求索" in reasons
    # DeepSeek has two listed companies (Hangzhou and Beijing); both carry the brand.
    assert "DeepSeek Artificial Intelligence" in page.locator("section.match").first.inner_text()
    _axe(page, "screening")
    _shot(page, "screening-deny")

    page.get_by_role("button", name="Replay this screen").click()
    expect(page.locator("#reproduced")).to_have_text("Reproduced")
    page.context.close()


def _listed_customer(app_url: str, web_settings: Settings, sessions: Any) -> None:
    """A customer on the UN list (fixture), screened the way the API would: one alert."""
    from screening.matching.live import LiveIndex
    from screening.policy.config import load_policy
    from screening.policy.engine import PolicyEngine

    live = LiveIndex(sessions, poll_s=60)
    live.refresh_if_changed()
    screener = Screener(live.snapshot(), PolicyEngine(load_policy(web_settings.policy_file)))
    with sessions.begin() as session:
        service.save_customer(
            session,
            "kmdtc",
            CustomerData(name=LISTED, country="KP"),
            accounts=[("acct-kmdtc", "ops@kmdtc.test")],
            screener=screener,
            actor="key:test",
        )


def test_an_alert_decided_end_to_end_with_four_eyes(
    browser, server, web_settings, sessions
) -> None:
    _listed_customer(server, web_settings, sessions)
    alice = _page(browser, server)
    _sign_in(alice, "alice")
    alice.get_by_role("link", name="Review queue").click()
    alice.get_by_label("Severity").select_option("deny")
    alice.get_by_role("button", name="Filter").click()
    _axe(alice, "review queue")
    _shot(alice, "review-queue")
    row = alice.locator("table.queue tbody tr", has_text=re.compile("korea mining", re.I))
    row.locator("a").first.click()
    alice.get_by_role("button", name="Assign to me").click()
    expect(alice.locator("#alert-assignee")).to_have_text("user:alice")
    alice.get_by_label("Decision", exact=True).select_option("true_match")
    alice.get_by_label("Note").fill("Same name and country as the UN listing KPe.001.")
    alice.get_by_role("button", name="Decide").click()
    expect(alice.locator("#proposal")).to_contain_text("awaiting approval")
    expect(alice.locator("#proposal")).to_contain_text("another analyst must approve")
    _axe(alice, "alert")

    bob = _page(browser, server)
    _sign_in(bob, "bob")
    bob.goto(alice.url.split("?")[0])
    bob.get_by_label("Decision", exact=True).select_option("true_match")
    bob.get_by_label("Note").fill("Agreed: registry and address match.")
    bob.get_by_role("button", name="Decide or approve").click()
    expect(bob.locator("#alert-status")).to_have_text("true_match")
    history = bob.locator("table").last.inner_text()
    assert "user:bob" in history
    assert "user:alice" in history
    _shot(bob, "alert-approved")
    bob.locator("dd a", has_text="kmdtc").first.click()
    expect(bob.locator("#access")).to_have_text("deny")
    _axe(bob, "customer")
    alice.context.close()
    bob.context.close()


def test_upload_a_csv_and_download_the_result(browser, server, tmp_path: Path) -> None:
    page = _page(browser, server)
    _sign_in(page, "alice")
    upload = tmp_path / "parties.csv"
    upload.write_text(f"id,name,country\nc1,深度求索,CN\nc2,Apple Inc.,US\nc3,{LISTED},KP\n")
    page.get_by_role("link", name="Batch").click()
    page.get_by_label("CSV file").set_input_files(str(upload))
    _axe(page, "batch form")
    page.get_by_role("button", name="Upload and screen").click()
    page.wait_for_selector("#download-csv")
    expect(page.locator("#progress-text")).to_contain_text("3 of 3")
    _axe(page, "batch job")
    _shot(page, "batch-finished")
    with page.expect_download() as download:
        page.click("#download-csv")
    saved = tmp_path / "result.csv"
    download.value.save_as(saved)
    lines = saved.read_text().splitlines()
    assert lines[0].startswith("id,decision")
    assert [line.split(",")[1] for line in lines[1:]] == ["deny", "clear", "deny"]

    for path, name in (
        ("/ui/lists", "lists"),
        ("/ui/lists/curated_ai_labs", "list"),
        ("/ui/audit", "audit"),
    ):
        page.goto(path)
        _axe(page, name)
    _shot(page, "audit")
    page.context.close()

"""The leadership team's screens in a real browser, on the demo alliance, at projector size.

The app is served over a fresh copy of the demo alliance; a leadership session opens the
Divergence overview and the test keeps screenshots of what the room would see (the top
of the overview, the agenda and a group's own view, at 1440x900 and 1920x1080) in
``test-artifacts/leadership/``, while checking what they show.
"""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest

from .served_app import (
    LEADERSHIP_PASSCODE,
    PROJECT_DIR,
)

try:
    from playwright.sync_api import Browser, Locator, Page, expect
except ImportError:
    if os.environ.get("CI", "").lower() == "true":
        raise
    pytest.skip(
        "Browser tests skipped: the playwright package is not installed", allow_module_level=True
    )

SCREENS_DIR = PROJECT_DIR / "test-artifacts" / "leadership"
FIRST_LOAD_MS = 40_000
# Charts are drawn by plotly in the browser after the page has arrived.
SETTLE_SECONDS = 2.0
PROJECTOR = {"width": 1440, "height": 900}
LARGE_SCREEN = {"width": 1920, "height": 1080}


@pytest.fixture
def demo_url(demo_alliance) -> str:
    SCREENS_DIR.mkdir(parents=True, exist_ok=True)
    return demo_alliance.base_url


def _open_overview(browser: Browser, base_url: str, viewport: dict) -> Page:
    """A new leadership session at ``viewport`` on the Divergence overview."""
    context = browser.new_context(viewport=viewport)
    context.set_default_timeout(15_000)
    page = context.new_page()
    home_title = page.get_by_role("heading", name="How well do we work together?")
    for attempt in range(3):
        page.goto(base_url)
        try:
            expect(home_title).to_be_visible(timeout=FIRST_LOAD_MS)
            break
        except AssertionError:
            if attempt == 2:
                raise
    page.locator(".st-key-member_nav").get_by_role("link", name="Sign in").click()
    sidebar = page.get_by_test_id("stSidebarNav")
    page.locator(".st-key-sign_in_role").get_by_text("Leadership team", exact=True).click()
    page.locator(".st-key-sign_in_passcode input").fill(LEADERSHIP_PASSCODE)
    page.get_by_role("button", name="Sign in").click()
    expect(sidebar.get_by_role("link", name="Sign out")).to_be_visible()
    sidebar.get_by_role("link", name="Divergence overview").click()
    expect(page.get_by_role("heading", name="Where do we diverge?")).to_be_visible()
    expect(keyed(page, "divergence_gap_ranking").locator(".js-plotly-plot")).to_be_visible(
        timeout=FIRST_LOAD_MS
    )
    return page


def keyed(page: Page, key: str) -> Locator:
    """The element with widget or chart ``key`` as the page shows it now (while a run
    redraws the page, Streamlit keeps the previous, stale element beside the new one)."""
    return page.locator(f".st-key-{key}:not([data-stale='true'])")


def _screenshot(page: Page, name: str, *, at: Locator | None = None) -> Path:
    """What the screen shows now (``at`` scrolled to the top first), saved as ``name``.png."""
    if at is not None:
        at.evaluate("element => element.scrollIntoView({block: 'start'})")
    time.sleep(SETTLE_SECONDS)
    path = SCREENS_DIR / f"{name}.png"
    page.screenshot(path=str(path))
    return path


@pytest.mark.parametrize(
    "viewport", [PROJECTOR, LARGE_SCREEN], ids=lambda v: f"{v['width']}x{v['height']}"
)
def test_the_overview_agenda_and_own_view_on_the_demo(browser, demo_url, viewport):
    size = f"{viewport['width']}x{viewport['height']}"
    page = _open_overview(browser, demo_url, viewport)
    try:
        assert _screenshot(page, f"overview-{size}").stat().st_size > 0

        agenda_heading = page.get_by_role("heading", name="Agenda: where to start")
        agenda_map = keyed(page, "leadership_agenda_map")
        expect(agenda_map.locator(".js-plotly-plot")).to_be_visible()
        expect(agenda_map).to_contain_text("Where to start: each learning point by level and gap")
        expect(agenda_map).to_contain_text("1 · ")
        _screenshot(page, f"agenda-map-{size}", at=agenda_heading)
        table = page.get_by_test_id("stTable").last
        first_row = table.locator("tbody tr").first
        expect(first_row).to_contain_text("Groups diverge")
        expect(first_row).to_contain_text("highest")
        _screenshot(page, f"agenda-order-{size}", at=table)

        own_view = keyed(page, "leadership_own_view")
        expect(own_view).to_contain_text("Where commissioners stand apart")
        _screenshot(page, f"own-view-{size}", at=own_view)
    finally:
        page.context.close()


def test_a_withheld_groups_own_view_says_why_in_the_browser(browser, demo_url):
    page = _open_overview(browser, demo_url, PROJECTOR)
    try:
        box = keyed(page, "leadership_round").get_by_role("combobox")
        box.click()
        page.get_by_role("option", name="Autumn 2025 (closed)", exact=True).click()
        expect(keyed(page, "leadership_agenda_map")).to_contain_text("Autumn 2025")
        group = keyed(page, "leadership_own_view_group").get_by_role("combobox")
        group.click()
        group.press_sequentially("Lived")
        group.press("Enter")
        expect(group).to_have_value("Lived experience")
        reason = page.get_by_text("Nothing to show for lived experience in this round")
        expect(reason).to_be_visible()
        expect(keyed(page, "leadership_own_view")).to_have_count(0)
        _screenshot(page, "own-view-withheld-1440x900", at=reason)
    finally:
        page.context.close()

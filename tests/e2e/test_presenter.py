"""Meeting mode on a 1920x1080 shared screen, and signing in again after a reload, in a real
browser over the demo alliance.

One learning point fills the screen without scrolling (chart, status, questions), its
text is at least 20 px, the keyboard steps through the points and views, and a reload
or a bookmark of a leadership page comes back to the same page, round and point after
one sign-in. Screenshots go to ``test-artifacts/presenter/`` (and, when it exists, to
``/tmp/work/`` as ``presenter-*.png``).
"""

from __future__ import annotations

import os
import shutil
import time
from pathlib import Path

import pytest

from .served_app import LEADERSHIP_PASSCODE, PROJECT_DIR

try:
    from playwright.sync_api import Browser, Locator, Page, expect
except ImportError:
    if os.environ.get("CI", "").lower() == "true":
        raise
    pytest.skip(
        "Browser tests skipped: the playwright package is not installed", allow_module_level=True
    )

SCREENS_DIR = PROJECT_DIR / "test-artifacts" / "presenter"
SHARED_SCREENS_DIR = Path("/tmp/work")
SCREEN = {"width": 1920, "height": 1080}
FIRST_LOAD_MS = 40_000
# Charts are drawn by plotly in the browser after the page has arrived.
SETTLE_SECONDS = 1.5
MIN_BODY_PX = 20
POINTS = 8


@pytest.fixture
def demo_url(browser: Browser, demo_alliance) -> str:
    """The demo app's address, its root opened once: until then a fresh Streamlit server
    runs a page file on its own, without the app's menu (its old pages-folder mode)."""
    SCREENS_DIR.mkdir(parents=True, exist_ok=True)
    context = browser.new_context(viewport=SCREEN)
    try:
        page = context.new_page()
        page.goto(demo_alliance.base_url)
        expect(page.get_by_role("heading", name=demo_alliance.framework.title)).to_be_visible(
            timeout=FIRST_LOAD_MS
        )
    finally:
        context.close()
    return demo_alliance.base_url


@pytest.fixture
def screen(browser: Browser, demo_url):
    """A new browser session (signed out) on a 1920x1080 screen."""
    context = browser.new_context(viewport=SCREEN)
    context.set_default_timeout(FIRST_LOAD_MS)
    try:
        yield context.new_page()
    finally:
        context.close()


def keyed(page: Page, key: str) -> Locator:
    """The element with widget or container ``key`` as the page shows it now."""
    return page.locator(f".st-key-{key}:not([data-stale='true'])")


def sign_in_here(page: Page, *, names: str) -> None:
    """Sign in as the leadership team on the sign-in standing at the page ``names``."""
    expect(page.get_by_role("heading", name=names, exact=True)).to_be_visible()
    expect(page.get_by_text(f"{names} is for the leadership team")).to_be_visible()
    page.locator(".st-key-sign_in_passcode input").fill(LEADERSHIP_PASSCODE)
    page.get_by_role("button", name="Sign in").click()


def open_meeting(page: Page, url: str) -> None:
    """Open meeting mode at ``url`` (a bookmark or reload) and sign in there."""
    page.goto(url)
    sign_in_here(page, names="Meeting mode")
    expect(keyed(page, "meeting_group_positions").locator(".js-plotly-plot")).to_be_visible()


def step_bar(page: Page) -> Locator:
    return keyed(page, "meeting_presenter").get_by_test_id("stProgress")


def screenshot(page: Page, name: str) -> Path:
    """What the screen shows now, kept as ``presenter-<name>.png``."""
    time.sleep(SETTLE_SECONDS)
    path = SCREENS_DIR / f"presenter-{name}.png"
    page.screenshot(path=str(path))
    if SHARED_SCREENS_DIR.is_dir():
        shutil.copy(path, SHARED_SCREENS_DIR / path.name)
    return path


def vertical_extent(locator: Locator) -> tuple[float, float]:
    box = locator.bounding_box()
    assert box is not None
    return box["y"], box["y"] + box["height"]


def assert_fits_the_screen(page: Page) -> None:
    """Chart, status and questions lie within the screen, and nothing scrolls."""
    for key in ("meeting_group_positions", "meeting_status", "meeting_prompts"):
        top, bottom = vertical_extent(keyed(page, key))
        assert 0 <= top and bottom <= SCREEN["height"], (key, top, bottom)
    main = page.get_by_test_id("stMain")
    scroll, visible = main.evaluate("e => [e.scrollHeight, e.clientHeight]")
    assert scroll <= visible, f"the page scrolls: {scroll} px of content in {visible} px"
    assert page.evaluate("document.documentElement.scrollHeight") <= SCREEN["height"]


def test_every_learning_point_fills_one_screen_in_large_type(screen, demo_url):
    open_meeting(screen, f"{demo_url}/meeting")
    for number in range(1, POINTS + 1):
        expect(step_bar(screen)).to_contain_text(f"Learning point {number} of {POINTS}")
        expect(keyed(screen, "meeting_group_positions").locator(".js-plotly-plot")).to_be_visible()
        if number == 1:
            screenshot(screen, "picture")
        assert_fits_the_screen(screen)
        screen.keyboard.press("ArrowRight")

    presenter = keyed(screen, "meeting_presenter")
    sizes = presenter.locator("[data-testid=stMarkdownContainer] p, li").evaluate_all(
        "elements => elements.map(e => parseFloat(getComputedStyle(e).fontSize))"
    )
    assert sizes and min(sizes) >= MIN_BODY_PX, sizes
    title = presenter.locator("h1").evaluate("e => parseFloat(getComputedStyle(e).fontSize)")
    assert title >= 40


def test_the_keyboard_steps_through_points_and_views_and_a_reload_keeps_the_place(screen, demo_url):
    open_meeting(screen, f"{demo_url}/meeting")
    first_title = keyed(screen, "meeting_presenter").locator("h1").inner_text()
    screen.keyboard.press("ArrowRight")
    expect(step_bar(screen)).to_contain_text(f"Learning point 2 of {POINTS}")
    title = keyed(screen, "meeting_presenter").locator("h1")
    expect(title).not_to_have_text(first_title)
    second_title = title.inner_text()

    screen.keyboard.press("a")
    expect(screen.get_by_role("heading", name="What people wrote")).to_be_visible()
    expect(screen.get_by_role("button", name="Record action")).to_be_visible()
    screenshot(screen, "comments-and-actions")
    assert "view=comments" in screen.url

    screen.reload()
    sign_in_here(screen, names="Meeting mode")
    expect(step_bar(screen)).to_contain_text(f"Learning point 2 of {POINTS}")
    expect(keyed(screen, "meeting_presenter").locator("h1")).to_have_text(second_title)
    expect(screen.get_by_role("heading", name="What people wrote")).to_be_visible()

    screen.keyboard.press("p")
    expect(keyed(screen, "meeting_prompts")).to_be_visible()
    screen.keyboard.press("ArrowLeft")
    expect(step_bar(screen)).to_contain_text(f"Learning point 1 of {POINTS}")
    expect(keyed(screen, "meeting_presenter").locator("h1")).to_have_text(first_title)


def test_a_reloaded_leadership_page_comes_back_on_its_round_after_signing_in(screen, demo_url):
    screen.goto(f"{demo_url}/divergence")
    sign_in_here(screen, names="Divergence overview")
    expect(screen.get_by_role("heading", name="Where do we diverge?")).to_be_visible()
    box = keyed(screen, "leadership_round").get_by_role("combobox")
    box.click()
    screen.get_by_role("option", name="Autumn 2025 (closed)", exact=True).click()
    expect(box).to_have_value("Autumn 2025 (closed)")
    expect(screen).to_have_url(f"{demo_url}/divergence?round=Autumn+2025")

    screen.reload()
    screenshot(screen, "reload-sign-in")
    expect(screen.get_by_text("Page not found")).to_have_count(0)
    sign_in_here(screen, names="Divergence overview")
    expect(screen.get_by_role("heading", name="Where do we diverge?")).to_be_visible()
    expect(keyed(screen, "leadership_round").get_by_role("combobox")).to_have_value(
        "Autumn 2025 (closed)"
    )

    screen.get_by_test_id("stSidebarNav").get_by_role("link", name="Meeting mode").click()
    expect(keyed(screen, "meeting_round").get_by_role("combobox")).to_have_value(
        "Autumn 2025 (closed)"
    )


def test_a_bookmarked_overview_opens_a_sign_in_then_the_overview(browser, demo_url):
    context = browser.new_context(viewport=SCREEN)
    context.set_default_timeout(FIRST_LOAD_MS)
    try:
        page = context.new_page()
        page.goto(f"{demo_url}/divergence")
        sign_in_here(page, names="Divergence overview")
        expect(page.get_by_role("heading", name="Where do we diverge?")).to_be_visible()
        expect(keyed(page, "divergence_gap_ranking").locator(".js-plotly-plot")).to_be_visible()
        expect(page.get_by_text("Page not found")).to_have_count(0)
        assert page.url.startswith(f"{demo_url}/divergence")
    finally:
        context.close()

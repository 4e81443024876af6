"""The leadership team's screens on the demo alliance, as a projector shows them (1440x900):
Learning point detail on "Get the right people in the room" and Trends read the change
since Autumn 2025 like for like, and each screen is kept as a screenshot under
``test-artifacts/`` to look at.

The app is served over its own copy of the demo alliance (the session's ``alliance`` holds
organisations only), started once for this module.
"""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest

from .conftest import _context
from .served_app import (
    LEADERSHIP_PASSCODE,
    PROJECT_DIR,
)

try:
    from playwright.sync_api import Page, expect
except ImportError:
    if os.environ.get("CI", "").lower() == "true":
        raise
    pytest.skip(
        "Browser tests skipped: the playwright package is not installed", allow_module_level=True
    )

from .test_browser import choose, open_from_sidebar, sign_in

SCREENS_DIR = PROJECT_DIR / "test-artifacts" / "screens"
PROJECTOR = {"width": 1440, "height": 900}
RIGHT_PEOPLE = "Get the right people in the room"
LIKE_FOR_LIKE = (
    "Over commissioners and service providers only, the groups shown in both rounds, the gap "
    "went from 1.39 to 0.92 since Autumn 2025: about the same"
)


@pytest.fixture
def projector(browser, demo_alliance) -> Iterator[Page]:
    """A 1440x900 tab signed in as the leadership team."""
    with _context(browser, viewport=PROJECTOR) as context:
        page = context.new_page()
        sign_in(page, demo_alliance, role="Leadership team", passcode=LEADERSHIP_PASSCODE)
        yield page


def keep(page: Page, name: str, *, at: str | None = None) -> None:
    """Save the screen, scrolled so that the heading ``at`` is at the top when given.

    Streamlit scrolls inside its own container, so a screenshot is of one screen.
    """
    SCREENS_DIR.mkdir(parents=True, exist_ok=True)
    # Every page shot here draws at least one chart; wait until plotly has drawn it.
    expect(page.locator(".js-plotly-plot .main-svg").first).to_be_attached()
    if at is not None:
        heading = page.get_by_role("heading", name=at).first
        heading.evaluate("element => element.scrollIntoView({block: 'start'})")
    page.wait_for_timeout(1000)  # let the charts finish drawing
    page.screenshot(path=str(SCREENS_DIR / f"{name}-1440x900.png"))


def test_learning_point_detail_reads_the_right_people_change_like_for_like(projector):
    open_from_sidebar(projector, "Learning point detail", title="Learning point detail")
    choose(projector, "leadership_learning_point", RIGHT_PEOPLE)
    expect(projector.get_by_role("heading", name=RIGHT_PEOPLE)).to_be_visible()
    expect(projector.get_by_text(LIKE_FOR_LIKE)).to_be_visible()
    expect(
        projector.get_by_text(
            "A gap of 2.09 points, the largest this round: commissioners highest (3.92), "
            "lived experience lowest (1.83)"
        ).first
    ).to_be_visible()
    expect(projector.get_by_text("widened by 0.70")).to_have_count(0)
    analysts = projector.get_by_test_id("stExpander").filter(has_text="For analysts")
    expect(analysts).to_have_count(1)
    expect(analysts.get_by_text("permutation", exact=True)).not_to_be_visible()
    keep(projector, "learning-point-right-people", at=RIGHT_PEOPLE)
    keep(projector, "learning-point-right-people-groups", at="Each group's figures")
    keep(projector, "learning-point-right-people-between", at="Between the groups")
    keep(projector, "learning-point-right-people-since", at="Since Autumn 2025")
    analysts.get_by_text("For analysts").click()
    expect(analysts.get_by_text("permutation", exact=True)).to_be_visible()
    keep(projector, "learning-point-right-people-for-analysts", at="Between the groups")


def test_trends_read_each_gap_like_for_like(projector):
    open_from_sidebar(projector, "Trends", title="Trends across rounds")
    expect(projector.get_by_text("Is the gap between the groups closing?")).to_be_visible()
    # Each chart's gap is marked "*", and the note under the charts names the groups.
    expect(projector.locator(".js-plotly-plot").get_by_text("gap 1.39 → 0.92*")).to_be_visible()
    expect(projector.get_by_text("* Over commissioners and service providers only")).to_be_visible()
    expect(projector.get_by_text("more than 0.05")).to_have_count(0)
    keep(projector, "trends")
    keep(projector, "trends-gap-table", at="Is the gap between the groups closing?")


def test_meeting_mode_reads_the_right_people_point_for_the_room(projector):
    open_from_sidebar(projector, "Meeting mode", title=RIGHT_PEOPLE)
    expect(projector.get_by_text(LIKE_FOR_LIKE)).to_be_visible()
    expect(
        projector.get_by_text("Lived experience: average 1.8 from 6 scores", exact=False)
    ).to_be_visible()
    keep(projector, "meeting-right-people")
    projector.get_by_role("button", name="Comments and actions").click()
    keep(projector, "meeting-right-people-comments", at="What people wrote")

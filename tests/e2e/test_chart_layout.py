"""Every chart of the leadership pages can be read at 1280, 1440 and 1920 pixels wide.

On the demo alliance a leadership session opens each page that draws a chart (Divergence
overview, Learning point detail, Meeting mode, Trends, Participation), in the round each
page shows first and, where a group is withheld, in Autumn 2025 as well. For each plotly
chart the test reads the box the browser drew for every piece of text in it (title, axis
titles, tick labels, legend, annotations, the numbers on bars and cells) and fails when two
of them overlap, when one runs past the edge of the chart, when one is turned from the
horizontal or when a marker is drawn over one; and it fails when the gap ranking's rating
scale has less than half the chart's width. The message names the page, the width, the
chart and the texts.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass

import pytest

from .conftest import _context
from .served_app import LEADERSHIP_PASSCODE

try:
    from playwright.sync_api import Page, expect
    from playwright.sync_api import TimeoutError as PlaywrightTimeoutError
except ImportError:
    if os.environ.get("CI", "").lower() == "true":
        raise
    pytest.skip(
        "Browser tests skipped: the playwright package is not installed", allow_module_level=True
    )

from .test_browser import select_box, sign_in

pytestmark = pytest.mark.browser

VIEWPORTS = (
    {"width": 1280, "height": 900},
    {"width": 1440, "height": 900},
    {"width": 1920, "height": 1080},
)
# Two boxes may touch, or share this many pixels each way (the ink of a glyph never
# reaches the edges of its box).
OVERLAP_PX = 1.5
# How far (pixels) a box may reach past the edge of its chart.
EDGE_PX = 1.0
# The charts whose plot (the rating scale, for the gap ranking) must take at least this
# share of the chart's width: the labels beside it must leave the dots room.
WIDE_PLOTS = {"divergence_gap_ranking": 0.5}
WITHHELD_ROUND = "Autumn 2025 (closed)"
# The longest wait for a page, a choice or a chart: the server shares the machine.
LOAD_MS = 40_000
# How long a select box's list takes to open once clicked.
OPEN_MS = 5_000
# plotly redraws a chart once Streamlit has given it its width.
SETTLE_MS = 1500

# Every <text> the chart drew with something in it: its content, what plotly calls it,
# its box, and whether it is turned (its transform to the screen has a rotation).
MEASURE_TEXTS = """
root => {
    const plot = root.querySelector('.js-plotly-plot');
    const svgs = Array.from(plot.querySelectorAll('svg.main-svg'));
    const frame = svgs[0].getBoundingClientRect();
    const texts = [];
    for (const svg of svgs) {
        for (const node of svg.querySelectorAll('text')) {
            const content = node.textContent.replace(/\\s+/g, ' ').trim();
            if (!content || node.closest('.hoverlayer')) continue;
            const box = node.getBoundingClientRect();
            const style = getComputedStyle(node);
            if (box.width === 0 || box.height === 0 || style.visibility === 'hidden'
                || style.display === 'none' || style.opacity === '0') continue;
            const m = node.getScreenCTM();
            const part = node.getAttribute('class')
                || node.parentNode.getAttribute('class') || 'text';
            texts.push({
                text: content, part: part,
                left: box.left, top: box.top, right: box.right, bottom: box.bottom,
                turned: Math.abs(m.b) > 1e-3 || Math.abs(m.c) > 1e-3,
            });
        }
    }
    const marks = [];
    for (const node of plot.querySelectorAll('.scatterlayer path.point')) {
        const box = node.getBoundingClientRect();
        if (box.width === 0 && box.height === 0) continue;
        // A line marker (the tick of an expected number) has no width but its stroke.
        const stroke = (parseFloat(getComputedStyle(node).strokeWidth) || 0) / 2;
        const trace = node.closest('g.trace');
        const data = trace && trace.__data__ && trace.__data__[0];
        marks.push({
            text: (data && data.trace && data.trace.name) || 'marker', part: 'marker',
            left: box.left - stroke, top: box.top - stroke,
            right: box.right + stroke, bottom: box.bottom + stroke,
        });
    }
    const area = plot.querySelector('.nsewdrag');
    return {
        title: (plot.querySelector('.gtitle') || {}).textContent || '',
        frame: {left: frame.left, top: frame.top, right: frame.right, bottom: frame.bottom},
        plotWidth: area ? area.getBoundingClientRect().width : 0,
        texts: texts,
        marks: marks,
    };
}
"""


@dataclass(frozen=True)
class Screen:
    """A page as one visit shows it: the charts (by Streamlit key) to read there."""

    name: str
    link: str
    heading: str
    charts: tuple[str, ...]
    prepare: Callable[[Page], None] | None = None


def _open_spread(page: Page) -> None:
    """Meeting mode's second view of a point, with the spread of its answers unfolded."""
    page.locator(".st-key-meeting_view_comments button").click(timeout=LOAD_MS)
    page.get_by_test_id("stExpander").filter(has_text="How the answers were spread").locator(
        "summary"
    ).click(timeout=LOAD_MS)


def _choose(page: Page, widget_key: str, option: str) -> None:
    """Pick ``option`` in the select box keyed ``widget_key``, however busy the server."""
    box = select_box(page, widget_key)
    box.evaluate("element => element.scrollIntoView({block: 'center'})")
    box.click(timeout=LOAD_MS)
    choice = page.get_by_role("option", name=option, exact=True)
    try:
        choice.wait_for(timeout=OPEN_MS)
    except PlaywrightTimeoutError:  # a click while the page redraws can miss the list
        box.press("ArrowDown")
    choice.click(timeout=LOAD_MS)
    expect(box).to_have_value(option, timeout=LOAD_MS)


def _choose_withheld_round(page: Page) -> None:
    _choose(page, "leadership_round", WITHHELD_ROUND)


def _choose_withheld_participation(page: Page) -> None:
    _choose(page, "participation_round", WITHHELD_ROUND)


DIVERGENCE = ("divergence_gap_ranking", "divergence_score_levels", "leadership_agenda_map")
SCREENS = (
    Screen(
        "Divergence overview",
        "Divergence overview",
        "Where do we diverge?",
        (*DIVERGENCE, "leadership_own_view"),
    ),
    Screen(
        "Learning point detail",
        "Learning point detail",
        "Learning point detail",
        ("learning_point_distribution",),
    ),
    Screen("Meeting mode", "Meeting mode", "", ("meeting_group_positions",)),
    Screen(
        "Meeting mode, comments and actions",
        "Meeting mode",
        "",
        ("meeting_distribution",),
        prepare=_open_spread,
    ),
    Screen("Trends", "Trends", "Trends across rounds", ("trends_small_multiples",)),
    Screen("Participation", "Participation", "Who took part", ("participation_bars",)),
    Screen(
        "Participation, Autumn 2025",
        "Participation",
        "Who took part",
        ("participation_bars",),
        prepare=_choose_withheld_participation,
    ),
    # The round chosen on one leadership page is kept for the others.
    Screen(
        "Divergence overview, Autumn 2025",
        "Divergence overview",
        "Where do we diverge?",
        DIVERGENCE,
        prepare=_choose_withheld_round,
    ),
    Screen(
        "Learning point detail, Autumn 2025",
        "Learning point detail",
        "Learning point detail",
        ("learning_point_distribution",),
    ),
)


def _overlap(a: dict, b: dict) -> tuple[float, float]:
    return (
        min(a["right"], b["right"]) - max(a["left"], b["left"]),
        min(a["bottom"], b["bottom"]) - max(a["top"], b["top"]),
    )


def _quoted(text: dict) -> str:
    return f"“{text['text'][:70]}” ({text['part']})"


def layout_problems(drawn: dict) -> list[str]:
    """What makes a drawn chart hard to read: texts that overlap, texts past its edge,
    turned texts, markers drawn over a text; one sentence each."""
    problems = []
    frame = drawn["frame"]
    texts = drawn["texts"]
    for text in texts:
        if text["turned"]:
            problems.append(f"{_quoted(text)} is turned from the horizontal")
        past = {
            "left": frame["left"] - text["left"],
            "top": frame["top"] - text["top"],
            "right": text["right"] - frame["right"],
            "bottom": text["bottom"] - frame["bottom"],
        }
        for edge, by in past.items():
            if by > EDGE_PX:
                problems.append(f"{_quoted(text)} runs {by:.0f} px past the {edge} edge")
    for i, first in enumerate(texts):
        for second in texts[i + 1 :]:
            wide, high = _overlap(first, second)
            if wide > OVERLAP_PX and high > OVERLAP_PX:
                problems.append(
                    f"{_quoted(first)} and {_quoted(second)} overlap by {wide:.0f} x {high:.0f} px"
                )
    for mark in drawn["marks"]:
        for text in texts:
            wide, high = _overlap(mark, text)
            if wide > OVERLAP_PX and high > OVERLAP_PX:
                problems.append(f"a marker of {_quoted(mark)} is drawn over {_quoted(text)}")
    return problems


def _visit(page: Page, screen: Screen) -> None:
    page.get_by_test_id("stSidebarNav").get_by_role("link", name=screen.link).click(timeout=LOAD_MS)
    if screen.heading:
        heading = page.get_by_role("heading", name=screen.heading, exact=True)
        expect(heading).to_be_visible(timeout=LOAD_MS)
    if screen.prepare is not None:
        screen.prepare(page)
    for key in screen.charts:
        chart = page.locator(f".st-key-{key}:not([data-stale='true']) .js-plotly-plot .main-svg")
        expect(chart.first).to_be_attached(timeout=LOAD_MS)
    page.wait_for_timeout(SETTLE_MS)


def _read_screen(page: Page, screen: Screen, width: int) -> list[str]:
    _visit(page, screen)
    problems = []
    for key in screen.charts:
        chart = page.locator(f".st-key-{key}:not([data-stale='true'])").first
        chart.scroll_into_view_if_needed()
        drawn = chart.evaluate(MEASURE_TEXTS)
        assert drawn["texts"], f"{screen.name} at {width} px: chart {key} drew no text"
        where = f"{screen.name} at {width} px, chart {key} (“{drawn['title'][:60]}”)"
        problems += [f"{where}: {problem}" for problem in layout_problems(drawn)]
        chart_width = drawn["frame"]["right"] - drawn["frame"]["left"]
        if drawn["plotWidth"] < WIDE_PLOTS.get(key, 0) * chart_width:
            problems.append(
                f"{where}: the plot is {drawn['plotWidth']:.0f} px of the chart's "
                f"{chart_width:.0f} px, less than {WIDE_PLOTS[key]:.0%}"
            )
    return problems


@pytest.fixture(params=VIEWPORTS, ids=lambda v: f"{v['width']}x{v['height']}")
def leadership_tab(request, browser, demo_alliance) -> Iterator[Page]:
    """A tab of the given size signed in as the leadership team (kept as a screenshot
    in ``test-artifacts/e2e/`` when the test fails)."""
    with _context(browser, viewport=request.param) as context:
        page = context.new_page()
        sign_in(page, demo_alliance, role="Leadership team", passcode=LEADERSHIP_PASSCODE)
        yield page


def test_no_chart_text_overlaps_runs_off_or_is_turned(leadership_tab):
    width = leadership_tab.viewport_size["width"]
    problems = []
    for screen in SCREENS:
        problems += _read_screen(leadership_tab, screen, width)
    assert not problems, f"{len(problems)} chart layout problems:\n" + "\n".join(problems)

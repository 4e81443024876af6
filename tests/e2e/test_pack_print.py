"""The meeting pack printed to A4 from Chromium, on the demo alliance's round Spring 2026.

The pack is built from the demo alliance (seed 7), opened from a file in the system
Chromium with every request outside the file refused, and printed with ``page.pdf``. The
printed pages are read back with pypdf: a one-page summary first, then a page per
learning point in the order of the agenda, no chart split across two pages, and twelve
pages at most. The PDF, the HTML and pictures of the first two printed pages are kept in
``test-artifacts/pack/``.
"""

from __future__ import annotations

import io
import os
import re
from pathlib import Path

import pytest

from collab.present.pack import build_meeting_pack
from collab.stats import meeting
from collab.stats.results import round_results
from collab.store.db import Database

from .served_app import PROJECT_DIR

try:
    from playwright.sync_api import Browser, Page, Route
    from pypdf import PdfReader
except ImportError:
    if os.environ.get("CI", "").lower() == "true":
        raise
    pytest.skip(
        "Browser tests skipped: playwright or pypdf is not installed", allow_module_level=True
    )

ARTIFACTS_DIR = PROJECT_DIR / "test-artifacts" / "pack"
ROUND = "Spring 2026"
MOST_PAGES = 12
# A4 in PDF points (1/72 inch), portrait, give or take a point of rounding.
A4_POINTS = (595.3, 841.9)
# The printed width of an A4 page inside its margins, in CSS pixels, for the pictures.
PRINTED_WIDTH = 703
A4_HEIGHT = 1123
# How much of a chart's highest and lowest text is looked for on its page.
CHART_TEXT = 20


def _flat(text: str) -> str:
    """``text`` without any whitespace (plotly's zero-width spaces too), so that line
    breaks in a PDF do not matter."""
    return re.sub(r"[\s\u200b]+", "", text)


@pytest.fixture(scope="module")
def demo(demo_file, framework) -> tuple[str, list[str]]:
    """The demo alliance's Spring 2026 pack and its learning point titles in agenda order."""
    db = Database.from_url(f"sqlite:///{demo_file}")
    try:
        k = framework.thresholds.min_group_size
        pack = build_meeting_pack(db, framework=framework, round_name=ROUND, min_group_size=k)
        results = round_results(db, framework=framework, round_name=ROUND, min_group_size=k)
    finally:
        db.dispose()
    order = meeting.learning_point_order(
        results.divergence, framework=framework, by=meeting.ORDER_BY_GAP
    )
    return pack, [framework.point(key).title for key in order]


def _only_the_file(requests: list[str]):
    def handle(route: Route) -> None:
        requests.append(route.request.url)
        if route.request.url.startswith(("file:", "data:", "blob:")):
            route.continue_()
        else:
            route.abort()

    return handle


def _open(browser: Browser, path: Path, requests: list[str], **options) -> Page:
    context = browser.new_context(**options)
    context.route("**/*", _only_the_file(requests))
    page = context.new_page()
    page.goto(path.as_uri())
    # plotly draws each chart in the page's own scripts; wait until every one is drawn.
    page.wait_for_function(
        "[...document.querySelectorAll('.plotly-graph-div')]"
        ".every(d => d.querySelector('svg.main-svg'))"
    )
    return page


def _figure_ends(page: Page) -> list[dict]:
    """Each chart's title and the texts drawn highest and lowest in it."""
    return page.evaluate(
        """() => [...document.querySelectorAll('.figure')].map(figure => {
            const texts = [...figure.querySelectorAll('svg text')]
                .filter(t => t.textContent.trim())
                .map(t => ({text: t.textContent, box: t.getBoundingClientRect()}));
            texts.sort((a, b) => a.box.top - b.box.top);
            const title = figure.querySelector('.figure-title');
            return {
                title: title ? title.textContent : '',
                top: texts.length ? texts[0].text : '',
                bottom: texts.length ? texts[texts.length - 1].text : '',
            };
        })"""
    )


@pytest.fixture(scope="module")
def printed(browser, demo) -> dict:
    """The pack printed to A4: each page's text, each page's size, the requests made and
    where each chart starts and ends."""
    pack, _ = demo
    ARTIFACTS_DIR.mkdir(parents=True, exist_ok=True)
    html_path = ARTIFACTS_DIR / "spring-2026.html"
    html_path.write_text(pack, encoding="utf-8")
    requests: list[str] = []
    page = _open(browser, html_path, requests)
    figures = _figure_ends(page)
    pdf = page.pdf(format="A4", print_background=True)
    page.context.close()
    (ARTIFACTS_DIR / "spring-2026.pdf").write_bytes(pdf)
    # Pictures of the first two printed pages: the print stylesheet at the printed width.
    shots = _open(
        browser, html_path, requests, viewport={"width": PRINTED_WIDTH, "height": A4_HEIGHT}
    )
    shots.emulate_media(media="print")
    for number, section in enumerate(shots.locator("main > section").all()[:2], start=1):
        section.screenshot(path=str(ARTIFACTS_DIR / f"spring-2026-page-{number}.png"))
    shots.context.close()
    reader = PdfReader(io.BytesIO(pdf))
    return {
        "pages": [page.extract_text() for page in reader.pages],
        "sizes": [(float(p.mediabox.width), float(p.mediabox.height)) for p in reader.pages],
        "requests": requests,
        "figures": figures,
    }


def test_the_spring_2026_pack_prints_on_at_most_twelve_a4_pages(printed):
    assert len(printed["pages"]) <= MOST_PAGES
    for width, height in printed["sizes"]:
        assert abs(width - A4_POINTS[0]) < 1 and abs(height - A4_POINTS[1]) < 1


def test_the_printed_pack_asks_for_nothing_outside_its_file(printed):
    assert printed["requests"]
    assert [url for url in printed["requests"] if not url.startswith("file:")] == []


def test_page_one_is_the_summary_with_every_learning_point_in_agenda_order(printed, demo):
    _, titles = demo
    first = _flat(printed["pages"][0])
    assert "Summary" in printed["pages"][0]
    positions = [first.find(_flat(title)) for title in titles]
    assert -1 not in positions, [t for t, p in zip(titles, positions, strict=True) if p == -1]
    assert positions == sorted(positions)
    assert _flat(f"Since {'Autumn 2025'}") in first


def test_each_learning_point_starts_a_page_of_its_own_in_agenda_order(printed, demo):
    _, titles = demo
    first_lines = [
        page.strip().splitlines()[0] if page.strip() else "" for page in printed["pages"]
    ]
    starts = []
    for number, title in enumerate(titles, start=1):
        heading = f"{number}. {title}"
        pages = [i for i, line in enumerate(first_lines) if line.strip().startswith(heading)]
        assert len(pages) == 1, f"{heading!r} starts {len(pages)} pages"
        starts.append(pages[0])
    assert starts == list(range(1, len(titles) + 1))


def test_each_learning_points_page_holds_its_whole_chart(printed, demo):
    _, titles = demo
    for number, title in enumerate(titles, start=1):
        page = _flat(printed["pages"][number])
        assert _flat(f"How each group answered “{title}”") in page
        assert _flat("Not yet happening") in page  # the legend, above the bars
        assert _flat("Share of scores") in page  # the axis title, below them


def test_no_chart_is_split_across_two_pages(printed):
    pages = [_flat(page) for page in printed["pages"]]
    assert printed["figures"]
    for figure in printed["figures"]:
        # The start of each text: a label too long for its figure is cut at the side, which
        # is not what this test is about.
        ends = [_flat(figure[end])[:CHART_TEXT] for end in ("title", "top", "bottom")]
        holding = [i for i, page in enumerate(pages) if all(end in page for end in ends)]
        assert holding, f"the chart {figure['title']!r} is not whole on any one page"

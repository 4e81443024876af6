"""The meeting pack and workbook: offline, complete, private and escaped, rendered from
templates that escape what they are given.

The pack is slow to build (plotly figures), so the alliance and its pack are made once per
database for the module; each test reads that pack.
"""

from __future__ import annotations

import contextlib
import io
import re
from html.parser import HTMLParser
from pathlib import Path

import openpyxl
import pandas as pd
import plotly.graph_objects as go
import pytest
from markupsafe import Markup

from collab.domain import actions, organisations, rounds
from collab.domain.submissions import AnswerInput, NewResponse
from collab.present import pack as meeting_pack
from collab.present.printed_comments import printed_comments
from collab.stats import meeting
from collab.stats.meeting import PointPicture
from collab.stats.results import DIVERGENCE_EXPORT_COLUMNS
from collab.store.db import Database, create_engine
from collab.store.framework import load_framework
from tests.support.answers import add_published

# As in conftest.py: the pack is built once per database, so this module makes its own.
K = 5
ROUND = "Autumn 2025"
LIVED_COMMENT = "Only the four of us from the panel answered this time"
SHOWN_COMMENT = "Commissioners decide before the meeting starts"
HOSTILE_COMMENT = "<script>alert(1)</script>"
HOSTILE_ACTION = "<img src=x onerror=alert(2)> =SUM(A1)"
HOSTILE_ORGANISATION = "<b>Harbour</b> & Co"
PRESENT_DIR = Path(meeting_pack.__file__).parent
TEMPLATES_DIR = PRESENT_DIR / "templates"
# Tags of a page's structure: plotly's own text markup (<b>, <i>, <br>, <span>) in chart
# labels is not among them.
PAGE_TAG = re.compile(
    r"<(html|head|body|main|style|script|meta|title|header|footer|nav|section|div|table"
    r"|thead|tbody|tr|th|td|ul|ol|li|p|h[1-6]|a|strong)[\s>]"
)


def fill_alliance(db: Database, *, lived_people: int, open_round: bool = False) -> None:
    """Three groups in one closed round: 6 commissioners, 6 providers, and ``lived_people``
    lived-experience members, whose scores (1, 1, 1, 2, ...) and comment are distinctive."""
    framework = load_framework()
    ids = {
        group: organisations.create_organisation(db, name=name, actor="admin").id
        for group, name in (
            ("commissioner", "Calderholt County Council"),
            ("provider", "Lanternway Night Shelter"),
            ("lived_experience", "Lived Experience Panel"),
        )
    }
    organisations.create_organisation(db, name=HOSTILE_ORGANISATION, actor="admin")
    info = rounds.create_round(db, name=ROUND, actor="admin")
    if open_round:
        rounds.open_round(db, name=ROUND, actor="admin")

    def response(group: str, score: int, comment: str = "") -> NewResponse:
        answers = {p: AnswerInput(score=score) for p in framework.point_keys}
        answers["right_people"] = AnswerInput(score=score, comment=comment)
        return NewResponse(info.id, ids[group], group, answers)

    people = [response("commissioner", 4, SHOWN_COMMENT)] + [
        response("commissioner", s) for s in (4, 5, 5, 4, 4)
    ]
    people += [response("provider", 2, HOSTILE_COMMENT)] + [
        response("provider", s) for s in (3, 3, 2, 2, 3)
    ]
    people += [response("lived_experience", 1, LIVED_COMMENT)] + [
        response("lived_experience", s) for s in ([1, 1, 2, 2, 2][: lived_people - 1])
    ]
    with db.write() as session:
        add_published(session, people, source="import")
    actions.record_action(
        db,
        round_name=ROUND,
        learning_point="right_people",
        description=HOSTILE_ACTION,
        lead_organisation=HOSTILE_ORGANISATION,
        framework=framework,
        actor="admin",
    )


class PackReader(HTMLParser):
    """The tags' link attributes, the visible text and the stylesheets of a page."""

    def __init__(self) -> None:
        super().__init__()
        self.links: list[tuple[str, str, str]] = []
        self.text: list[str] = []
        self.styles: list[str] = []
        self._inside: list[str] = []

    def handle_starttag(self, tag, attrs):
        self._inside.append(tag)
        for name, value in attrs:
            if name in ("src", "href", "action", "data", "poster", "srcset"):
                self.links.append((tag, name, value or ""))

    def handle_endtag(self, tag):
        if self._inside and self._inside[-1] == tag:
            self._inside.pop()

    def handle_data(self, data):
        current = self._inside[-1] if self._inside else ""
        if current == "style":
            self.styles.append(data)
        elif current != "script":
            self.text.append(data)


def read(html: str) -> PackReader:
    reader = PackReader()
    reader.feed(html)
    return reader


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def alliance_db(request, tmp_path_factory):
    """The alliance (lived-experience group of 4) on each database, built once."""
    with contextlib.ExitStack() as stack:
        if request.param == "sqlite":
            folder = tmp_path_factory.mktemp("pack")
            url = f"sqlite:///{folder / 'alliance.db'}"
        else:
            url = stack.enter_context(request.getfixturevalue("postgres_schema")())
        database = Database(create_engine(url))
        stack.callback(database.dispose)
        database.upgrade()
        fill_alliance(database, lived_people=4)
        yield database


@pytest.fixture(scope="module")
def pack(alliance_db) -> str:
    return meeting_pack.build_meeting_pack(
        alliance_db, framework=load_framework(), round_name=ROUND, min_group_size=K
    )


def test_the_pack_loads_nothing_from_any_other_host(pack):
    reader = read(pack)
    assert not [link for link in reader.links if link[0] in ("script", "link", "img", "iframe")]
    assert all(value.startswith("#") for _, name, value in reader.links if name == "href")
    assert not any("@import" in style or "url(" in style for style in reader.styles)
    assert "cdn.plot.ly" not in pack.split("plotly.js v", 1)[0]


def test_the_pack_embeds_plotly_once(pack):
    assert pack.count("plotly.js v") == 1
    assert pack.count("Plotly.newPlot(") >= 4


def test_the_pack_names_every_learning_point(pack, framework):
    text = " ".join(read(pack).text)
    for point in framework.learning_points:
        assert point.title in text


def test_the_pack_prints_on_a4_with_the_summary_then_a_page_per_learning_point(pack, framework):
    style = " ".join(read(pack).styles)
    assert "@page { size: A4;" in style
    print_rules = style.split("@media print", 1)[1]
    assert "section.sheet { break-before: page;" in print_rules
    sheets = re.findall(r'<section class="sheet[^"]*" id="([^"]+)"', pack)
    # Every point has the same answers here, so the agenda takes them in framework order.
    assert sheets[: len(framework.point_keys) + 1] == ["summary"] + [
        f"point-{key}" for key in framework.point_keys
    ]


def test_every_figure_keeps_a_fixed_size_that_prints_inside_the_a4_margins(pack):
    drawn = re.findall(r'<div style="height:(\d+)px; width:(\d+)px;">', pack)
    assert len(drawn) == pack.count("Plotly.newPlot(")
    assert {int(width) for _, width in drawn} == {meeting_pack.FIGURE_WIDTH}
    assert '"responsive": false' in pack
    print_rules = " ".join(read(pack).styles).split("@media print", 1)[1]
    zoom = float(re.search(r"\.chart \{ zoom: ([0-9.]+); \}", print_rules).group(1))
    # A4 is 210 mm wide; less the two 12 mm margins, 186 mm at 96 px to the inch.
    assert meeting_pack.FIGURE_WIDTH * zoom <= 186 / 25.4 * 96


def test_comments_beyond_the_print_budget_are_on_screen_only(framework):
    texts = [f"Comment number {i} about the room." for i in range(12)]
    picture = PointPicture(
        key="right_people", title="Get the right people in the room", statement="",
        status="divergent", status_label="Groups diverge", status_reading="", gap_text="",
        comments=[("Service providers", texts)],
    )  # fmt: skip
    section = meeting_pack.PointSection(
        number=1, picture=picture, distribution=go.Figure(), point_table=None,
        group_grid=None, analyst_table=None, analyst_grid=None,
        comments=printed_comments(picture.comments),
        actions=meeting_pack.Table(["Round", "Action"], []),
    )  # fmt: skip
    html = meeting_pack.TEMPLATES.get_template("_point.html").render(
        point=section,
        previous_round="Autumn 2025",
        plot=lambda figure: meeting_pack.DrawnFigure("", Markup("")),
    )
    items = re.findall(r"<li( class=\"screen-only\")?>(Comment number \d+ about the room\.)", html)
    assert [text for _, text in items] == texts
    assert [bool(hidden) for hidden, _ in items] == [False] * 9 + [True] * 3
    assert re.search(r'<p class="print-only more-comments">and 3 more comments', html)
    style = (TEMPLATES_DIR / "pack.css").read_text(encoding="utf-8")
    screen, print_rules = style.split("@media print", 1)
    assert ".print-only { display: none; }" in screen
    assert ".screen-only" in print_rules.split("display: none", 1)[0]


def test_a_withheld_group_leaves_no_figure_or_comment_in_the_pack(pack):
    assert LIVED_COMMENT not in pack
    assert "n = 4" not in pack  # a shown group's chart label would carry its count
    assert "1.2" not in " ".join(read(pack).text)  # the four people's mean is 1.25
    assert "1.25" not in pack[pack.index("Plotly.newPlot(") :]  # nor in any figure's data
    text = " ".join(read(pack).text)
    assert "Too few scores from lived experience on this point to show (fewer than 5)" in text
    assert SHOWN_COMMENT in text


def test_the_same_group_with_five_people_is_shown_so_the_check_above_can_fail(sqlite_db, framework):
    fill_alliance(sqlite_db, lived_people=5)
    pack = meeting_pack.build_meeting_pack(
        sqlite_db, framework=framework, round_name=ROUND, min_group_size=K
    )
    assert LIVED_COMMENT in pack
    assert "n = 5" in pack


def test_comments_and_actions_are_escaped_in_the_pack(pack):
    assert HOSTILE_COMMENT not in pack
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in pack
    assert "<img src=x" not in pack
    assert HOSTILE_COMMENT in " ".join(read(pack).text)
    assert "&lt;b&gt;Harbour&lt;/b&gt; &amp; Co" in pack
    assert HOSTILE_ORGANISATION in " ".join(read(pack).text)


def test_the_templates_escape_a_comment_they_are_given():
    bullets = meeting_pack.TEMPLATES.get_template("_macros.html").module.bullets
    shown = str(bullets([HOSTILE_COMMENT], "comments"))
    assert "<script>" not in shown
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in shown
    assert meeting_pack.TEMPLATES.from_string("{{ c }}").render(c=HOSTILE_COMMENT) == (
        "&lt;script&gt;alert(1)&lt;/script&gt;"
    )


def test_the_stylesheet_file_is_copied_into_the_pack(pack):
    stylesheet = (TEMPLATES_DIR / "pack.css").read_text(encoding="utf-8").strip()
    assert "@media print" in stylesheet
    assert stylesheet in " ".join(read(pack).styles)


def test_the_pack_modules_hold_no_page_markup():
    sources = {path.name: path.read_text(encoding="utf-8") for path in PRESENT_DIR.glob("*.py")}
    assert "pack.py" in sources
    assert {name: PAGE_TAG.findall(text) for name, text in sources.items()} == {
        name: [] for name in sources
    }
    assert PAGE_TAG.search("<div class='figure'>")  # so the check above can fail


def test_only_the_figures_are_marked_safe():
    sources = "".join(path.read_text(encoding="utf-8") for path in PRESENT_DIR.glob("*.py"))
    assert sources.count("Markup(") == 1  # plotly's HTML of a figure the pack built
    for template in TEMPLATES_DIR.glob("*.html"):
        text = template.read_text(encoding="utf-8")
        assert "|safe" not in text.replace(" ", "")
        assert "autoescape false" not in text


def test_an_open_rounds_pack_shows_counts_but_no_results(sqlite_db, framework):
    fill_alliance(sqlite_db, lived_people=6, open_round=True)
    pack = meeting_pack.build_meeting_pack(
        sqlite_db, framework=framework, round_name=ROUND, min_group_size=K
    )
    text = " ".join(read(pack).text)
    assert "This round is still open" in text
    assert SHOWN_COMMENT not in text
    assert "n = 6" not in pack
    for point in framework.learning_points:
        assert point.title in text


def test_the_workbook_has_the_four_sheets_with_their_columns(alliance_db, framework):
    workbook = openpyxl.load_workbook(
        io.BytesIO(
            meeting_pack.build_meeting_workbook(
                alliance_db, framework=framework, round_name=ROUND, min_group_size=K
            )
        )
    )
    headers = {
        sheet.title: [c.value for c in next(sheet.iter_rows(max_row=1))]
        for sheet in workbook.worksheets
    }
    assert headers == {
        "summary": [
            "round", "learning_point", "group", "n", "mean", "median", "sd",
            "pct_established", "consensus", "suppressed", "mean_low", "mean_high",
        ],
        "divergence": DIVERGENCE_EXPORT_COLUMNS,
        "participation": meeting.WORKBOOK_PARTICIPATION_COLUMNS,
        "actions": actions.EXPORT_COLUMNS,
    }  # fmt: skip


def test_the_workbook_leaves_withheld_cells_empty_and_neutralises_formulas(alliance_db, framework):
    workbook = openpyxl.load_workbook(
        io.BytesIO(
            meeting_pack.build_meeting_workbook(
                alliance_db, framework=framework, round_name=ROUND, min_group_size=K
            )
        )
    )
    summary = pd.DataFrame(
        list(workbook["summary"].iter_rows(min_row=2, values_only=True)),
        columns=[c.value for c in workbook["summary"][1]],
    )
    lived = summary[summary["group"] == "lived_experience"]
    assert lived["mean"].isna().all()
    assert lived["n"].isna().all()
    descriptions = [row[3] for row in workbook["actions"].iter_rows(min_row=2, values_only=True)]
    assert descriptions == [HOSTILE_ACTION]  # it starts with "<", so it needs no quote
    participation = list(workbook["participation"].iter_rows(min_row=2, values_only=True))
    assert ("Autumn 2025", "All organisations", "lived_experience", 4) == participation[2][:4]


def _participation_rows(pack_html: str, heading: str) -> list[list[str]]:
    """The body rows (cell texts) of the first table after ``heading`` in the pack."""
    section = pack_html[pack_html.index(f"<h3>{heading}</h3>") :]
    body = section[section.index("<tbody>") : section.index("</tbody>")]
    return [
        [re.sub(r"<[^>]+>", "", cell) for cell in re.findall(r"<td[^>]*>(.*?)</td>", row)]
        for row in re.findall(r"<tr>(.*?)</tr>", body, flags=re.S)
    ]


def test_the_pack_never_shows_an_organisations_count_below_k(pack):
    rows = _participation_rows(pack, "By organisation")
    counts = {(organisation, group): responses for organisation, group, responses, *_ in rows}
    assert counts[("Lived Experience Panel", "Lived experience")] == "fewer than 5"
    for _organisation, _group, responses, _expected, rate, _below in rows:
        assert responses in ("fewer than 5", "not shown") or int(responses) >= K
        assert "%" not in rate or int(responses) >= K


def test_the_pack_keeps_the_group_totals_exact(pack):
    groups = pack[pack.index('id="participation"') : pack.index("<h3>By organisation</h3>")]
    totals = {
        cells[0]: cells[1]
        for cells in (
            re.findall(r"<td[^>]*>(.*?)</td>", row)
            for row in re.findall(r"<tr>(.*?)</tr>", groups, flags=re.S)
        )
        if cells
    }
    assert totals == {"Commissioners": "6", "Service providers": "6", "Lived experience": "4"}


def test_the_workbook_never_shows_an_organisations_count_below_k(alliance_db, framework):
    workbook = openpyxl.load_workbook(
        io.BytesIO(
            meeting_pack.build_meeting_workbook(
                alliance_db, framework=framework, round_name=ROUND, min_group_size=K
            )
        )
    )
    rows = list(workbook["participation"].iter_rows(min_row=2, values_only=True))
    totals = {
        group: responses
        for _, organisation, group, responses, *_ in rows
        if organisation == meeting.ALL_ORGANISATIONS
    }
    assert totals == {"commissioner": 6, "provider": 6, "lived_experience": 4}
    by_organisation = [r for r in rows if r[1] != meeting.ALL_ORGANISATIONS]
    assert ("Lived Experience Panel", "lived_experience", "fewer than 5") in [
        r[1:4] for r in by_organisation
    ]
    for _, _, _, responses, _, rate, _ in by_organisation:
        if isinstance(responses, str):
            assert responses in ("fewer than 5", "not shown")
            assert rate in (None, "below the minimum", "not shown")
        else:
            assert responses >= K

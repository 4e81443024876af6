"""The meeting pack to share after a meeting: one self-contained HTML file, rendered from the
templates beside this module, and an Excel workbook of the round's figures.

The words and figures come from ``collab.stats.meeting``, so the pack shows exactly what
meeting mode shows and withholds exactly what it withholds. The HTML pack loads nothing
from anywhere: its stylesheet (``templates/pack.css``) is copied into it, plotly.js is
embedded once, there is no web font and no link to another host, so it opens offline and
prints cleanly to PDF from a browser.

Printed on A4 it is a one-page summary, then a page for each learning point, then the
trends, who took part, the agreed actions and each group's average. So that a chart is
never cut or resized by the printer, every figure is drawn at a fixed size
(``FIGURE_WIDTH`` wide) that the print stylesheet scales to the page; a learning point's
comments are printed up to a budget (``collab.present.printed_comments``), the rest stay
on screen.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from dataclasses import dataclass

import jinja2
import pandas as pd
import plotly.graph_objects as go
from markupsafe import Markup

from collab.domain.actions import list_actions
from collab.domain.checks import check_answers, list_checks
from collab.files.exports import write_workbook
from collab.present import charts, meeting_charts
from collab.present.printed_comments import GroupComments, printed_comments
from collab.stats import checks, meeting, readings
from collab.stats.meeting import PointPicture
from collab.stats.participation import round_participation
from collab.stats.privacy import effective_min_group_size
from collab.stats.results import round_results
from collab.stats.trends import Trends, alliance_trends
from collab.store.db import Database
from collab.store.framework import Framework

# A figure keeps the size it is drawn at: resized to a window, it would not fit the page it
# is printed on. pack.css prints it at 70% (``zoom``), 700 px, inside the 703 px (186 mm)
# an A4 page has between its margins.
FIGURE_CONFIG = {"displayModeBar": False, "responsive": False}
FIGURE_WIDTH = 1000
# The room a figure keeps at its top for its title, given back when the title moves into
# the page as a heading.
TITLE_ROOM = 50
PACK_TEMPLATE = "pack.html"
ACTION_DATES = (meeting.ACTION_HEADINGS["due_on"],)
# Heights (px at FIGURE_WIDTH, titles included) that keep each figure on its printed page
# with the words around it; the builders' own heights are made for a projector.
DISTRIBUTION_HEIGHT = (250, 55)  # fixed, and per stakeholder group
GAP_RANKING_HEIGHT = (170, 56)  # fixed, and per learning point
TREND_HEIGHT = (270, 240)  # fixed, and per row of learning points

# Autoescaping is on for every template: names, comments and actions are people's own
# text and are always shown as text. StrictUndefined turns a misspelt name in a template
# into an error instead of an empty space in the pack.
TEMPLATES = jinja2.Environment(
    loader=jinja2.PackageLoader("collab.present", "templates"),
    autoescape=True,
    undefined=jinja2.StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
)


@dataclass(frozen=True)
class Cell:
    """One table cell: its text, whether it holds a number (aligned right, never broken
    across lines) and whether it is a date (never broken across lines)."""

    text: str
    number: bool
    date: bool = False


@dataclass(frozen=True)
class Table:
    """A frame as the pack shows it: headings and rows of cells, missing values empty."""

    headings: list[str]
    rows: list[list[Cell]]


def table(
    frame: pd.DataFrame, *, numeric: tuple[str, ...] = (), dates: tuple[str, ...] = ()
) -> Table:
    """``frame`` as a ``Table``; the columns named in ``numeric`` are aligned as numbers,
    those named in ``dates`` hold dates."""
    headings = [str(c) for c in frame.columns]
    rows = [
        [
            Cell(
                "" if readings.is_missing(value) else str(value),
                column in numeric,
                column in dates,
            )
            for column, value in zip(headings, row, strict=True)
        ]
        for row in frame.itertuples(index=False, name=None)
    ]
    return Table(headings, rows)


@dataclass(frozen=True)
class DrawnFigure:
    """A figure ready for the page: its title (plain text) and plotly's HTML for it."""

    title: str
    html: Markup


class FigureDrawer:
    """Turns figures into HTML in the order the template asks for them: the first one
    carries plotly.js, so the library is embedded once and defined before any chart."""

    def __init__(self) -> None:
        self.count = 0

    def __call__(self, figure: go.Figure) -> DrawnFigure:
        # The title goes into the page as a heading, so it never collides with a legend;
        # plotly's own text markup (bold, line breaks) is dropped from it.
        title = re.sub(r"<[^>]*>", " ", figure.layout.title.text or "")
        room = TITLE_ROOM if title.strip() else 0
        figure.update_layout(
            title_text="",
            autosize=False,
            width=FIGURE_WIDTH,
            height=figure.layout.height - room,
            margin_t=figure.layout.margin.t - room,
        )
        self.count += 1
        fragment = figure.to_html(
            full_html=False,
            include_plotlyjs=self.count == 1,
            include_mathjax=False,
            config=FIGURE_CONFIG,
            default_width=f"{FIGURE_WIDTH}px",
            default_height=f"{figure.layout.height}px",
            div_id=f"figure-{self.count}",
        )
        # Markup: this is plotly's own HTML for a figure this module built (its text is
        # inside plotly's JSON, which plotly escapes), never text a person typed.
        return DrawnFigure(" ".join(title.split()), Markup(fragment))


def print_sized(figure: go.Figure, height: tuple[int, int], rows: int) -> go.Figure:
    """``figure`` with the height that fits it on its printed page: ``height`` is the fixed
    part and the part per row (a group, a learning point) of ``rows`` rows. A figure that
    only says why there is nothing to draw keeps its own height."""
    if not figure.data:
        return figure
    fixed, per_row = height
    return figure.update_layout(height=fixed + per_row * rows)


def _trend_figure(trends: Trends, framework: Framework) -> go.Figure:
    """The trends' small multiples at their printed height, the legend at the top of the
    figure (placed by the builder for its own height, it would cover the first titles)."""
    figure = meeting_charts.trend_small_multiples(trends, framework)
    rows = math.ceil(len(framework.point_keys) / meeting_charts.SMALL_MULTIPLE_COLUMNS)
    if figure.data:
        figure.update_layout(legend={"yref": "container", "y": 1, "yanchor": "top"})
    return print_sized(figure, TREND_HEIGHT, rows)


@dataclass(frozen=True)
class PointSection:
    """One learning point's part of the pack; ``distribution`` is None when the round's
    results are not shown."""

    number: int
    picture: PointPicture
    distribution: go.Figure | None
    point_table: Table | None
    group_grid: Table | None
    analyst_table: Table | None
    analyst_grid: Table | None
    comments: list[GroupComments]
    actions: Table


def _point_section(
    number: int,
    picture: PointPicture,
    *,
    summary: pd.DataFrame | None,
    framework: Framework,
    actions: pd.DataFrame,
) -> PointSection:
    point_actions = actions[actions["learning_point"] == picture.key]
    return PointSection(
        number=number,
        picture=picture,
        distribution=(
            None
            if summary is None
            else print_sized(
                charts.distribution_bars(summary, framework, picture.key),
                DISTRIBUTION_HEIGHT,
                len(framework.group_keys),
            )
        ),
        point_table=None if picture.point_table is None else table(picture.point_table),
        group_grid=None if picture.group_grid is None else table(picture.group_grid),
        analyst_table=None if picture.analyst_table is None else table(picture.analyst_table),
        analyst_grid=None if picture.analyst_grid is None else table(picture.analyst_grid),
        comments=printed_comments(picture.comments),
        actions=table(
            meeting.actions_table(point_actions, framework=framework, with_point=False),
            dates=ACTION_DATES,
        ),
    )


@dataclass(frozen=True)
class CheckSection:
    """One live check of the round, as the pack prints it."""

    short_code: str
    subject: str
    people: list[str]
    table: Table
    reading: str


def _check_sections(
    db: Database, *, framework: Framework, round_name: str, k: int
) -> list[CheckSection]:
    """The round's live checks, oldest first: who answered each pass, where each group
    stood after the first pass and after the re-score, and whether they came closer."""
    sections = []
    for check in list_checks(db, round_name=round_name):
        picture = checks.check_picture(
            check_answers(db, check_id=check.id), framework=framework, min_group_size=k
        )
        people = [f"First pass: {checks.people_text(picture.answered_first, framework=framework)}."]
        if picture.answered_rescore is not None:
            rescored = checks.people_text(picture.answered_rescore, framework=framework)
            people.append(f"Re-score: {rescored}.")
        sections.append(
            CheckSection(
                short_code=check.short_code,
                subject=picture.subject,
                people=people,
                table=table(checks.standings_table(picture, framework=framework)),
                reading=checks.reading(picture),
            )
        )
    return sections


def build_meeting_pack(
    db: Database, *, framework: Framework, round_name: str, min_group_size: int
) -> str:
    """The meeting pack of a round as one self-contained HTML page.

    It holds a summary of the round (each learning point in the agenda's order, largest gap
    first, with its status, gap, highest and lowest group and change since the previous
    round; the gap ranking), each learning point's picture in that order (chart, figures
    with readings, comments of the shown groups, discussion prompts, agreed actions), the
    trends up to this round, who took part, every action agreed so far and every group's
    average on every point, and the round's live checks after the learning points.
    Figures come from ``round_results`` and the trends from
    ``results_from_answers``, so nothing withheld on the pages is in the pack. All text is
    HTML-escaped. Raises NotFound for an unknown round.
    """
    k = effective_min_group_size(min_group_size)
    taking_part = round_participation(
        db, framework=framework, round_name=round_name, min_group_size=k
    )
    results = round_results(db, framework=framework, round_name=round_name, min_group_size=k)
    trends = alliance_trends(db, framework=framework, min_group_size=k, up_to_round=round_name)
    agreed = list_actions(db, up_to_round=round_name)
    order = meeting.learning_point_order(
        results.divergence, framework=framework, by=meeting.ORDER_BY_GAP
    )
    shown = results.visibility == "results"
    overview = None
    if shown:
        summary = meeting.summary_table(results, framework=framework, order=order)
        overview = {
            "table": table(summary.table, numeric=("Gap",)),
            "notes": summary.notes,
            "withheld": readings.withheld_overview(results.summary, framework=framework, k=k),
            "gap_ranking": print_sized(
                charts.gap_ranking(results.summary, results.divergence, framework),
                GAP_RANKING_HEIGHT,
                len(order),
            ),
            "heatmap": charts.score_levels_heatmap(results.summary, framework),
        }
    points = [
        _point_section(
            number,
            meeting.point_picture(results, framework=framework, learning_point=key),
            summary=results.summary if shown else None,
            framework=framework,
            actions=agreed,
        )
        for number, key in enumerate(order, start=1)
    ]
    trend_section = None
    if trends.rounds:
        trend_section = {
            "figure": _trend_figure(trends, framework),
            "note": readings.trend_groups_note(trends.gap_trend, framework=framework),
            "table": table(
                meeting.gap_trend_table(trends, framework=framework),
                numeric=("Gap then", "Gap now"),
            ),
        }
    participation = {
        "total_responses": taking_part.total_responses,
        "min_group_size": taking_part.min_group_size,
        "flagged": [(r.group_name, r.flag) for r in taking_part.flagged_groups.itertuples()],
        "expected_set": bool(taking_part.by_group["expected"].notna().any()),
        "figure": meeting_charts.participation_bars(
            taking_part.by_group, min_group_size=taking_part.min_group_size
        ),
        "groups": table(
            meeting.group_participation_table(taking_part),
            numeric=("Responses", "Expected", "Response rate"),
        ),
        "organisations": table(
            meeting.organisation_participation_table(taking_part),
            numeric=("Responses", "Expected", "Response rate"),
        ),
    }
    return TEMPLATES.get_template(PACK_TEMPLATE).render(
        framework_title=framework.title,
        round_name=round_name,
        round_state="open" if taking_part.round.is_open else "closed",
        made_on=f"{dt.date.today():%d %B %Y}",
        min_group_size=k,
        taking_part=participation,
        overview=overview,
        results_message=results.message,
        previous_round=results.previous_round,
        points=points,
        live_checks=_check_sections(db, framework=framework, round_name=round_name, k=k),
        trends=trend_section,
        actions=table(
            meeting.actions_table(agreed, framework=framework, with_point=True),
            dates=ACTION_DATES,
        ),
        plot=FigureDrawer(),
    )


def build_meeting_workbook(
    db: Database, *, framework: Framework, round_name: str, min_group_size: int
) -> bytes:
    """The round's figures as an Excel workbook: the sheets of
    ``collab.stats.meeting.workbook_sheets`` (summary, divergence, participation and
    actions). Text cells are neutralised against formula injection."""
    return write_workbook(
        meeting.workbook_sheets(
            db, framework=framework, round_name=round_name, min_group_size=min_group_size
        )
    )

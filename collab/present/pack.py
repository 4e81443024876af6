"""The leadership team's meeting: each learning point's picture, discussion prompts, and
the meeting pack to share afterwards (one self-contained HTML file and an Excel workbook).

Everything here is built from ``collab.stats.results`` output (``round_results`` and, for the
trends, ``results_from_answers``), so the pack shows exactly what the pages show and
withholds exactly what they withhold. The HTML pack loads nothing from anywhere: plotly.js
is embedded once, there is no web font and no link to another host, so it opens offline
and prints cleanly to PDF from a browser.
"""

from __future__ import annotations

import datetime as dt
import html
import re
from collections import Counter
from dataclasses import dataclass, field

import pandas as pd
import plotly.graph_objects as go

from collab.domain.actions import actions_frame_for_export, list_actions, status_name
from collab.files.exports import write_workbook
from collab.present import charts, meeting_charts
from collab.stats import readings
from collab.stats.participation import RoundParticipation, round_participation
from collab.stats.privacy import effective_min_group_size
from collab.stats.results import (
    RoundResults,
    divergence_export_frame,
    round_results,
    summary_export_frame,
)
from collab.stats.trends import Trends, alliance_trends, direction_label
from collab.store.db import Database
from collab.store.framework import Framework

ORDER_BY_GAP = "gap"
ORDER_BY_FRAMEWORK = "framework"
ORDERS = {ORDER_BY_GAP: "Largest gap first", ORDER_BY_FRAMEWORK: "Framework order"}

STATUS_PROMPTS = {
    "divergent": (
        "The groups see this point very differently. What might each group be seeing "
        "that the others are not?"
    ),
    "some_divergence": (
        "The groups see this point somewhat differently. Which experiences sit behind "
        "the higher and the lower scores?"
    ),
    "shared": (
        "The groups broadly agree here. Is that agreement well founded, and what keeps it that way?"
    ),
    "insufficient": (
        "Too few groups answered to compare them. Whose voice is missing on this point, "
        "and how could we hear it next time?"
    ),
}
LIVES_PROMPT = (
    "Of everything on this point, what has the most potential to change the lives of "
    "the people we are here for?"
)
FOLLOW_UP_PROMPTS = (
    "What is already working here that we could build on, and who is doing it?",
    "Where is it unclear who decides, and who do we need to name to decide it?",
)

WORKBOOK_PARTICIPATION_COLUMNS = [
    "round",
    "organisation",
    "group",
    "responses",
    "expected",
    "response_rate",
    "flag",
]
ALL_ORGANISATIONS = "All organisations"
FIGURE_CONFIG = {"displayModeBar": False, "responsive": True}


def learning_point_order(divergence: pd.DataFrame, *, framework: Framework, by: str) -> list[str]:
    """The learning point keys in the order the meeting takes them.

    ``by="gap"``: points with a gap, largest first (framework order breaks ties), then the
    points whose groups cannot be compared, in framework order. ``by="framework"``: the
    framework's order. Without divergence figures the framework's order is used.
    """
    keys = framework.point_keys
    if by == ORDER_BY_FRAMEWORK or divergence.empty:
        return list(keys)
    gaps = {}
    for row in divergence.itertuples(index=False):
        if row.status != "insufficient" and not readings.is_missing(row.gap):
            gaps[row.learning_point] = float(row.gap)
    ranked = sorted((k for k in keys if k in gaps), key=lambda k: (-gaps[k], keys.index(k)))
    return ranked + [k for k in keys if k not in gaps]


def discussion_prompts(*, status: str | None, position: int) -> list[str]:
    """Three questions for the team on one learning point.

    The first fits the point's status; the second is always about what would most change
    people's lives; the third alternates, by ``position`` in the framework, between what
    to build on and who decides, so the team does not hear the same three every time.
    """
    first = STATUS_PROMPTS.get(status or "insufficient", STATUS_PROMPTS["insufficient"])
    return [first, LIVES_PROMPT, FOLLOW_UP_PROMPTS[position % len(FOLLOW_UP_PROMPTS)]]


@dataclass(frozen=True)
class PointPicture:
    """One learning point of a round in words, ready to show: nothing withheld is in it.

    ``status`` is None when the round's results cannot be shown. ``comments`` pairs each
    shown group's name with its comments (plain text, to be shown escaped).
    ``group_grid`` holds each group's figures with a reading in every cell (a withheld
    group's column says why and holds no figure).
    """

    key: str
    title: str
    statement: str
    status: str | None
    status_label: str
    status_reading: str
    gap_text: str
    changes: list[str] = field(default_factory=list)
    withheld: list[str] = field(default_factory=list)
    comments: list[tuple[str, list[str]]] = field(default_factory=list)
    point_table: pd.DataFrame | None = None
    group_grid: pd.DataFrame | None = None
    prompts: list[str] = field(default_factory=list)


def _counted(comments: list[str]) -> list[str]:
    """Identical comments once each, in their order, with how many people wrote them."""
    counts = Counter(comments)
    return [
        text if counts[text] == 1 else f"{text} ({counts[text]} people wrote this)"
        for text in dict.fromkeys(comments)
    ]


def point_picture(
    results: RoundResults, *, framework: Framework, learning_point: str
) -> PointPicture:
    """The picture of ``learning_point`` in ``results``, privacy rules already applied."""
    point = framework.point(learning_point)
    position = framework.point_keys.index(learning_point)
    if results.visibility != "results":
        return PointPicture(
            key=point.key,
            title=point.title,
            statement=point.statement,
            status=None,
            status_label="Results not shown",
            status_reading=results.message,
            gap_text="",
            prompts=discussion_prompts(status=None, position=position),
        )
    row = results.divergence.set_index("learning_point").loc[learning_point]
    status = str(row["status"])
    rank = readings.gap_ranks(results.divergence).get(learning_point)
    cells = results.summary[results.summary["learning_point"] == learning_point]
    shown = cells[~cells["suppressed"].astype(bool)]
    withheld = [
        readings.withheld_reading(
            framework.group_name(r.group), results.min_group_size, reason=str(r.reason)
        )
        for r in cells[cells["suppressed"].astype(bool)].itertuples(index=False)
    ]
    changes = []
    if results.previous_round:
        for r in results.gap_change[
            results.gap_change["learning_point"] == learning_point
        ].itertuples(index=False):
            changes.append(
                readings.gap_change_reading(
                    r._asdict(), previous_round=results.previous_round, framework=framework
                )
            )
        for r in results.change[results.change["learning_point"] == learning_point].itertuples(
            index=False
        ):
            changes.append(
                readings.mean_change_reading(
                    framework.group_name(r.group),
                    r.mean_change,
                    results.previous_round,
                    direction=r.direction,
                )
            )
    point_comments = results.comments[results.comments["learning_point"] == learning_point]
    comments = [
        (framework.group_name(group), _counted(list(texts)))
        for group in framework.group_keys
        if len(texts := point_comments.loc[point_comments["stakeholder_group"] == group, "comment"])
    ]
    row_with_key = row.copy()
    row_with_key["learning_point"] = learning_point
    return PointPicture(
        key=point.key,
        title=point.title,
        statement=point.statement,
        status=status,
        status_label=readings.status_label(status),
        status_reading=readings.status_reading(status, framework=framework),
        gap_text=readings.gap_reading(row["gap"], *(rank or (None, None))),
        changes=changes,
        withheld=withheld,
        comments=comments,
        point_table=readings.point_statistics_table(
            row_with_key,
            framework=framework,
            rank=rank,
            smallest_group=int(shown["n"].min()) if len(shown) else None,
        ),
        group_grid=readings.group_statistics_grid(cells, framework=framework),
        prompts=discussion_prompts(status=status, position=position),
    )


# The HTML pack.

PACK_CSS = """
:root { color-scheme: light; }
* { box-sizing: border-box; }
body {
  margin: 0; background: #f4f5f7; color: #1a1a1a;
  font-family: "Source Sans Pro", "Segoe UI", Arial, Helvetica, sans-serif;
  font-size: 18px; line-height: 1.5;
}
main { max-width: 1000px; margin: 0 auto; padding: 24px 28px 48px; background: #fff; }
h1 { font-size: 2rem; margin: 0.2em 0; }
h2 { font-size: 1.55rem; margin: 1.6em 0 0.4em; border-bottom: 3px solid #1f5f8b; }
h3 { font-size: 1.2rem; margin: 1.2em 0 0.3em; }
p.lead { font-size: 1.1rem; }
.meta { color: #444; }
.statement { font-style: italic; font-size: 1.1rem; }
.badge {
  display: inline-block; padding: 2px 12px; border-radius: 14px; font-weight: 600;
  border: 2px solid currentColor;
}
.status-divergent { color: #a34400; }
.status-some_divergence { color: #6a3d9a; }
.status-shared { color: #1f5f8b; }
.status-insufficient { color: #555; }
.notice { border-left: 6px solid #D55E00; background: #fff4ec; padding: 8px 14px; margin: 10px 0; }
.withheld { border-left: 6px solid #8c8c8c; background: #f2f2f2; padding: 6px 14px; margin: 6px 0; }
table { border-collapse: collapse; width: 100%; margin: 8px 0 16px; font-size: 0.95rem; }
th, td { border: 1px solid #c8c8c8; padding: 5px 8px; text-align: left; vertical-align: top; }
th { background: #eef2f6; }
td.number { text-align: right; white-space: nowrap; }
.comments li { margin: 4px 0; white-space: pre-wrap; }
.prompts li { margin: 6px 0; font-size: 1.05rem; }
.figure { margin: 12px 0; break-inside: avoid; page-break-inside: avoid; }
nav ol { columns: 2; }
nav a { color: #1f5f8b; }
footer { margin-top: 36px; color: #444; font-size: 0.9rem; }
@page { size: A4 landscape; margin: 12mm; }
@media print {
  body { background: #fff; font-size: 12pt; }
  main { max-width: none; padding: 0; }
  nav, .no-print, .modebar, .modebar-container { display: none !important; }
  h2 { break-after: avoid; page-break-after: avoid; }
  h3 { break-after: avoid; page-break-after: avoid; }
  section.learning-point, section.page { break-before: page; page-break-before: always; }
  table, .figure, .notice, .withheld, ul { break-inside: avoid; page-break-inside: avoid; }
  a { color: inherit; text-decoration: none; }
}
"""


def _e(value: object) -> str:
    return html.escape("" if value is None else str(value), quote=True)


def _table(frame: pd.DataFrame, *, numeric: tuple[str, ...] = ()) -> str:
    """An HTML table of ``frame`` with every cell escaped; missing values are empty."""
    head = "".join(f"<th scope='col'>{_e(c)}</th>" for c in frame.columns)
    body = []
    for row in frame.itertuples(index=False, name=None):
        cells = []
        for column, value in zip(frame.columns, row, strict=True):
            text = "" if readings.is_missing(value) else value
            css = " class='number'" if column in numeric else ""
            cells.append(f"<td{css}>{_e(text)}</td>")
        body.append(f"<tr>{''.join(cells)}</tr>")
    return f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table>"


def _list(items: list[str], css: str = "") -> str:
    if not items:
        return ""
    cls = f" class='{css}'" if css else ""
    return f"<ul{cls}>" + "".join(f"<li>{_e(i)}</li>" for i in items) + "</ul>"


class _FigureWriter:
    """Writes figures as HTML fragments: plotly.js inline with the first one only."""

    def __init__(self) -> None:
        self.count = 0

    def __call__(self, fig: go.Figure) -> str:
        # The title goes into the page as a heading, so it never collides with a legend.
        title = re.sub(r"<[^>]*>", " ", fig.layout.title.text or "")
        fig.update_layout(title_text="")
        heading = f"<h3 class='figure-title'>{_e(' '.join(title.split()))}</h3>" if title else ""
        fragment = fig.to_html(
            full_html=False,
            include_plotlyjs=self.count == 0,
            include_mathjax=False,
            config=FIGURE_CONFIG,
            default_width="100%",
            div_id=f"figure-{self.count + 1}",
        )
        self.count += 1
        return f"<div class='figure'>{heading}{fragment}</div>"


def _status_badge(status: str | None, label: str) -> str:
    return f"<span class='badge status-{_e(status or 'insufficient')}'>{_e(label)}</span>"


def _participation_notice(taking_part: RoundParticipation) -> str:
    flagged = taking_part.flagged_groups
    if flagged.empty:
        expected_set = taking_part.by_group["expected"].notna().any()
        return "<p>Every group has enough responses for its results to be shown" + (
            " and reached its expected number.</p>" if expected_set else ".</p>"
        )
    return "".join(
        f"<p class='notice'><strong>{_e(r.group_name)}</strong>: {_e(r.flag)}</p>"
        for r in flagged.itertuples(index=False)
    )


def _overview_table(results: RoundResults, framework: Framework, order: list[str]) -> str:
    rows = []
    divergence = results.divergence.set_index("learning_point")
    gap_change = results.gap_change.set_index("learning_point")
    for key in order:
        row = divergence.loc[key]
        change = (
            direction_label(str(gap_change.loc[key, "direction"]))
            if key in gap_change.index
            else ""
        )
        rows.append(
            (
                framework.point(key).title,
                readings.status_label(str(row["status"])),
                readings.number_text(row["gap"]),
                change,
                ", ".join(framework.group_name(g) for g in (row["split_within"] or [])),
            )
        )
    since = f"Since {results.previous_round}" if results.previous_round else "Since last round"
    frame = pd.DataFrame(rows, columns=["Learning point", "Status", "Gap", since, "Split within"])
    return _table(frame, numeric=("Gap",))


def _actions_table(actions: pd.DataFrame, framework: Framework, *, with_point: bool) -> str:
    if actions.empty:
        return "<p>No actions agreed yet.</p>"
    columns = {
        "round": "Round",
        "description": "Action",
        "lead_organisation": "Lead",
        "due_on": "Due",
        "status": "Status",
    }
    frame = actions.assign(status=[status_name(s) for s in actions["status"]])
    if with_point:
        frame = frame.assign(
            learning_point=[
                framework.point(k).title if k in framework.point_keys else k
                for k in frame["learning_point"]
            ]
        )
        columns = {"learning_point": "Learning point", **columns}
    return _table(frame[list(columns)].rename(columns=columns))


def _point_section(
    picture: PointPicture,
    *,
    results: RoundResults,
    framework: Framework,
    actions: pd.DataFrame,
    figure: _FigureWriter,
    number: int,
) -> str:
    parts = [
        f"<section class='learning-point' id='point-{_e(picture.key)}'>",
        f"<h2>{number}. {_e(picture.title)}</h2>",
        f"<p class='statement'>{_e(picture.statement)}</p>",
        f"<p>{_status_badge(picture.status, picture.status_label)} {_e(picture.gap_text)}</p>",
        f"<p>{_e(picture.status_reading)}</p>",
    ]
    if results.visibility == "results":
        parts.append(figure(charts.distribution_bars(results.summary, framework, picture.key)))
        parts += [f"<p class='withheld'>{_e(w)}</p>" for w in picture.withheld]
        if picture.changes:
            parts += [f"<h3>Since {_e(results.previous_round)}</h3>", _list(picture.changes)]
        parts.append("<h3>Between the groups</h3>")
        if picture.point_table is not None:
            parts.append(_table(picture.point_table))
        if picture.group_grid is not None:
            parts += ["<h3>Each group</h3>", _table(picture.group_grid)]
        parts.append("<h3>What people wrote</h3>")
        if picture.comments:
            for name, texts in picture.comments:
                parts += [f"<p><strong>{_e(name)}</strong></p>", _list(texts, "comments")]
        else:
            parts.append("<p>No comments on this learning point from the groups shown.</p>")
    parts += ["<h3>To discuss</h3>", _list(picture.prompts, "prompts")]
    point_actions = actions[actions["learning_point"] == picture.key]
    parts += ["<h3>Agreed actions</h3>", _actions_table(point_actions, framework, with_point=False)]
    parts.append("</section>")
    return "\n".join(parts)


def _trends_section(trends: Trends, framework: Framework, figure: _FigureWriter) -> str:
    parts = ["<section class='page' id='trends'>", "<h2>Trends across rounds</h2>"]
    if not trends.rounds:
        parts.append("<p>No round with results to compare yet.</p></section>")
        return "\n".join(parts)
    parts.append(
        "<p>A break in a line is a round in which that group's figures were withheld "
        "(too few responses); it is never filled in.</p>"
    )
    parts.append(figure(meeting_charts.trend_small_multiples(trends, framework)))
    rows = [
        (
            framework.point(r.learning_point).title,
            r.first_round or "",
            readings.number_text(r.first_gap),
            r.last_round or "",
            readings.number_text(r.last_gap),
            direction_label(str(r.direction)),
        )
        for r in trends.gap_trend.itertuples(index=False)
    ]
    frame = pd.DataFrame(
        rows,
        columns=["Learning point", "First round", "Gap then", "Last round", "Gap now", "Direction"],
    )
    parts += [_table(frame, numeric=("Gap then", "Gap now")), "</section>"]
    return "\n".join(parts)


def _participation_section(
    taking_part: RoundParticipation, framework: Framework, figure: _FigureWriter
) -> str:
    by_group = taking_part.by_group
    group_frame = pd.DataFrame(
        {
            "Group": by_group["group_name"],
            "Responses": by_group["responses"],
            "Expected": by_group["expected"].astype(object),
            "Response rate": [
                "" if readings.is_missing(r) else f"{float(r):.0%}"
                for r in by_group["response_rate"]
            ],
            "Flag": by_group["flag"],
        }
    )
    by_org = taking_part.by_organisation
    org_frame = pd.DataFrame(
        {
            "Organisation": by_org["organisation"],
            "Group": by_org["group_name"],
            "Responses": by_org["responses"],
            "Expected": by_org["expected"].astype(object),
            "Below expected": ["yes" if b else "" for b in by_org["below_expected"]],
        }
    )
    return "\n".join(
        [
            "<section class='page' id='participation'>",
            "<h2>Who took part</h2>",
            _participation_notice(taking_part),
            figure(
                meeting_charts.participation_bars(
                    by_group, min_group_size=taking_part.min_group_size
                )
            ),
            _table(group_frame, numeric=("Responses", "Expected", "Response rate")),
            "<h3>By organisation</h3>",
            _table(org_frame, numeric=("Responses", "Expected")),
            "</section>",
        ]
    )


def build_meeting_pack(
    db: Database, *, framework: Framework, round_name: str, min_group_size: int
) -> str:
    """The meeting pack of a round as one self-contained HTML page.

    It holds the divergence overview (heatmap, gap ranking, status table), each learning
    point's picture in order of its gap (chart, figures with readings, comments of the
    shown groups, discussion prompts, agreed actions), the trends up to this round, who
    took part and every action agreed so far. Figures come from ``round_results`` and
    the trends from ``results_from_answers``, so nothing withheld on the pages is in the
    pack. All text is HTML-escaped. Raises NotFound for an unknown round.
    """
    k = effective_min_group_size(min_group_size)
    taking_part = round_participation(
        db, framework=framework, round_name=round_name, min_group_size=k
    )
    results = round_results(db, framework=framework, round_name=round_name, min_group_size=k)
    trends = alliance_trends(db, framework=framework, min_group_size=k, up_to_round=round_name)
    actions = list_actions(db, up_to_round=round_name)
    figure = _FigureWriter()
    order = learning_point_order(results.divergence, framework=framework, by=ORDER_BY_GAP)
    state = "open" if taking_part.round.is_open else "closed"
    title = f"{framework.title}: meeting pack, {round_name}"

    body = [
        "<header>",
        f"<h1>{_e(framework.title)}</h1>",
        f"<p class='lead'>Meeting pack for round <strong>{_e(round_name)}</strong> ({state}), "
        f"made on {dt.date.today():%d %B %Y}.</p>",
        f"<p class='meta'>{taking_part.total_responses} people answered. Figures of a group "
        f"with fewer than {k} responses are withheld, and so are their comments; figures "
        "across groups use the shown groups only.</p>",
        "</header>",
        "<nav aria-label='Contents'><h2>Contents</h2><ol>",
        "<li><a href='#overview'>Where the groups agree and diverge</a></li>",
        *[
            f"<li><a href='#point-{_e(key)}'>{_e(framework.point(key).title)}</a></li>"
            for key in order
        ],
        "<li><a href='#trends'>Trends across rounds</a></li>",
        "<li><a href='#participation'>Who took part</a></li>",
        "<li><a href='#actions'>Agreed actions</a></li>",
        "</ol></nav>",
        "<h2>Before the results: who took part</h2>",
        _participation_notice(taking_part),
        "<section class='page' id='overview'>",
        "<h2>Where the groups agree and diverge</h2>",
    ]
    if results.visibility == "results":
        body += [
            _overview_table(results, framework, order),
            *[
                f"<p class='withheld'>{_e(s)}</p>"
                for s in readings.withheld_overview(results.summary, framework=framework, k=k)
            ],
            figure(charts.gap_ranking(results.summary, results.divergence, framework)),
            figure(charts.divergence_heatmap(results.summary, framework)),
        ]
    else:
        body.append(f"<p class='notice'>{_e(results.message)}</p>")
    body.append("</section>")
    for number, key in enumerate(order, start=1):
        picture = point_picture(results, framework=framework, learning_point=key)
        body.append(
            _point_section(
                picture,
                results=results,
                framework=framework,
                actions=actions,
                figure=figure,
                number=number,
            )
        )
    body += [
        _trends_section(trends, framework, figure),
        _participation_section(taking_part, framework, figure),
        "<section class='page' id='actions'>",
        "<h2>Agreed actions</h2>",
        "<p>Every action agreed up to this round, with where it stands.</p>",
        _actions_table(actions, framework, with_point=True),
        "</section>",
        "<footer><p>Comments are shown as written, without names, organisations or dates. "
        "This file needs no internet connection; print it from a browser to make a PDF."
        "</p></footer>",
    ]
    return "\n".join(
        [
            "<!DOCTYPE html>",
            "<html lang='en'>",
            "<head>",
            "<meta charset='utf-8'>",
            "<meta name='viewport' content='width=device-width, initial-scale=1'>",
            f"<title>{_e(title)}</title>",
            f"<style>{PACK_CSS}</style>",
            "</head>",
            "<body><main>",
            *body,
            "</main></body>",
            "</html>",
        ]
    )


def _participation_sheet(taking_part: RoundParticipation) -> pd.DataFrame:
    round_name = taking_part.round.name
    totals = pd.DataFrame(
        {
            "round": round_name,
            "organisation": ALL_ORGANISATIONS,
            "group": taking_part.by_group["stakeholder_group"],
            "responses": taking_part.by_group["responses"],
            "expected": taking_part.by_group["expected"],
            "response_rate": taking_part.by_group["response_rate"],
            "flag": taking_part.by_group["flag"],
        }
    )
    by_org = taking_part.by_organisation
    per_organisation = pd.DataFrame(
        {
            "round": round_name,
            "organisation": by_org["organisation"],
            "group": by_org["stakeholder_group"],
            "responses": by_org["responses"],
            "expected": by_org["expected"],
            "response_rate": by_org["response_rate"],
            "flag": ["below the expected number" if b else "" for b in by_org["below_expected"]],
        }
    )
    frames = [f for f in (totals, per_organisation) if not f.empty]
    if not frames:
        return pd.DataFrame(columns=WORKBOOK_PARTICIPATION_COLUMNS)
    return pd.concat(frames, ignore_index=True)[WORKBOOK_PARTICIPATION_COLUMNS]


def build_meeting_workbook(
    db: Database, *, framework: Framework, round_name: str, min_group_size: int
) -> bytes:
    """The round's figures as an Excel workbook: sheets summary, divergence, participation
    and actions.

    ``summary`` and ``divergence`` have the export columns of the design (withheld
    figures empty, never 0); ``participation`` one row per group (organisation "All
    organisations") and per organisation and group; ``actions`` every action agreed up to
    this round. Text cells are neutralised against formula injection.
    """
    k = effective_min_group_size(min_group_size)
    results = round_results(db, framework=framework, round_name=round_name, min_group_size=k)
    taking_part = round_participation(
        db, framework=framework, round_name=round_name, min_group_size=k
    )
    return write_workbook(
        {
            "summary": summary_export_frame(results),
            "divergence": divergence_export_frame(results),
            "participation": _participation_sheet(taking_part),
            "actions": actions_frame_for_export(db, framework=framework, up_to_round=round_name),
        }
    )

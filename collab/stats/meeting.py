"""The leadership team's meeting in figures and words: the order the learning points are
taken in, each point's picture with its discussion prompts, and the tables and sheets the
meeting pack shares afterwards.

Everything here is built from ``collab.stats.results`` output (``round_results`` and, for
the trends, ``results_from_answers``), so the meeting shows exactly what the leadership
pages show and withholds exactly what they withhold. Nothing here draws or writes a file:
``collab.present.pack`` renders these pieces, ``collab.web.meeting`` puts them on screen.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

from collab.domain.actions import STATUS_NAMES, actions_frame_for_export, status_name
from collab.domain.dates import long_date
from collab.stats import readings
from collab.stats.comments import comment_lines
from collab.stats.participation import RoundParticipation, round_participation
from collab.stats.privacy import effective_min_group_size
from collab.stats.results import (
    RoundResults,
    divergence_export_frame,
    round_results,
    summary_export_frame,
)
from collab.stats.trends import Trends
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

# The columns of an agreed action as the meeting shows it, with their headings.
ACTION_HEADINGS = {
    "round": "Round",
    "description": "Action",
    "lead_organisation": "Lead",
    "due_on": "Due",
    "status": "Status",
}
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
# Meeting mode names a group that has fewer than this share of its expected number.
WELL_BELOW_EXPECTED = 0.75


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

    ``status`` is None when the round's results cannot be shown. ``status_label`` names
    the groups the status covers whenever one is withheld (``readings.status_text``).
    ``gap_text`` is the gap's reading naming the highest and lowest group; on screen it
    is shown as ``gap_headline`` (the gap and its place this round) over
    ``who_is_where``. ``comments`` pairs each shown group's name with its comments, each
    distinct text once with how many people wrote it (plain text, to be shown escaped).
    ``small_groups`` says a small group's average with its likely range. ``point_table``
    and ``group_grid`` hold the figures in plain words; ``analyst_table`` and
    ``analyst_grid`` the statisticians' figures (H, p-value and its method, epsilon
    squared, n, sd, consensus 0-1). A withheld group's column says why and holds no figure.
    """

    key: str
    title: str
    statement: str
    status: str | None
    status_label: str
    status_reading: str
    gap_text: str
    gap_headline: str = ""
    who_is_where: str = ""
    changes: list[str] = field(default_factory=list)
    withheld: list[str] = field(default_factory=list)
    small_groups: list[str] = field(default_factory=list)
    comments: list[tuple[str, list[str]]] = field(default_factory=list)
    point_table: pd.DataFrame | None = None
    group_grid: pd.DataFrame | None = None
    analyst_table: pd.DataFrame | None = None
    analyst_grid: pd.DataFrame | None = None
    prompts: list[str] = field(default_factory=list)


def people_by_group(results: RoundResults) -> dict[str, int]:
    """How many people of each group took part in the view; a group whose count the view
    masks (under an organisation filter) is left out, so no sentence can print it."""
    counts = results.participation
    return {
        str(g): int(n)
        for g, n in zip(counts["stakeholder_group"], counts["respondents"], strict=True)
        if not pd.isna(n)
    }


def change_lines(results: RoundResults, *, framework: Framework, learning_point: str) -> list[str]:
    """The change of a learning point since the previous round in words: the gap like for
    like first (naming the groups compared when they differ from those shown now), then
    each group's average (up or down only when its Welch interval excludes 0)."""
    if not results.previous_round:
        return []
    lines = [
        readings.gap_change_reading(r, previous_round=results.previous_round, framework=framework)
        for r in results.gap_change[results.gap_change["learning_point"] == learning_point].to_dict(
            "records"
        )
    ]
    for r in results.change[results.change["learning_point"] == learning_point].itertuples(
        index=False
    ):
        lines.append(
            readings.mean_change_reading(
                framework.group_name(r.group),
                r.mean_change,
                results.previous_round,
                direction=r.direction,
            )
        )
    return lines


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
    row = results.divergence.set_index("learning_point").loc[learning_point].copy()
    row["learning_point"] = learning_point
    status = str(row["status"])
    rank = readings.gap_ranks(results.divergence).get(learning_point)
    cells = results.summary[results.summary["learning_point"] == learning_point]
    suppressed = cells["suppressed"].astype(bool)
    shown = cells[~suppressed]
    people = people_by_group(results)
    withheld = [
        readings.withheld_reading(
            framework.group_name(r.group),
            results.min_group_size,
            reason=str(r.reason),
            people=people.get(str(r.group)),
        )
        for r in cells[suppressed].itertuples(index=False)
    ]
    small_groups = [
        line
        for r in shown.to_dict("records")
        if (line := readings.small_group_reading(framework.group_name(str(r["group"])), r))
    ]
    point_comments = results.comments[results.comments["learning_point"] == learning_point]
    comments = [
        (framework.group_name(group), comment_lines(texts))
        for group in framework.group_keys
        if len(texts := point_comments[point_comments["stakeholder_group"] == group])
    ]
    smallest = int(shown["n"].min()) if len(shown) else None
    where = readings.who_is_where(row, framework=framework)
    return PointPicture(
        key=point.key,
        title=point.title,
        statement=point.statement,
        status=status,
        status_label=readings.status_text(row, framework=framework),
        status_reading=readings.status_reading(status, framework=framework),
        gap_text=readings.gap_reading(row["gap"], *(rank or (None, None)), where=where),
        gap_headline=readings.gap_reading(row["gap"], *(rank or (None, None))),
        who_is_where=where[:1].upper() + where[1:],
        changes=change_lines(results, framework=framework, learning_point=learning_point),
        withheld=withheld,
        small_groups=small_groups,
        comments=comments,
        point_table=readings.point_statistics_table(
            row, framework=framework, rank=rank, smallest_group=smallest
        ),
        group_grid=readings.group_statistics_grid(cells, framework=framework),
        analyst_table=readings.analyst_point_table(
            row, framework=framework, smallest_group=smallest
        ),
        analyst_grid=readings.analyst_group_grid(cells, framework=framework),
        prompts=discussion_prompts(status=status, position=position),
    )


@dataclass(frozen=True)
class RoundSummary:
    """The round on one printed page: ``table`` has a row per learning point; ``notes``
    are the footnotes under it, each starting with the asterisks that mark its cells."""

    table: pd.DataFrame
    notes: list[str]


def _marked(text: str, notes: dict[str, str], note: str, symbol: str) -> str:
    """``text`` with the marker of ``note`` (a new note takes one more ``symbol``)."""
    return text + notes.setdefault(note, symbol * (len(notes) + 1))


def summary_table(results: RoundResults, *, framework: Framework, order: list[str]) -> RoundSummary:
    """One short row per learning point, in ``order`` (the agenda's) and numbered as the
    agenda numbers them: its status, gap, the highest and the lowest group with their
    averages, how the gap moved since the previous round like for like (a column only when
    there is a previous round) and the groups split within themselves (results must be
    shown). A status that covers only some groups (one is withheld) is marked with daggers
    and a change over fewer groups than are shown now with asterisks; their notes name the
    groups."""
    divergence = results.divergence.set_index("learning_point")
    gap_change = {r["learning_point"]: r for r in results.gap_change.to_dict("records")}
    scopes: dict[str, str] = {}
    compared: dict[str, str] = {}
    rows = []
    for number, key in enumerate(order, start=1):
        row = divergence.loc[key].copy()
        row["learning_point"] = key
        status = readings.status_label(str(row["status"]))
        if scope := readings.status_scope(row, framework=framework):
            status = _marked(status, scopes, scope, "†")
        change = ""
        if key in gap_change:
            change = readings.gap_change_brief(gap_change[key])
            groups = readings.compared_groups(gap_change[key], framework=framework)
            if groups and change != "not comparable":
                change = _marked(change, compared, groups, "*")
        highest, lowest = readings.highest_and_lowest(row, framework=framework)
        split = ", ".join(framework.group_name(g) for g in (row["split_within"] or []))
        rows.append(
            (f"{number}. {framework.point(key).title}", status, readings.gap_text(row["gap"]))
            + (highest, lowest, change, split)
        )
    since = f"Since {results.previous_round}"
    table = pd.DataFrame(
        rows,
        columns=["Learning point", "Status", "Gap", "Highest", "Lowest", since, "Split within"],
    )
    notes = [f"{marker} {scope[:1].upper()}{scope[1:]}." for scope, marker in scopes.items()]
    notes += [
        f"{marker} Over {groups} only, the groups shown in both rounds."
        for groups, marker in compared.items()
    ]
    if results.previous_round:
        notes.append(
            "A gap counts as converging or diverging only when it moved more than chance "
            "could easily give; otherwise it is about the same."
        )
    else:
        table = table.drop(columns=since)
    return RoundSummary(table, notes)


def gap_trend_table(trends: Trends, *, framework: Framework) -> pd.DataFrame:
    """Each learning point's gap in the first and the last round with results, like for
    like, and where it is heading (``readings.gap_trend_table``)."""
    return readings.gap_trend_table(trends.gap_trend, framework=framework)


def participation_note(taking_part: RoundParticipation) -> str:
    """Who is missing from the round, in one sentence, or "" when nobody is.

    It names each group too small to show (fewer responses than the minimum group size:
    its results are withheld) and each group with fewer than ``WELL_BELOW_EXPECTED`` of
    the number expected from it; a group a little short of its number is not named.
    Group totals are exact, as everywhere.
    """
    verb = "will be" if taking_part.round.is_open else "are"
    parts = []
    for row in taking_part.by_group.itertuples(index=False):
        if row.below_minimum:
            parts.append(
                f"{row.group_name} {_responses(row.responses)}, fewer than "
                f"{taking_part.min_group_size}, so its results {verb} withheld"
            )
        elif not pd.isna(row.response_rate) and row.response_rate < WELL_BELOW_EXPECTED:
            parts.append(f"{row.group_name} {row.responses} of the {row.expected} expected")
    return f"Taking part: {'; '.join(parts)}." if parts else ""


def _responses(count: int) -> str:
    return f"{count} response{'' if count == 1 else 's'}"


def group_participation_table(taking_part: RoundParticipation) -> pd.DataFrame:
    """Each group's responses against its expected number, with its flag."""
    by_group = taking_part.by_group
    return pd.DataFrame(
        {
            "Group": by_group["group_name"],
            "Responses": by_group["responses"],
            "Expected": by_group["expected"].astype(object),
            "Response rate": by_group["response_rate_text"],
            "Flag": by_group["flag"],
        }
    )


def organisation_participation_table(taking_part: RoundParticipation) -> pd.DataFrame:
    """Each organisation's responses per group against its expected number, as the
    viewer may see them (a small count reads "fewer than K", its rate withheld too)."""
    by_org = taking_part.by_organisation
    return pd.DataFrame(
        {
            "Organisation": by_org["organisation"],
            "Group": by_org["group_name"],
            "Responses": by_org["responses_text"],
            "Expected": by_org["expected"].astype(object),
            "Response rate": by_org["response_rate_text"],
            "Below expected": [
                "yes" if pd.notna(b) and bool(b) else "" for b in by_org["below_expected"]
            ],
        }
    )


def actions_with_status_names(agreed: pd.DataFrame) -> pd.DataFrame:
    """The columns of ``ACTION_HEADINGS`` of ``list_actions`` rows, each status by its name."""
    named = agreed.assign(status=[status_name(s) for s in agreed["status"]])
    return named[list(ACTION_HEADINGS)]


def actions_table(agreed: pd.DataFrame, *, framework: Framework, with_point: bool) -> pd.DataFrame:
    """``list_actions`` rows under their headings, due dates in words (empty when not
    set); ``with_point`` adds each action's learning point by its title (a key the
    framework no longer has is shown as it is)."""
    table = actions_with_status_names(agreed)
    table = table.assign(due_on=["" if pd.isna(d) else long_date(d) for d in table["due_on"]])
    headings = dict(ACTION_HEADINGS)
    if with_point:
        table = table.assign(
            learning_point=[
                framework.point(k).title if k in framework.point_keys else k
                for k in agreed["learning_point"]
            ]
        )
        headings = {"learning_point": "Learning point", **headings}
    return table[list(headings)].rename(columns=headings)


def status_changes(agreed: pd.DataFrame, edited_names: list[str]) -> list[tuple[int, str]]:
    """The ``(action id, status)`` pairs whose status name in ``edited_names`` (one per row
    of ``agreed``, in its order) differs from the stored one."""
    keys = {name: key for key, name in STATUS_NAMES.items()}
    stored_names = [status_name(s) for s in agreed["status"]]
    return [
        (int(action_id), keys[new])
        for action_id, old, new in zip(agreed["id"], stored_names, edited_names, strict=True)
        if new != old
    ]


def participation_sheet(taking_part: RoundParticipation) -> pd.DataFrame:
    """One row per group (organisation ``ALL_ORGANISATIONS``) and one per organisation and
    group, in the columns of ``WORKBOOK_PARTICIPATION_COLUMNS``. Group totals are numbers;
    an organisation's withheld count and rate are words ("fewer than 5")."""
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
            "responses": [
                t if w else n
                for n, t, w in zip(
                    by_org["responses"], by_org["responses_text"], by_org["withheld"], strict=True
                )
            ],
            "expected": by_org["expected"],
            "response_rate": [
                t if w else r
                for r, t, w in zip(
                    by_org["response_rate"],
                    by_org["response_rate_text"],
                    by_org["withheld"],
                    strict=True,
                )
            ],
            "flag": [
                "below the expected number" if pd.notna(b) and bool(b) else ""
                for b in by_org["below_expected"]
            ],
        }
    )
    frames = [f for f in (totals, per_organisation) if not f.empty]
    if not frames:
        return pd.DataFrame(columns=WORKBOOK_PARTICIPATION_COLUMNS)
    return pd.concat(frames, ignore_index=True)[WORKBOOK_PARTICIPATION_COLUMNS]


def workbook_sheets(
    db: Database, *, framework: Framework, round_name: str, min_group_size: int
) -> dict[str, pd.DataFrame]:
    """The sheets of the meeting's workbook, by name: summary, divergence, participation
    and actions.

    ``summary`` and ``divergence`` have the export columns (withheld figures empty, never
    0); ``participation`` is ``participation_sheet``; ``actions`` every action agreed up
    to this round. Raises NotFound for an unknown round.
    """
    k = effective_min_group_size(min_group_size)
    results = round_results(db, framework=framework, round_name=round_name, min_group_size=k)
    taking_part = round_participation(
        db, framework=framework, round_name=round_name, min_group_size=k
    )
    return {
        "summary": summary_export_frame(results),
        "divergence": divergence_export_frame(results),
        "participation": participation_sheet(taking_part),
        "actions": actions_frame_for_export(db, framework=framework, up_to_round=round_name),
    }

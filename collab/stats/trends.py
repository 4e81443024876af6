"""Trends: each group's average on each learning point across rounds, and the gap between them.

Every round is computed through ``collab.stats.results.results_from_counts``, so the privacy
rules apply exactly as on the other pages: a group-round that is withheld stays a gap
(None), never a zero and never filled in from its neighbours. Closed rounds are included;
an open round only while its live results are on.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import pandas as pd

from collab.domain.answers import AnswerCounts, load_answer_counts
from collab.domain.rounds import RoundInfo, list_rounds
from collab.stats.change import point_gap_change, shown_cells
from collab.stats.privacy import results_may_show
from collab.stats.results import results_from_counts
from collab.store.db import Database
from collab.store.errors import NotFound
from collab.store.framework import Framework
from collab.store.types import Cell

MEAN_COLUMNS = [
    "round",
    "learning_point",
    "group",
    "mean",
    "n",
    "withheld",
    "reason",
    "mean_low",
    "mean_high",
]
GAP_COLUMNS = ["round", "learning_point", "gap", "status"]
GAP_TREND_COLUMNS = [
    "learning_point",
    "first_round",
    "first_gap",
    "last_round",
    "last_gap",
    "gap_change",
    "gap_change_low",
    "gap_change_high",
    "direction",
    "groups_compared",
    "groups_shown",
]
NOT_ENOUGH_ROUNDS = "not_enough_rounds"
OPEN_ROUND_LEFT_OUT = "still open, and its live results are off"
DIRECTION_LABELS = {
    "converging": "Converging",
    "diverging": "Diverging",
    "about_the_same": "About the same",
    "not_comparable": "Not comparable: fewer than two groups shown in both rounds",
    NOT_ENOUGH_ROUNDS: "Not enough rounds to compare",
}


@dataclass(frozen=True)
class Trends:
    """The figures of every round a trend may show, oldest round first.

    ``means``: one row per (round, learning point, group), columns of ``MEAN_COLUMNS``;
    ``mean`` is a float or None (withheld), ``n`` an int or None, ``withheld`` a bool,
    ``reason`` the privacy rule's words ("" when shown) and ``mean_low``, ``mean_high``
    the 95% interval of the mean (None when withheld or without an interval). ``gaps``: one row per
    (round, learning point), ``gap`` a float or None when fewer than two groups can be
    shown. ``gap_trend``: one row per learning point comparing the first and the last
    round that have a gap, like for like (``collab.stats.change.point_gap_change``):
    ``first_gap`` and ``last_gap`` are the gaps over ``groups_compared`` (the groups shown
    in both of those rounds), ``groups_shown`` the groups shown in the last; ``direction``
    is converging, diverging, about_the_same (the bootstrap interval of the change holds
    0), not_comparable (fewer than two groups in common) or ``not_enough_rounds``.
    ``left_out`` names the rounds not included and why.
    """

    rounds: list[str]
    left_out: dict[str, str]
    means: pd.DataFrame
    gaps: pd.DataFrame
    gap_trend: pd.DataFrame

    def series(self, learning_point: str, group: str) -> list[float | None]:
        """One group's mean on one learning point in each round of ``rounds`` (None = gap)."""
        rows = self.means[
            (self.means["learning_point"] == learning_point) & (self.means["group"] == group)
        ].set_index("round")
        return [rows["mean"].get(r) if r in rows.index else None for r in self.rounds]


def _value(value: Cell) -> float | None:
    if value is None or value is pd.NA:
        return None
    number = float(value)
    return None if math.isnan(number) else number


def _frame(rows: list[tuple], columns: list[str]) -> pd.DataFrame:
    """A frame of plain Python values: a missing figure stays None (pandas would make NaN)."""
    values = list(zip(*rows, strict=True)) if rows else [() for _ in columns]
    return pd.DataFrame(
        {c: pd.Series(list(v), dtype=object) for c, v in zip(columns, values, strict=True)}
    )


def direction_label(direction: str) -> str:
    """The direction of a gap in words ("converging" -> "Converging")."""
    return DIRECTION_LABELS.get(direction, direction)


def _gap_trend(
    gaps: pd.DataFrame, summaries: dict[str, pd.DataFrame], framework: Framework
) -> pd.DataFrame:
    cells = {name: shown_cells(summary, framework=framework) for name, summary in summaries.items()}
    rows: list[tuple[Any, ...]] = []
    for point in framework.point_keys:
        known = gaps[(gaps["learning_point"] == point) & gaps["gap"].notna()]
        if len(known) < 2:
            rows.append((point, *[None] * 7, NOT_ENOUGH_ROUNDS, [], []))
            continue
        first, last = str(known.iloc[0]["round"]), str(known.iloc[-1]["round"])
        change = point_gap_change(
            cells[last].get(point, {}),
            cells[first].get(point, {}),
            point=point,
            framework=framework,
        )
        rows.append(
            (
                point,
                first,
                _value(change["previous_gap"]),
                last,
                _value(change["gap"]),
                _value(change["gap_change"]),
                _value(change["gap_change_low"]),
                _value(change["gap_change_high"]),
                change["direction"],
                change["groups_compared"],
                change["groups_shown"],
            )
        )
    return _frame(rows, GAP_TREND_COLUMNS)


def trends_from_answers(
    answers: pd.DataFrame,
    *,
    framework: Framework,
    rounds: list[RoundInfo],
    min_group_size: int,
) -> Trends:
    """The trends over ``rounds`` (oldest first) from an answers frame holding them.

    Pure; as ``trends_from_counts`` on the answers counted one by one.
    """
    return trends_from_counts(
        AnswerCounts.from_answers(answers),
        framework=framework,
        rounds=rounds,
        min_group_size=min_group_size,
    )


def trends_from_counts(
    answers: AnswerCounts,
    *,
    framework: Framework,
    rounds: list[RoundInfo],
    min_group_size: int,
) -> Trends:
    """The trends over ``rounds`` (oldest first) from the counted answers holding them.

    Pure. A round is included when its results may be shown (closed, or open with live
    results on) and someone answered it; each round's figures are those of
    ``results_from_counts`` for that round alone.
    """
    included: list[str] = []
    left_out: dict[str, str] = {}
    means: list[tuple] = []
    gaps: list[tuple] = []
    summaries: dict[str, pd.DataFrame] = {}
    for info in rounds:
        if not results_may_show(info):
            left_out[info.name] = OPEN_ROUND_LEFT_OUT
            continue
        results = results_from_counts(
            answers, framework=framework, round=info, previous=None, min_group_size=min_group_size
        )
        if results.visibility != "results":
            left_out[info.name] = results.message
            continue
        included.append(info.name)
        summaries[info.name] = results.summary
        for row in results.summary.itertuples(index=False):
            withheld = bool(row.suppressed)
            n = _value(row.n)
            means.append(
                (
                    info.name,
                    row.learning_point,
                    row.group,
                    None if withheld else _value(row.mean),
                    None if withheld or n is None else int(n),
                    withheld,
                    str(row.reason or ""),
                    None if withheld else _value(row.mean_low),
                    None if withheld else _value(row.mean_high),
                )
            )
        for row in results.divergence.itertuples(index=False):
            gap = None if row.status == "insufficient" else _value(row.gap)
            gaps.append((info.name, row.learning_point, gap, row.status))
    means_frame = _frame(means, MEAN_COLUMNS)
    means_frame["withheld"] = means_frame["withheld"].astype(bool)
    gaps_frame = _frame(gaps, GAP_COLUMNS)
    return Trends(
        rounds=included,
        left_out=left_out,
        means=means_frame,
        gaps=gaps_frame,
        gap_trend=_gap_trend(gaps_frame, summaries, framework),
    )


def alliance_trends(
    db: Database, *, framework: Framework, min_group_size: int, up_to_round: str | None = None
) -> Trends:
    """The trends over every round in the database (see ``trends_from_counts``).

    ``up_to_round`` stops at that round (a meeting on it sees no later round). Raises
    NotFound for an unknown round.
    """
    rounds = list_rounds(db)
    if up_to_round is not None:
        names = [r.name for r in rounds]
        if up_to_round not in names:
            raise NotFound(f"There is no round called '{up_to_round}'.")
        rounds = rounds[: names.index(up_to_round) + 1]
    shown = [r for r in rounds if results_may_show(r)]
    answers = load_answer_counts(
        db, framework=framework, round_ids=[r.id for r in shown], comments=False
    )
    return trends_from_counts(
        answers, framework=framework, rounds=rounds, min_group_size=min_group_size
    )

"""A round's results as every view and export sees them, privacy rules applied.

``results_from_counts`` is pure (counted answers in, ``RoundResults`` out);
``results_from_answers`` calls it on an answers frame, and ``round_results`` on the
counts of the round and the one before it read from the database. Every figure passes
through ``collab.stats.privacy``; nothing here compares a count with the threshold.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

import numpy as np
import pandas as pd

from collab.domain.answers import AnswerCounts, live_participation, load_answer_counts
from collab.domain.rounds import RoundInfo, list_rounds
from collab.stats import analysis, change, privacy
from collab.stats.participation import mask_organisation_counts, withheld_count_text
from collab.store.db import Database
from collab.store.framework import Framework

VISIBILITIES = ("results", "counts_only", "no_round", "not_opened", "no_data", "withheld")
NO_CLOSED_ROUND_MESSAGE = "No closed round yet: close a round to see results."
PARTICIPATION_COLUMNS = ["stakeholder_group", "respondents", "respondents_text"]
SUMMARY_EXPORT_COLUMNS = [
    "round",
    "learning_point",
    "group",
    "n",
    "mean",
    "median",
    "sd",
    "pct_established",
    "consensus",
    "suppressed",
    "mean_low",
    "mean_high",
]
DIVERGENCE_EXPORT_COLUMNS = [
    "round",
    "learning_point",
    "gap",
    "kruskal_h",
    "p_value",
    "p_method",
    "epsilon_sq",
    "cross_group_consensus",
    "status",
    "split_within",
    "groups_withheld",
    "highest_group",
    "lowest_group",
    "level_band",
    "groups_compared",
    "previous_gap",
    "gap_change",
    "gap_change_low",
    "gap_change_high",
    "direction",
]
# Columns of the export holding lists of group keys (joined by ";" in a cell).
_LIST_COLUMNS = ["split_within", "groups_withheld", "groups_compared"]
# Columns taken from the like-for-like change since the previous round.
_CHANGE_EXPORT_COLUMNS = [
    "groups_compared",
    "previous_gap",
    "gap_change",
    "gap_change_low",
    "gap_change_high",
    "direction",
]


@dataclass(frozen=True)
class RoundResults:
    """What a results view or export of one round may show.

    ``visibility`` is ``results`` (figures below), ``counts_only`` (open round without
    live results: participation only), ``no_round``, ``not_opened`` (a round created
    but never opened: nothing to count yet), ``no_data`` or ``withheld`` (a
    filter that would expose fewer than ``min_group_size`` people); ``message`` says so
    in plain words whenever it is not ``results``. Frames other than ``participation``
    are empty (with their columns) unless the visibility is ``results``.
    ``participation`` (columns ``PARTICIPATION_COLUMNS``) and ``people_text`` are the
    counts of people as ``participation_by_group`` lets the view show them: a masked
    group's ``respondents`` is missing, never a number.
    """

    round: RoundInfo | None
    previous_round: str | None
    visibility: str
    message: str
    min_group_size: int
    groups_shown: list[str]
    summary: pd.DataFrame
    divergence: pd.DataFrame
    change: pd.DataFrame
    gap_change: pd.DataFrame
    comments: pd.DataFrame
    participation: pd.DataFrame
    people_text: str = "0"
    """How many people answered in the view, as the view may show it."""


def _empty(columns: list[str]) -> pd.DataFrame:
    return pd.DataFrame({c: pd.Series(dtype=object) for c in columns})


def _frame(frames: dict[str, pd.DataFrame], name: str, columns: list[str]) -> pd.DataFrame:
    """``frames[name]``, or an empty frame with ``columns`` when it is not there."""
    return frames[name] if name in frames else _empty(columns)


def summary_result_columns(framework: Framework) -> list[str]:
    """Columns of ``RoundResults.summary``."""
    return [*analysis.summary_columns(framework), "suppressed", "reason"]


def _names(names: list[str]) -> str:
    if len(names) <= 1:
        return "".join(names)
    return ", ".join(names[:-1]) + " and " + names[-1]


def _view_label(
    framework: Framework, groups_shown: list[str], organisations: list[str] | None
) -> str:
    """The filtered view in words, e.g. "Lived experience at Hope Housing"."""
    whole_alliance = groups_shown == framework.group_keys
    groups_text = _names([framework.group_name(g) for g in groups_shown]) or "the groups chosen"
    if organisations is None:
        return groups_text
    orgs_text = _names(sorted(organisations))
    return orgs_text if whole_alliance else f"{groups_text} at {orgs_text}"


def _group_count_shown(parts: pd.DataFrame, organisations: list[str]) -> bool:
    """Whether the selected organisations' count of one group exposes nobody.

    ``parts`` holds every organisation's count of the group as the Participation page
    masks it (``mask_organisation_counts``). The count is shown when the selection covers
    everyone of the group who answered (it is then the group's total, always shown), or
    when every selected organisation's count is 0 or shown there too: the sum then tells
    nothing the Participation page and the group totals do not.
    """
    selected = parts["organisation"].isin(organisations)
    answered = parts["responses"].fillna(0).to_numpy() > 0
    if not (answered & ~selected.to_numpy()).any():
        return True
    return not (parts["withheld"] & selected & answered).any()


def participation_by_group(
    participation: pd.DataFrame,
    *,
    groups: list[str],
    organisations: list[str] | None = None,
    min_group_size: int,
) -> tuple[pd.DataFrame, str]:
    """Respondents per stakeholder group (``groups`` order, zeros included), and the
    total of people who answered, as the view may show them.

    ``participation`` counts submissions (column ``n``) per organisation and group of
    the whole alliance. Without an organisation filter every count is exact (a group's
    total of people is not a score). Under a filter (``organisations``), a group's count
    is shown only when it exposes nobody (``_group_count_shown``); otherwise
    ``respondents`` is missing and ``respondents_text`` reads "fewer than K" (or
    "not shown" when the hidden count is K or more), and the total is masked the same
    way, since subtracting the shown groups from it would give the hidden one away.
    """
    k = privacy.effective_min_group_size(min_group_size)
    chosen = participation[participation["stakeholder_group"].isin(groups)]
    view = privacy.filter_answers(chosen, groups=None, organisations=organisations)
    per_group = view.groupby("stakeholder_group")["n"].sum()
    counts = [int(per_group.get(g, 0)) for g in groups]
    shown = [True] * len(groups)
    if organisations is not None:
        parts = (
            chosen.groupby(["organisation", "stakeholder_group"], sort=False)["n"]
            .sum()
            .reset_index()
            .rename(columns={"n": "responses"})
            .assign(group_name="", expected=pd.NA, response_rate=np.nan, below_expected=False)
        )
        masked = mask_organisation_counts(parts, min_group_size=k)
        masked["responses"] = parts["responses"]
        shown = [
            _group_count_shown(masked[masked["stakeholder_group"] == g], organisations)
            for g in groups
        ]

    def text(count: int, visible: bool) -> str:
        return str(count) if visible else withheld_count_text(count, k)

    frame = pd.DataFrame(
        {
            "stakeholder_group": groups,
            "respondents": pd.array(
                [n if s else pd.NA for n, s in zip(counts, shown, strict=True)], dtype="Int64"
            ),
            "respondents_text": [text(n, s) for n, s in zip(counts, shown, strict=True)],
        },
        columns=PARTICIPATION_COLUMNS,
    )
    return frame, text(sum(counts), all(shown))


def _results(
    framework: Framework,
    *,
    round: RoundInfo | None,
    previous: RoundInfo | None,
    visibility: str,
    message: str,
    min_group_size: int,
    groups_shown: list[str],
    participation: pd.DataFrame | None = None,
    people_text: str = "0",
    **frames: pd.DataFrame,
) -> RoundResults:
    """A RoundResults whose missing frames are empty frames with the contract's columns."""
    return RoundResults(
        round=round,
        previous_round=previous.name if previous else None,
        visibility=visibility,
        message=message,
        min_group_size=min_group_size,
        groups_shown=groups_shown,
        summary=_frame(frames, "summary", summary_result_columns(framework)),
        divergence=_frame(frames, "divergence", analysis.DIVERGENCE_COLUMNS),
        change=_frame(frames, "change", change.CHANGE_COLUMNS),
        gap_change=_frame(frames, "gap_change", change.GAP_CHANGE_COLUMNS),
        comments=_frame(frames, "comments", privacy.COMMENT_COLUMNS),
        participation=(
            participation if participation is not None else _empty(PARTICIPATION_COLUMNS)
        ),
        people_text=people_text,
    )


def _selection(values: list[str] | None) -> list[str] | None:
    """An empty selection means no filter."""
    return list(values) if values else None


def results_from_answers(
    answers: pd.DataFrame,
    *,
    framework: Framework,
    round: RoundInfo,
    previous: RoundInfo | None,
    min_group_size: int,
    groups: list[str] | None = None,
    organisations: list[str] | None = None,
) -> RoundResults:
    """The results of ``round`` from an answers frame (as ``load_answers`` returns it).

    ``answers`` may hold other rounds; only ``round`` and ``previous`` are used.
    Otherwise as ``results_from_counts``.
    """
    return results_from_counts(
        AnswerCounts.from_answers(answers),
        framework=framework,
        round=round,
        previous=previous,
        min_group_size=min_group_size,
        groups=groups,
        organisations=organisations,
    )


def results_from_counts(
    answers: AnswerCounts,
    *,
    framework: Framework,
    round: RoundInfo,
    previous: RoundInfo | None,
    min_group_size: int,
    groups: list[str] | None = None,
    organisations: list[str] | None = None,
) -> RoundResults:
    """The results of ``round`` from counted answers (as ``load_answer_counts`` reads them).

    ``answers`` may hold other rounds; only ``round`` and ``previous`` are used.
    ``groups`` (group keys) and ``organisations`` (names) narrow the view; None or an
    empty list means every one. The change since ``previous`` is given only when that
    round's results may be shown too, under the same filter and rules.
    """
    k = privacy.effective_min_group_size(min_group_size)
    groups = _selection(groups)
    organisations = _selection(organisations)
    groups_shown = [g for g in framework.group_keys if groups is None or g in groups]
    counts = answers.counts
    this_round = counts[counts["round_id"] == round.id]
    view = privacy.filter_answers(this_round, groups=groups_shown, organisations=organisations)
    taking_part = answers.participation[answers.participation["round_id"] == round.id]
    participation, people_text = participation_by_group(
        taking_part, groups=groups_shown, organisations=organisations, min_group_size=k
    )
    common = {
        "round": round,
        "previous": previous,
        "min_group_size": k,
        "groups_shown": groups_shown,
        "participation": participation,
        "people_text": people_text,
    }
    if round.status == "not_opened":
        return _results(
            framework,
            visibility="not_opened",
            message=(
                f"Round '{round.name}' has not opened yet, so nobody has been able to "
                "answer it. An administrator opens it on the Administration page."
            ),
            **common,
        )
    shown = privacy.results_may_show(round)
    if (this_round.empty and shown) or taking_part.empty:
        return _results(
            framework,
            visibility="no_data",
            message=(
                f"Nobody has answered round '{round.name}' yet. Share invite codes with "
                "members, or import paper responses."
            ),
            **common,
        )
    if not shown:
        return _results(
            framework, visibility="counts_only", message=privacy.open_round_message(), **common
        )

    filtered = organisations is not None or groups_shown != framework.group_keys
    summary = privacy.visible_summary(
        this_round,
        framework=framework,
        min_group_size=k,
        groups=groups_shown,
        organisations=organisations,
    )
    if filtered and summary["suppressed"].all():
        label = _view_label(framework, groups_shown, organisations)
        message = (
            privacy.withheld_message(view=label, min_group_size=k)
            if len(view)
            else f"Nobody from {label} has answered round '{round.name}', so nothing is shown."
        )
        return _results(framework, visibility="withheld", message=message, **common)

    divergence = analysis.point_divergence(summary, framework=framework)
    comments = answers.comments[answers.comments["round_id"] == round.id]
    frames = {
        "summary": summary.reset_index(drop=True),
        "divergence": divergence,
        "comments": privacy.visible_comments(
            privacy.filter_answers(comments, groups=groups_shown, organisations=organisations),
            summary,
            framework=framework,
        ),
    }
    if previous is not None and privacy.results_may_show(previous):
        before = privacy.visible_summary(
            counts[counts["round_id"] == previous.id],
            framework=framework,
            min_group_size=k,
            groups=groups_shown,
            organisations=organisations,
        )
        frames["change"] = change.mean_change(summary, before, framework=framework)
        frames["gap_change"] = change.gap_change(summary, before, framework=framework)
    return _results(framework, visibility="results", message="", **common, **frames)


def round_results(
    db: Database,
    *,
    framework: Framework,
    round_name: str | None,
    min_group_size: int,
    groups: list[str] | None = None,
    organisations: list[str] | None = None,
) -> RoundResults:
    """The results of the round called ``round_name`` (None: the latest closed round).

    The previous round is the one created just before it. Reads only the counted
    answers of those two rounds (``load_answer_counts``).
    """
    k = privacy.effective_min_group_size(min_group_size)
    groups_shown = [g for g in framework.group_keys if not groups or g in groups]
    rounds = list_rounds(db)
    if round_name is None:
        closed = [r for r in rounds if r.status == "closed"]
        round_name = closed[-1].name if closed else None
    position = next((i for i, r in enumerate(rounds) if r.name == round_name), None)
    if position is None:
        message = (
            NO_CLOSED_ROUND_MESSAGE
            if round_name is None or not rounds
            else f"There is no round called '{round_name}'."
        )
        return _results(
            framework,
            round=None,
            previous=None,
            visibility="no_round",
            message=message,
            min_group_size=k,
            groups_shown=groups_shown,
        )
    current = rounds[position]
    previous = rounds[position - 1] if position > 0 else None
    ids = [current.id] + ([previous.id] if previous else [])
    counts = load_answer_counts(db, framework=framework, round_ids=ids)
    if not privacy.results_may_show(current):
        # Nothing of an open round is published but who has taken part so far.
        counts = dataclasses.replace(
            counts, participation=live_participation(db, round_ids=[current.id])
        )
    return results_from_counts(
        counts,
        framework=framework,
        round=current,
        previous=previous,
        min_group_size=k,
        groups=groups,
        organisations=organisations,
    )


def summary_export_frame(results: RoundResults) -> pd.DataFrame:
    """The summary export: ``SUMMARY_EXPORT_COLUMNS``, suppressed figures empty (never 0).

    ``n`` is a whole number (missing when suppressed). Empty unless there are results.
    """
    if results.visibility != "results":
        return _empty(SUMMARY_EXPORT_COLUMNS)
    frame = results.summary[SUMMARY_EXPORT_COLUMNS].copy()
    frame["n"] = frame["n"].round().astype("Int64")
    frame["suppressed"] = frame["suppressed"].astype(bool)
    return frame.reset_index(drop=True)


def divergence_export_frame(results: RoundResults) -> pd.DataFrame:
    """The divergence export: ``DIVERGENCE_EXPORT_COLUMNS``, one row per learning point.

    Lists of groups are joined by ";"; a figure that is not there (fewer than two groups,
    no test) is empty, never 0. The change columns come from the like-for-like change
    since the previous round; without a previous round whose results may be shown they
    are all empty (``direction`` too), while ``not_comparable`` means there was one but
    fewer than two groups were shown in both.
    """
    if results.visibility != "results":
        return _empty(DIVERGENCE_EXPORT_COLUMNS)
    frame = results.divergence.drop(columns=_CHANGE_EXPORT_COLUMNS, errors="ignore")
    frame = frame.merge(
        results.gap_change[["learning_point", *_CHANGE_EXPORT_COLUMNS]],
        on="learning_point",
        how="left",
    )
    frame["direction"] = frame["direction"].fillna("")
    for column in _LIST_COLUMNS:
        frame[column] = [
            ";".join(groups) if isinstance(groups, list) else "" for groups in frame[column]
        ]
    for column in ("highest_group", "lowest_group", "level_band", "p_method"):
        frame[column] = frame[column].fillna("").astype(str)
    return frame[DIVERGENCE_EXPORT_COLUMNS].reset_index(drop=True)

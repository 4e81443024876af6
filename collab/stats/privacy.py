"""The suppression rules: the one place that decides which figures may be shown.

Every view and export takes its figures through ``visible_summary`` and
``visible_comments``; nothing else compares a count with the minimum group size.

The rules, with K the minimum group size (at least 3):

- A cell (round, learning point, stakeholder group) is shown only with at least K scores.
  Otherwise every figure of it is withheld (NaN, never 0), counts and don't-knows included.
- Between-group figures, the "all respondents" mean among them, use shown cells only, so a
  hidden group cannot be recovered by subtracting shown figures from a total.
- An organisation filter shows a cell only if the filtered cell has at least K scores, the
  rest of the group (its complement) has none or at least K, every selected organisation
  adds none or at least K scores to the cell, and the organisations that add fewer than K
  add none or at least K between them (unless the filter selects everyone who answered,
  which shows nothing the unfiltered view does not). The last two conditions stop
  differences between *several* filtered views (A, then B, then the whole group) from
  isolating a handful of people, which the complement condition alone would allow. An
  organisation adds to a cell every person of it who answered there: a score, don't
  know, or a comment beside a blank score.
- Comments appear only for shown cells, without organisation, respondent or time, in an
  order that says nothing about when they were written. Since the rules above count
  comment writers, comparing the comments of two views narrows none of them down to
  people with fewer than K scores between them.
- Under an organisation filter every withheld cell gives one reason, whichever rule
  withheld it, so the reason says nothing about answers outside the view.
- While a round is open only participation counts are shown, unless live results are on.
  A count of people is not a score: the whole alliance's group totals are always shown,
  and one organisation's part of a group only from K up
  (``participation.mask_organisation_counts``); a filtered view's group counts follow
  the same rule (``results.participation_by_group``).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from collab.domain.rounds import RoundInfo
from collab.stats.analysis import answer_weights, group_summary, summary_columns
from collab.store.config import Settings, get_settings
from collab.store.framework import MIN_GROUP_SIZE_FLOOR, Framework

CELL_KEYS = ["round", "learning_point", "group"]
COMMENT_COLUMNS = ["learning_point", "stakeholder_group", "comment"]
OPEN_ROUND_MESSAGE = (
    "This round is still open. Results appear when it closes; until then only the number "
    "of responses is shown."
)


def effective_min_group_size(min_group_size: int) -> int:
    """The minimum group size actually applied: never below the floor of 3."""
    return max(int(min_group_size), MIN_GROUP_SIZE_FLOOR)


def min_group_size_from_settings(settings: Settings | None = None) -> int:
    """K from the settings (``COLLAB_MIN_GROUP_SIZE`` or the framework file), floor 3."""
    return effective_min_group_size((settings or get_settings()).min_group_size)


def too_few_reason(min_group_size: int) -> str:
    """Why a cell with too few scores is withheld."""
    return f"fewer than {min_group_size} scores"


def would_reveal_reason(min_group_size: int) -> str:
    """Why a filtered cell is withheld although it has enough scores itself."""
    return f"showing it would reveal the answers of fewer than {min_group_size} people"


def open_round_message() -> str:
    """What a view of an open round without live results says instead of figures."""
    return OPEN_ROUND_MESSAGE


def withheld_message(*, view: str, min_group_size: int) -> str:
    """Why a filtered view shows nothing, in plain words."""
    return (
        f"Showing only {view} would reveal the answers of fewer than {min_group_size} "
        "people, so nothing is shown."
    )


def results_may_show(round_info: RoundInfo) -> bool:
    """Group results show once a round has closed, or while open with live results on."""
    return round_info.results_visible


def cell_is_shown(
    *,
    n: float | np.ndarray | pd.Series,
    complement_n: float | np.ndarray | pd.Series = 0,
    min_group_size: int,
) -> bool | np.ndarray:
    """Whether a cell with ``n`` scores may be shown; works on numbers and arrays alike.

    Shown when ``n >= K`` and the complement (the group's scores outside the filtered
    view) is either 0 or at least K, so unfiltered minus filtered reveals nobody.
    NaN counts as 0.
    """
    k = effective_min_group_size(min_group_size)
    n = np.nan_to_num(np.asarray(n, dtype=float))
    complement = np.nan_to_num(np.asarray(complement_n, dtype=float))
    shown = (n >= k) & ((complement == 0) | (complement >= k))
    return bool(shown) if shown.ndim == 0 else shown


def filter_answers(
    answers: pd.DataFrame, *, groups: list[str] | None, organisations: list[str] | None
) -> pd.DataFrame:
    """Answers of the selected groups and organisations (None selects every one)."""
    keep = np.ones(len(answers), dtype=bool)
    if groups is not None:
        keep &= answers["stakeholder_group"].isin(groups).to_numpy()
    if organisations is not None:
        keep &= answers["organisation"].isin(organisations).to_numpy()
    return answers[keep]


def organisations_separable(
    answers: pd.DataFrame, *, organisations: list[str], min_group_size: int
) -> pd.DataFrame:
    """Per cell, whether an organisation filter may show it without a differencing risk.

    Each organisation's part of a cell is large (at least K scores), absent, or small.
    Its part holds every person of it who answered the point: a score, don't know, or
    (only from an imported file) a comment beside a blank score; any of them makes the
    part present, and so small below K scores, since comparing views could otherwise
    single out their answer or comment. A cell is separable when no selected
    organisation's part is small and the small parts of all organisations add up to
    none or at least K scores, or when the selection covers everyone who answered in
    the cell (the filtered cell is then the unfiltered one). Returns columns round,
    learning_point, group, separable (cells without answers are absent). A row of a
    counts frame counts as its ``answers`` answers.
    """
    k = effective_min_group_size(min_group_size)
    weights = answer_weights(answers)
    parts = (
        answers.assign(
            scored=answers["score"].notna().to_numpy() * weights,
            # Don't know, or a blank score beside a comment.
            unscored=answers["score"].isna().to_numpy() * weights,
        )
        .groupby(["round", "learning_point", "stakeholder_group", "organisation"], sort=False)
        .agg(n=("scored", "sum"), n_unscored=("unscored", "sum"))
        .reset_index()
    )
    selected = parts["organisation"].isin(organisations)
    small = (parts["n"] < k) & ((parts["n"] > 0) | (parts["n_unscored"] > 0))
    parts["small_selected"] = small & selected
    parts["small_n"] = parts["n"].where(small, 0)
    parts["small_unscored"] = parts["n_unscored"].where(small, 0)
    parts["others"] = (~selected).astype(int)
    cells = (
        parts.groupby(["round", "learning_point", "stakeholder_group"], sort=False)
        .agg(
            small_selected=("small_selected", "any"),
            small_n=("small_n", "sum"),
            small_unscored=("small_unscored", "sum"),
            others=("others", "sum"),
        )
        .reset_index()
        .rename(columns={"stakeholder_group": "group"})
    )
    residual_ok = (cells["small_n"] >= k) | (
        (cells["small_n"] == 0) & (cells["small_unscored"] == 0)
    )
    # A filter that selects everyone who answered shows the same cell as no filter.
    everyone = cells["others"] == 0
    cells["separable"] = everyone | (~cells["small_selected"] & residual_ok)
    return cells[[*CELL_KEYS, "separable"]]


def suppress(
    summary: pd.DataFrame,
    *,
    min_group_size: int,
    complement_n: pd.Series | None = None,
    separable: pd.Series | None = None,
    organisation_filter: bool = False,
) -> pd.DataFrame:
    """Withhold every figure of the cells that may not be shown.

    Adds ``suppressed`` (bool) and ``reason`` (str, "" for shown cells). In a suppressed
    row every numeric column (n, n_dont_know, counts included) becomes NaN, never 0.
    ``complement_n`` (the group's scores outside a filtered view) and ``separable``
    (from ``organisations_separable``) are aligned with ``summary``'s rows. Under an
    ``organisation_filter`` every withheld cell gives the same reason
    (``would_reveal_reason``): which rule withheld it depends on answers outside the
    view (don't-knows included), so naming the rule would tell something about them.
    """
    k = effective_min_group_size(min_group_size)
    n = summary["n"].to_numpy(dtype=float)
    complement = np.zeros(len(summary)) if complement_n is None else complement_n.to_numpy()
    together = (
        np.ones(len(summary), dtype=bool)
        if separable is None
        else separable.fillna(True).to_numpy(dtype=bool)
    )
    too_few = ~cell_is_shown(n=n, min_group_size=k)
    shown = cell_is_shown(n=n, complement_n=complement, min_group_size=k) & together
    result = summary.copy()
    numeric = [c for c in result.columns if c not in (*CELL_KEYS, "suppressed", "reason")]
    figures = result[numeric].to_numpy(dtype=float, na_value=np.nan, copy=True)
    figures[~shown] = np.nan
    result[numeric] = figures
    result["suppressed"] = ~shown
    withheld_reason = np.where(
        too_few & (not organisation_filter), too_few_reason(k), would_reveal_reason(k)
    )
    result["reason"] = np.where(shown, "", withheld_reason)
    result["reason"] = result["reason"].astype(str)
    return result


def visible_summary(
    answers: pd.DataFrame,
    *,
    framework: Framework,
    min_group_size: int,
    groups: list[str] | None = None,
    organisations: list[str] | None = None,
) -> pd.DataFrame:
    """The group summary of a view with every rule applied.

    ``answers`` holds the unfiltered answers (one row each, or a counts frame);
    ``groups`` and ``organisations`` (None for all) select the view. One row per
    (round, learning point, group of the view), columns of ``analysis.summary_columns``
    plus ``suppressed`` and ``reason``.
    """
    rounds = list(pd.unique(answers["round"])) if len(answers) else []
    view = filter_answers(answers, groups=groups, organisations=organisations)
    summary = group_summary(view, framework=framework, groups=groups, rounds=rounds)
    if organisations is None:
        return suppress(summary, min_group_size=min_group_size)
    whole = group_summary(
        filter_answers(answers, groups=groups, organisations=None),
        framework=framework,
        groups=groups,
        rounds=rounds,
    )
    checks = summary[CELL_KEYS].merge(
        organisations_separable(
            answers, organisations=organisations, min_group_size=min_group_size
        ),
        on=CELL_KEYS,
        how="left",
    )
    return suppress(
        summary,
        min_group_size=min_group_size,
        complement_n=whole["n"] - summary["n"],
        separable=checks["separable"].astype("boolean"),
        organisation_filter=True,
    )[[*summary_columns(framework), "suppressed", "reason"]]


def visible_comments(
    answers: pd.DataFrame, summary: pd.DataFrame, *, framework: Framework
) -> pd.DataFrame:
    """Comments of the shown cells only: learning point, group and text, nothing else.

    ``answers`` are the answers (or only the comments, as ``load_answer_counts`` reads
    them) of the view (one round, filters applied) and ``summary`` its
    ``visible_summary``. Sorted by learning point and group (framework order), then
    by text, so the order reveals nothing about who wrote when.
    """
    written = answers[answers["comment"].notna()]
    if written.empty:
        return pd.DataFrame({c: pd.Series(dtype=object) for c in COMMENT_COLUMNS})
    shown = summary.loc[~summary["suppressed"].astype(bool), ["learning_point", "group"]]
    comments = pd.DataFrame(
        {
            "learning_point": written["learning_point"].to_numpy(dtype=object),
            "stakeholder_group": written["stakeholder_group"].to_numpy(dtype=object),
            "comment": written["comment"].astype(str).str.strip().to_numpy(dtype=object),
        },
        columns=COMMENT_COLUMNS,
    )
    comments = comments[comments["comment"] != ""].merge(
        shown.rename(columns={"group": "stakeholder_group"}).drop_duplicates(),
        on=["learning_point", "stakeholder_group"],
        how="inner",
    )
    point_order = {key: i for i, key in enumerate(framework.point_keys)}
    group_order = {key: i for i, key in enumerate(framework.group_keys)}
    comments = comments.assign(
        _point=comments["learning_point"].map(point_order),
        _group=comments["stakeholder_group"].map(group_order),
    ).sort_values(["_point", "_group", "comment"], kind="stable")
    return comments[COMMENT_COLUMNS].reset_index(drop=True)

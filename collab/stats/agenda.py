"""What a leadership meeting should talk about first, and where one group stands apart.

``agenda`` places every learning point of a round by level (the mean over the shown
groups, banded by the framework's thresholds) and gap, and suggests an order of
discussion: points where the groups diverge come first, and among those the low ones.
``group_view`` shows, for one chosen group, how far it stands from the others on each
point. Both are pure functions of the frames in ``collab.stats.results.RoundResults``.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from collab.stats import readings
from collab.stats.analysis import STATUSES, count_columns, level_band, taking_part
from collab.stats.privacy import too_few_reason
from collab.store.framework import Framework

# Order of discussion: status (most divergent first), then level band (lowest first).
STATUS_ORDER = {status: i for i, status in enumerate(STATUSES)}
BAND_ORDER = {"concern": 0, "developing": 1, "strength": 2, "": 3}
AGENDA_COLUMNS = [
    "order",
    "learning_point",
    "status",
    "level_band",
    "level",
    "gap",
    "highest_group",
    "lowest_group",
    "groups_withheld",
]
GROUP_VIEW_COLUMNS = [
    "rank",
    "learning_point",
    "group_mean",
    "group_n",
    "others_mean",
    "others_n",
    "difference",
    "other_groups",
]
AGENDA_TABLE_COLUMNS = ["Order", "Learning point", "Status", "Level", "Gap", "Who is where"]
# How many of a group's points the own view puts into sentences.
TOP_POINTS = 3


def agenda(divergence: pd.DataFrame, *, framework: Framework) -> pd.DataFrame:
    """Each learning point of one round with its level, gap and place in the discussion.

    ``divergence`` holds the rows of one round (``point_divergence``). ``order`` runs
    from 1; points are ordered by status (divergent, some divergence, shared, not enough
    groups), then by level band (concern, developing, strength), then by gap (largest
    first), then by level (lowest first), then framework order. So "low and divergent"
    comes first and a point the groups cannot be compared on comes last. ``level`` is
    the mean over the shown groups (NaN when none is shown).
    """
    point_order = {key: i for i, key in enumerate(framework.point_keys)}
    frame = pd.DataFrame(
        {
            "learning_point": divergence["learning_point"].to_numpy(dtype=object),
            "status": divergence["status"].to_numpy(dtype=object),
            "level_band": divergence["level_band"].fillna("").to_numpy(dtype=object),
            "level": divergence["all_mean"].to_numpy(dtype=float),
            "gap": divergence["gap"].to_numpy(dtype=float),
            "highest_group": divergence["highest_group"].to_numpy(dtype=object),
            "lowest_group": divergence["lowest_group"].to_numpy(dtype=object),
            "groups_withheld": list(divergence["groups_withheld"]),
        }
    )
    keys = pd.DataFrame(
        {
            "status": frame["status"].map(STATUS_ORDER).fillna(len(STATUS_ORDER)),
            "band": frame["level_band"].map(BAND_ORDER).fillna(len(BAND_ORDER)),
            "gap": -frame["gap"].fillna(-np.inf),
            "level": frame["level"].fillna(np.inf),
            "point": frame["learning_point"].map(point_order),
        }
    )
    ordered = frame.loc[keys.sort_values(list(keys.columns), kind="stable").index]
    ordered = ordered.reset_index(drop=True)
    ordered.insert(0, "order", np.arange(1, len(ordered) + 1))
    return ordered[AGENDA_COLUMNS]


def group_view(summary: pd.DataFrame, *, group: str, framework: Framework) -> pd.DataFrame:
    """How far ``group`` stands from the other shown groups, per learning point.

    ``summary`` holds the rows of one round (``visible_summary``). For each point where
    ``group`` is shown and at least one other group is shown: ``group_mean`` and
    ``group_n`` (its scores), ``others_mean`` (the mean over the other shown groups'
    scores pooled) and ``others_n``, and ``difference = group_mean - others_mean``.
    ``other_groups`` lists the other shown groups (framework order). Ranked by the size
    of the difference (largest first; ties in framework order), ``rank`` from 1. Empty
    (with these columns) when the group is withheld everywhere.
    """
    values = np.array([s.value for s in framework.scale], dtype=float)
    columns = count_columns(framework)
    shown = summary[taking_part(summary)]
    rows = []
    for point in framework.point_keys:
        on_point = shown[shown["learning_point"] == point]
        mine = on_point[on_point["group"] == group]
        others = on_point[on_point["group"] != group]
        if mine.empty or others.empty:
            continue
        own_counts = mine[columns].to_numpy(dtype=float).sum(axis=0)
        other_counts = others[columns].to_numpy(dtype=float).sum(axis=0)
        own_n, other_n = own_counts.sum(), other_counts.sum()
        own_mean = float(own_counts @ values / own_n)
        other_mean = float(other_counts @ values / other_n)
        rows.append(
            (
                point,
                own_mean,
                int(own_n),
                other_mean,
                int(other_n),
                own_mean - other_mean,
                [str(g) for g in others["group"]],
            )
        )
    frame = pd.DataFrame(rows, columns=GROUP_VIEW_COLUMNS[1:])
    frame = frame.assign(_size=frame["difference"].abs()).sort_values(
        "_size", ascending=False, kind="stable"
    )
    frame = frame.drop(columns="_size").reset_index(drop=True)
    frame.insert(0, "rank", np.arange(1, len(frame) + 1))
    return frame[GROUP_VIEW_COLUMNS]


def level_figure(level: float, *, framework: Framework) -> str:
    """A level as text, with enough decimals to stay in its band when rounded.

    One decimal as a rule; more when one would cross a band's threshold, so "A concern"
    never stands beside "3.0" (2.996 reads "2.996", never "3.0").
    """
    band = level_band(level, thresholds=framework.thresholds)
    for digits in (1, 2, 3):
        shown = round(float(level), digits)
        if level_band(shown, thresholds=framework.thresholds) == band:
            return readings.number_text(level, digits)
    return readings.number_text(level, 4)


def level_text(band: str, level: float, *, framework: Framework) -> str:
    """A point's level in words with its figure: "A concern (2.6)"."""
    label = readings.level_band_label(band)
    if readings.is_missing(level):
        return label
    return f"{label} ({level_figure(level, framework=framework)})"


def agenda_table(divergence: pd.DataFrame, *, framework: Framework) -> pd.DataFrame:
    """The suggested order of discussion as a table to show, in words.

    One row per learning point, in ``agenda`` order: its place, title, status with the
    groups it covers (``readings.status_text``), level band and level, gap, and which
    group is highest and which lowest (``readings.who_is_where``).
    """
    ordered = agenda(divergence, framework=framework)
    rows = divergence.set_index("learning_point")
    records = []
    for item in ordered.to_dict("records"):
        row = rows.loc[item["learning_point"]]
        records.append(
            [
                int(item["order"]),
                framework.point(item["learning_point"]).title,
                readings.status_text(row, framework=framework),
                level_text(item["level_band"], item["level"], framework=framework),
                readings.gap_text(item["gap"]),
                readings.who_is_where(row, framework=framework) or "—",
            ]
        )
    return pd.DataFrame(records, columns=AGENDA_TABLE_COLUMNS)


def group_view_reading(row: pd.Series | dict, *, group: str, framework: Framework) -> str:
    """One point of a group's own view in a sentence.

    E.g. "Start 'upstream': commissioners average 4.00, 1.50 points above the other groups
    shown (service providers and lived experience, 2.50)".
    """
    name = readings.in_sentence(framework.group_name(group))
    difference = float(row["difference"])
    others = readings.groups_text(list(row["other_groups"]), framework=framework)
    size = readings.gap_text(abs(difference))
    points = "point" if size == "1.00" else "points"
    if size == readings.gap_text(0.0):
        where = "the same as"
    else:
        where = f"{size} {points} {'above' if difference > 0 else 'below'}"
    title = framework.point(str(row["learning_point"])).title
    return (
        f"{title}: {name} average {readings.number_text(row['group_mean'], 2)}, {where} "
        f"the other groups shown ({others}, {readings.number_text(row['others_mean'], 2)})"
    )


def group_view_missing(
    summary: pd.DataFrame, view: pd.DataFrame, *, group: str, framework: Framework, k: int
) -> str:
    """Why some (or all) points are missing from a group's own view, in words ("" if none).

    A point is missing when the group is withheld on it, or when no other group is shown
    on it. A withheld point is explained by the summary's reason: "fewer than ``k`` of
    them gave a score", or under an organisation filter the one reason every withheld
    cell gives there (``privacy.would_reveal_reason``), never a guess at the rule.
    """
    name = readings.in_sentence(framework.group_name(group))
    present = set(view["learning_point"])
    mine = summary[summary["group"] == group]
    shown_points = set(mine.loc[taking_part(mine), "learning_point"])
    missing = [p for p in framework.point_keys if p not in present]
    withheld = [p for p in missing if p not in shown_points]
    alone = [p for p in missing if p in shown_points]
    reasons = set(mine.loc[mine["learning_point"].isin(withheld), "reason"].astype(str)) - {""}
    too_few = f"fewer than {k} of them gave a score"
    why = too_few if reasons <= {too_few_reason(k)} else "; ".join(sorted(reasons))
    if not present and not alone:
        if why != too_few:
            return f"Nothing to show for {name} in this round: {why} on every learning point."
        return (
            f"Nothing to show for {name} in this round: on every learning point {too_few}, "
            "so their average is withheld."
        )
    if not present and not withheld:
        return f"Nothing to show for {name}: no other group can be shown to compare with."
    parts = []
    if withheld:
        titles = ", ".join(framework.point(p).title for p in withheld)
        parts.append(f"Not shown for {name} ({why}): {titles}.")
    if alone:
        titles = ", ".join(framework.point(p).title for p in alone)
        parts.append(f"No other group shown to compare with: {titles}.")
    return " ".join(parts)

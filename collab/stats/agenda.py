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

from collab.stats.analysis import STATUSES, count_columns, taking_part
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
]


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
    Ranked by the size of the difference (largest first; ties in framework order),
    ``rank`` from 1. Empty (with these columns) when the group is withheld everywhere.
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
        rows.append((point, own_mean, int(own_n), other_mean, int(other_n), own_mean - other_mean))
    frame = pd.DataFrame(rows, columns=GROUP_VIEW_COLUMNS[1:])
    frame = frame.assign(_size=frame["difference"].abs()).sort_values(
        "_size", ascending=False, kind="stable"
    )
    frame = frame.drop(columns="_size").reset_index(drop=True)
    frame.insert(0, "rank", np.arange(1, len(frame) + 1))
    return frame[GROUP_VIEW_COLUMNS]

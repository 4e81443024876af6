"""Change between two rounds, like for like, with the uncertainty that goes with it.

A change in a learning point's gap is only meaningful over the same groups in both rounds:
when a group is withheld in one round, a gap over three groups compared with a gap over
two says nothing about convergence. So ``gap_change`` compares the gap over the groups
shown in both rounds (``groups_compared``), and calls the change ``converging`` or
``diverging`` only when a bootstrap interval around it lies wholly on one side of 0. A
group's change in mean is called up or down only when its Welch interval excludes 0.

Pure functions on the summaries of ``collab.stats.privacy.visible_summary`` (suppressed
rows never take part). Same input, same output: the bootstrap uses a fixed seed.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import stats

from collab.stats.analysis import count_columns, taking_part
from collab.store.framework import Framework

DIRECTIONS = ("converging", "diverging", "about_the_same", "not_comparable")
MEAN_DIRECTIONS = ("up", "down", "about_the_same")
N_BOOTSTRAP = 2_000
# Fixed so that the same two rounds always give the same interval.
BOOTSTRAP_SEED = 20_240_518
GAP_CHANGE_COLUMNS = [
    "learning_point",
    "groups_shown",
    "groups_compared",
    "previous_gap",
    "gap",
    "gap_change",
    "gap_change_low",
    "gap_change_high",
    "direction",
]
CHANGE_COLUMNS = [
    "learning_point",
    "group",
    "previous_mean",
    "mean",
    "mean_change",
    "mean_change_low",
    "mean_change_high",
    "direction",
]


def direction_from_interval(low: float, high: float) -> str:
    """``converging`` when the whole interval is below 0, ``diverging`` when above 0,
    otherwise (0 inside it, or no interval) ``about_the_same``."""
    if np.isnan(low) or np.isnan(high):
        return "about_the_same"
    if high < 0:
        return "converging"
    if low > 0:
        return "diverging"
    return "about_the_same"


@dataclass(frozen=True)
class Cell:
    """The figures of one shown group on one learning point that a change needs."""

    mean: float
    sd: float
    n: float
    counts: np.ndarray


def shown_cells(summary: pd.DataFrame, *, framework: Framework) -> dict[str, dict[str, Cell]]:
    """The shown cells of a summary: learning point -> group -> ``Cell``, framework order.

    Withheld rows and groups without scores are left out (``analysis.taking_part``).
    """
    part = summary[taking_part(summary)]
    counts = part[count_columns(framework)].to_numpy(dtype=float)
    figures = zip(
        part["learning_point"].to_numpy(dtype=object),
        part["group"].to_numpy(dtype=object),
        part["mean"].to_numpy(dtype=float),
        part["sd"].to_numpy(dtype=float),
        part["n"].to_numpy(dtype=float),
        counts,
        strict=True,
    )
    found: dict[str, dict[str, Cell]] = {}
    for point, group, mean, sd, n, row in figures:
        found.setdefault(str(point), {})[str(group)] = Cell(mean, sd, n, row)
    order = framework.group_keys
    return {point: {g: groups[g] for g in order if g in groups} for point, groups in found.items()}


def bootstrap_gap_change(
    counts_now: np.ndarray,
    counts_before: np.ndarray,
    *,
    values: np.ndarray,
    n_draws: int = N_BOOTSTRAP,
    seed: int = BOOTSTRAP_SEED,
) -> tuple[float, float]:
    """95% percentile interval of (gap now - gap before) over the same groups.

    ``counts_now`` and ``counts_before`` are groups x scale-values tables, the same
    groups in the same order. In each draw every group's counts in each round are
    redrawn multinomially from that group's observed shares in that round (its size
    kept), independently; the gap of a draw is its largest minus smallest group mean.
    """
    tables = np.concatenate(
        [np.asarray(counts_now, dtype=float), np.asarray(counts_before, dtype=float)]
    )
    sizes = tables.sum(axis=1)
    shares = tables / sizes[:, None]
    rng = np.random.default_rng(seed)
    draws = rng.multinomial(sizes.astype(np.int64), shares, size=(n_draws, len(sizes)))
    means = (draws @ values) / sizes
    groups = len(counts_now)
    now, before = means[:, :groups], means[:, groups:]
    change = (now.max(axis=1) - now.min(axis=1)) - (before.max(axis=1) - before.min(axis=1))
    low, high = np.percentile(change, [2.5, 97.5])
    return float(low), float(high)


def point_gap_change(
    now: dict[str, Cell], before: dict[str, Cell], *, point: str, framework: Framework
) -> dict:
    """One learning point's like-for-like gap change (a row of ``GAP_CHANGE_COLUMNS``).

    ``now`` and ``before`` are the point's shown cells in each round (``shown_cells``).
    ``groups_shown`` are the groups shown now; ``groups_compared`` those shown in both
    rounds (framework order). With fewer than two compared the direction is
    ``not_comparable`` and every figure is NaN. Otherwise ``previous_gap`` and ``gap``
    are the gaps over the compared groups only, ``gap_change`` their difference, and
    ``gap_change_low``/``gap_change_high`` its bootstrap interval.
    """
    compared = [g for g in now if g in before]
    row = {
        "learning_point": point,
        "groups_shown": list(now),
        "groups_compared": compared,
        "previous_gap": float("nan"),
        "gap": float("nan"),
        "gap_change": float("nan"),
        "gap_change_low": float("nan"),
        "gap_change_high": float("nan"),
        "direction": "not_comparable",
    }
    if len(compared) < 2:
        return row
    means_now = np.array([now[g].mean for g in compared])
    means_before = np.array([before[g].mean for g in compared])
    gap = float(means_now.max() - means_now.min())
    previous_gap = float(means_before.max() - means_before.min())
    low, high = bootstrap_gap_change(
        np.array([now[g].counts for g in compared]),
        np.array([before[g].counts for g in compared]),
        values=np.array([s.value for s in framework.scale], dtype=float),
    )
    row.update(
        previous_gap=previous_gap,
        gap=gap,
        gap_change=gap - previous_gap,
        gap_change_low=low,
        gap_change_high=high,
        direction=direction_from_interval(low, high),
    )
    return row


def gap_change(
    summary: pd.DataFrame, previous_summary: pd.DataFrame, *, framework: Framework
) -> pd.DataFrame:
    """Like-for-like gap change of every learning point since the previous round.

    ``summary`` and ``previous_summary`` are the visible summaries of the same view in
    the two rounds. One row per learning point (framework order), columns as
    ``GAP_CHANGE_COLUMNS`` (see ``point_gap_change``).
    """
    now = shown_cells(summary, framework=framework)
    before = shown_cells(previous_summary, framework=framework)
    rows = [
        point_gap_change(
            now.get(point, {}), before.get(point, {}), point=point, framework=framework
        )
        for point in framework.point_keys
    ]
    frame = pd.DataFrame(rows, columns=GAP_CHANGE_COLUMNS)
    numeric = ["previous_gap", "gap", "gap_change", "gap_change_low", "gap_change_high"]
    return frame.astype(dict.fromkeys(numeric, float))


def welch_interval(
    mean_now: float,
    sd_now: float,
    n_now: float,
    mean_before: float,
    sd_before: float,
    n_before: float,
) -> tuple[float, float]:
    """95% Welch interval of (mean now - mean before), Welch-Satterthwaite degrees of freedom.

    When both groups gave one score each throughout (sd 0) the interval is the
    difference itself. NaN when a group has fewer than two scores.
    """
    if n_now < 2 or n_before < 2 or np.isnan(sd_now) or np.isnan(sd_before):
        return float("nan"), float("nan")
    difference = mean_now - mean_before
    var_now, var_before = sd_now**2 / n_now, sd_before**2 / n_before
    se2 = var_now + var_before
    if se2 == 0:
        return float(difference), float(difference)
    df = se2**2 / (var_now**2 / (n_now - 1) + var_before**2 / (n_before - 1))
    half = float(stats.t.ppf(0.975, df)) * float(np.sqrt(se2))
    return float(difference - half), float(difference + half)


def mean_direction(low: float, high: float) -> str:
    """``up`` when the whole interval is above 0, ``down`` when below, else ``about_the_same``."""
    if np.isnan(low) or np.isnan(high):
        return "about_the_same"
    if low > 0:
        return "up"
    if high < 0:
        return "down"
    return "about_the_same"


def mean_change(
    summary: pd.DataFrame, previous_summary: pd.DataFrame, *, framework: Framework
) -> pd.DataFrame:
    """Change in each group's mean since the previous round, with its Welch interval.

    One row per (learning point, group) shown in both summaries (framework order);
    columns as ``CHANGE_COLUMNS``: ``mean_change = mean - previous_mean``, its 95%
    Welch interval, and ``direction`` (``up``, ``down`` or ``about_the_same``).
    """
    now = shown_cells(summary, framework=framework)
    before = shown_cells(previous_summary, framework=framework)
    rows = []
    for point in framework.point_keys:
        earlier = before.get(point, {})
        for group, a in now.get(point, {}).items():
            if group not in earlier:
                continue
            b = earlier[group]
            low, high = welch_interval(a.mean, a.sd, a.n, b.mean, b.sd, b.n)
            rows.append(
                (
                    point,
                    group,
                    b.mean,
                    a.mean,
                    a.mean - b.mean,
                    low,
                    high,
                    mean_direction(low, high),
                )
            )
    frame = pd.DataFrame(rows, columns=CHANGE_COLUMNS)
    numeric = ["previous_mean", "mean", "mean_change", "mean_change_low", "mean_change_high"]
    return frame.astype(dict.fromkeys(numeric, float))

"""Every statistic of the dashboard, as pure functions on pandas frames.

The input is a frame of answers: either one row per answer (``collab.domain.answers.load_answers``)
or the counts frame of ``collab.domain.answers.load_answer_counts``, whose ``answers`` column
says how many answers each row stands for (``answer_weights``). Nothing here knows
about privacy: ``collab.stats.privacy`` decides which of these figures may be shown, and
``point_divergence`` only uses the summary rows it is given that are not suppressed.

All group figures are derived from one count table (scores per scale value, plus
don't-knows, for every round, learning point and stakeholder group), built in a single
vectorised pass, so a round of many thousands of respondents costs a few milliseconds.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import stats

from collab.store.framework import Framework, Thresholds

# Gap change (in scale points) beyond which a learning point is converging or diverging.
DIRECTION_THRESHOLD = 0.05
# Means are ratios of whole numbers; comparisons with a threshold allow for rounding.
_TOLERANCE = 1e-9

STATUSES = ("divergent", "some_divergence", "shared", "insufficient")
DIVERGENCE_COLUMNS = [
    "round",
    "learning_point",
    "gap",
    "kruskal_h",
    "p_value",
    "epsilon_sq",
    "cross_group_consensus",
    "status",
    "split_within",
    "groups_shown",
    "n_shown",
    "all_mean",
]
# In a counts frame: how many answers a row stands for (a row counts once without it).
ANSWERS_COLUMN = "answers"
CHANGE_COLUMNS = ["learning_point", "group", "previous_mean", "mean", "mean_change"]
GAP_CHANGE_COLUMNS = ["learning_point", "previous_gap", "gap", "gap_change", "direction"]


def count_columns(framework: Framework) -> list[str]:
    """``count_<v>`` for every value of the framework's scale, lowest first."""
    return [f"count_{s.value}" for s in framework.scale]


def summary_columns(framework: Framework) -> list[str]:
    """Columns of ``group_summary`` (the figures of one round, point and group)."""
    return [
        "round",
        "learning_point",
        "group",
        "n",
        "n_dont_know",
        "mean",
        "median",
        "sd",
        "pct_established",
        "consensus",
        *count_columns(framework),
    ]


def consensus_from_counts(counts: np.ndarray, *, scale_values: np.ndarray) -> np.ndarray:
    """Tastle and Wierman (2007) consensus for each row of a count table.

    ``Cns = 1 + sum_i p_i * log2(1 - |X_i - mu| / d)``: ``p_i`` is the share of scores at
    scale value ``X_i``, ``mu`` the mean, ``d`` the scale width (max - min). Values nobody
    chose (``p_i = 0``) contribute nothing; that also covers ``|X_i - mu| = d``, which
    happens only when every score sits at the other end. 1 means everyone gave the same
    score, 0 an even split between the two ends. NaN for a row without scores.
    """
    counts = np.atleast_2d(np.asarray(counts, dtype=float))
    values = np.asarray(scale_values, dtype=float)
    width = values.max() - values.min()
    n = counts.sum(axis=1)
    with np.errstate(divide="ignore", invalid="ignore"):
        shares = counts / n[:, None]
        mu = (shares * values).sum(axis=1)
        distance = 1.0 - np.abs(values[None, :] - mu[:, None]) / width
        terms = np.where(counts > 0, shares * np.log2(np.where(counts > 0, distance, 1.0)), 0.0)
    result = 1.0 + terms.sum(axis=1)
    return np.where(n > 0, result, np.nan)


def _medians_from_counts(counts: np.ndarray, values: np.ndarray) -> np.ndarray:
    """Median of each row of a count table (average of the two middle scores if n is even)."""
    n = counts.sum(axis=1)
    cumulative = counts.cumsum(axis=1)
    lower = np.maximum((n - 1) // 2, 0)
    upper = np.maximum(n // 2, 0)
    lower_value = values[np.argmax(cumulative > lower[:, None], axis=1)]
    upper_value = values[np.argmax(cumulative > upper[:, None], axis=1)]
    return np.where(n > 0, (lower_value + upper_value) / 2.0, np.nan)


def answer_weights(answers: pd.DataFrame) -> np.ndarray:
    """How many answers each row of ``answers`` stands for (whole numbers, at least 0).

    The ``answers`` column of a counts frame; 1 for every row of a frame without it.
    """
    if ANSWERS_COLUMN in answers.columns:
        return answers[ANSWERS_COLUMN].to_numpy(dtype=np.int64)
    return np.ones(len(answers), dtype=np.int64)


def _codes(values: pd.Series, categories: list[str]) -> np.ndarray:
    """Position of each value in ``categories`` (-1 if absent), hashing distinct values once."""
    codes, uniques = pd.factorize(values)
    lookup = pd.Index(categories).get_indexer(pd.Index(uniques, dtype=object))
    return np.append(lookup, -1).astype(np.int64)[codes]


def _count_table(
    answers: pd.DataFrame, *, framework: Framework, rounds: list[str], groups: list[str]
) -> np.ndarray:
    """Counts shaped (round, point, group, scale value + don't know) in one bincount.

    Each row adds its ``answer_weights`` to its cell.
    """
    points = framework.point_keys
    n_values = len(framework.scale)
    round_code = _codes(answers["round"], rounds)
    point_code = _codes(answers["learning_point"], points)
    group_code = _codes(answers["stakeholder_group"], groups)
    score = answers["score"].to_numpy(dtype=float, na_value=np.nan)
    dont_know = answers["dont_know"].to_numpy(dtype=bool)
    value_code = np.where(
        dont_know, n_values, np.nan_to_num(score, nan=-1.0) - framework.scale_min
    ).astype(np.int64)
    keep = (
        (round_code >= 0)
        & (point_code >= 0)
        & (group_code >= 0)
        & (value_code >= 0)
        & (value_code <= n_values)
    )
    shape = (len(rounds), len(points), len(groups), n_values + 1)
    flat = np.ravel_multi_index(
        (round_code[keep], point_code[keep], group_code[keep], value_code[keep]), shape
    )
    weights = answer_weights(answers)[keep]
    counts = np.bincount(flat, weights=weights, minlength=int(np.prod(shape)))
    return counts.round().astype(np.int64).reshape(shape)


def group_summary(
    answers: pd.DataFrame,
    *,
    framework: Framework,
    groups: list[str] | None = None,
    rounds: list[str] | None = None,
) -> pd.DataFrame:
    """Figures per round, learning point and stakeholder group, for every cell of the grid.

    One row per (round, learning point, group): ``rounds`` in the order given (default:
    the rounds in ``answers``, in order of appearance), points and groups in framework
    order; ``groups`` limits the groups (framework order is kept). Columns as
    ``summary_columns``: ``n`` counts scores (don't-know excluded); ``mean``,
    ``median``, ``sd`` (sample, n - 1; NaN below two scores); ``pct_established`` is
    the share (0..1) of scores at or above the framework's ``established_from``;
    ``consensus`` is Tastle and Wierman's; one ``count_<v>`` per scale value, zeros
    included. Figures of a cell without scores are NaN; its counts are 0.
    """
    group_keys = [g for g in framework.group_keys if groups is None or g in groups]
    if rounds is None:
        rounds = list(pd.unique(answers["round"])) if len(answers) else []
    table = _count_table(answers, framework=framework, rounds=rounds, groups=group_keys)
    n_values = len(framework.scale)
    counts = table[..., :n_values].reshape(-1, n_values).astype(float)
    dont_know = table[..., n_values].reshape(-1).astype(float)
    values = np.array([s.value for s in framework.scale], dtype=float)

    n = counts.sum(axis=1)
    with np.errstate(divide="ignore", invalid="ignore"):
        mean = (counts * values).sum(axis=1) / n
        squares = (counts * (values[None, :] - mean[:, None]) ** 2).sum(axis=1)
        sd = np.where(n >= 2, np.sqrt(squares / (n - 1)), np.nan)
        established = counts[:, values >= framework.thresholds.established_from].sum(axis=1)
        pct_established = established / n
    mean = np.where(n > 0, mean, np.nan)
    pct_established = np.where(n > 0, pct_established, np.nan)

    n_points, n_groups = len(framework.point_keys), len(group_keys)
    columns = {
        "round": np.repeat(np.array(rounds, dtype=object), n_points * n_groups),
        "learning_point": np.tile(
            np.repeat(np.array(framework.point_keys, dtype=object), n_groups), len(rounds)
        ),
        "group": np.tile(np.array(group_keys, dtype=object), len(rounds) * n_points),
        "n": n,
        "n_dont_know": dont_know,
        "mean": mean,
        "median": _medians_from_counts(counts, values),
        "sd": sd,
        "pct_established": pct_established,
        "consensus": consensus_from_counts(counts, scale_values=values),
    }
    for i, column in enumerate(count_columns(framework)):
        columns[column] = counts[:, i]
    return pd.DataFrame(columns, columns=summary_columns(framework))


def kruskal_wallis_from_counts(counts: np.ndarray) -> tuple[float, float]:
    """Kruskal-Wallis H (tie-corrected) and p-value from a groups x scale-values table.

    Identical to ``scipy.stats.kruskal`` on the scores the table stands for: mid-ranks
    for ties, H divided by ``1 - sum(t^3 - t) / (N^3 - N)``, p from the chi-squared
    distribution with (groups - 1) degrees of freedom. Groups without scores are
    ignored. Returns (NaN, NaN) when every score is the same or fewer than two groups
    have scores.
    """
    counts = np.asarray(counts, dtype=float)
    counts = counts[counts.sum(axis=1) > 0]
    if counts.shape[0] < 2:
        return float("nan"), float("nan")
    sizes = counts.sum(axis=1)
    totals = counts.sum(axis=0)
    total = totals.sum()
    mid_ranks = np.cumsum(totals) - totals + (totals + 1) / 2.0
    rank_sums = counts @ mid_ranks
    ties = 1.0 - ((totals**3 - totals).sum() / (total**3 - total))
    if ties <= 0:
        return float("nan"), float("nan")
    h = (12.0 / (total * (total + 1)) * (rank_sums**2 / sizes).sum() - 3 * (total + 1)) / ties
    return float(h), float(stats.chi2.sf(h, counts.shape[0] - 1))


def cross_group_consensus(established: np.ndarray, scores: np.ndarray) -> float:
    """Geometric mean over groups of ``(A_g + 1) / (S_g + 2)``.

    ``A_g`` is the number of established scores in group g, ``S_g`` its number of
    scores. NaN without any group.
    """
    established = np.asarray(established, dtype=float)
    scores = np.asarray(scores, dtype=float)
    if established.size == 0:
        return float("nan")
    return float(np.exp(np.mean(np.log((established + 1) / (scores + 2)))))


def divergence_status(gap: float, *, groups_shown: int, thresholds: Thresholds) -> str:
    """``divergent``, ``some_divergence``, ``shared`` or ``insufficient``.

    Insufficient with fewer than two groups shown; otherwise divergent from
    ``divergent_gap``, some divergence from ``some_divergence_gap``, else shared.
    """
    if groups_shown < 2 or np.isnan(gap):
        return "insufficient"
    if gap >= thresholds.divergent_gap - _TOLERANCE:
        return "divergent"
    if gap >= thresholds.some_divergence_gap - _TOLERANCE:
        return "some_divergence"
    return "shared"


def _taking_part(summary: pd.DataFrame) -> pd.Series:
    """Rows that count towards between-group figures: with scores, not suppressed."""
    taking_part = summary["n"].fillna(0) > 0
    if "suppressed" in summary.columns:
        taking_part &= ~summary["suppressed"].astype(bool)
    return taking_part


def point_divergence(summary: pd.DataFrame, *, framework: Framework) -> pd.DataFrame:
    """Between-group figures per round and learning point, over the groups taking part.

    A summary row takes part when it has scores and (if the frame has a ``suppressed``
    column) is not suppressed, so a withheld group never enters any figure here. Columns
    as ``DIVERGENCE_COLUMNS``: ``gap`` = largest minus smallest group mean;
    ``kruskal_h``, ``p_value``, ``epsilon_sq = H / (N - 1)`` (NaN when every score is
    the same); ``cross_group_consensus``; ``status``; ``split_within`` lists the groups
    whose consensus is below ``split_consensus``; ``groups_shown``, ``n_shown`` (scores
    in them) and ``all_mean`` (mean over their scores only). With fewer than two groups
    the status is ``insufficient`` and gap, H, p, epsilon_sq and cross-group consensus
    are NaN.
    """
    thresholds = framework.thresholds
    values = np.array([s.value for s in framework.scale], dtype=float)
    established_mask = values >= thresholds.established_from
    part = summary[_taking_part(summary)]
    part_round = part["round"].to_numpy(dtype=object)
    part_point = part["learning_point"].to_numpy(dtype=object)
    part_group = part["group"].to_numpy(dtype=object)
    part_counts = part[count_columns(framework)].to_numpy(dtype=float)
    part_mean = part["mean"].to_numpy(dtype=float)
    part_consensus = part["consensus"].to_numpy(dtype=float)
    rows = []
    for round_name in pd.unique(summary["round"]):
        in_round = part_round == round_name
        for point in framework.point_keys:
            cell = in_round & (part_point == point)
            counts = part_counts[cell]
            n = counts.sum(axis=1)
            shown = [str(g) for g in part_group[cell]]
            n_shown = float(n.sum())
            all_mean = float((counts @ values).sum() / n_shown) if n_shown else float("nan")
            split = [
                g
                for g, c in zip(shown, part_consensus[cell], strict=True)
                if c < thresholds.split_consensus
            ]
            gap = h = p = epsilon_sq = cgc = float("nan")
            if len(shown) >= 2:
                means = part_mean[cell]
                gap = float(means.max() - means.min())
                h, p = kruskal_wallis_from_counts(counts)
                epsilon_sq = h / (n_shown - 1)
                cgc = cross_group_consensus(counts[:, established_mask].sum(axis=1), n)
            rows.append(
                {
                    "round": round_name,
                    "learning_point": point,
                    "gap": gap,
                    "kruskal_h": h,
                    "p_value": p,
                    "epsilon_sq": epsilon_sq,
                    "cross_group_consensus": cgc,
                    "status": divergence_status(
                        gap, groups_shown=len(shown), thresholds=thresholds
                    ),
                    "split_within": split,
                    "groups_shown": shown,
                    "n_shown": n_shown,
                    "all_mean": all_mean,
                }
            )
    return pd.DataFrame(rows, columns=DIVERGENCE_COLUMNS)


def mean_change(summary: pd.DataFrame, previous_summary: pd.DataFrame) -> pd.DataFrame:
    """Change in each group's mean since the previous round.

    One row per (learning point, group) taking part in both summaries (order of
    ``summary``); columns as ``CHANGE_COLUMNS``, ``mean_change = mean - previous_mean``.
    """
    now = summary[_taking_part(summary)]
    before = previous_summary[_taking_part(previous_summary)]
    previous = dict(
        zip(
            zip(before["learning_point"], before["group"], strict=True),
            before["mean"].to_numpy(dtype=float),
            strict=True,
        )
    )
    rows = [
        (point, group, previous[(point, group)], mean, mean - previous[(point, group)])
        for point, group, mean in zip(
            now["learning_point"], now["group"], now["mean"].to_numpy(dtype=float), strict=True
        )
        if (point, group) in previous
    ]
    dtypes = {
        "learning_point": summary["learning_point"].dtype,
        "group": summary["group"].dtype,
        **dict.fromkeys(["previous_mean", "mean", "mean_change"], float),
    }
    return pd.DataFrame(rows, columns=CHANGE_COLUMNS).astype(dtypes)


def change_direction(gap_change: float) -> str:
    """``converging`` (gap smaller by more than 0.05), ``diverging`` (larger) or ``steady``."""
    if gap_change < -DIRECTION_THRESHOLD - _TOLERANCE:
        return "converging"
    if gap_change > DIRECTION_THRESHOLD + _TOLERANCE:
        return "diverging"
    return "steady"


def gap_change(divergence: pd.DataFrame, previous_divergence: pd.DataFrame) -> pd.DataFrame:
    """Change in each learning point's between-group gap since the previous round.

    One row per learning point with a gap in both frames (order of ``divergence``);
    columns as ``GAP_CHANGE_COLUMNS``.
    """
    now = divergence[divergence["gap"].notna()]
    before = previous_divergence[previous_divergence["gap"].notna()]
    previous = dict(zip(before["learning_point"], before["gap"].to_numpy(dtype=float), strict=True))
    rows = []
    for point, gap in zip(now["learning_point"], now["gap"].to_numpy(dtype=float), strict=True):
        if point in previous:
            change = gap - previous[point]
            rows.append((point, previous[point], gap, change, change_direction(change)))
    dtypes = {
        "learning_point": divergence["learning_point"].dtype,
        **dict.fromkeys(["previous_gap", "gap", "gap_change"], float),
    }
    return pd.DataFrame(rows, columns=GAP_CHANGE_COLUMNS).astype(dtypes)

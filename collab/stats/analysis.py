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

# Means are ratios of whole numbers; comparisons with a threshold allow for rounding.
_TOLERANCE = 1e-9
# Gaps are shown with two decimals everywhere; a status is decided on the gap as shown, so
# the badge and the figure beside it always agree.
GAP_DECIMALS = 2
# Below this many scores in any shown group, the Kruskal-Wallis p-value comes from a
# permutation test instead of the chi-squared approximation.
PERMUTATION_BELOW = 10
N_PERMUTATIONS = 9_999
# Fixed so that the same scores always give the same p-value.
PERMUTATION_SEED = 20_240_517

STATUSES = ("divergent", "some_divergence", "shared", "insufficient")
LEVEL_BANDS = ("concern", "developing", "strength")
P_METHODS = ("permutation", "chi2")
DIVERGENCE_COLUMNS = [
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
    "highest_mean",
    "lowest_group",
    "lowest_mean",
    "level_band",
    "groups_shown",
    "n_shown",
    "all_mean",
]
# In a counts frame: how many answers a row stands for (a row counts once without it).
ANSWERS_COLUMN = "answers"


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
        "mean_low",
        "mean_high",
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


def mean_interval(
    mean: np.ndarray, sd: np.ndarray, n: np.ndarray, *, low: float, high: float
) -> tuple[np.ndarray, np.ndarray]:
    """95% t-interval of each mean, ``mean +- t(0.975, n - 1) * sd / sqrt(n)``, clipped.

    The interval is clipped to the scale (``low`` to ``high``). With every score the
    same (sd 0) it is the mean itself; with fewer than two scores there is no spread to
    estimate, so both ends are NaN (never the whole scale, which would look like a
    finding). Works element by element on arrays.
    """
    mean = np.asarray(mean, dtype=float)
    sd = np.asarray(sd, dtype=float)
    n = np.asarray(n, dtype=float)
    estimable = n >= 2
    with np.errstate(divide="ignore", invalid="ignore"):
        t = stats.t.ppf(0.975, np.where(estimable, n - 1, 1.0))
        half = np.where(estimable, t * sd / np.sqrt(n), np.nan)
    return np.clip(mean - half, low, high), np.clip(mean + half, low, high)


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
    ``consensus`` is Tastle and Wierman's; ``mean_low`` and ``mean_high`` the 95%
    interval of the mean (``mean_interval``); one ``count_<v>`` per scale value, zeros
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

    mean_low, mean_high = mean_interval(
        mean, sd, n, low=float(values.min()), high=float(values.max())
    )

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
        "mean_low": mean_low,
        "mean_high": mean_high,
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
    mid_ranks = _mid_ranks(totals)
    rank_sums = counts @ mid_ranks
    ties = 1.0 - ((totals**3 - totals).sum() / (total**3 - total))
    if ties <= 0:
        return float("nan"), float("nan")
    h = (12.0 / (total * (total + 1)) * (rank_sums**2 / sizes).sum() - 3 * (total + 1)) / ties
    return float(h), float(stats.chi2.sf(h, counts.shape[0] - 1))


def _mid_ranks(totals: np.ndarray) -> np.ndarray:
    """Mid-rank of each scale value when the pooled scores are ranked (ties averaged)."""
    return np.cumsum(totals) - totals + (totals + 1) / 2.0


def _shuffled_tables(
    sizes: np.ndarray, totals: np.ndarray, *, n_draws: int, rng: np.random.Generator
) -> np.ndarray:
    """Count tables of ``n_draws`` random reallocations of the pooled scores to the groups.

    Shaped (draws, groups, values). Each group keeps its size; the scores it receives are
    a draw without replacement from those not yet given out (a multivariate
    hypergeometric draw, taken value by value), which is exactly the distribution of a
    random permutation of the pooled scores, at a cost that does not grow with the
    number of scores.
    """
    n_groups, n_values = len(sizes), len(totals)
    tables = np.zeros((n_draws, n_groups, n_values), dtype=np.int64)
    remaining = np.tile(totals.astype(np.int64), (n_draws, 1))
    for g in range(n_groups - 1):
        need = np.full(n_draws, int(sizes[g]), dtype=np.int64)
        left = remaining.sum(axis=1)
        for v in range(n_values - 1):
            left -= remaining[:, v]
            drawn = rng.hypergeometric(remaining[:, v], left, need)
            tables[:, g, v] = drawn
            remaining[:, v] -= drawn
            need -= drawn
        tables[:, g, n_values - 1] = need
        remaining[:, n_values - 1] -= need
    tables[:, n_groups - 1, :] = remaining
    return tables


def permutation_p_value(
    counts: np.ndarray, *, n_permutations: int = N_PERMUTATIONS, seed: int = PERMUTATION_SEED
) -> float:
    """Permutation p-value of the Kruskal-Wallis H of a groups x scale-values table.

    The pooled scores are shuffled among the groups (sizes kept) ``n_permutations``
    times with a fixed ``seed``; ``p = (1 + #{H_perm >= H_obs}) / (1 + n_permutations)``,
    so it is never 0. Mid-ranks and the tie correction do not change under shuffling, so
    each shuffle only needs the groups' rank sums, taken from shuffled count tables
    (``_shuffled_tables``). Mid-ranks are multiples of 0.5, so rank sums are exact and
    a shuffle equal to the observed table gives the observed H. NaN when H is undefined
    (see ``kruskal_wallis_from_counts``).
    """
    counts = np.asarray(counts, dtype=float)
    counts = counts[counts.sum(axis=1) > 0]
    h_observed, _ = kruskal_wallis_from_counts(counts)
    if np.isnan(h_observed):
        return float("nan")
    sizes = counts.sum(axis=1)
    totals = counts.sum(axis=0)
    total = totals.sum()
    ties = 1.0 - ((totals**3 - totals).sum() / (total**3 - total))
    rng = np.random.default_rng(seed)
    tables = _shuffled_tables(sizes, totals, n_draws=n_permutations, rng=rng)
    rank_sums = tables @ _mid_ranks(totals)
    h = (12.0 / (total * (total + 1)) * (rank_sums**2 / sizes).sum(axis=1) - 3 * (total + 1)) / ties
    at_least = int((h >= h_observed - 1e-12).sum())
    return (1 + at_least) / (1 + n_permutations)


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


def displayed_gap(gap: float) -> float:
    """A gap as it is shown: rounded to ``GAP_DECIMALS`` (NaN stays NaN)."""
    return float(round(gap, GAP_DECIMALS)) if not np.isnan(gap) else float("nan")


def divergence_status(gap: float, *, groups_shown: int, thresholds: Thresholds) -> str:
    """``divergent``, ``some_divergence``, ``shared`` or ``insufficient``.

    Insufficient with fewer than two groups shown; otherwise the gap as displayed
    (``displayed_gap``: two decimals) is compared with ``divergent_gap`` and
    ``some_divergence_gap``, so 0.4999 (shown as 0.50) has some divergence and a status
    never disagrees with the figure printed beside it.
    """
    if groups_shown < 2 or np.isnan(gap):
        return "insufficient"
    shown = displayed_gap(gap)
    if shown >= thresholds.divergent_gap - _TOLERANCE:
        return "divergent"
    if shown >= thresholds.some_divergence_gap - _TOLERANCE:
        return "some_divergence"
    return "shared"


def level_band(mean: float, *, thresholds: Thresholds) -> str:
    """``strength``, ``developing`` or ``concern`` for a mean; "" when there is none.

    Strength from ``strength_from``, developing from ``developing_from``, concern below.
    """
    if mean is None or np.isnan(mean):
        return ""
    if mean >= thresholds.strength_from - _TOLERANCE:
        return "strength"
    if mean >= thresholds.developing_from - _TOLERANCE:
        return "developing"
    return "concern"


def taking_part(summary: pd.DataFrame) -> pd.Series:
    """Rows that count towards between-group figures: with scores, not suppressed."""
    part = summary["n"].fillna(0) > 0
    if "suppressed" in summary.columns:
        part &= ~summary["suppressed"].astype(bool)
    return part


def _withheld(summary: pd.DataFrame) -> pd.Series:
    """Rows of selected groups whose figures are withheld."""
    if "suppressed" not in summary.columns:
        return pd.Series(False, index=summary.index)
    return summary["suppressed"].astype(bool)


def p_method(smallest_group: float) -> str:
    """``permutation`` when the smallest shown group has fewer than 10 scores, else ``chi2``."""
    return "permutation" if smallest_group < PERMUTATION_BELOW else "chi2"


def point_divergence(summary: pd.DataFrame, *, framework: Framework) -> pd.DataFrame:
    """Between-group figures per round and learning point, over the groups taking part.

    A summary row takes part when it has scores and (if the frame has a ``suppressed``
    column) is not suppressed, so a withheld group never enters any figure here. Columns
    as ``DIVERGENCE_COLUMNS``: ``gap`` = largest minus smallest group mean;
    ``kruskal_h``, ``p_value``, ``epsilon_sq = H / (N - 1)`` (NaN when every score is
    the same); ``p_method`` says where the p-value comes from (``permutation`` when any
    shown group has fewer than 10 scores, else ``chi2``; "" without a test);
    ``cross_group_consensus``; ``status``; ``split_within`` lists the groups whose
    consensus is below ``split_consensus``; ``groups_withheld`` the selected groups
    withheld on that point; ``highest_group`` and ``lowest_group`` (with their means)
    the shown groups with the largest and smallest mean (on a tie, highest is the
    group listed first in the framework and lowest the one listed last); ``level_band``
    of ``all_mean``; ``groups_shown``, ``n_shown`` (scores in them) and ``all_mean``
    (mean over their scores only). With fewer than two groups the status is
    ``insufficient``; gap, H, p, epsilon_sq, cross-group consensus and the highest and
    lowest group are then empty.
    """
    thresholds = framework.thresholds
    values = np.array([s.value for s in framework.scale], dtype=float)
    established_mask = values >= thresholds.established_from
    part = summary[taking_part(summary)]
    withheld = summary[_withheld(summary)]
    withheld_keys = {
        (r, p): [str(g) for g in rows["group"]]
        for (r, p), rows in withheld.groupby(["round", "learning_point"], sort=False)
    }
    group_order = {g: i for i, g in enumerate(framework.group_keys)}
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
            gap = h = p = epsilon_sq = cgc = high_mean = low_mean = float("nan")
            method = highest = lowest = ""
            if len(shown) >= 2:
                means = part_mean[cell]
                # Ties: highest goes to the group listed first in the framework, lowest
                # to the group listed last, so two different groups are always named.
                order = sorted(range(len(shown)), key=lambda i: group_order.get(shown[i], 0))
                top = max(order, key=lambda i: means[i])
                bottom = min(reversed(order), key=lambda i: means[i])
                highest, high_mean = shown[top], float(means[top])
                lowest, low_mean = shown[bottom], float(means[bottom])
                gap = high_mean - low_mean
                h, p = kruskal_wallis_from_counts(counts)
                if not np.isnan(h):
                    method = p_method(float(n.min()))
                    if method == "permutation":
                        p = permutation_p_value(counts)
                epsilon_sq = h / (n_shown - 1)
                cgc = cross_group_consensus(counts[:, established_mask].sum(axis=1), n)
            rows.append(
                {
                    "round": round_name,
                    "learning_point": point,
                    "gap": gap,
                    "kruskal_h": h,
                    "p_value": p,
                    "p_method": method,
                    "epsilon_sq": epsilon_sq,
                    "cross_group_consensus": cgc,
                    "status": divergence_status(
                        gap, groups_shown=len(shown), thresholds=thresholds
                    ),
                    "split_within": split,
                    "groups_withheld": withheld_keys.get((round_name, point), []),
                    "highest_group": highest,
                    "highest_mean": high_mean,
                    "lowest_group": lowest,
                    "lowest_mean": low_mean,
                    "level_band": level_band(all_mean, thresholds=thresholds),
                    "groups_shown": shown,
                    "n_shown": n_shown,
                    "all_mean": all_mean,
                }
            )
    return pd.DataFrame(rows, columns=DIVERGENCE_COLUMNS)

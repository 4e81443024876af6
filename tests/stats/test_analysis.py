"""The statistics of the dashboard, checked on hand-worked examples and against scipy.

Pure tests: answers frames are built in memory, no database.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from collab.stats import analysis
from collab.store.framework import Thresholds
from tests.support.answers import answer_row, answers_table

POINT = "upstream"
THRESHOLDS = Thresholds(
    min_group_size=5,
    divergent_gap=1.0,
    some_divergence_gap=0.5,
    split_consensus=0.5,
    established_from=4,
    strength_from=4.0,
    developing_from=3.0,
)


def answers_frame(scores: dict[str, list[int | None]], *, round_name: str = "R1", point=POINT):
    """Answers of one round and point: ``scores`` maps group to scores (None = don't know)."""
    rows = []
    submission = 0
    for group, values in scores.items():
        for value in values:
            submission += 1
            rows.append(
                answer_row(
                    round_name=round_name,
                    group=group,
                    submission=submission,
                    point=point,
                    score=value,
                )
            )
    return answers_table(rows)


def cell(summary: pd.DataFrame, group: str, point: str = POINT) -> pd.Series:
    row = summary[(summary["group"] == group) & (summary["learning_point"] == point)]
    assert len(row) == 1
    return row.iloc[0]


def divergence_row(scores: dict[str, list[int | None]], framework) -> pd.Series:
    summary = analysis.group_summary(answers_frame(scores), framework=framework)
    divergence = analysis.point_divergence(summary, framework=framework)
    return divergence[divergence["learning_point"] == POINT].iloc[0]


def reference_permutation_p(samples: list[list[int]], n: int = 20_000, seed: int = 99) -> float:
    """Permutation p of scipy's Kruskal-Wallis H by shuffling the pooled scores themselves."""
    pooled = np.concatenate([np.asarray(s, dtype=float) for s in samples])
    observed = stats.kruskal(*samples).statistic
    ranks = stats.rankdata(pooled)
    sizes = np.array([len(s) for s in samples])
    starts = np.concatenate([[0], np.cumsum(sizes)[:-1]])
    ties = stats.tiecorrect(ranks)
    total = len(pooled)
    shuffled = np.random.default_rng(seed).permuted(np.tile(ranks, (n, 1)), axis=1)
    sums = np.add.reduceat(shuffled, starts, axis=1)
    h = (12 / (total * (total + 1)) * (sums**2 / sizes).sum(axis=1) - 3 * (total + 1)) / ties
    return float((1 + (h >= observed - 1e-9).sum()) / (1 + n))


def consensus(counts: list[int]) -> float:
    return float(
        analysis.consensus_from_counts(np.array([counts]), scale_values=np.arange(1, 6))[0]
    )


def test_unanimous_group_has_consensus_one():
    assert consensus([0, 0, 7, 0, 0]) == 1.0


def test_even_split_between_scale_ends_has_consensus_zero():
    assert consensus([3, 0, 0, 0, 3]) == 0.0


def test_uniform_spread_over_the_scale_has_consensus_near_0_434():
    # mu = 3, d = 4, p_i = 0.2 each; 1 - |X_i - mu| / d = 0.5, 0.75, 1, 0.75, 0.5.
    # log2 of these: -1, -0.4150375, 0, -0.4150375, -1 (sum -2.8300750).
    # Cns = 1 + 0.2 * (-2.8300750) = 0.4339850.
    assert consensus([2, 2, 2, 2, 2]) == pytest.approx(0.433985, abs=1e-3)


def test_all_scores_at_one_end_have_consensus_one():
    assert consensus([0, 0, 0, 0, 4]) == 1.0


def test_group_without_scores_has_no_consensus():
    assert math.isnan(consensus([0, 0, 0, 0, 0]))


def test_group_summary_figures_on_a_hand_example(framework):
    summary = analysis.group_summary(
        answers_frame({"commissioner": [1, 2, 2, 4, 5, None]}), framework=framework
    )
    row = cell(summary, "commissioner")
    # Scores 1, 2, 2, 4, 5: mean 14 / 5; deviations -1.8, -0.8, -0.8, 1.2, 2.2;
    # squares sum to 10.8, so the sample variance is 10.8 / 4 = 2.7.
    assert row["n"] == 5
    assert row["n_dont_know"] == 1
    assert row["mean"] == pytest.approx(2.8)
    assert row["median"] == 2
    assert row["sd"] == pytest.approx(math.sqrt(2.7))
    assert row["pct_established"] == pytest.approx(0.4)
    assert [row[f"count_{v}"] for v in range(1, 6)] == [1, 2, 0, 1, 1]


def test_median_of_an_even_number_of_scores_is_the_middle_pair_average(framework):
    summary = analysis.group_summary(answers_frame({"provider": [2, 3, 4, 5]}), framework=framework)
    assert cell(summary, "provider")["median"] == 3.5


def test_standard_deviation_needs_two_scores(framework):
    summary = analysis.group_summary(answers_frame({"provider": [4]}), framework=framework)
    assert math.isnan(cell(summary, "provider")["sd"])


def test_summary_covers_every_point_and_group_with_zero_counts_for_empty_cells(framework):
    summary = analysis.group_summary(answers_frame({"provider": [4, 5]}), framework=framework)
    assert len(summary) == len(framework.point_keys) * len(framework.group_keys)
    assert list(summary.columns) == analysis.summary_columns(framework)
    empty = cell(summary, "commissioner")
    assert empty["n"] == 0
    assert [empty[f"count_{v}"] for v in range(1, 6)] == [0, 0, 0, 0, 0]
    assert math.isnan(empty["mean"])


def test_summary_lists_points_then_groups_in_framework_order(framework):
    summary = analysis.group_summary(answers_frame({"provider": [4, 5]}), framework=framework)
    expected = [(p, g) for p in framework.point_keys for g in framework.group_keys]
    assert list(zip(summary["learning_point"], summary["group"], strict=True)) == expected


@pytest.mark.parametrize(
    ("gap", "status"),
    [(0.49, "shared"), (0.5, "some_divergence"), (0.99, "some_divergence"), (1.0, "divergent")],
)
def test_status_at_each_threshold_boundary(gap, status):
    assert analysis.divergence_status(gap, groups_shown=2, thresholds=THRESHOLDS) == status


def test_status_is_insufficient_with_one_group():
    assert analysis.divergence_status(2.0, groups_shown=1, thresholds=THRESHOLDS) == "insufficient"


def test_gap_is_largest_minus_smallest_group_mean(framework):
    row = divergence_row(
        {"commissioner": [3, 3, 3, 3], "provider": [4, 4, 4, 4], "lived_experience": [2, 4]},
        framework,
    )
    assert row["gap"] == pytest.approx(1.0)
    assert row["status"] == "divergent"


def test_gap_equal_to_the_threshold_after_rounding_is_divergent(framework):
    # 14/5 - 9/5 is 1 exactly, but 0.9999999999999998 in floating point.
    row = divergence_row({"commissioner": [3, 3, 3, 3, 2], "provider": [2, 2, 2, 2, 1]}, framework)
    assert row["gap"] < 1.0
    assert row["status"] == "divergent"


def test_one_group_shown_is_insufficient_with_empty_figures(framework):
    row = divergence_row({"provider": [1, 2, 3, 4, 5]}, framework)
    assert row["status"] == "insufficient"
    for column in ("gap", "kruskal_h", "p_value", "epsilon_sq", "cross_group_consensus"):
        assert math.isnan(row[column])
    assert row["groups_shown"] == ["provider"]


@pytest.mark.parametrize("seed", [0, 1, 2, 3])
@pytest.mark.parametrize("sizes", [(5, 5), (6, 10, 4), (30, 7, 12), (200, 150, 90)])
def test_kruskal_wallis_and_effect_size_match_scipy(framework, seed, sizes):
    rng = np.random.default_rng(seed)
    groups = framework.group_keys[: len(sizes)]
    scores = {}
    for group, size in zip(groups, sizes, strict=True):
        values = [int(v) for v in rng.integers(1, 6, size)]
        dont_know = [None] * int(rng.integers(0, 4))
        scores[group] = values + dont_know
    row = divergence_row(scores, framework)
    samples = [[v for v in scores[g] if v is not None] for g in groups]
    expected = stats.kruskal(*samples)
    n_scores = sum(len(s) for s in samples)
    assert row["kruskal_h"] == pytest.approx(expected.statistic, rel=1e-9)
    if min(len(s) for s in samples) < 10:
        # Small groups: a permutation p-value, checked against an independent shuffle.
        assert row["p_method"] == "permutation"
        assert row["p_value"] == pytest.approx(reference_permutation_p(samples), abs=0.03)
    else:
        assert row["p_method"] == "chi2"
        assert row["p_value"] == pytest.approx(expected.pvalue, rel=1e-9, abs=1e-300)
    assert row["epsilon_sq"] == pytest.approx(expected.statistic / (n_scores - 1), rel=1e-9)
    assert row["n_shown"] == n_scores


def test_identical_scores_everywhere_leave_kruskal_wallis_empty(framework):
    row = divergence_row({"commissioner": [3, 3, 3], "provider": [3, 3, None]}, framework)
    assert math.isnan(row["kruskal_h"])
    assert math.isnan(row["p_value"])
    assert math.isnan(row["epsilon_sq"])
    assert row["gap"] == 0
    assert row["status"] == "shared"


def test_cross_group_consensus_on_a_hand_example(framework):
    # Commissioners: 3 of 5 scores established -> (3 + 1) / (5 + 2) = 4/7.
    # Providers: 1 of 6 established -> (1 + 1) / (6 + 2) = 1/4. Geometric mean sqrt(1/7).
    row = divergence_row(
        {"commissioner": [4, 5, 4, 2, 1], "provider": [1, 2, 3, 3, 2, 5]}, framework
    )
    assert row["cross_group_consensus"] == pytest.approx(math.sqrt(1 / 7))


def test_split_within_names_groups_whose_consensus_is_below_the_threshold(framework):
    row = divergence_row(
        {"commissioner": [1, 1, 5, 5], "provider": [3, 3, 3, 4], "lived_experience": [1, 5]},
        framework,
    )
    assert row["split_within"] == ["commissioner", "lived_experience"]


def test_all_mean_and_between_group_figures_leave_out_suppressed_rows(framework):
    summary = analysis.group_summary(
        answers_frame(
            {"commissioner": [2, 2, 2], "provider": [4, 4, 4], "lived_experience": [5, 5]}
        ),
        framework=framework,
    )
    summary["suppressed"] = summary["group"] == "lived_experience"
    row = analysis.point_divergence(summary, framework=framework).iloc[0]
    assert row["groups_shown"] == ["commissioner", "provider"]
    assert row["n_shown"] == 6
    assert row["all_mean"] == pytest.approx(3.0)
    assert row["gap"] == pytest.approx(2.0)

"""The figures defined for a meeting, worked by hand: intervals, who is where, withheld
groups, small-group p-values, one rounding rule, one vocabulary, comments once each."""

from __future__ import annotations

import itertools
import math
import time

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from collab.stats import analysis, comments, privacy, readings
from collab.store.framework import FrameworkError, parse_framework

POINT = "upstream"
NAN = float("nan")


def table(*groups: list[int]) -> np.ndarray:
    """A groups x scale-values count table (scale 1..5)."""
    return np.array([[g.count(v) for v in range(1, 6)] for g in groups])


def exact_permutation_p(*groups: list[int]) -> float:
    """Exact permutation p of H: every split of the pooled scores into groups of these sizes."""
    pooled = [v for g in groups for v in g]
    observed = stats.kruskal(*groups).statistic
    sizes = [len(g) for g in groups]
    indices = range(len(pooled))
    splits = at_least = 0
    for first in itertools.combinations(indices, sizes[0]):
        rest = [i for i in indices if i not in first]
        seconds = itertools.combinations(rest, sizes[1]) if len(sizes) == 3 else [tuple(rest)]
        for second in seconds:
            parts = [[pooled[i] for i in first], [pooled[i] for i in second]]
            if len(sizes) == 3:
                parts.append([pooled[i] for i in rest if i not in second])
            splits += 1
            at_least += stats.kruskal(*parts).statistic >= observed - 1e-12
    return at_least / splits


def summary_of(framework, scores: dict[str, list[int]], k: int = 5) -> pd.DataFrame:
    rows = [
        {"round": "R", "learning_point": POINT, "stakeholder_group": group, "score": v,
         "dont_know": False}
        for group, values in scores.items()
        for v in values
    ]  # fmt: skip
    answers = pd.DataFrame(rows)
    answers["score"] = answers["score"].astype("Int64")
    summary = analysis.group_summary(answers, framework=framework, rounds=["R"])
    return privacy.suppress(summary, min_group_size=k)


def divergence_of(framework, scores: dict[str, list[int]], k: int = 3) -> pd.Series:
    summary = summary_of(framework, scores, k)
    return (
        analysis.point_divergence(summary, framework=framework)
        .set_index("learning_point")
        .loc[POINT]
    )


# Intervals of group means


def test_mean_interval_matches_scipy_t_interval(framework):
    scores = [2, 3, 3, 4, 4, 4, 5]
    summary = summary_of(framework, {"provider": scores})
    row = summary[summary["group"] == "provider"].iloc[0]
    low, high = stats.t.interval(
        0.95, len(scores) - 1, loc=np.mean(scores), scale=stats.sem(scores)
    )
    assert (row["mean_low"], row["mean_high"]) == pytest.approx((low, high), rel=1e-12)


def test_mean_interval_is_clipped_to_the_scale():
    low, high = analysis.mean_interval(
        np.array([4.8]), np.array([0.45]), np.array([5]), low=1.0, high=5.0
    )
    assert high[0] == 5.0
    assert low[0] == pytest.approx(4.8 - stats.t.ppf(0.975, 4) * 0.45 / math.sqrt(5))


def test_mean_interval_with_one_score_is_empty_and_with_no_spread_is_the_mean():
    low, high = analysis.mean_interval(
        np.array([3.0, 4.0]), np.array([NAN, 0.0]), np.array([1, 6]), low=1.0, high=5.0
    )
    assert math.isnan(low[0]) and math.isnan(high[0])
    assert (low[1], high[1]) == (4.0, 4.0)


# Who is where, withheld groups


def test_highest_and_lowest_group_are_named_in_the_gap_reading(framework):
    row = divergence_of(
        framework,
        {"commissioner": [4, 4, 4], "provider": [3, 3, 4], "lived_experience": [2, 3, 2, 3]},
    )
    assert (row["highest_group"], row["lowest_group"]) == ("commissioner", "lived_experience")
    assert readings.gap_reading(
        row["gap"], where=readings.who_is_where(row, framework=framework)
    ) == ("A gap of 1.50 points: commissioners highest (4.00), lived experience lowest (2.50)")


def test_ties_go_to_the_first_group_for_highest_and_the_last_for_lowest(framework):
    row = divergence_of(
        framework, {"commissioner": [3, 3, 3], "provider": [3, 3, 3], "lived_experience": [3, 3, 3]}
    )
    assert (row["highest_group"], row["lowest_group"]) == ("commissioner", "lived_experience")
    assert readings.who_is_where(row, framework=framework) == (
        "every group shown has the same average"
    )


def test_a_status_names_the_groups_it_covers_when_one_is_withheld(framework):
    row = divergence_of(
        framework,
        {"commissioner": [4] * 5, "provider": [4, 4, 4, 4, 3], "lived_experience": [1, 1]},
        k=5,
    )
    assert row["groups_withheld"] == ["lived_experience"]
    assert row["groups_shown"] == ["commissioner", "provider"]
    assert row["status"] == "shared"
    assert readings.status_text(row, framework=framework) == (
        "Shared view between commissioners and service providers; lived experience withheld"
    )
    overview = readings.status_overview(
        pd.DataFrame([row.to_dict() | {"learning_point": POINT}]), framework=framework
    )
    assert overview == [("shared", "Start 'upstream' (gap 0.20; lived experience withheld)")]
    table_ = readings.point_statistics_table(row, framework=framework)
    assert "lived experience withheld" in table_["What it means"].iloc[0]


def test_a_selected_group_without_scores_counts_as_withheld(framework):
    row = divergence_of(framework, {"commissioner": [4] * 5, "provider": [4] * 5})
    assert row["groups_withheld"] == ["lived_experience"]


def test_without_a_withheld_group_the_status_is_the_plain_label(framework):
    row = divergence_of(
        framework, {"commissioner": [4] * 5, "provider": [4] * 5, "lived_experience": [4] * 5}
    )
    assert row["groups_withheld"] == []
    assert readings.status_text(row, framework=framework) == "Shared view"


# Small groups: permutation p-values, read as a hint


def test_two_groups_of_five_get_a_permutation_p_near_the_exact_0_079(framework):
    low, high = [1, 1, 1, 4, 4], [4, 4, 4, 5, 5]
    exact = exact_permutation_p(low, high)
    assert exact == pytest.approx(0.079, abs=0.001)
    p = analysis.permutation_p_value(table(low, high))
    assert p == pytest.approx(exact, abs=0.01)
    row = divergence_of(framework, {"commissioner": low, "provider": high})
    assert row["p_method"] == "permutation"
    assert row["p_value"] == p
    # The chi-squared approximation the app used to show.
    assert stats.kruskal(low, high).pvalue == pytest.approx(0.031, abs=0.001)


def test_three_against_three_gets_a_permutation_p_near_the_exact_0_10(framework):
    exact = exact_permutation_p([5, 5, 5], [1, 1, 1])
    assert exact == pytest.approx(0.1)
    assert analysis.permutation_p_value(table([5, 5, 5], [1, 1, 1])) == pytest.approx(
        exact, abs=0.01
    )


def test_permutation_p_of_three_small_groups_matches_exact_enumeration():
    groups = ([1, 2, 2, 3], [3, 4, 4], [4, 5, 5])
    assert analysis.permutation_p_value(table(*groups)) == pytest.approx(
        exact_permutation_p(*groups), abs=0.01
    )


def test_permutation_p_is_the_same_every_time_and_never_zero():
    counts = table([1, 1, 1, 1, 1, 1], [5, 5, 5, 5, 5, 5])
    first = analysis.permutation_p_value(counts)
    assert first == analysis.permutation_p_value(counts.copy())
    assert first >= 1 / (analysis.N_PERMUTATIONS + 1)
    assert analysis.N_PERMUTATIONS >= 9_999


def test_permutation_p_of_one_point_is_fast():
    rng = np.random.default_rng(3)
    counts = table(
        list(rng.integers(1, 6, 6)), list(rng.integers(1, 6, 40)), list(rng.integers(1, 6, 60))
    )
    timings = []
    for _ in range(3):
        start = time.perf_counter()
        analysis.permutation_p_value(counts)
        timings.append(time.perf_counter() - start)
    assert min(timings) < 0.05


def test_groups_of_ten_or_more_keep_the_chi_squared_p(framework):
    a, b = [1, 2, 3, 4, 5] * 2, [3, 4, 5, 5, 5] * 2
    row = divergence_of(framework, {"commissioner": a, "provider": b})
    assert row["p_method"] == "chi2"
    assert row["p_value"] == pytest.approx(stats.kruskal(a, b).pvalue, rel=1e-9)


def test_small_groups_p_value_is_read_as_a_hint_never_as_evidence(framework):
    row = divergence_of(framework, {"commissioner": [5, 5, 5], "provider": [1, 1, 1]})
    text = readings.kruskal_reading(
        row["kruskal_h"], row["p_value"], row["epsilon_sq"], p_method=row["p_method"]
    )
    assert "hint" in text
    assert "more than chance would easily explain" not in text
    assert "large effect" not in text
    # Even a p below 0.05 from tiny groups stays a hint.
    text = readings.kruskal_reading(9.0, 0.01, 0.8, p_method="permutation")
    assert text.startswith("A hint that the groups answer differently (p = 0.010")
    assert "effect" not in text


# One rounding rule


@pytest.mark.parametrize(
    ("gap", "shown", "status"),
    [
        (0.457, "0.46", "shared"),
        (0.4999, "0.50", "some_divergence"),
        (0.4949, "0.49", "shared"),
        (0.976, "0.98", "some_divergence"),
        (0.995, "0.99", "some_divergence"),  # 0.995 is stored just below 0.995
        (0.9951, "1.00", "divergent"),
        (0.74, "0.74", "some_divergence"),
    ],
)
def test_a_status_and_the_gap_beside_it_agree_after_rounding(framework, gap, shown, status):
    thresholds = framework.thresholds
    assert readings.gap_text(gap) == shown
    assert analysis.divergence_status(gap, groups_shown=2, thresholds=thresholds) == status
    # The status read back from the displayed figure is the same status.
    displayed = float(shown)
    expected = (
        "divergent"
        if displayed >= thresholds.divergent_gap
        else "some_divergence"
        if displayed >= thresholds.some_divergence_gap
        else "shared"
    )
    assert expected == status


def test_every_place_shows_a_gap_with_the_same_two_decimals(framework):
    row = pd.Series(
        {"gap": 0.74, "kruskal_h": NAN, "p_value": NAN, "epsilon_sq": NAN,
         "cross_group_consensus": 0.5, "status": "some_divergence", "split_within": [],
         "all_mean": 3.1, "learning_point": POINT}
    )  # fmt: skip
    table_ = readings.point_statistics_table(row, framework=framework)
    gap_line = table_[table_["Figure"].str.startswith("Gap")].iloc[0]
    assert gap_line["Value"] == "0.74"
    assert gap_line["What it means"].startswith("A gap of 0.74 points")
    overview = readings.status_overview(pd.DataFrame([row.to_dict()]), framework=framework)
    assert overview == [("some_divergence", "Start 'upstream' (gap 0.74)")]


# Level bands


@pytest.mark.parametrize(
    ("mean", "band"),
    [(4.0, "strength"), (4.6, "strength"), (3.99, "developing"), (3.0, "developing"),
     (2.99, "concern"), (NAN, "")],
)  # fmt: skip
def test_level_bands_follow_the_framework_thresholds(framework, mean, band):
    assert analysis.level_band(mean, thresholds=framework.thresholds) == band


def test_the_level_band_is_of_the_mean_over_shown_groups(framework):
    row = divergence_of(framework, {"commissioner": [2, 2, 3], "provider": [3, 3, 3, 3, 3]})
    assert row["all_mean"] == pytest.approx(22 / 8)
    assert row["level_band"] == "concern"


def framework_text(analysis_section: str) -> str:
    return f"""
[scale]
dont_know_label = "Don't know"
points = [{{ value = 1, label = "a" }}, {{ value = 2, label = "b" }}, {{ value = 3, label = "c" }},
          {{ value = 4, label = "d" }}, {{ value = 5, label = "e" }}]
[[groups]]
key = "g"
name = "G"
[[learning_points]]
key = "p"
title = "P"
statement = "S"
help = "H"
[analysis]
{analysis_section}
"""


def test_level_thresholds_come_from_the_framework_file():
    framework = parse_framework(framework_text("strength_from = 4.5\ndeveloping_from = 2.5"))
    assert (framework.thresholds.strength_from, framework.thresholds.developing_from) == (4.5, 2.5)
    assert analysis.level_band(4.2, thresholds=framework.thresholds) == "developing"


@pytest.mark.parametrize(
    "section",
    ["strength_from = 3.0\ndeveloping_from = 3.5", "strength_from = 6.0", "developing_from = 0.5",
     'strength_from = "high"'],
)  # fmt: skip
def test_level_thresholds_are_validated(section):
    with pytest.raises(FrameworkError):
        parse_framework(framework_text(section))


# Vocabulary and comments


def test_people_and_scores_are_not_confused(framework):
    assert privacy.too_few_reason(5) == "fewer than 5 scores"
    assert "scores" in readings.status_reading("insufficient", framework=framework)
    assert readings.withheld_reading("Commissioners", 5, people=8).startswith(
        "Too few scores from commissioners on this point to show: fewer than 5 of the 8 people"
    )


def test_identical_comments_are_shown_once_with_how_many_wrote_them():
    frame = pd.DataFrame(
        {
            "learning_point": [POINT] * 4 + ["focus"],
            "stakeholder_group": ["provider"] * 3 + ["commissioner", "provider"],
            "comment": ["We meet too rarely.", " We meet  too rarely. ", "Good start.",
                        "We meet too rarely.", "We meet too rarely."],
        }
    )  # fmt: skip
    distinct = comments.distinct_comments(frame)
    assert distinct.values.tolist() == [
        [POINT, "provider", "We meet too rarely.", 2],
        [POINT, "provider", "Good start.", 1],
        [POINT, "commissioner", "We meet too rarely.", 1],
        ["focus", "provider", "We meet too rarely.", 1],
    ]
    provider = frame[
        (frame["learning_point"] == POINT) & (frame["stakeholder_group"] == "provider")
    ]
    assert comments.comment_lines(provider) == [
        "We meet too rarely. (2 people wrote this)",
        "Good start.",
    ]

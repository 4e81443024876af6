"""Change since the previous round, like for like (collab.stats.change), worked by hand."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from collab.stats import analysis, change, privacy, readings
from collab.stats.results import divergence_export_frame, round_results
from collab.store.db import Database

POINT = "upstream"
K = 5


def summary_of(framework, scores: dict[str, list[int]], *, round_name: str = "R") -> pd.DataFrame:
    """The visible summary (K = 5) of one round where each group gives ``scores`` on POINT."""
    rows = [
        {
            "round": round_name,
            "learning_point": POINT,
            "stakeholder_group": group,
            "score": value,
            "dont_know": False,
        }
        for group, values in scores.items()
        for value in values
    ]
    answers = pd.DataFrame(rows)
    answers["score"] = answers["score"].astype("Int64")
    summary = analysis.group_summary(answers, framework=framework, rounds=[round_name])
    return privacy.suppress(summary, min_group_size=K)


def point_row(frame: pd.DataFrame, point: str = POINT) -> pd.Series:
    return frame.set_index("learning_point").loc[point]


def test_gap_change_compares_only_groups_shown_in_both_rounds(framework):
    # Gap 4.0 - 1.0 = 3.0 over three groups; then lived experience is withheld and the
    # two others stay where they were. The old reading said "narrowed by 2.00: converging".
    before = summary_of(
        framework, {"commissioner": [4] * 5, "provider": [3] * 5, "lived_experience": [1] * 5}
    )
    now = summary_of(
        framework, {"commissioner": [4] * 5, "provider": [3] * 5, "lived_experience": [1] * 3}
    )
    row = point_row(change.gap_change(now, before, framework=framework))
    assert row["groups_compared"] == ["commissioner", "provider"]
    assert row["groups_shown"] == ["commissioner", "provider"]
    assert (row["previous_gap"], row["gap"], row["gap_change"]) == pytest.approx((1.0, 1.0, 0.0))
    assert row["direction"] == "about_the_same"
    text = readings.gap_change_reading(row, previous_round="Autumn", framework=framework)
    assert "2.00" not in text and "converging" not in text
    assert "from 1.00 to 1.00" in text


def test_gap_change_says_which_groups_it_covers_when_a_group_is_new(framework):
    before = summary_of(framework, {"commissioner": [5] * 6, "provider": [1] * 6})
    now = summary_of(
        framework, {"commissioner": [3] * 6, "provider": [3] * 6, "lived_experience": [1] * 6}
    )
    row = point_row(change.gap_change(now, before, framework=framework))
    assert row["groups_compared"] == ["commissioner", "provider"]
    assert row["direction"] == "converging"
    assert readings.gap_change_reading(row, previous_round="Autumn", framework=framework) == (
        "Over commissioners and service providers only, the groups shown in both rounds, "
        "the gap narrowed from 4.00 to 0.00 since Autumn: converging"
    )


def test_noise_is_not_called_a_trend(framework):
    # Gap 0.10 with groups of 10, then about 0.2 with groups of 8 and 10: the old rule
    # (any change over 0.05) called this "diverging".
    before = summary_of(
        framework, {"commissioner": [3, 4] * 5, "provider": [3, 4, 3, 4, 3, 4, 3, 4, 3, 3]}
    )
    now = summary_of(
        framework, {"commissioner": [3, 4, 3, 4, 4, 4, 3, 4], "provider": [3, 4] * 4 + [3, 4]}
    )
    row = point_row(change.gap_change(now, before, framework=framework))
    assert row["previous_gap"] == pytest.approx(0.10)
    assert row["gap"] == pytest.approx(0.125)
    assert row["gap_change_low"] < 0 < row["gap_change_high"]
    assert row["direction"] == "about_the_same"
    wider = summary_of(
        framework, {"commissioner": [3, 4, 4, 4, 4, 4, 3, 4], "provider": [3, 4] * 4 + [3, 3]}
    )
    row = point_row(change.gap_change(wider, before, framework=framework))
    assert row["gap"] == pytest.approx(3.75 - 3.4)
    assert row["direction"] == "about_the_same"


def test_a_clear_change_is_called_converging_or_diverging(framework):
    apart = summary_of(
        framework, {"commissioner": [5, 5, 5, 5, 4] * 2, "provider": [1, 1, 2, 1, 1] * 2}
    )
    close = summary_of(
        framework, {"commissioner": [3, 3, 3, 4, 3] * 2, "provider": [3, 3, 2, 3, 3] * 2}
    )
    converging = point_row(change.gap_change(close, apart, framework=framework))
    assert converging["gap_change_high"] < 0
    assert converging["direction"] == "converging"
    diverging = point_row(change.gap_change(apart, close, framework=framework))
    assert diverging["gap_change_low"] > 0
    assert diverging["direction"] == "diverging"


def test_not_comparable_with_fewer_than_two_groups_in_both_rounds(framework):
    before = summary_of(framework, {"commissioner": [4] * 5, "provider": [3] * 3})
    now = summary_of(framework, {"commissioner": [4] * 5, "provider": [2] * 5})
    row = point_row(change.gap_change(now, before, framework=framework))
    assert row["groups_compared"] == ["commissioner"]
    assert row["direction"] == "not_comparable"
    assert math.isnan(row["gap_change"]) and math.isnan(row["gap_change_low"])
    assert readings.gap_change_reading(row, previous_round="Autumn", framework=framework) == (
        "Not comparable with Autumn: fewer than two groups were shown in both rounds"
    )


def test_bootstrap_interval_is_the_same_for_the_same_input(framework):
    before = summary_of(
        framework, {"commissioner": [1, 2, 3, 4, 5, 3], "provider": [2, 2, 3, 5, 1]}
    )
    now = summary_of(framework, {"commissioner": [4, 4, 3, 5, 5], "provider": [1, 2, 2, 3, 1, 2]})
    first = change.gap_change(now, before, framework=framework)
    second = change.gap_change(now.copy(), before.copy(), framework=framework)
    pd.testing.assert_frame_equal(first, second)
    low, high = change.bootstrap_gap_change(
        np.array([[1, 0, 1, 2, 2], [2, 2, 1, 0, 0]]),
        np.array([[1, 1, 2, 1, 1], [1, 2, 1, 0, 1]]),
        values=np.arange(1.0, 6.0),
    )
    again = change.bootstrap_gap_change(
        np.array([[1, 0, 1, 2, 2], [2, 2, 1, 0, 0]]),
        np.array([[1, 1, 2, 1, 1], [1, 2, 1, 0, 1]]),
        values=np.arange(1.0, 6.0),
    )
    assert (low, high) == again
    assert low < high
    assert change.N_BOOTSTRAP >= 2_000


@pytest.mark.parametrize(
    ("low", "high", "direction"),
    [
        (-0.9, -0.1, "converging"),
        (0.1, 0.9, "diverging"),
        (-0.1, 0.9, "about_the_same"),
        (-0.5, 0.0, "about_the_same"),
        (float("nan"), float("nan"), "about_the_same"),
    ],
)
def test_direction_comes_from_the_whole_interval(low, high, direction):
    assert change.direction_from_interval(low, high) == direction


def test_welch_interval_matches_scipy():
    a, b = [4, 5, 4, 3, 5, 4, 4], [2, 3, 3, 4, 2, 3]
    result = stats.ttest_ind(a, b, equal_var=False)
    expected = result.confidence_interval(0.95)
    low, high = change.welch_interval(
        np.mean(a), np.std(a, ddof=1), len(a), np.mean(b), np.std(b, ddof=1), len(b)
    )
    assert (low, high) == pytest.approx((expected.low, expected.high), rel=1e-9)


def test_welch_interval_of_unanimous_groups_is_the_difference_itself():
    assert change.welch_interval(4.0, 0.0, 5, 3.0, 0.0, 6) == (1.0, 1.0)
    assert all(math.isnan(v) for v in change.welch_interval(4.0, float("nan"), 1, 3.0, 0.5, 6))


def test_group_mean_change_is_called_only_when_its_welch_interval_excludes_0(framework):
    before = summary_of(framework, {"commissioner": [2, 3, 4, 3, 2, 4], "provider": [2] * 6})
    now = summary_of(
        framework, {"commissioner": [3, 4, 2, 4, 3, 3], "provider": [4, 4, 5, 4, 4, 4]}
    )
    found = change.mean_change(now, before, framework=framework)
    assert list(found.columns) == change.CHANGE_COLUMNS
    rows = found.set_index("group")
    # Commissioners up by 0.17 with a wide interval: not a change. Providers 2 -> 4.17.
    assert rows.loc["commissioner", "mean_change"] == pytest.approx(1 / 6)
    assert rows.loc["commissioner", "direction"] == "about_the_same"
    assert rows.loc["provider", "direction"] == "up"
    assert rows.loc["provider", "mean_change_low"] > 0
    assert readings.mean_change_reading(
        "Commissioners", 1 / 6, "Autumn", direction=rows.loc["commissioner", "direction"]
    ) == ("Commissioners: about the same as in Autumn")


def test_a_like_for_like_change_never_mixes_groups(framework):
    """Property: the gaps compared are taken over exactly ``groups_compared``, both rounds."""
    rng = np.random.default_rng(2024)
    groups = framework.group_keys
    for _ in range(200):
        cells = []
        for _round in range(2):
            shown = {}
            for group in groups:
                if rng.random() < 0.3:
                    continue
                counts = rng.integers(0, 4, size=5).astype(float)
                counts[rng.integers(0, 5)] += 1
                values = np.arange(1.0, 6.0)
                n = counts.sum()
                mean = float(counts @ values / n)
                sd = float(np.sqrt(counts @ (values - mean) ** 2 / (n - 1))) if n > 1 else np.nan
                shown[group] = change.Cell(mean, sd, n, counts)
            cells.append(shown)
        now, before = cells
        row = change.point_gap_change(now, before, point=POINT, framework=framework)
        expected = [g for g in groups if g in now and g in before]
        assert row["groups_compared"] == expected
        assert row["groups_shown"] == [g for g in groups if g in now]
        if len(expected) < 2:
            assert row["direction"] == "not_comparable"
            continue
        means_now = [now[g].mean for g in expected]
        means_before = [before[g].mean for g in expected]
        assert row["gap"] == pytest.approx(max(means_now) - min(means_now))
        assert row["previous_gap"] == pytest.approx(max(means_before) - min(means_before))
        assert row["gap_change"] == pytest.approx(row["gap"] - row["previous_gap"])
        assert row["gap_change_low"] <= row["gap_change_high"]


@pytest.fixture(scope="module")
def demo_results(demo_file, framework_module):
    database = Database.from_url(f"sqlite:///{demo_file}")
    yield round_results(
        database, framework=framework_module, round_name="Spring 2026", min_group_size=K
    )
    database.dispose()


@pytest.fixture(scope="module")
def framework_module():
    from collab.store.framework import load_framework

    return load_framework()


def test_the_demo_right_people_change_reads_over_commissioners_and_providers(
    demo_results, framework_module
):
    row = point_row(demo_results.gap_change, "right_people")
    assert row["groups_compared"] == ["commissioner", "provider"]
    assert row["groups_shown"] == ["commissioner", "provider", "lived_experience"]
    assert row["previous_gap"] == pytest.approx(1.39, abs=0.005)
    assert row["gap"] == pytest.approx(0.92, abs=0.005)
    assert row["gap_change"] < 0
    # The old comparison (three groups now, two before) said "widened by 0.70: diverging".
    assert row["direction"] != "diverging"
    text = readings.gap_change_reading(
        row, previous_round="Autumn 2025", framework=framework_module
    )
    assert text.startswith(
        "Over commissioners and service providers only, the groups shown in both rounds, the gap "
    )
    assert "from 1.39 to 0.92 since Autumn 2025" in text
    assert "widened" not in text


def test_the_demo_divergence_export_has_the_design_columns(demo_results):
    frame = divergence_export_frame(demo_results)
    assert list(frame.columns) == [
        "round", "learning_point", "gap", "kruskal_h", "p_value", "p_method", "epsilon_sq",
        "cross_group_consensus", "status", "split_within", "groups_withheld",
        "highest_group", "lowest_group", "level_band", "groups_compared", "previous_gap",
        "gap_change", "gap_change_low", "gap_change_high", "direction",
    ]  # fmt: skip
    right = frame.set_index("learning_point").loc["right_people"]
    assert right["groups_compared"] == "commissioner;provider"
    assert right["highest_group"] == "commissioner"
    assert right["lowest_group"] == "lived_experience"
    assert set(frame["p_method"]) <= {"permutation", "chi2", ""}
    assert set(frame["direction"]) <= set(change.DIRECTIONS)

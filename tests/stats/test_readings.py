"""Plain-language readings (collab.stats.readings): the sentences beside each number."""

from __future__ import annotations

import pandas as pd
import pytest

from collab.stats import readings

NAN = float("nan")


@pytest.mark.parametrize(
    ("status", "label"),
    [
        ("divergent", "Groups diverge"),
        ("some_divergence", "Some divergence"),
        ("shared", "Shared view"),
        ("insufficient", "Not enough groups to compare"),
    ],
)
def test_status_labels(status, label):
    assert readings.status_label(status) == label


def test_status_reading_uses_the_framework_thresholds(framework):
    assert readings.status_reading("divergent", framework=framework) == (
        "The group averages are 1.0 points or more apart."
    )


@pytest.mark.parametrize(
    ("consensus", "reading"),
    [
        (0.9, "Service providers: answers closely agree"),
        (0.7, "Service providers: answers mostly agree"),
        (0.55, "Service providers: answers vary"),
        (0.3, "Service providers: answers are split, towards both ends of the scale"),
    ],
)
def test_consensus_reading_bands(consensus, reading):
    assert readings.consensus_reading("Service providers", consensus) == reading


def test_gap_reading_names_the_largest_and_smallest_gap():
    assert readings.gap_reading(1.4, 1, 8) == "A gap of 1.40 points: the largest this round"
    assert readings.gap_reading(0.2, 8, 8) == "A gap of 0.20 points: the smallest this round"
    assert (
        readings.gap_reading(0.6, 3, 8) == "A gap of 0.60 points: the 3rd largest of 8 this round"
    )


def test_gap_reading_puts_who_is_where_after_the_place_this_round():
    where = "commissioners highest (4.00), lived experience lowest (2.50)"
    assert readings.gap_reading(1.5, 1, 8, where=where) == (
        f"A gap of 1.50 points, the largest this round: {where}"
    )
    assert readings.gap_reading(1.5, where=where) == f"A gap of 1.50 points: {where}"


def test_gap_reading_without_a_gap_says_groups_cannot_be_compared():
    assert readings.gap_reading(NAN, None, None) == "Not enough groups to compare"


def test_withheld_reading_names_group_and_threshold():
    assert readings.withheld_reading("Lived experience", 5) == (
        "Too few scores from lived experience on this point to show (fewer than 5)"
    )


def test_withheld_reading_tells_people_from_scores():
    assert readings.withheld_reading("Commissioners", 5, people=8) == (
        "Too few scores from commissioners on this point to show: fewer than 5 of the 8 "
        "people who took part gave a score (the others answered 'don't know' or left it blank)"
    )


def test_kruskal_reading_with_a_high_p_value_warns_about_low_power():
    text = readings.kruskal_reading(1.2, 0.31, 0.04, smallest_group=12)
    assert text.startswith("No clear statistical difference (p = 0.31, a small effect)")
    assert "Supporting evidence only: with groups this small, a real difference" in text


def test_kruskal_reading_with_a_low_p_value_is_still_supporting_evidence():
    text = readings.kruskal_reading(9.0, 0.004, 0.3, smallest_group=12)
    assert "more than chance would easily explain (p = 0.004, a large effect)" in text
    assert "Supporting evidence only" in text


def test_kruskal_reading_when_every_score_is_the_same():
    assert readings.kruskal_reading(NAN, NAN, NAN).startswith("Not computed")


def test_mean_change_reading_says_up_or_down_only_when_the_interval_excludes_0():
    assert readings.mean_change_reading("Commissioners", 0.6, "Spring 2026", direction="up") == (
        "Commissioners: up 0.60 since Spring 2026"
    )
    assert readings.mean_change_reading(
        "Commissioners", -0.34, "Spring 2026", direction="down"
    ) == ("Commissioners: down 0.34 since Spring 2026")
    # A large change whose interval holds 0 is not called a change.
    assert readings.mean_change_reading(
        "Commissioners", 0.6, "Spring 2026", direction="about_the_same"
    ) == ("Commissioners: about the same as in Spring 2026")


def test_gap_change_reading_names_the_direction(framework):
    both = ["commissioner", "provider"]
    row = {"previous_gap": 1.5, "gap": 0.7, "gap_change": -0.8, "direction": "converging",
           "groups_compared": both, "groups_shown": both}  # fmt: skip
    assert readings.gap_change_reading(row, previous_round="Spring 2026", framework=framework) == (
        "The gap narrowed from 1.50 to 0.70 since Spring 2026: converging"
    )
    row.update(previous_gap=0.2, gap=0.5, gap_change=0.3, direction="diverging")
    assert readings.gap_change_reading(row, previous_round="Spring 2026", framework=framework) == (
        "The gap widened from 0.20 to 0.50 since Spring 2026: diverging"
    )
    row.update(direction="about_the_same")
    assert readings.gap_change_reading(row, previous_round="Spring 2026", framework=framework) == (
        "The gap went from 0.20 to 0.50 since Spring 2026: about the same, a change chance "
        "could easily give"
    )


def test_mean_reading_names_the_nearest_scale_label(framework):
    assert readings.mean_reading(3.6, framework=framework) == (
        "Closest to 'Happening most of the time'"
    )


def test_established_reading_gives_the_share_in_percent(framework):
    assert readings.established_reading(0.6, framework=framework) == (
        "60% answered 4 or higher ('Happening most of the time' or better)"
    )


def test_n_reading_mentions_dont_know_answers(framework):
    assert readings.n_reading(12, 2, framework=framework) == (
        "Based on 12 scores; 2 more answered 'Don't know' (not counted)"
    )


def test_cross_group_consensus_reading_bands():
    assert readings.cross_group_consensus_reading(0.8).startswith("Most people in every group")
    assert readings.cross_group_consensus_reading(0.2).startswith("In at least one group")


def test_missing_figures_are_never_read_as_numbers(framework):
    assert readings.number_text(NAN) == "—"
    assert readings.number_text(None) == "—"
    assert readings.mean_reading(NAN, framework=framework) == ""
    assert readings.sd_reading(None) == ""


def test_gap_ranks_put_the_largest_gap_first_and_skip_insufficient_points():
    divergence = pd.DataFrame(
        {
            "learning_point": ["a", "b", "c", "d"],
            "gap": [0.4, 1.2, NAN, 0.8],
            "status": ["shared", "divergent", "insufficient", "some_divergence"],
        }
    )
    assert readings.gap_ranks(divergence) == {"b": (1, 3), "d": (2, 3), "a": (3, 3)}


def test_group_statistics_grid_has_a_reading_beside_each_figure(framework):
    rows = pd.DataFrame(
        [
            {
                "group": "provider", "n": 12, "n_dont_know": 0, "mean": 2.4, "median": 2.0,
                "sd": 1.2, "pct_established": 0.25, "consensus": 0.62, "suppressed": False,
                "reason": "", "mean_low": 1.64, "mean_high": 3.16,
            }
        ]
    )  # fmt: skip
    grid = readings.group_statistics_grid(rows, framework=framework)
    assert list(grid.columns) == ["Figure", "Service providers"]
    assert list(grid["Service providers"]) == [
        "Based on 12 scores",
        "2.4: closest to 'Starting to happen'",
        "1.6 to 3.2: the true average very likely lies here",
        "2.0: half the answers are 'Starting to happen' or higher",
        "Answers are moderately spread",
        "25% answered 4 or higher ('Happening most of the time' or better)",
        "Answers vary",
    ]
    assert list(grid["Figure"]) == [
        "Scores", "Average", "Likely range of the average", "Middle answer",
        "Spread of the answers", "Share established (4 or higher)", "Agreement within the group",
    ]  # fmt: skip
    analysts = readings.analyst_group_grid(rows, framework=framework)
    assert list(analysts["Service providers"]) == [
        "12", "0", "2.40", "1.64 to 3.16", "2.0", "1.20", "0.62",
    ]  # fmt: skip
    assert list(analysts["Figure"])[0] == "n (scores)"
    assert list(analysts["Figure"])[-1] == "Consensus (0-1)"


def test_a_small_groups_average_is_said_with_its_likely_range():
    row = {"n": 6, "mean": 1.83, "mean_low": 1.04, "mean_high": 2.62}
    assert readings.small_group_reading("Lived experience", row) == (
        "Lived experience: average 1.8 from 6 scores; with so few, the true average could "
        "lie anywhere from 1.0 to 2.6"
    )
    assert readings.small_group_reading("Service providers", row | {"n": 34}) == ""


def test_group_statistics_grid_holds_no_figure_of_a_withheld_group(framework):
    rows = pd.DataFrame(
        [
            {"group": "lived_experience", "n": NAN, "n_dont_know": NAN, "mean": NAN,
             "median": NAN, "sd": NAN, "pct_established": NAN, "consensus": NAN,
             "suppressed": True, "reason": "fewer than 5 scores"}
        ]
    )  # fmt: skip
    grid = readings.group_statistics_grid(rows, framework=framework)
    assert list(grid["Lived experience"]) == ["Withheld: fewer than 5 scores"] + ["—"] * 6


def test_point_statistics_table_labels_kruskal_wallis_as_supporting_evidence(framework):
    row = pd.Series(
        {"gap": 1.2, "kruskal_h": 4.1, "p_value": 0.13, "epsilon_sq": 0.11,
         "cross_group_consensus": 0.4, "status": "divergent", "split_within": ["provider"],
         "all_mean": 3.1}
    )  # fmt: skip
    table = readings.point_statistics_table(row, framework=framework, rank=(1, 8))
    by_figure = dict(zip(table["Figure"], table["What it means"], strict=True))
    assert by_figure["Gap between highest and lowest group average"] == (
        "A gap of 1.20 points: the largest this round"
    )
    plain = by_figure["Could chance explain the difference? (supporting evidence only)"]
    assert "a real difference can go undetected" in plain
    assert "p =" not in plain and "effect" not in plain
    assert by_figure["Groups split within themselves"] == "Split within: Service providers"
    analysts = readings.analyst_point_table(row, framework=framework, smallest_group=12)
    by_figure = dict(zip(analysts["Figure"], analysts["Value"], strict=True))
    assert by_figure["Kruskal-Wallis test (supporting evidence only)"] == "H = 4.10, p = 0.13"
    assert by_figure["Epsilon squared (ε²)"] == "0.11"
    assert by_figure["Cross-group consensus (0-1)"] == "0.40"


def test_the_plain_tables_hold_no_statistics_jargon(framework):
    row = pd.Series(
        {"gap": 1.2, "kruskal_h": 4.1, "p_value": 0.031, "p_method": "permutation",
         "epsilon_sq": 0.11, "cross_group_consensus": 0.4, "status": "divergent",
         "split_within": [], "all_mean": 3.1}
    )  # fmt: skip
    plain = readings.point_statistics_table(row, framework=framework, smallest_group=5)
    words = " ".join(plain.astype(str).to_numpy().ravel())
    for jargon in ("H =", "p =", "ε²", "0-1", "permutation", "Kruskal", "0.40"):
        assert jargon not in words
    assert "A hint that the groups answer differently. Only a hint" in words
    analysts = readings.analyst_point_table(row, framework=framework, smallest_group=5)
    assert "permutation" in list(analysts["Value"])


def test_status_overview_groups_points_by_status_largest_gap_first(framework):
    divergence = pd.DataFrame(
        {
            "learning_point": ["upstream", "realistic", "focus", "impact"],
            "gap": [1.1, 1.6, 0.2, NAN],
            "status": ["divergent", "divergent", "shared", "insufficient"],
        }
    )
    assert readings.status_overview(divergence, framework=framework) == [
        ("divergent", "Be realistic (gap 1.60), Start 'upstream' (gap 1.10)"),
        ("shared", "Stay focused (gap 0.20)"),
        ("insufficient", "Rethink 'impact'"),
    ]


def test_gap_change_table_lists_both_gaps_and_the_direction(framework):
    both = ["commissioner", "provider"]
    gap_change = pd.DataFrame(
        {
            "learning_point": ["focus", "upstream"],
            "groups_shown": [both, [*both, "lived_experience"]],
            "groups_compared": [both, both],
            "previous_gap": [0.2, 1.5],
            "gap": [0.6, 0.7],
            "gap_change": [0.4, -0.8],
            "direction": ["diverging", "converging"],
        }
    )
    table = readings.gap_change_table(
        gap_change, framework=framework, previous_round="Autumn 2025", round_name="Spring 2026"
    )
    assert table.values.tolist() == [
        [
            "Start 'upstream'",
            "commissioners and service providers",
            "1.50",
            "0.70",
            "narrowed from 1.50 to 0.70: converging (over commissioners and service "
            "providers only, the groups shown in both rounds)",
        ],
        [
            "Stay focused",
            "commissioners and service providers",
            "0.20",
            "0.60",
            "widened from 0.20 to 0.60: diverging",
        ],
    ]
    assert list(table.columns)[2:4] == ["Gap in Autumn 2025", "Gap in Spring 2026"]


def test_point_statistics_table_without_two_groups_does_not_blame_equal_scores(framework):
    row = pd.Series(
        {"gap": NAN, "kruskal_h": NAN, "p_value": NAN, "epsilon_sq": NAN,
         "cross_group_consensus": NAN, "status": "insufficient", "split_within": [],
         "all_mean": NAN}
    )  # fmt: skip
    table = readings.point_statistics_table(row, framework=framework)
    assert table["What it means"].iloc[-1] == "Not computed: fewer than two groups can be shown."
    assert table["Value"].iloc[1] == "—"


@pytest.mark.parametrize(
    ("p", "text"), [(0.31, "p = 0.31"), (0.0123, "p = 0.012"), (0.00004, "p < 0.001")]
)
def test_p_values_are_written_as_people_quote_them(p, text):
    assert readings.p_value_text(p) == text


def test_status_scope_overview_names_each_withheld_group_and_where(framework):
    both, all_three = ["commissioner", "provider"], ["commissioner", "provider", "lived_experience"]
    divergence = pd.DataFrame(
        {
            "learning_point": ["upstream", "focus", "impact"],
            "groups_withheld": [["lived_experience"], ["lived_experience"], []],
            "groups_shown": [both, both, all_three],
        }
    )
    assert readings.status_scope_overview(divergence, framework=framework) == (
        "These statuses compare only the groups shown: lived experience is withheld on 2 of "
        "the 3 learning points."
    )
    nothing = divergence.assign(groups_withheld=[[], [], []])
    assert readings.status_scope_overview(nothing, framework=framework) == ""


def test_gap_trend_table_names_the_groups_compared_with_two_decimals(framework):
    both = ["commissioner", "provider"]
    gap_trend = pd.DataFrame(
        {
            "learning_point": ["right_people", "focus"],
            "first_round": ["Autumn 2025", None],
            "first_gap": [1.387, None],
            "last_round": ["Spring 2026", None],
            "last_gap": [0.923, None],
            "direction": ["about_the_same", "not_enough_rounds"],
            "groups_compared": [both, []],
            "groups_shown": [[*both, "lived_experience"], []],
        }
    )
    table = readings.gap_trend_table(gap_trend, framework=framework)
    assert table.values.tolist() == [
        [
            "Get the right people in the room", "Autumn 2025", "1.39", "Spring 2026", "0.92",
            "commissioners and service providers",
            "About the same: a change chance could easily give",
        ],
        ["Stay focused", "", "—", "", "—", "—", "Not enough rounds to compare"],
    ]  # fmt: skip


def test_a_gaps_change_in_brief_says_both_gaps_and_the_direction():
    row = {"previous_gap": 1.5, "gap": 0.7, "gap_change": -0.8, "direction": "converging"}
    assert readings.gap_change_brief(row) == "1.50 to 0.70, converging"
    row.update(direction="diverging")
    assert readings.gap_change_brief(row) == "1.50 to 0.70, diverging"
    row.update(direction="about_the_same")
    assert readings.gap_change_brief(row) == "1.50 to 0.70, about the same"
    row.update(direction="not_comparable", gap_change=NAN)
    assert readings.gap_change_brief(row) == "not comparable"


def test_highest_and_lowest_name_the_groups_with_their_averages(framework):
    row = {"gap": 2.09, "highest_group": "commissioner", "highest_mean": 3.92,
           "lowest_group": "lived_experience", "lowest_mean": 1.83}  # fmt: skip
    assert readings.highest_and_lowest(row, framework=framework) == (
        "Commissioners (3.92)",
        "Lived experience (1.83)",
    )
    row.update(gap=0.0, lowest_group="provider", lowest_mean=3.92)
    assert readings.highest_and_lowest(row, framework=framework) == ("Every group shown (3.92)", "")
    row.update(gap=NAN, highest_group=None, lowest_group=None)
    assert readings.highest_and_lowest(row, framework=framework) == ("", "")

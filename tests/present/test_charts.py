"""The leadership figures (collab.present.charts), built from hand-made frames.

Each test checks the figure's data: values in framework order, withheld cells without a
value, the ranking of gaps, the shares of the distribution bars, titles and axis titles.
"""

from __future__ import annotations

import math

import pandas as pd
import plotly.graph_objects as go
import pytest

from collab.present import charts
from collab.store.framework import Framework

ROUND = "Spring 2026"
WITHHELD_REASON = "fewer than 5 responses"
SUMMARY_COLUMNS = [
    "round", "learning_point", "group", "n", "n_dont_know", "mean", "median", "sd",
    "pct_established", "consensus", "count_1", "count_2", "count_3", "count_4", "count_5",
    "suppressed", "reason", "mean_low", "mean_high",
]  # fmt: skip
DIVERGENCE_COLUMNS = [
    "round", "learning_point", "gap", "kruskal_h", "p_value", "epsilon_sq",
    "cross_group_consensus", "status", "split_within", "groups_shown", "n_shown", "all_mean",
]  # fmt: skip
NAN = float("nan")


def shown_row(point: str, group: str, counts: list[int]) -> dict:
    n = sum(counts)
    mean = sum(v * c for v, c in enumerate(counts, start=1)) / n
    return {
        "round": ROUND, "learning_point": point, "group": group, "n": n, "n_dont_know": 1,
        "mean": mean, "median": 3.0, "sd": 1.0, "pct_established": (counts[3] + counts[4]) / n,
        "consensus": 0.7, **{f"count_{v}": c for v, c in enumerate(counts, start=1)},
        "suppressed": False, "reason": "", **interval_of(mean),
    }  # fmt: skip


# Hand-made 95% intervals, lopsided so that the two arms of a whisker cannot be swapped.
BELOW, ABOVE = 0.5, 0.25


def interval_of(mean: float) -> dict:
    return {"mean_low": mean - BELOW, "mean_high": mean + ABOVE}


def withheld_row(point: str, group: str) -> dict:
    numbers = dict.fromkeys(SUMMARY_COLUMNS[3:15], NAN)
    return {
        "round": ROUND, "learning_point": point, "group": group, **numbers,
        "suppressed": True, "reason": WITHHELD_REASON, "mean_low": NAN, "mean_high": NAN,
    }  # fmt: skip


# Scores per learning point (framework order): commissioner, provider; lived experience is
# shown only for 'upstream' and withheld elsewhere.
COMMISSIONER = [0, 2, 3, 5, 2]  # mean 3.583
PROVIDER = [3, 4, 3, 1, 1]  # mean 2.417
LIVED = [0, 0, 1, 2, 3]  # mean 4.333


def make_summary(framework: Framework) -> pd.DataFrame:
    rows = []
    for point in framework.point_keys:
        rows.append(shown_row(point, "commissioner", COMMISSIONER))
        rows.append(shown_row(point, "provider", PROVIDER))
        if point == "upstream":
            rows.append(shown_row(point, "lived_experience", LIVED))
        else:
            rows.append(withheld_row(point, "lived_experience"))
    return pd.DataFrame(rows, columns=SUMMARY_COLUMNS)


def make_divergence(framework: Framework, gaps: dict[str, float | None]) -> pd.DataFrame:
    rows = []
    for point in framework.point_keys:
        gap = gaps.get(point)
        insufficient = gap is None
        rows.append(
            {
                "round": ROUND, "learning_point": point, "gap": NAN if insufficient else gap,
                "kruskal_h": NAN if insufficient else 3.1, "p_value": NAN if insufficient else 0.2,
                "epsilon_sq": NAN if insufficient else 0.1,
                "cross_group_consensus": NAN if insufficient else 0.45,
                "status": "insufficient" if insufficient else "divergent" if gap >= 1 else
                "some_divergence" if gap >= 0.5 else "shared",
                "split_within": [], "groups_shown": [] if insufficient else ["commissioner"],
                "n_shown": 24, "all_mean": NAN if insufficient else 3.0,
            }
        )  # fmt: skip
    return pd.DataFrame(rows, columns=DIVERGENCE_COLUMNS)


@pytest.fixture
def summary(framework) -> pd.DataFrame:
    return make_summary(framework)


def titles(framework: Framework) -> list[str]:
    return [p.title for p in framework.learning_points]


# Palette


def test_standard_groups_have_the_okabe_ito_colours():
    assert charts.group_colour("commissioner") == "#0072B2"
    assert charts.group_colour("provider") == "#E69F00"
    assert charts.group_colour("lived_experience") == "#009E73"


def test_added_groups_take_distinct_unused_colours_and_symbols(framework):
    extra = [charts.group_colour(k) for k in ("public_agency", "other", "carers")]
    assert not set(extra) & set(charts.GROUP_COLOURS.values())
    assert charts.group_colour("public_agency") == charts.group_colour("public_agency")
    symbols = {charts.group_symbol(k) for k in framework.group_keys}
    assert len(symbols) == len(framework.group_keys)


def test_scale_colours_run_from_orange_to_purple(framework):
    colours = charts.scale_colours(framework)
    assert list(colours) == [1, 2, 3, 4, 5]
    assert colours[1] == "#e66101" and colours[5] == "#5e3c99"


# Average score of each group (the score levels heatmap)


def test_score_levels_rows_follow_framework_order_and_columns_group_order(framework, summary):
    heat = charts.score_levels_heatmap(summary, framework).data[0]
    assert list(heat.y) == titles(framework)
    assert list(heat.x) == ["Commissioners", "Service providers", "Lived experience"]


def test_score_levels_values_are_the_group_means(framework, summary):
    heat = charts.score_levels_heatmap(summary, framework).data[0]
    assert heat.z[0][0] == pytest.approx(43 / 12)
    assert heat.z[0][1] == pytest.approx(29 / 12)
    assert heat.z[0][2] == pytest.approx(26 / 6)
    assert "n = 12" in heat.text[0][0] and "3.6" in heat.text[0][0]


def test_score_levels_colour_scale_is_centred_on_the_middle_of_the_scale(framework, summary):
    heat = charts.score_levels_heatmap(summary, framework).data[0]
    assert (heat.zmin, heat.zmid, heat.zmax) == (1, 3, 5)


def test_score_levels_withheld_cells_carry_no_value_and_say_why(framework, summary):
    fig = charts.score_levels_heatmap(summary, framework)
    heat, marker = fig.data
    assert [row[2] for row in heat.z[1:]] == [None] * 7
    assert heat.text[1][2] == ""
    assert marker.name == "Withheld"
    assert "withheld: fewer than 5 responses" in marker.text[1][2].replace("<br>", " ")
    assert marker.z[0][2] is None and marker.z[0][0] is None


def test_score_levels_without_withheld_cells_has_no_marker_layer(framework, summary):
    shown = summary[summary["group"] != "lived_experience"]
    assert len(charts.score_levels_heatmap(shown, framework).data) == 1


def headers(fig) -> list[str]:
    """The labels written level above the plot in place of a y axis title."""
    return [a.text for a in fig.layout.annotations if a.name == "axis header"]


def test_score_levels_has_title_and_axis_titles(framework, summary):
    fig = charts.score_levels_heatmap(summary, framework)
    assert fig.layout.title.text == f"Average score of each group on each learning point: {ROUND}"
    assert fig.layout.xaxis.title.text == "Stakeholder group"
    assert headers(fig) == ["<b>Learning point</b>"]
    assert fig.layout.yaxis.title.text is None  # never turned on its side


def test_score_levels_column_labels_are_level_in_short_lines(framework, summary):
    fig = charts.score_levels_heatmap(summary, framework)
    assert fig.layout.xaxis.tickangle == 0
    assert list(fig.layout.xaxis.ticktext) == [
        "Commissioners", "Service<br>providers", "Lived<br>experience"
    ]  # fmt: skip
    assert fig.layout.font.size >= 16


def test_score_levels_hover_is_a_plain_sentence(framework, summary):
    heat = charts.score_levels_heatmap(summary, framework).data[0]
    assert heat.customdata[0][1] == (
        "Service providers on “Start 'upstream'”: average 2.4 from 12 scores, "
        "closest to 'Starting to happen'"
    )


# Gap ranking

GAPS = {
    "upstream": 0.4,
    "right_people": 1.3,
    "realistic": 0.7,
    "difference": None,
    "assets": 1.3,
    "messiness": 0.2,
    "focus": 0.9,
    "impact": None,
}
RANKED = ["right_people", "assets", "focus", "realistic", "upstream", "messiness",
          "difference", "impact"]  # fmt: skip


def ranked_titles(framework: Framework) -> list[str]:
    return [framework.point(k).title for k in RANKED]


def group_traces(fig) -> list:
    return [t for t in fig.data if t.meta and "group" in t.meta]


def row_titles(fig) -> list[str]:
    """The learning point titles of the gap ranking's rows, top to bottom."""
    return [
        label.split("<b>")[1].split("</b>")[0].replace("<br>", " ")
        for label in fig.layout.yaxis.ticktext
    ]


def row_notes(fig) -> list[str]:
    """What each row of the gap ranking says under its title: the gap and status, and
    the groups withheld on that point."""
    return [
        label.split("px'>")[2].removesuffix("</span>").replace("<br>", " / ")
        for label in fig.layout.yaxis.ticktext
    ]


def test_gap_ranking_lists_largest_gap_first_and_insufficient_last(framework, summary):
    fig = charts.gap_ranking(summary, make_divergence(framework, GAPS), framework)
    assert fig.layout.meta["ranked_points"] == RANKED
    assert row_titles(fig) == ranked_titles(framework)
    assert list(fig.layout.yaxis.tickvals) == list(range(8))
    assert fig.layout.yaxis.range == (7.5, -0.5)  # row 0, the largest gap, at the top


def test_gap_ranking_keeps_equal_means_of_different_groups_visible(framework, summary):
    fig = charts.gap_ranking(summary, make_divergence(framework, GAPS), framework)
    rows_of_each_group = [t.y for t in group_traces(fig)]
    assert len({ys[0] for ys in rows_of_each_group}) == 3
    assert all(abs(y - row) < 0.5 for ys in rows_of_each_group for row, y in enumerate(ys))


def test_gap_ranking_has_one_trace_per_group_in_its_colour_and_symbol(framework, summary):
    fig = charts.gap_ranking(summary, make_divergence(framework, GAPS), framework)
    traces = group_traces(fig)
    assert [t.meta["group"] for t in traces] == framework.group_keys
    assert [t.marker.color for t in traces] == ["#0072B2", "#E69F00", "#009E73"]
    assert len({t.marker.symbol for t in traces}) == 3


def test_gap_ranking_dots_are_the_group_means_in_ranked_order(framework, summary):
    fig = charts.gap_ranking(summary, make_divergence(framework, GAPS), framework)
    commissioner, provider, lived = group_traces(fig)
    assert list(commissioner.x) == pytest.approx([43 / 12] * 8)
    assert list(provider.x) == pytest.approx([29 / 12] * 8)
    # lived experience is shown only for 'upstream', ranked fifth
    assert [x is not None for x in lived.x] == [i == 4 for i in range(8)]
    assert lived.x[4] == pytest.approx(26 / 6)


def test_gap_ranking_line_spans_lowest_to_highest_group_mean(framework, summary):
    fig = charts.gap_ranking(summary, make_divergence(framework, GAPS), framework)
    line = fig.data[0]
    assert line.mode == "lines"
    segments = [tuple(line.x[i : i + 2]) for i in range(0, len(line.x), 3)]
    assert segments[0] == pytest.approx((29 / 12, 43 / 12))
    upstream = segments[RANKED.index("upstream")]
    assert upstream == pytest.approx((29 / 12, 26 / 6))


def test_gap_ranking_writes_each_gap_and_marks_points_that_cannot_be_compared(framework, summary):
    fig = charts.gap_ranking(summary, make_divergence(framework, GAPS), framework)
    notes = row_notes(fig)
    assert notes[0] == "<b>gap 1.30</b> · Groups diverge"
    assert notes[4] == "<b>gap 0.40</b> · Shared view"
    assert [charts.NOT_ENOUGH_GROUPS in n for n in notes] == [False] * 6 + [True] * 2


def test_gap_ranking_status_names_the_group_withheld_on_that_point(framework, summary):
    divergence = make_divergence(framework, GAPS)
    divergence["groups_withheld"] = [
        [] if point == "upstream" else ["lived_experience"]
        for point in divergence["learning_point"]
    ]
    fig = charts.gap_ranking(summary, divergence, framework)
    notes = row_notes(fig)
    assert notes[0] == "<b>gap 1.30</b> · Groups diverge / <i>lived experience withheld</i>"
    assert notes[4] == "<b>gap 0.40</b> · Shared view"  # upstream: every group shown


def test_gap_ranking_names_a_group_withheld_everywhere_in_the_legend_only(framework, summary):
    withheld = lived_experience_withheld_everywhere(summary)
    divergence = make_divergence(framework, GAPS)
    divergence["groups_withheld"] = [["lived_experience"]] * len(divergence)
    fig = charts.gap_ranking(withheld, divergence, framework)
    assert not any("withheld" in note for note in row_notes(fig))
    assert group_traces(fig)[2].name == "Lived experience (withheld)"


def test_gap_ranking_axis_ticks_are_the_scale_labels(framework, summary):
    fig = charts.gap_ranking(summary, make_divergence(framework, GAPS), framework)
    assert list(fig.layout.xaxis.tickvals) == [1, 2, 3, 4, 5]
    assert "Not yet" in fig.layout.xaxis.ticktext[0]
    assert fig.layout.xaxis.title.text.startswith("Average score of each group<br>")
    assert fig.layout.xaxis.tickangle == 0  # never turned to fit
    assert headers(fig) == ["<b>Learning point</b>"]
    assert fig.layout.yaxis.title.text is None
    assert "largest gap first" in fig.layout.title.text


def test_gap_ranking_legend_is_under_the_plot_and_the_title_at_the_top(framework, summary):
    fig = charts.gap_ranking(summary, make_divergence(framework, GAPS), framework)
    legend = fig.layout.legend
    assert (legend.orientation, legend.yref, legend.y, legend.yanchor) == (
        "h", "container", 0, "bottom"
    )  # fmt: skip
    title = fig.layout.title
    assert (title.yref, title.y, title.yanchor) == ("container", 1, "top")
    assert fig.layout.margin.r == 20  # no column of words beside the plot


def test_gap_ranking_whiskers_span_each_groups_interval(framework, summary):
    fig = charts.gap_ranking(summary, make_divergence(framework, GAPS), framework)
    commissioner, provider, lived = group_traces(fig)
    for trace in (commissioner, provider):
        assert trace.error_x.symmetric is False
        assert list(trace.error_x.array) == pytest.approx([ABOVE] * 8)
        assert list(trace.error_x.arrayminus) == pytest.approx([BELOW] * 8)
        assert trace.error_x.color == trace.marker.color
    # mean +- arms = mean_low and mean_high of the summary
    low = commissioner.x[0] - commissioner.error_x.arrayminus[0]
    high = commissioner.x[0] + commissioner.error_x.array[0]
    assert (low, high) == pytest.approx((43 / 12 - BELOW, 43 / 12 + ABOVE))
    # lived experience: a whisker only where it is shown ('upstream', ranked fifth)
    assert [a is not None for a in lived.error_x.array] == [i == 4 for i in range(8)]
    assert [a is not None for a in lived.error_x.arrayminus] == [i == 4 for i in range(8)]


def test_gap_ranking_hover_says_the_interval_in_words(framework, summary):
    fig = charts.gap_ranking(summary, make_divergence(framework, GAPS), framework)
    commissioner, _, lived = group_traces(fig)
    assert commissioner.customdata[0] == (
        "Commissioners on “Get the right people in the room”: average 3.6 from 12 scores; "
        "its true average very likely lies between 3.1 and 3.8"
    )
    assert (
        lived.customdata[0] == "Lived experience on “Get the right people in the room”: not shown"
    )


def test_gap_ranking_says_under_its_axis_what_a_whisker_means(framework, summary):
    fig = charts.gap_ranking(summary, make_divergence(framework, GAPS), framework)
    assert fig.layout.xaxis.title.text == (
        "Average score of each group<br>Line through a dot: where the group's average "
        "very likely lies (95%)"
    )


def test_gap_ranking_draws_no_whisker_without_an_interval(framework, summary):
    one_score = summary.assign(mean_low=NAN, mean_high=NAN)
    fig = charts.gap_ranking(one_score, make_divergence(framework, GAPS), framework)
    assert all(a is None for t in group_traces(fig) for a in t.error_x.array)
    assert fig.layout.xaxis.title.text == "Average score of each group"


def lived_experience_withheld_everywhere(summary: pd.DataFrame) -> pd.DataFrame:
    return pd.DataFrame(
        [
            withheld_row(r["learning_point"], r["group"]) if r["group"] == "lived_experience" else r
            for r in summary.to_dict("records")
        ]
    )


def test_gap_ranking_legend_marks_a_group_withheld_everywhere(framework, summary):
    withheld = lived_experience_withheld_everywhere(summary)
    fig = charts.gap_ranking(withheld, make_divergence(framework, GAPS), framework)
    assert group_traces(fig)[2].name == "Lived experience (withheld)"


def test_gap_ranking_centres_the_dots_when_a_group_is_withheld_everywhere(framework, summary):
    withheld = lived_experience_withheld_everywhere(summary)
    fig = charts.gap_ranking(withheld, make_divergence(framework, GAPS), framework)
    commissioner, provider, _ = group_traces(fig)
    assert commissioner.y[0] == pytest.approx(-provider.y[0])
    assert commissioner.y[0] != 0


# Distribution bars


def bars_by_value(fig) -> dict[int, object]:
    return {t.meta["scale_value"]: t for t in fig.data}


def test_distribution_bars_have_one_trace_per_scale_value_named_by_label(framework, summary):
    fig = charts.distribution_bars(summary, framework, "upstream")
    traces = bars_by_value(fig)
    assert list(traces) == [1, 2, 3, 4, 5]
    assert traces[1].name == "1 · Not yet happening"
    assert traces[5].marker.color == "#5e3c99"


def test_distribution_bar_shares_sum_to_100_per_group(framework, summary):
    fig = charts.distribution_bars(summary, framework, "upstream")
    for i in range(3):
        assert sum(t.x[i] for t in fig.data) == pytest.approx(100)


def test_distribution_bars_split_the_middle_score_across_zero(framework, summary):
    traces = bars_by_value(charts.distribution_bars(summary, framework, "upstream"))
    provider = 1
    middle = traces[3]
    assert middle.x[provider] == pytest.approx(25)
    assert middle.base[provider] == pytest.approx(-12.5)
    assert traces[1].base[provider] == pytest.approx(-(25 + 100 * 4 / 12 + 12.5))
    assert traces[4].base[provider] == pytest.approx(12.5)


def test_distribution_bars_show_a_withheld_group_as_an_empty_labelled_row(framework, summary):
    fig = charts.distribution_bars(summary, framework, "realistic")
    rows = list(fig.layout.yaxis.categoryarray)
    assert len(rows) == 3 and "withheld" in rows[2]
    for trace in fig.data:
        assert rows[2] not in trace.y
        assert len(trace.x) == 2
    notes = [a.text for a in fig.layout.annotations if a.name != "axis header"]
    assert notes == ["<i>withheld: fewer than 5 responses</i>"]


def test_distribution_bars_have_titles_and_axis_titles(framework, summary):
    fig = charts.distribution_bars(summary, framework, "realistic")
    assert fig.layout.title.text == "How each group answered “Be realistic”: Spring 2026"
    assert "Share of scores" in fig.layout.xaxis.title.text
    assert headers(fig) == ["<b>Group</b>"]
    assert fig.layout.yaxis.categoryarray[0] == "Commissioners<br>n = 12"


def test_distribution_bars_never_turn_a_share_to_fit_it_in_its_bar(framework, summary):
    fig = charts.distribution_bars(summary, framework, "upstream")
    assert {trace.textangle for trace in fig.data} == {0}
    # A share too small to be written level in its bar is hidden, never shrunk below this.
    assert fig.layout.uniformtext.mode == "hide"
    assert fig.layout.uniformtext.minsize == charts.BASE_FONT_SIZE - 2
    assert fig.layout.legend.yref == "container" and fig.layout.legend.y == 0


def test_figures_of_an_empty_summary_say_there_is_nothing_to_show(framework):
    empty = pd.DataFrame(columns=SUMMARY_COLUMNS)
    no_divergence = pd.DataFrame(columns=DIVERGENCE_COLUMNS)
    for fig in (
        charts.score_levels_heatmap(empty, framework),
        charts.gap_ranking(empty, no_divergence, framework),
        charts.distribution_bars(empty, framework, "upstream"),
    ):
        assert fig.data == ()
        assert fig.layout.annotations[0].text == "No results to show."


def test_no_figure_holds_a_number_for_a_withheld_group(framework, summary):
    divergence = make_divergence(framework, GAPS)
    lived_column = [row[2] for row in charts.score_levels_heatmap(summary, framework).data[0].z]
    assert all(v is None for v in lived_column[1:])
    lived = group_traces(charts.gap_ranking(summary, divergence, framework))[2]
    assert sum(x is not None and not math.isnan(x) for x in lived.x) == 1
    assert sum(a is not None for a in lived.error_x.array) == 1


def test_a_title_too_long_for_one_line_breaks_before_the_round_name():
    short = "How each group answered “Be realistic”: Spring 2026"
    assert charts.title_lines(short) == short
    long = "How each group answered “Get the right people in the room, every time”: Spring 2026"
    assert charts.title_lines(long) == (
        "How each group answered “Get the right people in the room, every time”:<br>Spring 2026"
    )


def test_a_two_line_title_makes_the_figure_taller_not_the_plot_shorter():
    one = charts.base_layout(go.Figure(), title="Short: Spring 2026", height=500)
    two = charts.base_layout(go.Figure(), title="x" * 80 + ": Spring 2026", height=500)
    assert two.layout.height - one.layout.height == charts.TITLE_LINE
    assert two.layout.margin.t - one.layout.margin.t == charts.TITLE_LINE

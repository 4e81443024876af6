"""The meeting, trends and participation figures (meeting_charts).

Hand-made frames: each whisker must span exactly the summary's ``mean_low`` to
``mean_high``, and a withheld group or round gets none; rows are named above their dots,
captions come in short lines, counts sit clear of the expected tick and the legend says
what hatching means.
"""

from __future__ import annotations

import re

import pandas as pd
import pytest

from collab.present import charts, meeting_charts
from collab.stats import trends

NAN = float("nan")
ROUNDS = ["Autumn 2025", "Spring 2026"]
WITHHELD = "fewer than 5 scores"


def summary_rows(cells: list[tuple[str, float, int, float, float, bool]]) -> pd.DataFrame:
    """(group, mean, n, mean_low, mean_high, suppressed) rows of the point 'upstream'."""
    return pd.DataFrame(
        [
            {
                "round": "Spring 2026", "learning_point": "upstream", "group": group,
                "n": NAN if hidden else n, "mean": NAN if hidden else mean,
                "mean_low": NAN if hidden else low, "mean_high": NAN if hidden else high,
                "suppressed": hidden, "reason": "fewer than 5 scores" if hidden else "",
            }
            for group, mean, n, low, high, hidden in cells
        ]
    )  # fmt: skip


POSITIONS = summary_rows(
    [
        ("commissioner", 4.0, 12, 3.5, 4.4, False),
        ("provider", 3.0, 30, 2.8, 3.3, False),
        ("lived_experience", 2.0, 4, 0, 0, True),
    ]
)


def test_group_positions_whiskers_span_each_groups_interval(framework):
    fig = meeting_charts.group_positions(POSITIONS, framework, "upstream")
    dots = {t.meta["group"]: t for t in fig.data}
    assert list(dots) == ["commissioner", "provider"]  # lived experience: withheld, no dot
    commissioner = dots["commissioner"]
    assert commissioner.error_x.arrayminus[0] == pytest.approx(0.5)
    assert commissioner.error_x.array[0] == pytest.approx(0.4)
    provider = dots["provider"]
    low = provider.x[0] - provider.error_x.arrayminus[0]
    high = provider.x[0] + provider.error_x.array[0]
    assert (low, high) == pytest.approx((2.8, 3.3))


def test_group_positions_hover_and_caption_say_what_the_whisker_means(framework):
    fig = meeting_charts.group_positions(POSITIONS, framework, "upstream")
    commissioner = fig.data[0]
    assert commissioner.customdata[0] == (
        "Commissioners: average 4.0 from 12 scores; its true average very likely lies "
        "between 3.5 and 4.4"
    )
    texts = [a.text.replace("<br>", " ") for a in fig.layout.annotations]
    assert f"<i>{charts.WHISKER_KEY}</i>" in texts
    assert "<i>not shown: fewer than 5 scores</i>" in texts


def test_group_positions_of_a_small_group_say_the_range_is_wide(framework):
    small = summary_rows(
        [("commissioner", 4.0, 6, 3.0, 5.0, False), ("provider", 3, 9, 2, 4, False)]
    )
    fig = meeting_charts.group_positions(small, framework, "upstream")
    assert fig.data[0].customdata[0].endswith("(only 6 scores, so the range is wide)")


def make_trends() -> trends.Trends:
    rows = []
    for point in ("upstream",):
        rows += [
            (ROUNDS[0], point, "commissioner", 3.0, 10, False, "", 2.5, 3.6),
            (ROUNDS[1], point, "commissioner", 3.5, 12, False, "", 3.1, 3.8),
            (ROUNDS[0], point, "lived_experience", None, None, True, WITHHELD, None, None),
            (ROUNDS[1], point, "lived_experience", 2.0, 6, False, "", 1.2, 2.9),
        ]  # fmt: skip
    means = pd.DataFrame(rows, columns=trends.MEAN_COLUMNS, dtype=object)
    return trends.Trends(
        rounds=ROUNDS,
        left_out={},
        means=means,
        gaps=pd.DataFrame(columns=trends.GAP_COLUMNS),
        gap_trend=pd.DataFrame(columns=trends.GAP_TREND_COLUMNS),
    )


def upstream_traces(fig) -> dict[str, object]:
    return {
        t.meta["group"]: t
        for t in fig.data
        if t.meta and t.meta.get("learning_point") == "upstream"
    }


def test_trend_whiskers_span_each_rounds_interval_and_skip_a_withheld_round(framework):
    fig = meeting_charts.trend_small_multiples(make_trends(), framework)
    lines = upstream_traces(fig)
    commissioner, lived = lines["commissioner"], lines["lived_experience"]
    assert list(commissioner.y) == [3.0, 3.5]
    assert list(commissioner.error_y.arrayminus) == pytest.approx([0.5, 0.4])
    assert list(commissioner.error_y.array) == pytest.approx([0.6, 0.3])
    assert lived.y[0] is None
    assert lived.error_y.array[0] is None and lived.error_y.arrayminus[0] is None
    assert lived.error_y.arrayminus[1] == pytest.approx(0.8)


def test_trend_groups_sit_apart_within_a_round_so_whiskers_stay_visible(framework):
    lines = upstream_traces(meeting_charts.trend_small_multiples(make_trends(), framework))
    xs = {group: list(t.x) for group, t in lines.items()}
    assert xs["commissioner"][0] < 0 < xs["lived_experience"][0]
    # two groups: one dodge apart, centred on the round
    assert xs["lived_experience"][1] - xs["commissioner"][1] == pytest.approx(
        meeting_charts.TREND_DODGE
    )
    assert xs["commissioner"][1] + xs["lived_experience"][1] == pytest.approx(2)


def test_trend_chart_says_what_a_whisker_means(framework):
    fig = meeting_charts.trend_small_multiples(make_trends(), framework)
    assert f"<i>{charts.WHISKER_KEY}</i>" in [a.text for a in fig.layout.annotations]
    assert list(fig.layout.xaxis.ticktext) == ["Autumn<br>2025", "Spring<br>2026"]


def test_group_positions_name_each_row_above_its_dot_so_the_scale_takes_the_width(framework):
    fig = meeting_charts.group_positions(POSITIONS, framework, "upstream")
    assert fig.layout.yaxis.showticklabels is False
    names = [a.text for a in fig.layout.annotations if a.name == "group name"]
    assert names == [
        "<b>Commissioners</b>: average <b>4.0</b> (n = 12)",
        "<b>Service providers</b>: average <b>3.0</b> (n = 30)",
        "<b>Lived experience</b>: <i>withheld</i>",
    ]
    assert fig.layout.xaxis.tickangle == 0
    # Three rows fit the 520 pixels meeting mode gives the chart on one screen.
    assert fig.layout.height == 520


def test_trend_captions_break_into_short_lines_and_no_axis_title_is_turned(framework):
    fig = meeting_charts.trend_small_multiples(make_trends(), framework)
    first = fig.layout.annotations[0].text
    assert first.startswith("<b>Start 'upstream'</b><br>")
    lines = re.sub(r"<(?!br>)[^>]*>", "", first).split("<br>")
    assert lines[0] == "Start 'upstream'"
    assert max(len(line) for line in lines) <= 20
    assert all(axis.title.text is None for axis in fig.select_yaxes())
    reading = [a.text for a in fig.layout.annotations if a.name == "reading key"]
    assert reading == [f"<i>{meeting_charts.TREND_READING}</i>"]


def by_group(rows: list[tuple[str, str, int, float, bool, bool, str]]) -> pd.DataFrame:
    """(group, name, responses, expected, below expected, below minimum, flag) rows."""
    return pd.DataFrame(
        [
            {
                "stakeholder_group": g, "group_name": name, "responses": n, "expected": e,
                "response_rate": n / e if e == e else NAN, "below_expected": low,
                "below_minimum": small, "flag": flag,
            }
            for g, name, n, e, low, small, flag in rows
        ]
    )  # fmt: skip


TAKING_PART = by_group(
    [
        ("commissioner", "Commissioners", 11, 14.0, True, False, "below expected"),
        ("provider", "Service providers", 34, 32.0, False, False, ""),
        ("lived_experience", "Lived experience", 4, NAN, False, True, "below minimum"),
    ]
)


def test_participation_counts_sit_past_both_the_bar_and_the_expected_tick(framework):
    fig = meeting_charts.participation_bars(TAKING_PART, min_group_size=5)
    counts = {a.text: a.x for a in fig.layout.annotations if a.xanchor == "left"}
    # Commissioners: 11 answered, the tick at 14 expected; the words start past the tick.
    assert counts == {
        "<b>11</b> of 14 expected": 14,
        "<b>34</b> of 32 expected": 34,
        "<b>4</b>": 4,
    }
    assert fig.data[0].text is None  # no count written on the bar itself


def test_participation_legend_says_what_hatching_and_the_tick_mean(framework):
    fig = meeting_charts.participation_bars(TAKING_PART, min_group_size=5)
    bars = fig.data[0]
    assert list(bars.marker.pattern.shape) == ["/", "", "/"]
    in_legend = [t.name for t in fig.data if t.showlegend is not False]
    assert in_legend == [
        "Hatched bar: fewer than expected, or below the minimum (5)",
        "Expected number",
    ]
    assert fig.layout.legend.orientation == "h" and fig.layout.legend.yref == "container"


def test_participation_legend_has_no_hatching_entry_when_no_bar_is_hatched(framework):
    enough = TAKING_PART.assign(below_expected=False, below_minimum=False)
    fig = meeting_charts.participation_bars(enough, min_group_size=5)
    assert [t.name for t in fig.data if t.showlegend is not False] == ["Expected number"]


def test_trend_legend_sits_under_the_title_above_the_small_charts(framework):
    fig = meeting_charts.trend_small_multiples(make_trends(), framework)
    legend = fig.layout.legend
    assert (legend.orientation, legend.yref, legend.yanchor) == ("h", "container", "top")
    # Its top is where the title's room ends, in pixels from the top of the figure.
    assert (1 - legend.y) * fig.layout.height == pytest.approx(charts.TITLE_SPACE)

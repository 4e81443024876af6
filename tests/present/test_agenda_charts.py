"""The agenda map and a group's own view (collab.present.agenda_charts), from hand-made frames.

Each test checks the figure's data: where each point sits, in which order, with which
colour and symbol, what the labels and titles say, that labels never overlap, and that a
withheld group gets no value.
"""

from __future__ import annotations

import itertools

import pandas as pd
import pytest

from collab.present import agenda_charts
from collab.present.agenda_charts import Box
from collab.stats import agenda

ROUND = "Spring 2026"
NAN = float("nan")

C, P, L = "commissioner", "provider", "lived_experience"
# (point, status, band, level, gap, highest (mean), lowest (mean), withheld)
POINTS = [
    ("upstream", "shared", "strength", 4.3, 0.2, (C, 4.4), (P, 4.2), []),
    ("right_people", "divergent", "developing", 3.4, 1.2, (C, 4.0), (L, 2.8), []),
    ("realistic", "divergent", "concern", 2.5, 1.1, (P, 3.0), (L, 1.9), []),
    ("difference", "divergent", "concern", 2.8, 1.6, (C, 3.6), (L, 2.0), []),
    ("assets", "some_divergence", "concern", 2.2, 0.6, (P, 2.5), (C, 1.9), []),
    ("messiness", "insufficient", "developing", 3.5, NAN, ("", NAN), ("", NAN), [L, P]),
    ("focus", "shared", "concern", 2.6, 0.3, (C, 2.7), (P, 2.4), [L]),
    ("impact", "some_divergence", "strength", 4.2, 0.9, (L, 4.6), (P, 3.7), []),
]
AGENDA_ORDER = [
    "difference", "realistic", "right_people", "assets", "impact", "focus", "upstream",
    "messiness",
]  # fmt: skip


def make_divergence(points=POINTS) -> pd.DataFrame:
    groups = [C, P, L]
    return pd.DataFrame(
        [
            {
                "round": ROUND, "learning_point": point, "gap": gap, "status": status,
                "level_band": band, "all_mean": level,
                "highest_group": high[0], "highest_mean": high[1],
                "lowest_group": low[0], "lowest_mean": low[1],
                "groups_withheld": withheld,
                "groups_shown": [g for g in groups if g not in withheld],
            }
            for point, status, band, level, gap, high, low, withheld in points
        ]
    )  # fmt: skip


def status_traces(fig) -> dict[str, object]:
    return {t.meta["status"]: t for t in fig.data}


# Agenda map


def test_agenda_map_places_each_point_by_level_and_gap(framework):
    traces = status_traces(agenda_charts.agenda_map(make_divergence(), framework))
    assert list(traces) == ["divergent", "some_divergence", "shared"]
    divergent = traces["divergent"]
    assert divergent.meta["points"] == ["difference", "realistic", "right_people"]
    assert list(divergent.x) == [2.8, 2.5, 3.4]
    assert list(divergent.y) == [1.6, 1.1, 1.2]
    assert traces["shared"].meta["points"] == ["focus", "upstream"]
    assert list(traces["shared"].x) == [2.6, 4.3]


def test_agenda_map_tells_statuses_apart_by_colour_and_symbol(framework):
    traces = status_traces(agenda_charts.agenda_map(make_divergence(), framework))
    assert [t.name for t in traces.values()] == ["Groups diverge", "Some divergence", "Shared view"]
    assert [t.marker.color for t in traces.values()] == ["#D55E00", "#CC79A7", "#0072B2"]
    assert len({t.marker.symbol for t in traces.values()}) == 3


def test_agenda_map_labels_points_with_their_place_in_the_order(framework):
    fig = agenda_charts.agenda_map(make_divergence(), framework)
    assert fig.layout.meta["agenda_points"] == AGENDA_ORDER
    labels = [a.text for a in fig.layout.annotations if a.showarrow]
    assert labels[0] == "<b>1</b> · Recognise difference"
    assert labels[2] == "<b>3</b> · Get the right people<br>in the room"
    assert [label.split("</b>")[0] for label in labels] == [f"<b>{i}" for i in range(1, 8)]


def test_agenda_map_leaves_out_points_without_a_gap_and_says_so(framework):
    fig = agenda_charts.agenda_map(make_divergence(), framework)
    assert "messiness" not in fig.layout.meta["placed_points"]
    notes = [a.text for a in fig.layout.annotations if "Not on the map" in a.text]
    assert notes == [
        "<i>Not on the map (fewer than two groups can be shown): Learn in the messiness</i>"
    ]


def test_agenda_map_shades_the_level_bands_and_draws_the_divergence_thresholds(framework):
    fig = agenda_charts.agenda_map(make_divergence(), framework)
    rects = [s for s in fig.layout.shapes if s.type == "rect"]
    assert [(r.x0, r.x1) for r in rects] == [(1, 3.0), (3.0, 4.0), (4.0, 5)]
    lines = [s for s in fig.layout.shapes if s.type == "line"]
    assert sorted(line.y0 for line in lines) == [0.5, 1.0]
    texts = [a.text for a in fig.layout.annotations]
    assert "<b>A concern</b><br>level below 3.0" in texts
    assert "<b>A strength</b><br>level 4.0 or higher" in texts
    assert "groups diverge from a gap of 1.00" in texts
    assert "some divergence from a gap of 0.50" in texts


def test_agenda_map_has_a_title_and_axis_titles(framework):
    fig = agenda_charts.agenda_map(make_divergence(), framework)
    assert fig.layout.title.text == f"Where to start: each learning point by level and gap: {ROUND}"
    assert fig.layout.xaxis.title.text == "Level: average score over the groups shown"
    assert fig.layout.yaxis.title.text is None  # never turned on its side: written above
    headers = [a.text for a in fig.layout.annotations if a.name == "axis header"]
    assert headers == ["<b>↑ Gap between the highest and lowest group</b>"]
    assert fig.layout.xaxis.range == (1, 5)


def test_agenda_map_hover_names_the_status_scope_and_who_is_where(framework):
    traces = status_traces(agenda_charts.agenda_map(make_divergence(), framework))
    focus = traces["shared"].customdata[0]
    assert focus == (
        "6 · Stay focused<br>Shared view between commissioners and service providers; "
        "lived experience withheld<br>Level: A concern (2.6); gap 0.30<br>"
        "commissioners highest (2.70), service providers lowest (2.40)"
    )


def boxes_of(fig) -> list[Box]:
    return [Box(*b) for b in fig.layout.meta["label_boxes"]]


def assert_no_overlap(fig) -> None:
    boxes = boxes_of(fig)
    for a, b in itertools.combinations(boxes, 2):
        assert a.overlap(b) == 0
    radius = agenda_charts.MARKER_SIZE / 2
    thresholds = [Box(*b) for b in fig.layout.meta["threshold_boxes"]]
    assert len(thresholds) == 2
    for box in boxes:
        for x, y in fig.layout.meta["point_pixels"]:
            assert box.overlap(Box(x - radius, y - radius, x + radius, y + radius)) == 0
        assert all(box.overlap(words) == 0 for words in thresholds)


def test_agenda_map_labels_overlap_no_other_label_point_or_threshold_words(framework):
    assert_no_overlap(agenda_charts.agenda_map(make_divergence(), framework))


def test_agenda_map_labels_stay_apart_when_points_crowd_together(framework):
    crowded = [
        (p, "divergent", "developing", 3.0 + i * 0.03, 1.2 + (i % 2) * 0.02, h, lo, [])
        for i, (p, _, _, _, _, h, lo, _) in enumerate(POINTS)
        if p != "messiness"
    ]
    assert_no_overlap(agenda_charts.agenda_map(make_divergence(crowded), framework))


def test_agenda_map_threshold_words_move_to_the_right_end_when_a_point_covers_the_left(
    framework,
):
    fig = agenda_charts.agenda_map(make_divergence(), framework)
    words = {a.text: a for a in fig.layout.annotations if "from a gap of" in a.text}
    # 'Focus on assets' (level 2.2, gap 0.6) sits on the left end of the 0.50 line.
    some = words["some divergence from a gap of 0.50"]
    assert (some.x, some.xanchor) == (1, "right")
    radius = agenda_charts.MARKER_SIZE / 2
    for box in (Box(*b) for b in fig.layout.meta["threshold_boxes"]):
        for x, y in fig.layout.meta["point_pixels"]:
            assert box.overlap(Box(x - radius, y - radius, x + radius, y + radius)) == 0


def test_agenda_map_threshold_words_stay_left_when_nothing_covers_them(framework):
    clear = [point for point in POINTS if point[0] not in ("assets", "realistic")]
    fig = agenda_charts.agenda_map(make_divergence(clear), framework)
    anchors = {a.xanchor for a in fig.layout.annotations if "from a gap of" in a.text}
    assert anchors == {"left"}


def test_place_labels_puts_a_lone_label_right_of_its_point():
    (box,) = agenda_charts.place_labels([(100, 100)], [(80, 20)], area=Box(0, 0, 800, 400))
    assert (box.left, box.top, box.right, box.bottom) == (122, 90, 202, 110)


def test_agenda_map_of_a_round_without_results_says_so(framework):
    fig = agenda_charts.agenda_map(make_divergence([]), framework)
    assert fig.data == ()
    assert fig.layout.annotations[0].text == "No results to show."


# A group's own view


def own_view(rows: list[tuple]) -> pd.DataFrame:
    """(point, group mean, others mean, other groups) rows, ranked as group_view ranks them."""
    frame = pd.DataFrame(
        [
            {
                "learning_point": p, "group_mean": mine, "group_n": 12, "others_mean": theirs,
                "others_n": 40, "difference": mine - theirs, "other_groups": others,
            }
            for p, mine, theirs, others in rows
        ]
    )  # fmt: skip
    frame = frame.iloc[frame["difference"].abs().argsort()[::-1]].reset_index(drop=True)
    frame.insert(0, "rank", range(1, len(frame) + 1))
    return frame[agenda.GROUP_VIEW_COLUMNS]


OTHERS = ["provider", "lived_experience"]
VIEW = own_view(
    [
        ("upstream", 4.0, 2.5, OTHERS),
        ("focus", 3.0, 3.4, ["provider"]),
        ("impact", 3.5, 3.45, OTHERS),
    ]
)


def test_own_view_bars_are_the_differences_largest_first(framework):
    fig = agenda_charts.group_view_bars(VIEW, framework, group="commissioner", round_name=ROUND)
    (bars,) = fig.data
    assert bars.meta["points"] == ["upstream", "focus", "impact"]
    assert list(bars.y) == ["Start 'upstream'", "Stay focused", "Rethink 'impact'"]
    assert list(bars.x) == pytest.approx([1.5, -0.4, 0.05])
    assert fig.layout.yaxis.autorange == "reversed"  # the largest at the top


def test_own_view_bars_say_how_far_and_which_way(framework):
    (bars,) = agenda_charts.group_view_bars(VIEW, framework, group="commissioner").data
    assert list(bars.text) == ["<b>1.50</b> higher", "<b>0.40</b> lower", "<b>0.05</b> higher"]
    assert list(bars.marker.color) == ["#0072B2", "#D55E00", "#0072B2"]
    assert list(bars.marker.pattern.shape) == ["", "/", ""]
    assert bars.customdata[1] == (
        "Stay focused: commissioners average 3.00, 0.40 points below the other groups "
        "shown (service providers, 3.40)"
    )


def test_own_view_has_a_title_naming_the_group_and_round(framework):
    fig = agenda_charts.group_view_bars(VIEW, framework, group="commissioner", round_name=ROUND)
    assert fig.layout.title.text == (
        f"Where commissioners stand apart from the other groups: {ROUND}"
    )
    assert "Commissioners lower" in fig.layout.xaxis.title.text
    assert "hatched bars: lower" in fig.layout.xaxis.title.text  # what the hatching means
    assert fig.layout.xaxis.range[0] == -fig.layout.xaxis.range[1]


def test_own_view_of_a_withheld_group_shows_no_value_and_says_why(framework):
    empty = VIEW.iloc[0:0]
    reason = "Nothing to show for lived experience in this round: on every learning point ..."
    fig = agenda_charts.group_view_bars(empty, framework, group="lived_experience", note=reason)
    assert fig.data == ()
    assert fig.layout.annotations[0].text.replace("<br>", " ") == reason


def test_own_view_writes_under_the_bars_which_points_are_missing(framework):
    note = "Not shown for commissioners (fewer than 5 of them gave a score): Be realistic."
    fig = agenda_charts.group_view_bars(VIEW, framework, group="commissioner", note=note)
    assert [a.text for a in fig.layout.annotations] == [f"<i>{note}</i>"]


def test_agenda_map_labels_keep_clear_of_the_threshold_words(framework):
    # Just above the threshold lines, near the left edge where their words are.
    near_the_words = [
        ("difference", "divergent", "concern", 1.3, 1.05, (C, 2.0), (P, 0.95), []),
        ("realistic", "some_divergence", "concern", 1.2, 0.55, (C, 1.5), (P, 0.95), []),
    ]
    assert_no_overlap(agenda_charts.agenda_map(make_divergence(near_the_words), framework))

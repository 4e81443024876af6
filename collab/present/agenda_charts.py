"""Figures of the leadership agenda: pure plotly builders, no Streamlit.

``agenda_map`` places every learning point by level (the mean over the shown groups) and
gap, over the framework's level bands and divergence thresholds; ``group_view_bars``
shows how far one group stands from the others on each point. Both follow
``collab.present.charts``: projector-sized type, plain-language hover, Okabe-Ito colours
with a marker symbol or a side of the axis as well, so nothing rests on colour alone.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pandas as pd
import plotly.graph_objects as go

from collab.present.charts import (
    BASE_FONT_SIZE,
    TEXT_DARK,
    TITLE_SPACE,
    axis_header,
    base_layout,
    empty_figure,
    horizontal_rule,
    legend_below,
    vertical_band,
    vertical_rule,
    wrap,
)
from collab.stats import agenda, readings
from collab.store.framework import Framework

# Status of a point on the agenda map: colour (matching the status badges) and symbol.
STATUS_COLOURS = {
    "divergent": "#D55E00",
    "some_divergence": "#CC79A7",
    "shared": "#0072B2",
}
STATUS_SYMBOLS = {
    "divergent": "diamond",
    "some_divergence": "triangle-up",
    "shared": "circle",
}
# Level bands, shaded lightly behind the points; each is also written at the top.
BAND_COLOURS = {
    "concern": "#fbe9df",
    "developing": "#f4f4f4",
    "strength": "#e3eef8",
}
THRESHOLD_COLOUR = "#595959"
LABEL_FONT_SIZE = BASE_FONT_SIZE - 2
THRESHOLD_FONT_SIZE = BASE_FONT_SIZE - 4
MARKER_SIZE = 24
# Labels break into lines of at most this many characters.
SHORT_TITLE_WIDTH = 20

# The plot area the labels are placed in, in pixels. The height is the figure's; the
# width is the narrowest screen's (a 1280-pixel one with the menu open: a wider one only
# moves the points further apart, never the labels closer together).
MAP_HEIGHT = 730
# Under the plot: the level axis, its title, the note of points not on the map, the legend.
MAP_MARGIN = {"l": 70, "r": 70, "t": 150, "b": 180}
ASSUMED_PLOT_WIDTH = 680
GAP_AXIS_TITLE = "Gap between the highest and lowest group"
# Pixels above the plot that the names of the level bands take.
BAND_NAMES_HEIGHT = 48
# Where a label may go, relative to its point (pixels, y downwards), nearest first.
LABEL_DIRECTIONS = ((1, 0), (-1, 0), (0, -1), (0, 1), (1, -1), (-1, -1), (1, 1), (-1, 1))
LABEL_DISTANCES = (22, 46, 80, 120)
# How close (pixels) a leader line may pass another marker or label.
LINE_MARGIN = 8

# The own view: above the others on the right, below them on the left.
ABOVE_COLOUR = "#0072B2"
BELOW_COLOUR = "#D55E00"


@dataclass(frozen=True)
class Box:
    """A rectangle in pixels (y downwards)."""

    left: float
    top: float
    right: float
    bottom: float

    def overlap(self, other: Box) -> float:
        """The area this box shares with ``other``."""
        width = min(self.right, other.right) - max(self.left, other.left)
        height = min(self.bottom, other.bottom) - max(self.top, other.top)
        return max(width, 0.0) * max(height, 0.0)

    def outside(self, area: Box) -> float:
        """How much of this box lies outside ``area`` (its area minus the shared part)."""
        return (self.right - self.left) * (self.bottom - self.top) - self.overlap(area)


def label_size(text: str, font_size: float = LABEL_FONT_SIZE) -> tuple[float, float]:
    """Width and height in pixels of a plotly label (lines split on ``<br>``), estimated
    generously (0.6 of the font size per character)."""
    lines = text.split("<br>")
    width = max(len(line) for line in lines) * font_size * 0.6 + 8
    return width, len(lines) * font_size * 1.3 + 4


def _candidate(x: float, y: float, size: tuple[float, float], dx: int, dy: int, d: int) -> Box:
    width, height = size
    cx, cy = x + dx * d, y + dy * d
    left = cx if dx > 0 else cx - width if dx < 0 else cx - width / 2
    top = cy if dy > 0 else cy - height if dy < 0 else cy - height / 2
    return Box(left, top, left + width, top + height)


def _crossings(point: tuple[float, float], box: Box, markers: list[Box]) -> int:
    """How many other markers or labels the leader line from ``point`` to ``box`` crosses."""
    x, y = point
    to_x, to_y = (box.left + box.right) / 2, (box.top + box.bottom) / 2
    crossed = 0
    for marker in markers:
        if marker.left <= x <= marker.right and marker.top <= y <= marker.bottom:
            continue  # the point's own marker
        for step in range(1, 40):
            f = step / 40
            px, py = x + (to_x - x) * f, y + (to_y - y) * f
            # A line that only grazes a marker reads as touching it: keep a margin.
            if (
                marker.left - LINE_MARGIN <= px <= marker.right + LINE_MARGIN
                and marker.top - LINE_MARGIN <= py <= marker.bottom + LINE_MARGIN
            ):
                crossed += 1
                break
    return crossed


def place_labels(
    points: list[tuple[float, float]],
    sizes: list[tuple[float, float]],
    *,
    area: Box,
    obstacles: tuple[Box, ...] = (),
    marker_radius: float = MARKER_SIZE / 2 + 2,
) -> list[Box]:
    """A box for each label, beside its point, overlapping no other label or point.

    Greedy, in the order given (the first points get the nearest places): each label
    takes the first of ``LABEL_DIRECTIONS`` x ``LABEL_DISTANCES`` that overlaps no label
    placed so far, no point, none of ``obstacles`` (other text on the plot) and nothing
    outside ``area``, and whose leader line crosses none of them; when none is free, the
    one overlapping least (then crossing least).
    """
    markers = [
        Box(x - marker_radius, y - marker_radius, x + marker_radius, y + marker_radius)
        for x, y in points
    ] + list(obstacles)
    placed: list[Box] = []
    for (x, y), size in zip(points, sizes, strict=True):
        best: tuple[tuple[float, int], Box] | None = None
        for d in LABEL_DISTANCES:
            for dx, dy in LABEL_DIRECTIONS:
                box = _candidate(x, y, size, dx, dy, d)
                overlap = (
                    sum(box.overlap(b) for b in placed)
                    + sum(box.overlap(m) for m in markers)
                    + box.outside(area)
                )
                # Overlapping text is worse than a leader line crossing something.
                clash = (overlap, _crossings((x, y), box, markers + placed))
                if best is None or clash < best[0]:
                    best = (clash, box)
                if clash == (0, 0):
                    break
            if best is not None and best[0] == (0, 0):
                break
        assert best is not None
        placed.append(best[1])
    return placed


def _map_ranges(framework: Framework, gaps: list[float]) -> tuple[list[float], list[float]]:
    t = framework.thresholds
    top = max([t.divergent_gap * 1.5, *(g * 1.15 for g in gaps)])
    return [framework.scale_min, framework.scale_max], [0.0, top]


def _short_title(framework: Framework, key: str) -> str:
    return wrap(framework.point(key).title, SHORT_TITLE_WIDTH)


def agenda_map(divergence: pd.DataFrame, framework: Framework) -> go.Figure:
    """Each learning point of one round placed by level (x) and gap (y).

    ``divergence`` holds the rows of one round (``point_divergence``). The level is the
    mean over the shown groups; the plot is shaded in the framework's level bands
    (concern, developing, strength), each named at the top, with the divergence
    thresholds as labelled lines. A point is a marker in its status's colour and symbol
    (one legend entry per status), labelled "order · short title" (order of discussion,
    ``collab.stats.agenda.agenda``) beside it, the labels placed so that none overlaps
    another or a point. Points without a gap (fewer than two groups shown) are not
    placed; a note under the plot names them. ``layout.meta`` holds the points in
    agenda order and the label boxes (pixels).
    """
    round_name = str(divergence["round"].iloc[0]) if len(divergence) else ""
    title = "Where to start: each learning point by level and gap"
    if round_name:
        title += f": {round_name}"
    if divergence.empty:
        return empty_figure(title, "No results to show.")
    ordered = agenda.agenda(divergence, framework=framework)
    rows = divergence.set_index("learning_point")
    placed = ordered[ordered["status"] != "insufficient"].dropna(subset=["gap", "level"])
    left_out = [p for p in ordered["learning_point"] if p not in set(placed["learning_point"])]
    t = framework.thresholds
    x_range, y_range = _map_ranges(framework, [float(g) for g in placed["gap"]])

    fig = go.Figure()
    # Shapes and annotations are gathered here and given to the figure at once: added one
    # by one, plotly checks every earlier one again each time.
    shapes: list[dict[str, Any]] = []
    annotations: list[dict[str, Any]] = []
    bands = [
        ("concern", x_range[0], t.developing_from, f"below {t.developing_from:.1f}"),
        (
            "developing",
            t.developing_from,
            t.strength_from,
            f"{t.developing_from:.1f} to {t.strength_from:.1f}",
        ),
        ("strength", t.strength_from, x_range[1], f"{t.strength_from:.1f} or higher"),
    ]
    for band, x0, x1, span in bands:
        shapes.append(vertical_band(x0, x1, colour=BAND_COLOURS[band]))
        annotations.append(
            {
                "x": (x0 + x1) / 2,
                "y": 1,
                "xref": "x",
                "yref": "paper",
                "yanchor": "bottom",
                "text": f"<b>{readings.level_band_label(band)}</b><br>level {span}",
                "showarrow": False,
                "font": {"size": BASE_FONT_SIZE - 2},
            }
        )
    plot = Box(0, 0, ASSUMED_PLOT_WIDTH, MAP_HEIGHT - MAP_MARGIN["t"] - MAP_MARGIN["b"])

    def to_pixels(level: float, gap: float) -> tuple[float, float]:
        x = (level - x_range[0]) / (x_range[1] - x_range[0]) * plot.right
        y = (1 - (gap - y_range[0]) / (y_range[1] - y_range[0])) * plot.bottom
        return x, y

    points = [to_pixels(float(r["level"]), float(r["gap"])) for r in placed.to_dict("records")]
    markers = [
        Box(x - MARKER_SIZE / 2, y - MARKER_SIZE / 2, x + MARKER_SIZE / 2, y + MARKER_SIZE / 2)
        for x, y in points
    ]
    threshold_boxes = []
    for gap, words, dash in (
        (t.some_divergence_gap, "some divergence", "dot"),
        (t.divergent_gap, "groups diverge", "dash"),
    ):
        text = f"{words} from a gap of {readings.gap_text(gap)}"
        width, height = label_size(text, THRESHOLD_FONT_SIZE)
        _, line_y = to_pixels(x_range[0], gap)
        # The words sit at the left end of their line, or at the right end when a point
        # would cover them on the left and not there.
        left = Box(0, line_y - height, width, line_y)
        right = Box(plot.right - width, line_y - height, plot.right, line_y)
        at_right = any(left.overlap(m) for m in markers) and not any(
            right.overlap(m) for m in markers
        )
        shapes.append(horizontal_rule(gap, colour=THRESHOLD_COLOUR, width=2, dash=dash))
        annotations.append(
            {
                "x": 1 if at_right else 0,
                "xref": "paper",
                "xanchor": "right" if at_right else "left",
                "y": gap,
                "yanchor": "bottom",
                "text": text,
                "showarrow": False,
                "font": {"size": THRESHOLD_FONT_SIZE, "color": THRESHOLD_COLOUR},
                "bgcolor": "rgba(255,255,255,0.7)",
            }
        )
        threshold_boxes.append(right if at_right else left)

    for status in STATUS_COLOURS:
        on = placed[placed["status"] == status]
        hover = []
        for item in on.to_dict("records"):
            row = rows.loc[item["learning_point"]]
            where = readings.who_is_where(row, framework=framework)
            level = agenda.level_text(item["level_band"], item["level"], framework=framework)
            hover.append(
                f"{item['order']} · {framework.point(item['learning_point']).title}<br>"
                f"{readings.status_text(row, framework=framework)}<br>"
                f"Level: {level}; "
                f"gap {readings.gap_text(item['gap'])}" + (f"<br>{where}" if where else "")
            )
        fig.add_trace(
            go.Scatter(
                name=readings.status_label(status),
                x=[float(v) for v in on["level"]],
                y=[float(v) for v in on["gap"]],
                mode="markers",
                marker={
                    "color": STATUS_COLOURS[status],
                    "symbol": STATUS_SYMBOLS[status],
                    "size": MARKER_SIZE,
                    "line": {"color": "white", "width": 1.5},
                },
                meta={"status": status, "points": list(on["learning_point"])},
                customdata=hover,
                hovertemplate="%{customdata}<extra></extra>",
                showlegend=True,
            )
        )

    texts = [
        f"<b>{r['order']}</b> · {_short_title(framework, r['learning_point'])}"
        for r in placed.to_dict("records")
    ]
    sizes = [label_size(text.replace("<b>", "").replace("</b>", "")) for text in texts]
    boxes = place_labels(points, sizes, area=plot, obstacles=tuple(threshold_boxes))
    for record, (x, y), text, box in zip(
        placed.to_dict("records"), points, texts, boxes, strict=True
    ):
        centre_x, centre_y = (box.left + box.right) / 2, (box.top + box.bottom) / 2
        annotations.append(
            {
                "x": float(record["level"]),
                "y": float(record["gap"]),
                "text": text,
                "showarrow": True,
                "arrowhead": 0,
                "arrowwidth": 1.5,
                "arrowcolor": "#8c8c8c",
                "standoff": MARKER_SIZE / 2,
                "ax": centre_x - x,
                "ay": centre_y - y,
                "align": "left",
                "font": {"size": LABEL_FONT_SIZE, "color": TEXT_DARK},
                "bgcolor": "rgba(255,255,255,0.85)",
            }
        )
    if left_out:
        names = ", ".join(framework.point(p).title for p in left_out)
        annotations.append(
            {
                "text": f"<i>Not on the map (fewer than two groups can be shown): {names}</i>",
                "x": 0,
                "xref": "paper",
                "xanchor": "left",
                "y": 0,
                "yref": "paper",
                "yanchor": "top",
                "yshift": -104,
                "showarrow": False,
                "font": {"size": BASE_FONT_SIZE - 3},
            }
        )
    fig.update_layout(shapes=shapes, annotations=annotations)

    ticks = [s.value for s in framework.scale]
    fig.update_xaxes(
        title_text="Level: average score over the groups shown",
        range=x_range,
        tickvals=ticks,
        ticktext=[f"<b>{s.value}</b> {wrap(s.label, 14)}" for s in framework.scale],
        tickangle=0,
        # Clear of the gap axis's lowest number, which sits level with the corner.
        ticklabelstandoff=12,
        showgrid=False,
        zeroline=False,
    )
    fig.update_yaxes(range=y_range, tickformat=".1f", gridcolor="#e0e0e0", zeroline=False)
    # The gap axis is named above the plot, over the level bands' names: never on its side.
    axis_header(fig, f"↑ {GAP_AXIS_TITLE}", x=0, xanchor="left", yshift=BAND_NAMES_HEIGHT)
    base_layout(
        fig,
        title=title,
        height=MAP_HEIGHT,
        above=MAP_MARGIN["t"] - TITLE_SPACE,
        below=MAP_MARGIN["b"],
    )
    legend_below(fig)
    fig.update_layout(
        margin={"l": MAP_MARGIN["l"], "r": MAP_MARGIN["r"]},
        meta={
            "agenda_points": list(ordered["learning_point"]),
            "placed_points": list(placed["learning_point"]),
            "label_boxes": [[b.left, b.top, b.right, b.bottom] for b in boxes],
            "threshold_boxes": [[b.left, b.top, b.right, b.bottom] for b in threshold_boxes],
            "point_pixels": [list(p) for p in points],
        },
    )
    return fig


def group_view_bars(
    view: pd.DataFrame, framework: Framework, *, group: str, round_name: str = "", note: str = ""
) -> go.Figure:
    """How far ``group`` stands from the other shown groups on each learning point.

    ``view`` is ``collab.stats.agenda.group_view`` (ranked, largest difference first).
    One horizontal bar per point, the largest at the top: to the right when the group's
    average is above the other groups' (blue), to the left when below (orange), with the
    difference written at its end. ``note`` (why points are missing) is written under
    the plot; with no point to show, the figure says ``note`` instead.
    """
    name = framework.group_name(group)
    title = f"Where {readings.in_sentence(name)} stand apart from the other groups"
    if round_name:
        title += f": {round_name}"
    if view.empty:
        return empty_figure(title, wrap(note or "Nothing to show.", 70))
    labels = [wrap(framework.point(p).title, 26) for p in view["learning_point"]]
    differences = [float(d) for d in view["difference"]]
    texts, hover = [], []
    for row in view.to_dict("records"):
        difference = float(row["difference"])
        size = readings.gap_text(abs(difference))
        side = "higher" if difference > 0 else "lower" if difference < 0 else "the same"
        texts.append(f"<b>{size}</b> {side}" if side != "the same" else "the same")
        hover.append(agenda.group_view_reading(row, group=group, framework=framework))
    fig = go.Figure(
        go.Bar(
            name=name,
            orientation="h",
            y=labels,
            x=differences,
            marker={
                "color": [ABOVE_COLOUR if d >= 0 else BELOW_COLOUR for d in differences],
                "pattern": {"shape": ["" if d >= 0 else "/" for d in differences], "solidity": 0.3},
            },
            text=texts,
            textposition="outside",
            textfont={"size": BASE_FONT_SIZE},
            cliponaxis=False,
            customdata=hover,
            hovertemplate="%{customdata}<extra></extra>",
            meta={"group": group, "points": list(view["learning_point"])},
        )
    )
    largest = max([1.0, *(abs(d) for d in differences)]) * 1.6
    fig.update_layout(shapes=[vertical_rule(0, colour="#404040", width=2)])
    fig.update_xaxes(
        title_text=(
            f"← {name} lower · {name} higher →<br>"
            f"<span style='font-size:{BASE_FONT_SIZE - 3}px'>difference between their average "
            "and the other groups', in points; hatched bars: lower</span>"
        ),
        range=[-largest, largest],
        zeroline=False,
        gridcolor="#e0e0e0",
        automargin=True,
    )
    fig.update_yaxes(autorange="reversed", automargin=True)
    bottom = 60
    if note:
        fig.add_annotation(
            text=f"<i>{wrap(note, 110)}</i>",
            x=0,
            xref="paper",
            xanchor="left",
            y=0,
            yref="paper",
            yanchor="top",
            yshift=-70,
            showarrow=False,
            align="left",
            font={"size": BASE_FONT_SIZE - 3},
        )
        bottom = 130
    base_layout(fig, title=title, height=200 + 62 * len(labels) + bottom, below=bottom)
    fig.update_layout(showlegend=False, bargap=0.35)
    return fig

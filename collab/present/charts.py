"""Figures for the leadership dashboard: pure plotly builders, no Streamlit.

Every builder takes the frames of ``collab.stats.results`` (``summary``, ``divergence``) and the
framework, and returns a ``plotly.graph_objects.Figure`` made to be read on a projector:
a title that says what the figure shows, labelled axes, large type, plain-language hover
text, and groups told apart by marker symbol as well as colour (Okabe-Ito palette, safe for
colour-blind readers). Withheld cells never carry a value; they are marked in words.
"""

from __future__ import annotations

import textwrap
import zlib
from typing import Any

import pandas as pd
import plotly.colors as pcolors
import plotly.graph_objects as go
import plotly.io as pio

from collab.stats.readings import (
    SMALL_GROUP,
    in_sentence,
    is_missing,
    mean_reading,
    status_label,
)
from collab.store.framework import Framework
from collab.store.types import Cell

# Okabe-Ito colours. The three standard groups keep fixed colours; any group a deployment
# adds takes the next unused colour (yellow last: it is faint on white).
GROUP_COLOURS = {
    "commissioner": "#0072B2",
    "provider": "#E69F00",
    "lived_experience": "#009E73",
}
EXTRA_GROUP_COLOURS = ("#D55E00", "#CC79A7", "#56B4E9", "#000000", "#F0E442")
GROUP_SYMBOLS = {
    "commissioner": "circle",
    "provider": "diamond",
    "lived_experience": "square",
}
EXTRA_GROUP_SYMBOLS = ("triangle-up", "x", "star", "cross", "hexagon")

# ColorBrewer PuOr, 5 classes (colour-blind safe): orange for low scores, purple for high.
SCALE_ANCHORS = ("#e66101", "#fdb863", "#f7f7f7", "#b2abd2", "#5e3c99")
HEATMAP_COLOURSCALE = "PuOr"
WITHHELD_COLOUR = "#d0d0d0"
COLOURBAR_LENGTH = 0.75
RANGE_BAND_COLOUR = "#d9d9d9"
# How far apart (in rows) the dots of neighbouring groups sit on one learning point row.
DODGE = 0.24
# Pixels of one learning point row of the gap ranking (at least), and of a line of its label.
ROW_HEIGHT = 72
LINE_HEIGHT = 20
TEXT_DARK = "#1a1a1a"

BASE_FONT_SIZE = 18
TITLE_FONT_SIZE = 22
FONT_FAMILY = "Source Sans Pro, Arial, sans-serif"
NOT_ENOUGH_GROUPS = "not enough groups to compare"


def _extra_index(key: str, framework: Framework | None) -> int:
    extras = [k for k in (framework.group_keys if framework else []) if k not in GROUP_COLOURS]
    if key in extras:
        return extras.index(key)
    return zlib.crc32(key.encode("utf-8"))


def group_colour(key: str, *, framework: Framework | None = None) -> str:
    """The colour of a stakeholder group, the same on every figure.

    Standard groups have fixed colours; other groups take the remaining Okabe-Ito colours
    in framework order (or, for a key the framework does not know, a stable choice).
    """
    if key in GROUP_COLOURS:
        return GROUP_COLOURS[key]
    return EXTRA_GROUP_COLOURS[_extra_index(key, framework) % len(EXTRA_GROUP_COLOURS)]


def group_symbol(key: str, *, framework: Framework | None = None) -> str:
    """The plotly marker symbol of a stakeholder group, so groups differ in greyscale too."""
    if key in GROUP_SYMBOLS:
        return GROUP_SYMBOLS[key]
    return EXTRA_GROUP_SYMBOLS[_extra_index(key, framework) % len(EXTRA_GROUP_SYMBOLS)]


def scale_colours(framework: Framework) -> dict[int, str]:
    """A diverging colour per scale value: orange at the bottom, purple at the top."""
    values = [s.value for s in framework.scale]
    if len(values) == len(SCALE_ANCHORS):
        return dict(zip(values, SCALE_ANCHORS, strict=True))
    colourscale = [[i / (len(SCALE_ANCHORS) - 1), c] for i, c in enumerate(SCALE_ANCHORS)]
    positions = [i / (len(values) - 1) for i in range(len(values))]
    return dict(zip(values, pcolors.sample_colorscale(colourscale, positions), strict=True))


def wrap(text: str, width: int) -> str:
    """``text`` broken into lines of at most ``width`` characters for a plotly label."""
    return "<br>".join(textwrap.wrap(text, width, break_long_words=False)) or text


def _number(value: Cell) -> float | None:
    """A plain float, or None for a missing value (so plotly draws nothing)."""
    if is_missing(value):
        return None
    return float(value)


# Whiskers: the 95% interval of a group's average, drawn as a line through its dot.
WHISKER_KEY = "Line through a dot: where the group's average very likely lies (95%)"
WHISKER_THICKNESS = 2.5
WHISKER_WIDTH = 6


def interval_of(row: object) -> tuple[float, float] | None:
    """(mean_low, mean_high) of a summary row, or None when either end is missing."""
    low = _number(getattr(row, "mean_low", None))
    high = _number(getattr(row, "mean_high", None))
    if low is None or high is None:
        return None
    return low, high


def interval_words(low: float, high: float, n: int | None) -> str:
    """The 95% interval of a group average in words, for a hover label or a caption."""
    text = f"its true average very likely lies between {low:.1f} and {high:.1f}"
    if n is not None and n < SMALL_GROUP:
        text += f" (only {n} scores, so the range is wide)"
    return text


def mean_hover(
    subject: str, mean: float | None, n: int | None, interval: tuple[float, float] | None
) -> str:
    """Hover text of a group's average: the mean, its scores and its interval in words."""
    if mean is None:
        return f"{subject}: not shown"
    text = f"{subject}: average {mean:.1f} from {n} scores"
    if interval is not None:
        text += f"; {interval_words(*interval, n)}"
    return text


def whiskers(
    intervals: list[tuple[float, float] | None],
    means: list[float | None],
    *,
    colour: str,
    thickness: float = WHISKER_THICKNESS,
    width: float = WHISKER_WIDTH,
) -> dict:
    """Plotly ``error_x`` (or ``error_y``) of the intervals around ``means``.

    Both arms are None where there is no mean or no interval (a withheld group, a group
    of one score), so nothing is drawn there.
    """
    plus: list[float | None] = []
    minus: list[float | None] = []
    for interval, mean in zip(intervals, means, strict=True):
        if interval is None or mean is None:
            plus.append(None)
            minus.append(None)
        else:
            plus.append(max(interval[1] - mean, 0.0))
            minus.append(max(mean - interval[0], 0.0))
    return {
        "type": "data",
        "symmetric": False,
        "array": plus,
        "arrayminus": minus,
        "color": colour,
        "thickness": thickness,
        "width": width,
    }


def whisker_caption(fig: go.Figure, *, yshift: int, width: int = 100) -> None:
    """A line under the plot that says what the whisker through each dot means
    (broken into lines of ``width`` characters for a narrow figure)."""
    fig.add_annotation(
        text=f"<i>{wrap(WHISKER_KEY, width)}</i>",
        align="left",
        x=0,
        xref="paper",
        xanchor="left",
        y=0,
        yref="paper",
        yanchor="top",
        yshift=yshift,
        showarrow=False,
        font={"size": BASE_FONT_SIZE - 2, "color": "#404040"},
        name="whisker key",
    )


def _round_name(frame: pd.DataFrame) -> str:
    if frame.empty or "round" not in frame.columns:
        return ""
    return str(frame["round"].iloc[0])


def _titled(text: str, round_name: str) -> str:
    return f"{text}: {round_name}" if round_name else text


def _point_order(summary: pd.DataFrame, framework: Framework) -> list[str]:
    present = set(summary["learning_point"]) if not summary.empty else set()
    return [k for k in framework.point_keys if k in present]


def _group_order(summary: pd.DataFrame, framework: Framework) -> list[str]:
    present = list(dict.fromkeys(summary["group"])) if not summary.empty else []
    known = [k for k in framework.group_keys if k in present]
    return known + [k for k in present if k not in known]


def _point_title(framework: Framework, key: str) -> str:
    try:
        return framework.point(key).title
    except KeyError:
        return key


def _withheld_text(row: pd.Series) -> str:
    reason = str(row.get("reason") or "").strip()
    return f"withheld: {reason}" if reason else "withheld"


def _scale_ticks(framework: Framework, width: int = 14) -> tuple[list[int], list[str]]:
    """Tick values and labels of the rating scale: the number in bold, the label below
    in lines of at most ``width`` characters (narrow, so that it never needs turning)."""
    values = [s.value for s in framework.scale]
    labels = [f"<b>{s.value}</b><br>{wrap(s.label, width)}" for s in framework.scale]
    return values, labels


# Pixels at the top of a figure that a line of its title takes (with the space around
# it); a figure with more above its plot adds to this. A longer title breaks into lines.
TITLE_SPACE = 56
TITLE_LINE = 30
TITLE_WIDTH = 76
# Pixels a row of a horizontal legend takes.
LEGEND_ROW = 34


def title_lines(title: str) -> str:
    """``title`` as it fits a chart: one line, or when longer than ``TITLE_WIDTH``
    characters, broken before the round's name (after the last ": "), or else wherever
    the lines stay short enough."""
    if len(title) <= TITLE_WIDTH:
        return title
    head, colon, round_name = title.rpartition(": ")
    if colon and len(head) < TITLE_WIDTH:
        return f"{head}:<br>{round_name}"
    return wrap(title, TITLE_WIDTH)


# The house template, the default of every figure: a new figure takes it as it is, where
# naming it on each figure has plotly check and copy all of it (about 12 ms a figure).
pio.templates.default = "plotly_white"


def vertical_band(x0: float, x1: float, *, colour: str) -> dict[str, Any]:
    """A shape shading the plot's full height from ``x0`` to ``x1``, behind the data:
    what ``fig.add_vrect`` adds, without its cost (about 4 ms a call); give the shapes
    of a figure to ``fig.update_layout(shapes=...)`` at once."""
    return {
        "type": "rect",
        "xref": "x",
        "x0": x0,
        "x1": x1,
        "yref": "y domain",
        "y0": 0,
        "y1": 1,
        "fillcolor": colour,
        "line": {"width": 0},
        "layer": "below",
    }


def horizontal_rule(y: float, *, colour: str, width: float, dash: str = "solid") -> dict[str, Any]:
    """A line across the plot's full width at ``y`` (as ``fig.add_hline`` adds it)."""
    return {
        "type": "line",
        "xref": "x domain",
        "x0": 0,
        "x1": 1,
        "yref": "y",
        "y0": y,
        "y1": y,
        "line": {"color": colour, "width": width, "dash": dash},
    }


def vertical_rule(x: float, *, colour: str, width: float, layer: str = "above") -> dict[str, Any]:
    """A line up the plot's full height at ``x`` (as ``fig.add_vline`` adds it)."""
    return {
        "type": "line",
        "xref": "x",
        "x0": x,
        "x1": x,
        "yref": "y domain",
        "y0": 0,
        "y1": 1,
        "line": {"color": colour, "width": width},
        "layer": layer,
    }


def base_layout(
    fig: go.Figure, *, title: str, height: int, above: int = 30, below: int = 40
) -> go.Figure:
    """The house style of every figure: projector-sized fonts on the white template (the
    default), the title at the top left of the figure, in lines of at most
    ``TITLE_WIDTH`` characters.

    ``above`` and ``below`` are the pixels kept above the plot (under the title, for what
    is written there) and below it; ``height`` is the figure's with a one-line title (a
    longer one makes the figure taller, never the plot shorter).
    """
    text = title_lines(title)
    extra = TITLE_LINE * text.count("<br>")
    fig.update_layout(
        title={
            "text": text,
            "font": {"size": TITLE_FONT_SIZE},
            "x": 0,
            "xanchor": "left",
            "xref": "container",
            "y": 1,
            "yanchor": "top",
            "yref": "container",
            # plotly sets a title of several lines that much higher than one of one line.
            "pad": {"t": 12 + (16 if extra else 0)},
        },
        font={"size": BASE_FONT_SIZE, "family": FONT_FAMILY, "color": TEXT_DARK},
        hoverlabel={"font": {"size": BASE_FONT_SIZE}},
        height=height + extra,
        margin={"l": 20, "r": 20, "t": TITLE_SPACE + extra + above, "b": below},
    )
    return fig


def legend_below(fig: go.Figure) -> go.Figure:
    """A horizontal legend along the bottom of the figure, under the x axis and its
    title: plotly keeps the room it needs there, however many rows it wraps into."""
    fig.update_layout(
        legend={
            "orientation": "h",
            "x": 0,
            "xanchor": "left",
            "y": 0,
            "yref": "container",
            "yanchor": "bottom",
            "title": None,
            "traceorder": "normal",
            "font": {"size": AXIS_TITLE_SIZE},
        }
    )
    return fig


def axis_header(
    fig: go.Figure, text: str, *, x: float = 0, xanchor: str = "right", yshift: int = 6
) -> None:
    """A horizontal label ``yshift`` pixels above the plot, at ``x`` (paper), in place of
    a y axis title, which plotly would turn on its side."""
    fig.add_annotation(
        text=f"<b>{text}</b>",
        x=x,
        xref="paper",
        xanchor=xanchor,
        y=1,
        yref="paper",
        yanchor="bottom",
        yshift=yshift,
        showarrow=False,
        font={"size": BASE_FONT_SIZE},
        name="axis header",
    )


def empty_figure(title: str, message: str) -> go.Figure:
    """A titled figure that says, in its middle, why there is nothing to draw."""
    fig = go.Figure()
    fig.add_annotation(
        text=message,
        x=0.5,
        y=0.5,
        xref="paper",
        yref="paper",
        showarrow=False,
        font={"size": BASE_FONT_SIZE + 2},
    )
    fig.update_xaxes(visible=False)
    fig.update_yaxes(visible=False)
    return base_layout(fig, title=title, height=300)


def score_levels_heatmap(summary: pd.DataFrame, framework: Framework) -> go.Figure:
    """Average score of each group (columns) on each learning point (rows, framework order).

    It shows score levels, not divergence: the colour is the level of a group's average
    (orange low, purple high), diverging from the middle of the rating scale; each cell
    shows its mean and number of scores. How far the groups stand apart is the gap
    (``gap_ranking``, ``agenda_map``). Withheld cells carry no value (None) and are drawn
    grey with the reason in words.
    """
    title = _titled("Average score of each group on each learning point", _round_name(summary))
    points = _point_order(summary, framework)
    groups = _group_order(summary, framework)
    if not points or not groups:
        return empty_figure(title, "No results to show.")
    cells = summary.set_index(["learning_point", "group"])
    x = [framework.group_name(g) for g in groups]
    y = [_point_title(framework, p) for p in points]
    # Labels in short lines, so that they sit level above narrow columns and leave the
    # columns room.
    x_labels = [wrap(name, 12) for name in x]
    y_labels = [wrap(point_title, HEATMAP_ROW_WIDTH) for point_title in y]
    z: list[list[float | None]] = []
    text: list[list[str]] = []
    hover: list[list[str]] = []
    withheld_z: list[list[float | None]] = []
    withheld_text: list[list[str]] = []
    withheld_hover: list[list[str]] = []
    for point, point_title in zip(points, y, strict=True):
        row_z: list[float | None] = []
        w_z: list[float | None] = []
        row_text: list[str] = []
        row_hover: list[str] = []
        w_text: list[str] = []
        w_hover: list[str] = []
        for group, group_name in zip(groups, x, strict=True):
            cell = cells.loc[(point, group)] if (point, group) in cells.index else None
            mean = None if cell is None or bool(cell["suppressed"]) else _number(cell["mean"])
            if cell is not None and mean is not None:
                n = int(cell["n"])
                row_z.append(mean)
                row_text.append(f"<b>{mean:.1f}</b><br>n = {n}")
                row_hover.append(
                    f"{group_name} on “{point_title}”: average {mean:.1f} "
                    f"from {n} scores, "
                    f"{in_sentence(mean_reading(mean, framework=framework))}"
                )
                w_z.append(None)
                w_text.append("")
                w_hover.append("")
            else:
                reason = _withheld_text(cell) if cell is not None else "withheld"
                row_z.append(None)
                row_text.append("")
                row_hover.append("")
                w_z.append(0.0)
                w_text.append(wrap(reason, 12))
                w_hover.append(f"{group_name} on “{point_title}”: {reason}")
        z.append(row_z)
        text.append(row_text)
        hover.append(row_hover)
        withheld_z.append(w_z)
        withheld_text.append(w_text)
        withheld_hover.append(w_hover)

    fig = go.Figure()
    fig.add_trace(
        go.Heatmap(
            name="Average score",
            x=x,
            y=y,
            z=z,
            zmin=framework.scale_min,
            zmax=framework.scale_max,
            zmid=framework.scale_mid,
            colorscale=HEATMAP_COLOURSCALE,
            text=text,
            texttemplate="%{text}",
            textfont={"size": BASE_FONT_SIZE},
            customdata=hover,
            hovertemplate="%{customdata}<extra></extra>",
            xgap=3,
            ygap=3,
            colorbar={
                "tickvals": [s.value for s in framework.scale],
                "ticktext": [f"<b>{s.value}</b> {wrap(s.label, 14)}" for s in framework.scale],
                "len": COLOURBAR_LENGTH,
                "y": 0,
                "yanchor": "bottom",
                "thickness": 22,
            },
        )
    )
    if any(v is not None for row in withheld_z for v in row):
        fig.add_trace(
            go.Heatmap(
                name="Withheld",
                x=x,
                y=y,
                z=withheld_z,
                zmin=0,
                zmax=1,
                colorscale=[[0, WITHHELD_COLOUR], [1, WITHHELD_COLOUR]],
                showscale=False,
                text=withheld_text,
                texttemplate="<i>%{text}</i>",
                textfont={"size": BASE_FONT_SIZE - 4, "color": TEXT_DARK},
                customdata=withheld_hover,
                hovertemplate="%{customdata}<extra></extra>",
                xgap=3,
                ygap=3,
            )
        )
    # The colour bar's title, as an annotation: a colour bar title would touch the top label.
    fig.add_annotation(
        text="<b>Average score</b>",
        x=1.02,
        xref="paper",
        xanchor="left",
        y=COLOURBAR_LENGTH,
        yref="paper",
        yanchor="bottom",
        yshift=16,
        showarrow=False,
    )
    fig.update_xaxes(
        title_text="Stakeholder group",
        side="top",
        tickvals=x,
        ticktext=x_labels,
        tickangle=0,
        automargin=True,
    )
    fig.update_yaxes(tickvals=y, ticktext=y_labels, autorange="reversed", automargin=True)
    axis_header(fig, "Learning point")
    base_layout(fig, title=title, height=200 + 78 * len(points), above=100)
    return fig


def _ranked_points(divergence: pd.DataFrame, points: list[str]) -> list[str]:
    """Points with a gap, largest first (framework order breaks ties), then the rest."""
    gaps = {}
    if not divergence.empty:
        for row in divergence.itertuples(index=False):
            gap = _number(row.gap)
            if gap is not None and row.status != "insufficient":
                gaps[row.learning_point] = gap
    with_gap = sorted((p for p in points if p in gaps), key=lambda p: (-gaps[p], points.index(p)))
    return with_gap + [p for p in points if p not in gaps]


def _withheld_groups(row: Any, framework: Framework, *, leave_out: set[str]) -> str:
    """ "lived experience withheld" for a divergence row with withheld groups (other than
    those in ``leave_out``), else ""."""
    value = getattr(row, "groups_withheld", None)
    groups = [g for g in (value if isinstance(value, list | tuple) else []) if g]
    groups = [g for g in groups if g not in leave_out]
    if not groups:
        return ""
    names = " and ".join(framework.group_name(g).lower() for g in groups)
    return f"{names} withheld"


# A learning point's title beside its row, in lines of this many characters: on the gap
# ranking (one line for most titles, so that a row stays two lines high) and the heatmap.
ROW_TITLE_WIDTH = 34
HEATMAP_ROW_WIDTH = 22
ROW_TITLE_SIZE = BASE_FONT_SIZE - 2
ROW_NOTE_SIZE = BASE_FONT_SIZE - 3
# The size of axis titles of two lines (a title and what it means).
AXIS_TITLE_SIZE = BASE_FONT_SIZE - 2


def _row_label(title: str, gap_words: str, withheld: str) -> str:
    """A row's label: the title, then in smaller type its gap and any group withheld."""
    label = (
        f"<span style='font-size:{ROW_TITLE_SIZE}px'><b>{wrap(title, ROW_TITLE_WIDTH)}</b></span>"
        f"<br><span style='font-size:{ROW_NOTE_SIZE}px'>"
    )
    label += gap_words
    if withheld:
        label += f"<br><i>{wrap(withheld, ROW_TITLE_WIDTH)}</i>"
    return label + "</span>"


def gap_ranking(summary: pd.DataFrame, divergence: pd.DataFrame, framework: Framework) -> go.Figure:
    """Where the groups diverge: one row per learning point, largest gap at the top.

    Row ``i`` (0 = top) sits at ``y = i``; each shown group's mean is a dot (group colour
    and symbol) on the rating scale, nudged a little above or below the row so equal means
    stay visible. A grey band runs from the lowest to the highest group mean. Each row's
    label gives the point's title and, in smaller type under it, the gap, the status and
    any group withheld on that point (a group withheld on every point is marked so in the
    legend instead), so the rating scale keeps the width beside the labels. Points with
    fewer than two groups shown come last, marked as not comparable.
    """
    title = _titled(
        "Where the groups see things differently, largest gap first",
        _round_name(summary) or _round_name(divergence),
    )
    points = _point_order(summary, framework)
    if not points and not divergence.empty:
        points = [k for k in framework.point_keys if k in set(divergence["learning_point"])]
    groups = _group_order(summary, framework)
    if not points:
        return empty_figure(title, "No results to show.")
    ranked = _ranked_points(divergence, points)
    rows = list(range(len(ranked)))
    # Only cells with a mean are kept: a missing key is a cell with no dot.
    means: dict[tuple[str, str], float] = {}
    counts: dict[tuple[str, str], int] = {}
    intervals: dict[tuple[str, str], tuple[float, float]] = {}
    for row in summary.itertuples(index=False):
        mean = None if bool(row.suppressed) else _number(row.mean)
        if mean is not None:
            means[(row.learning_point, row.group)] = mean
            counts[(row.learning_point, row.group)] = int(row.n)
            interval = interval_of(row)
            if interval is not None:
                intervals[(row.learning_point, row.group)] = interval

    fig = go.Figure()
    line_x: list[float | None] = []
    line_y: list[int | None] = []
    for point, y in zip(ranked, rows, strict=True):
        values = [means[(point, g)] for g in groups if (point, g) in means]
        if len(values) >= 2:
            line_x += [min(values), max(values), None]
            line_y += [y, y, None]
    fig.add_trace(
        go.Scatter(
            name="Range between groups",
            x=line_x,
            y=line_y,
            mode="lines",
            line={"color": RANGE_BAND_COLOUR, "width": 36},
            hoverinfo="skip",
            showlegend=False,
        )
    )
    # Only groups with a dot somewhere take a place in the nudging, so the dots stay centred.
    plotted = [g for g in groups if any((p, g) in means for p in ranked)]
    for group in groups:
        name = framework.group_name(group)
        place = plotted.index(group) if group in plotted else 0
        nudge = DODGE * (place - (len(plotted) - 1) / 2)
        xs = [means.get((p, group)) for p in ranked]
        hover = [
            mean_hover(
                f"{name} on “{_point_title(framework, p)}”",
                mean,
                counts.get((p, group)),
                intervals.get((p, group)),
            )
            for p, mean in zip(ranked, xs, strict=True)
        ]
        all_withheld = all(x is None for x in xs)
        fig.add_trace(
            go.Scatter(
                name=f"{name} (withheld)" if all_withheld else name,
                x=xs,
                y=[y + nudge for y in rows],
                mode="markers",
                meta={"group": group},
                error_x=whiskers(
                    [intervals.get((p, group)) for p in ranked],
                    xs,
                    colour=group_colour(group, framework=framework),
                ),
                marker={
                    "color": group_colour(group, framework=framework),
                    "symbol": group_symbol(group, framework=framework),
                    "size": 18,
                    "line": {"color": "white", "width": 1.5},
                },
                customdata=hover,
                hovertemplate="%{customdata}<extra></extra>",
            )
        )

    # A group withheld on every point is named so in the legend, not on every row.
    everywhere = {g for g in groups if g not in plotted}
    gaps = {}
    statuses = {}
    withheld = {}
    for row in divergence.itertuples(index=False):
        gaps[row.learning_point] = _number(row.gap)
        statuses[row.learning_point] = row.status
        withheld[row.learning_point] = _withheld_groups(row, framework, leave_out=everywhere)
    labels = []
    for point in ranked:
        gap = gaps.get(point)
        if gap is not None and statuses.get(point) != "insufficient":
            # A status compares the groups shown; say so when one is withheld on the point.
            words = f"<b>gap {gap:.2f}</b> · {status_label(statuses[point])}"
            labels.append(_row_label(_point_title(framework, point), words, withheld[point]))
        else:
            words = f"<i>{NOT_ENOUGH_GROUPS}</i>"
            labels.append(_row_label(_point_title(framework, point), words, ""))
    lines = max(label.count("<br>") + 1 for label in labels)
    ticks, tick_labels = _scale_ticks(framework)
    fig.update_xaxes(
        title={
            "text": (
                f"Average score of each group<br>{WHISKER_KEY}"
                if intervals
                else "Average score of each group"
            ),
            "font": {"size": AXIS_TITLE_SIZE},
        },
        range=[framework.scale_min - 0.3, framework.scale_max + 0.3],
        tickvals=ticks,
        ticktext=tick_labels,
        tickangle=0,
        tickfont={"size": BASE_FONT_SIZE - 3},
        showgrid=True,
        gridcolor="#d9d9d9",
        zeroline=False,
        automargin=True,
    )
    fig.update_yaxes(
        tickvals=rows,
        ticktext=labels,
        range=[len(ranked) - 0.5, -0.5],
        showgrid=False,
        zeroline=False,
        automargin=True,
    )
    axis_header(fig, "Learning point")
    row_height = max(ROW_HEIGHT, LINE_HEIGHT * lines + 12)
    base_layout(fig, title=title, height=240 + row_height * len(ranked), above=34)
    legend_below(fig)
    fig.layout.meta = {"ranked_points": ranked}
    return fig


def distribution_bars(
    summary: pd.DataFrame, framework: Framework, learning_point: str
) -> go.Figure:
    """How each group answered one learning point, as diverging stacked bars in percent.

    Low scores sit left of zero, high scores right, the middle score is split across zero.
    One trace per scale value; ``x`` holds the share (0-100) and ``base`` its left edge.
    Each share is written level inside its bar, or left out when the bar is too narrow
    for it (never turned or shrunk). Withheld groups appear as a labelled empty row with
    no values. The legend of scale values sits under the plot.
    """
    point_title = _point_title(framework, learning_point)
    title = _titled(f"How each group answered “{point_title}”", _round_name(summary))
    rows = summary[summary["learning_point"] == learning_point] if not summary.empty else summary
    groups = _group_order(rows, framework)
    if rows.empty or not groups:
        return empty_figure(title, "No results to show.")
    values = [s.value for s in framework.scale]
    mid = framework.scale_mid
    colours = scale_colours(framework)
    by_group = rows.set_index("group")

    labels: dict[str, str] = {}
    shares: dict[str, dict[int, float]] = {}
    counts: dict[str, dict[int, int]] = {}
    withheld: dict[str, str] = {}
    for group in groups:
        row = by_group.loc[group]
        name = framework.group_name(group)
        total = 0.0
        if not bool(row["suppressed"]):
            counts[group] = {v: int(_number(row.get(f"count_{v}")) or 0) for v in values}
            total = sum(counts[group].values())
        if total == 0:
            labels[group] = f"{name}<br><i>withheld</i>"
            withheld[group] = _withheld_text(row) if bool(row["suppressed"]) else "no scores"
            continue
        labels[group] = f"{name}<br>n = {int(total)}"
        shares[group] = {v: 100 * counts[group][v] / total for v in values}

    left_edge = {
        # The middle score, when the scale has one, is split across zero.
        g: -sum(s for v, s in share.items() if v < mid)
        - sum(s for v, s in share.items() if v == mid) / 2
        for g, share in shares.items()
    }
    fig = go.Figure()
    shown = [g for g in groups if g in shares]
    for value in values:
        bases, widths, texts, hover = [], [], [], []
        for group in shown:
            before = sum(shares[group][v] for v in values if v < value)
            share = shares[group][value]
            bases.append(left_edge[group] + before)
            widths.append(share)
            texts.append(f"{share:.0f}%" if share >= 6 else "")
            hover.append(
                f"{framework.group_name(group)}: {share:.0f}% "
                f"({counts[group][value]} of {sum(counts[group].values())}) answered "
                f"'{framework.scale_label(value)}'"
            )
        dark = value in (values[0], values[-1])
        fig.add_trace(
            go.Bar(
                name=f"{value} · {framework.scale_label(value)}",
                orientation="h",
                y=[labels[g] for g in shown],
                x=widths,
                base=bases,
                marker={"color": colours[value], "line": {"color": "#8c8c8c", "width": 1}},
                text=texts,
                textposition="inside",
                insidetextanchor="middle",
                # Never turned on its side to fit a narrow bar: hidden instead (the share
                # is in the hover and the table beside the chart).
                textangle=0,
                textfont={"color": "white" if dark else TEXT_DARK, "size": BASE_FONT_SIZE},
                customdata=hover,
                hovertemplate="%{customdata}<extra></extra>",
                meta={"scale_value": value},
            )
        )
    for group, reason in withheld.items():
        fig.add_annotation(
            x=0,
            y=labels[group],
            text=f"<i>{reason}</i>",
            showarrow=False,
            font={"size": BASE_FONT_SIZE},
            bgcolor="#f0f0f0",
            bordercolor="#8c8c8c",
        )
    fig.update_layout(shapes=[vertical_rule(0, colour="#404040", width=2, layer="below")])
    low, high = framework.scale[0].label, framework.scale[-1].label
    fig.update_xaxes(
        title={
            "text": f"Share of scores<br>← towards '{low}' · towards '{high}' →",
            "font": {"size": AXIS_TITLE_SIZE},
        },
        range=[-105, 105],
        tickvals=[-100, -50, 0, 50, 100],
        ticktext=["100%", "50%", "0", "50%", "100%"],
        tickangle=0,
        zeroline=False,
        automargin=True,
    )
    fig.update_yaxes(
        categoryorder="array",
        categoryarray=[labels[g] for g in groups],
        range=[len(groups) - 0.5, -0.5],
        automargin=True,
    )
    axis_header(fig, "Group")
    base_layout(fig, title=title, height=300 + 80 * len(groups), above=34)
    legend_below(fig)
    fig.update_layout(
        barmode="overlay",
        bargap=0.3,
        # A share too small to be written in its bar at this size is left out, never shrunk.
        uniformtext={"minsize": BASE_FONT_SIZE - 2, "mode": "hide"},
    )
    return fig

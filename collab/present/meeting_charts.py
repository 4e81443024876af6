"""Figures for the meeting, trends and participation pages: pure plotly builders.

They follow ``collab.present.charts``: large type for a projector, group colours and marker
symbols from ``charts.group_colour`` and ``charts.group_symbol``, plain-language hover
text, and nothing drawn for a withheld figure (a withheld round is a gap in a line).
"""

from __future__ import annotations

import math

import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from collab.present.charts import (
    AXIS_TITLE_SIZE,
    BASE_FONT_SIZE,
    LEGEND_ROW,
    TITLE_SPACE,
    base_layout,
    empty_figure,
    group_colour,
    group_symbol,
    interval_of,
    legend_below,
    mean_hover,
    whisker_caption,
    whiskers,
    wrap,
)
from collab.stats.readings import compared_groups, gap_text
from collab.stats.trends import NOT_ENOUGH_ROUNDS, Trends, direction_label
from collab.store.framework import Framework

SMALL_MULTIPLE_COLUMNS = 4
# The small charts of the trends: a title's line length, pixels of each chart, of the
# room between two rows of charts and of each row's titles (two lines of the point's
# title, two of its gap).
TREND_TITLE_WIDTH = 18
TREND_PLOT_HEIGHT = 210
TREND_ROW_GAP = 170
TREND_TITLES_HEIGHT = 100
TREND_READING = "Each small chart: each group's average score (1 to 5), round by round."
# How far apart (in rounds) the points of neighbouring groups sit within one round.
TREND_DODGE = 0.12
EXPECTED_COLOUR = "#1a1a1a"
# A group's row on the meeting chart: its height (pixels) and how far above the middle of
# its dot its name sits (clear of the dot).
ROW_HEIGHT = 90
ROW_NAME_SHIFT = 21
MINIMUM_COLOUR = "#7f7f7f"


def _gap_caption(trends: Trends, point: str, framework: Framework) -> str:
    """The gap in the first and last round, like for like, over two short lines (the
    gaps, then the direction); marked "*" when it is over fewer groups than are shown in
    the last round (``readings.trend_groups_note`` names them under the chart)."""
    rows = trends.gap_trend[trends.gap_trend["learning_point"] == point]
    if rows.empty or rows.iloc[0]["direction"] == NOT_ENOUGH_ROUNDS:
        return "gap: not enough<br>rounds"
    row = rows.iloc[0]
    if row["direction"] == "not_comparable":
        return "gap: no two groups<br>shown in both rounds"
    mark = "*" if compared_groups(row, framework=framework) else ""
    return (
        f"gap {gap_text(row['first_gap'])} → {gap_text(row['last_gap'])}{mark}<br>"
        f"{direction_label(str(row['direction'])).lower()}"
    )


def trend_small_multiples(trends: Trends, framework: Framework) -> go.Figure:
    """Every learning point's group averages across rounds, one small chart per point.

    A grid of four columns (two rows for eight points) sharing one 1-5 axis. Each group
    is a line in its own colour and symbol; a withheld round is a gap in the line, never
    a zero and never bridged. A vertical line through each point spans the 95% interval
    of that average (none for a withheld round); within a round the groups sit a little
    apart so their lines stay visible. The title of each chart gives the gap between the
    groups in the first and last round that have one, like for like, and whether it is
    converging or diverging; "*" marks a gap over fewer groups than are shown now. Hover
    gives the average, the number of scores and the interval in words. What the axis
    shows and what a whisker means are written under the charts, the legend under those.
    """
    title = "How each group's view changed, round by round"
    if not trends.rounds:
        return empty_figure(title, "No round with results to show yet.")
    points = framework.learning_points
    rows = math.ceil(len(points) / SMALL_MULTIPLE_COLUMNS)
    subplot_titles = [
        f"<b>{wrap(p.title, TREND_TITLE_WIDTH)}</b><br>"
        f"<span style='font-size:{BASE_FONT_SIZE - 3}px'>"
        f"{_gap_caption(trends, p.key, framework)}</span>"
        for p in points
    ]
    plot_height = rows * TREND_PLOT_HEIGHT + (rows - 1) * TREND_ROW_GAP
    fig = make_subplots(
        rows=rows,
        cols=SMALL_MULTIPLE_COLUMNS,
        shared_yaxes="all",
        subplot_titles=subplot_titles,
        vertical_spacing=TREND_ROW_GAP / plot_height if rows > 1 else 0.1,
        horizontal_spacing=0.04,
    )
    fig.update_annotations(font={"size": BASE_FONT_SIZE - 1})  # the charts' titles
    x_labels = [wrap(r, 8) for r in trends.rounds]
    groups = [g for g in framework.group_keys if g in set(trends.means["group"])]
    has_interval = False
    for index, point in enumerate(points):
        row, col = divmod(index, SMALL_MULTIPLE_COLUMNS)
        for place, group in enumerate(groups):
            name = framework.group_name(group)
            colour = group_colour(group, framework=framework)
            cells = trends.means[
                (trends.means["learning_point"] == point.key) & (trends.means["group"] == group)
            ].set_index("round")
            means: list[float | None] = []
            intervals: list[tuple[float, float] | None] = []
            hover = []
            for round_name in trends.rounds:
                cell = cells.loc[round_name] if round_name in cells.index else None
                mean = None if cell is None else cell["mean"]
                means.append(mean)
                interval = None if cell is None or mean is None else interval_of(cell)
                intervals.append(interval)
                has_interval |= interval is not None
                if cell is None:
                    hover.append(f"{name}, {round_name}: withheld")
                elif mean is None:
                    reason = str(cell["reason"])
                    hover.append(
                        f"{name}, {round_name}: withheld" + (f" ({reason})" if reason else "")
                    )
                else:
                    hover.append(
                        mean_hover(f"{name}, {round_name}", mean, int(cell["n"]), interval)
                    )
            # Groups sit side by side within a round, so their whiskers do not overlap.
            nudge = TREND_DODGE * (place - (len(groups) - 1) / 2)
            fig.add_trace(
                go.Scatter(
                    name=name,
                    legendgroup=group,
                    showlegend=index == 0,
                    x=[i + nudge for i in range(len(trends.rounds))],
                    y=means,
                    mode="lines+markers",
                    connectgaps=False,
                    line={"color": colour, "width": 3},
                    marker={
                        "color": colour,
                        "symbol": group_symbol(group, framework=framework),
                        "size": 12,
                    },
                    error_y=whiskers(intervals, means, colour=colour, width=4),
                    meta={"group": group, "learning_point": point.key},
                    customdata=hover,
                    hovertemplate="%{customdata}<extra></extra>",
                ),
                row=row + 1,
                col=col + 1,
            )
    # How to read the small charts, under them: the axis is named here, not on its side.
    fig.add_annotation(
        text=f"<i>{TREND_READING}</i>",
        align="left",
        x=0,
        xref="paper",
        xanchor="left",
        y=0,
        yref="paper",
        yanchor="top",
        yshift=-52,
        showarrow=False,
        font={"size": BASE_FONT_SIZE - 2, "color": "#404040"},
        name="reading key",
    )
    if has_interval:
        whisker_caption(fig, yshift=-76)
    fig.update_yaxes(
        range=[framework.scale_min - 0.3, framework.scale_max + 0.3],
        tickvals=[s.value for s in framework.scale],
        gridcolor="#e5e5e5",
        zeroline=False,
    )
    fig.update_xaxes(
        tickvals=list(range(len(trends.rounds))),
        ticktext=x_labels,
        tickangle=0,
        range=[-0.45, len(trends.rounds) - 0.55],
        showgrid=False,
        zeroline=False,
        tickfont={"size": BASE_FONT_SIZE - 4},
    )
    bottom = 110 if has_interval else 90
    above = LEGEND_ROW + TREND_TITLES_HEIGHT
    base_layout(
        fig,
        title=title,
        height=TITLE_SPACE + above + plot_height + bottom,
        above=above,
        below=bottom,
    )
    # The legend under the title, above every small chart's title: read before the charts.
    title_room = fig.layout.margin.t - above
    fig.update_layout(
        legend={
            "orientation": "h",
            "x": 0,
            "xanchor": "left",
            "y": 1 - title_room / fig.layout.height,
            "yref": "container",
            "yanchor": "top",
            "title": None,
            "font": {"size": AXIS_TITLE_SIZE},
        }
    )
    return fig


def participation_bars(by_group: pd.DataFrame, *, min_group_size: int) -> go.Figure:
    """Responses per stakeholder group against the expected number and the minimum size.

    ``by_group`` is ``RoundParticipation.by_group``. Bars of groups below their expected
    number or below the minimum group size are hatched, and the legend says what the
    hatching means; bars keep each group's colour; a black tick marks the expected number
    (where set) and a dotted line the minimum group size. Each bar's count is written past
    both its end and its tick, so that the tick never crosses it.
    """
    title = "Who took part"
    if by_group.empty:
        return empty_figure(title, "No stakeholder groups to show.")
    labels = [wrap(str(n), 18) for n in by_group["group_name"]]
    flagged = (by_group["below_expected"] | by_group["below_minimum"]).tolist()
    fig = go.Figure()
    fig.add_trace(
        go.Bar(
            name="Responses",
            orientation="h",
            y=labels,
            x=by_group["responses"].astype(int).tolist(),
            marker={
                "color": [group_colour(g) for g in by_group["stakeholder_group"]],
                "pattern": {"shape": ["/" if f else "" for f in flagged], "solidity": 0.45},
            },
            customdata=[str(f) or "enough responses" for f in by_group["flag"]],
            hovertemplate="%{y}: %{x} responses<br>%{customdata}<extra></extra>",
            showlegend=False,
        )
    )
    if any(flagged):
        # Only in the legend: what a hatched bar means.
        fig.add_trace(
            go.Bar(
                name=f"Hatched bar: fewer than expected, or below the minimum ({min_group_size})",
                orientation="h",
                y=[labels[0]],
                x=[None],  # no bar: a legend entry only
                # Fine, dark lines: the legend's swatch is small.
                marker={
                    "color": "white",
                    "line": {"color": EXPECTED_COLOUR, "width": 1},
                    "pattern": {
                        "shape": "/",
                        "size": 5,
                        "solidity": 0.4,
                        "fgcolor": EXPECTED_COLOUR,
                        "fillmode": "replace",
                    },
                },
                hoverinfo="skip",
            )
        )
    has_expected = by_group["expected"].notna().tolist()
    if any(has_expected):
        fig.add_trace(
            go.Scatter(
                name="Expected number",
                mode="markers",
                y=[label for label, has in zip(labels, has_expected, strict=True) if has],
                x=[int(e) for e in by_group["expected"].dropna()],
                marker={"symbol": "line-ns", "size": 34, "line": {"width": 4}},
                marker_color=EXPECTED_COLOUR,
                hovertemplate="%{y}: %{x} expected<extra></extra>",
            )
        )
    for label, row in zip(labels, by_group.itertuples(index=False), strict=True):
        expected = "" if pd.isna(row.expected) else f" of {int(row.expected)} expected"
        end = max(int(row.responses), 0 if pd.isna(row.expected) else int(row.expected))
        fig.add_annotation(
            x=end,
            y=label,
            xanchor="left",
            xshift=10,
            text=f"<b>{int(row.responses)}</b>{expected}",
            showarrow=False,
            font={"size": BASE_FONT_SIZE},
        )
    fig.add_vline(
        x=min_group_size,
        line_dash="dot",
        line_color=MINIMUM_COLOUR,
        line_width=3,
        annotation_text=f"minimum to show results: {min_group_size}",
        annotation_position="top",
        annotation_font_size=BASE_FONT_SIZE - 2,
    )
    largest = max(
        [min_group_size, *by_group["responses"].astype(int)]
        + [int(e) for e in by_group["expected"].dropna()]
    )
    # Room right of the longest bar or tick for its count.
    fig.update_xaxes(title_text="Responses", range=[0, largest * 1.6 + 1], rangemode="tozero")
    fig.update_yaxes(autorange="reversed", automargin=True)
    base_layout(fig, title=title, height=230 + 80 * len(by_group), below=130)
    legend_below(fig)
    fig.update_layout(barmode="overlay", bargap=0.35)
    return fig


def group_positions(summary: pd.DataFrame, framework: Framework, learning_point: str) -> go.Figure:
    """Where each group stands on one learning point: its average as a large dot on the scale.

    One row per group of the round's summary (framework order, top to bottom), named above
    its dot with its average and number of scores (so the scale keeps the figure's whole
    width, even in a narrow column, and a row stays low enough for a whole point to fit one
    screen); a grey bar spans the gap between the lowest and highest group. A withheld
    group keeps its row, says "too few scores to show" and carries no value.
    """
    title = "Average score of each group"
    rows = summary[summary["learning_point"] == learning_point] if len(summary) else summary
    if rows.empty:
        return empty_figure(title, "No results to show.")
    order = {g: i for i, g in enumerate(framework.group_keys)}
    rows = rows.assign(_order=rows["group"].map(order).fillna(len(order))).sort_values(
        "_order", kind="stable"
    )
    labels, shown = [], []
    for row in rows.itertuples(index=False):
        name = framework.group_name(row.group)
        if bool(row.suppressed) or pd.isna(row.mean):
            labels.append(f"<b>{name}</b>: <i>withheld</i>")
        else:
            mean = float(row.mean)
            labels.append(f"<b>{name}</b>: average <b>{mean:.1f}</b> (n = {int(row.n)})")
            shown.append((row.group, name, mean, int(row.n), labels[-1], interval_of(row)))
    fig = go.Figure()
    if len(shown) >= 2:
        low = min(shown, key=lambda s: s[2])
        high = max(shown, key=lambda s: s[2])
        fig.add_shape(
            type="rect",
            x0=low[2],
            x1=high[2],
            y0=-0.5,
            y1=len(labels) - 0.5,
            fillcolor="#e8e8e8",
            line={"width": 0},
            layer="below",
        )
        fig.add_annotation(
            x=(low[2] + high[2]) / 2,
            y=1.0,
            yref="paper",
            yanchor="bottom",
            yshift=6,  # clear of the first row's name
            text=f"gap {high[2] - low[2]:.2f}",
            showarrow=False,
            font={"size": BASE_FONT_SIZE + 2, "color": "#404040"},
        )
    for group, name, mean, n, label, interval in shown:
        colour = group_colour(group, framework=framework)
        fig.add_trace(
            go.Scatter(
                name=name,
                x=[mean],
                y=[label],
                mode="markers",
                marker={
                    "color": colour,
                    "symbol": group_symbol(group, framework=framework),
                    "size": 34,
                    "line": {"color": "white", "width": 2},
                },
                error_x=whiskers([interval], [mean], colour=colour, thickness=4, width=12),
                meta={"group": group},
                customdata=[mean_hover(name, mean, n, interval)],
                hovertemplate="%{customdata}<extra></extra>",
            )
        )
    for row, label in zip(rows.itertuples(index=False), labels, strict=True):
        # The row's name, above its dot at the left edge of the scale.
        fig.add_annotation(
            x=0,
            xref="paper",
            xanchor="left",
            y=label,
            yanchor="bottom",
            yshift=ROW_NAME_SHIFT,
            text=label,
            showarrow=False,
            font={"size": BASE_FONT_SIZE + 2},
            name="group name",
        )
        if bool(row.suppressed) or pd.isna(row.mean):
            reason = str(row.reason or "too few scores")
            fig.add_annotation(
                x=framework.scale_mid,
                y=label,
                text=f"<i>not shown: {reason}</i>",
                showarrow=False,
                font={"size": BASE_FONT_SIZE},
                bgcolor="#f0f0f0",
                bordercolor="#8c8c8c",
            )
    ticks = [s.value for s in framework.scale]
    fig.update_xaxes(
        range=[framework.scale_min - 0.35, framework.scale_max + 0.35],
        tickvals=ticks,
        ticktext=[f"<b>{s.value}</b><br>{wrap(s.label, 10)}" for s in framework.scale],
        tickangle=0,
        tickfont={"size": BASE_FONT_SIZE - 3},
        gridcolor="#d9d9d9",
        zeroline=False,
        automargin=True,
    )
    fig.update_yaxes(
        type="category",
        categoryorder="array",
        categoryarray=labels,
        autorange="reversed",
        showticklabels=False,
    )
    if any(s[5] is not None for s in shown):
        whisker_caption(fig, yshift=-100, width=40)
    base_layout(fig, title=title, height=250 + ROW_HEIGHT * len(labels), above=34, below=160)
    fig.update_layout(showlegend=False)
    return fig

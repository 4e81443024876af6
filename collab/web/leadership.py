"""Blocks the leadership pages draw: the results chart, participation counts, the
message shown instead of results, statuses, withheld groups, downloads, and each part
of a learning point's detail.

No product logic: figures come from ``collab.stats.results`` (read through
``collab.web.cache``), words from ``collab.stats.readings``.
"""

from __future__ import annotations

from functools import partial

import pandas as pd
import streamlit as st

from collab.files import exports
from collab.stats import readings
from collab.stats.comments import comment_lines
from collab.stats.meeting import change_lines, people_by_group
from collab.stats.results import RoundResults
from collab.store.framework import Framework
from collab.web import cache
from collab.web.cache import ResultsView
from collab.web.page import escape_markdown, status_colour


def show_chart(view: ResultsView, chart: str, *, key: str, point: str = "") -> None:
    """Draw the ``gap_ranking``, ``score_levels`` or ``distribution`` (of the
    learning point ``point``) chart of ``view``."""
    figure = cache.chart(view, chart, point)
    st.plotly_chart(figure, key=key, theme=None, config={"displaylogo": False})


def show_participation(found: RoundResults, framework: Framework) -> None:
    """How many people answered, per group shown (under an organisation filter a count
    that could expose fewer than the minimum reads "fewer than N" instead)."""
    counts = found.participation
    columns = st.columns(len(counts) + 1)
    columns[0].metric("People who answered", found.people_text, border=True)
    for column, row in zip(columns[1:], counts.itertuples(index=False), strict=True):
        column.metric(
            framework.group_name(row.stakeholder_group), row.respondents_text, border=True
        )


def show_unavailable(found: RoundResults, framework: Framework) -> bool:
    """When ``found`` holds no figures, say why (with the counts where there are any).

    Returns True when the page should stop here.
    """
    if found.visibility == "results":
        return False
    st.info(found.message, icon=":material/visibility_off:")
    if found.visibility in ("counts_only", "withheld", "no_data"):
        show_participation(found, framework)
    return True


def caption(found: RoundResults, framework: Framework, view: ResultsView) -> None:
    """One line under the filters: the round, who is covered and the privacy threshold."""
    groups = ", ".join(framework.group_name(g) for g in found.groups_shown)
    where = ", ".join(view.organisations) if view.organisations else "the whole alliance"
    state = "open, live results" if found.round and found.round.is_open else "closed"
    st.caption(
        escape_markdown(
            f"{view.round_name} ({state}) · {groups} · {where} · a group's figures on a "
            f"point are withheld when it has fewer than {found.min_group_size} scores there"
        )
    )


def show_statuses(found: RoundResults, framework: Framework) -> None:
    """One line per status (badge with label, icon and colour) naming its learning points,
    after a line naming any group withheld, so a status never stands unqualified beside it."""
    scope = readings.status_scope_overview(found.divergence, framework=framework)
    if scope:
        st.markdown(f":material/visibility_off: {escape_markdown(scope)}")
    for status, points in readings.status_overview(found.divergence, framework=framework):
        colour = status_colour(status)
        icon = readings.STATUS_ICONS.get(status, "")
        badge = f":{colour}-badge[{icon} {readings.status_label(status)}]"
        st.markdown(f"{badge} {escape_markdown(points)}")


def show_withheld(found: RoundResults, framework: Framework) -> None:
    """Which groups' figures are withheld, and why, in words."""
    for sentence in readings.withheld_overview(
        found.summary, framework=framework, k=found.min_group_size
    ):
        st.markdown(f":material/visibility_off: {escape_markdown(sentence)}")


def show_downloads(view: ResultsView) -> None:
    """Download buttons for the summary and divergence figures of ``view`` (privacy
    applied exactly as on the page: withheld cells are empty); each file is written when
    its button is clicked."""
    with st.expander("Download these figures"):
        for what in cache.EXPORT_FRAMES:
            columns = st.columns(len(exports.FORMATS))
            for column, fmt in zip(columns, exports.FORMATS, strict=True):
                column.download_button(
                    f"{what.title()} ({exports.FORMAT_NAMES[fmt]})",
                    data=partial(cache.export_bytes, view, what, fmt),
                    file_name=exports.export_file_name(
                        what=what, round_name=view.round_name, fmt=fmt
                    ),
                    mime=exports.MIME_TYPES[fmt],
                    key=f"download_{what}_{fmt}",
                    on_click="ignore",
                )


def show_gap_changes(found: RoundResults, framework: Framework) -> None:
    """How each learning point's gap moved since the previous round."""
    if not found.previous_round or found.gap_change.empty or found.round is None:
        return
    st.subheader(f"Since {escape_markdown(found.previous_round)}")
    table = readings.gap_change_table(
        found.gap_change,
        framework=framework,
        previous_round=found.previous_round,
        round_name=found.round.name,
    )
    st.table(table, hide_index=True)


def _point_rows(frame: pd.DataFrame, point: str) -> pd.DataFrame:
    return frame[frame["learning_point"] == point]


def show_point_header(found: RoundResults, framework: Framework, point: str) -> None:
    """The learning point's title, statement, status badge and gap in words."""
    learning_point = framework.point(point)
    st.header(escape_markdown(learning_point.title))
    st.markdown(f"*{escape_markdown(learning_point.statement)}*")
    row = _point_rows(found.divergence, point).iloc[0]
    rank = readings.gap_ranks(found.divergence).get(point)
    st.badge(
        readings.status_text(row, framework=framework),
        color=status_colour(row["status"]),
        icon=readings.STATUS_ICONS.get(row["status"]),
    )
    where = readings.who_is_where(row, framework=framework)
    reading = readings.gap_reading(row["gap"], *(rank or (None, None)), where=where)
    st.write(escape_markdown(reading))


def show_group_statistics(found: RoundResults, framework: Framework, point: str) -> None:
    """Each shown group's figures in plain words; withheld groups say why."""
    st.subheader("Each group's figures")
    rows = _point_rows(found.summary, point)
    people = people_by_group(found)
    for _, row in rows[rows["suppressed"].astype(bool)].iterrows():
        name = framework.group_name(row["group"])
        sentence = readings.withheld_reading(
            name, found.min_group_size, reason=str(row["reason"]), people=people.get(row["group"])
        )
        st.info(escape_markdown(sentence), icon=":material/visibility_off:")
    st.table(readings.group_statistics_grid(rows, framework=framework), hide_index=True)


def show_point_statistics(found: RoundResults, framework: Framework, point: str) -> None:
    """The between-group figures of the point in plain words, then the statisticians'
    figures (H, p-values and their method, epsilon squared, n, consensus 0-1) folded
    away under "For analysts"."""
    st.subheader("Between the groups")
    row = _point_rows(found.divergence, point).iloc[0]
    rows = _point_rows(found.summary, point)
    shown = rows[~rows["suppressed"].astype(bool)]
    smallest = int(shown["n"].min()) if len(shown) else None
    table = readings.point_statistics_table(
        row,
        framework=framework,
        rank=readings.gap_ranks(found.divergence).get(point),
        smallest_group=smallest,
    )
    st.table(table, hide_index=True)
    with st.expander("For analysts: the test statistics and figures behind these words"):
        st.table(
            readings.analyst_point_table(row, framework=framework, smallest_group=smallest),
            hide_index=True,
        )
        st.table(readings.analyst_group_grid(rows, framework=framework), hide_index=True)


def show_point_changes(found: RoundResults, framework: Framework, point: str) -> None:
    """The change since the previous round: the gap like for like, then each group."""
    if not found.previous_round:
        return
    st.subheader(f"Since {escape_markdown(found.previous_round)}")
    lines = change_lines(found, framework=framework, learning_point=point)
    if not lines:
        st.write("No figures of both rounds can be compared for this learning point.")
        return
    for sentence in lines:
        st.markdown(f"- {escape_markdown(sentence)}")


def show_comments(found: RoundResults, framework: Framework, point: str) -> None:
    """The comments of each shown group, unattributed, shown as plain text: each distinct
    text once, with how many people wrote it."""
    st.subheader("What people wrote")
    comments = found.comments[found.comments["learning_point"] == point]
    if comments.empty:
        st.write("No comments on this learning point from the groups shown.")
        return
    for group in framework.group_keys:
        written = comments[comments["stakeholder_group"] == group]
        if written.empty:
            continue
        name = framework.group_name(group)
        count = len(written)
        people = f"{count} {'person' if count == 1 else 'people'}"
        with st.expander(f"{name}: comments from {people}"):
            for line in comment_lines(written):
                st.text(line)

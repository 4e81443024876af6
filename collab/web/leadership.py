"""Streamlit glue for the leadership pages (Divergence overview, Learning point detail).

The round and filter widgets the two pages share, the cached results read and charts,
and the small blocks both pages draw (participation counts, the message shown instead
of results). No product logic: figures come from ``collab.stats.results``, words from
``collab.stats.readings``. The widgets keep their choice for the whole session
(``persist_state="session"``), so moving between the two pages keeps the same view.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from collab.domain import rounds
from collab.domain.organisations import list_organisations
from collab.domain.rounds import RoundInfo
from collab.files import exports
from collab.present import charts
from collab.stats import privacy, readings, results
from collab.stats.results import RoundResults
from collab.store.framework import Framework, load_framework
from collab.web import ui

ROUND_KEY = "leadership_round"
GROUPS_KEY = "leadership_groups"
ORGANISATIONS_KEY = "leadership_organisations"
LEARNING_POINT_KEY = "leadership_learning_point"


@dataclass(frozen=True)
class ResultsView:
    """What the person chose to look at: a round and the groups and organisations shown."""

    round_name: str
    groups: tuple[str, ...]
    organisations: tuple[str, ...]  # empty: the whole alliance
    # The round's state as read on this run (closed, open, live results): part of the
    # cache key, so results never outlive a change of what may be shown.
    round_state: str = ""


def default_round(choices: list[RoundInfo]) -> RoundInfo | None:
    """The round to show first: an open round with live results on (newest), else the
    newest closed round, else the newest round (whose participation can still be shown)."""
    live = [r for r in choices if r.is_open and r.live_results]
    closed = [r for r in choices if not r.is_open]
    if live:
        return live[-1]
    if closed:
        return closed[-1]
    return choices[-1] if choices else None


def round_label(info: RoundInfo) -> str:
    """A round as the selector shows it, with whether its results can be seen."""
    if not info.is_open:
        return f"{info.name} (closed)"
    if info.live_results:
        return f"{info.name} (open, live results)"
    return f"{info.name} (open: counts only)"


@st.cache_data(ttl=ui.CACHED_READ_SECONDS, show_spinner=False)
def _round_results(
    database_url: str,
    framework_path: str,
    round_name: str,
    round_state: str,
    groups: tuple[str, ...],
    organisations: tuple[str, ...],
    min_group_size: int,
    answers_version: int,
) -> RoundResults:
    return results.round_results(
        ui.get_db(),
        framework=load_framework(framework_path),
        round_name=round_name,
        min_group_size=min_group_size,
        groups=list(groups),
        organisations=list(organisations) or None,
    )


def _view_key(view: ResultsView) -> tuple:
    """The arguments that identify ``view``'s results in the caches."""
    settings = ui.get_settings()
    return (
        settings.database_url,
        str(settings.framework_path),
        view.round_name,
        view.round_state,
        view.groups,
        view.organisations,
        privacy.min_group_size_from_settings(settings),
        ui.answers_version(),
    )


def load_results(view: ResultsView) -> RoundResults:
    """The results of ``view`` with the privacy rules applied (cached per database and view)."""
    return _round_results(*_view_key(view))


@st.cache_data(ttl=ui.CACHED_READ_SECONDS, show_spinner=False)
def _chart_spec(view_key: tuple, chart: str, point: str) -> dict:
    found = _round_results(*view_key)
    framework = load_framework(view_key[1])
    if chart == "gap_ranking":
        figure = charts.gap_ranking(found.summary, found.divergence, framework)
    elif chart == "divergence_heatmap":
        figure = charts.divergence_heatmap(found.summary, framework)
    elif chart == "distribution":
        figure = charts.distribution_bars(found.summary, framework, point)
    else:
        raise ValueError(f"unknown chart {chart!r}")
    return figure.to_dict()


def show_chart(view: ResultsView, chart: str, *, key: str, point: str = "") -> None:
    """Draw the ``gap_ranking``, ``divergence_heatmap`` or ``distribution`` (of the
    learning point ``point``) chart of ``view``.

    Each chart is built once per view and kept with the cached results: building a
    plotly figure costs more than the rest of a page's run.
    """
    spec = _chart_spec(_view_key(view), chart, point)
    # The spec comes from a figure plotly has already checked; checking it again on
    # every run would cost as much as building it.
    figure = go.Figure(spec, _validate=False)
    st.plotly_chart(figure, key=key, theme=None, config={"displaylogo": False})


@st.cache_data(ttl=ui.CACHED_READ_SECONDS, show_spinner=False)
def _organisation_names(database_url: str) -> list[str]:
    return [o.name for o in list_organisations(ui.get_db())]


def choose_view(framework: Framework) -> ResultsView | None:
    """Draw the round selector and the group and organisation filters.

    Returns None (after saying why) when there is no round or no group is chosen.
    """
    database_url = ui.get_settings().database_url
    # Read on every run (a small query): whether a round is open decides what may be shown.
    choices = rounds.list_rounds(ui.get_db())
    if not choices:
        st.info(results.NO_CLOSED_ROUND_MESSAGE, icon=":material/hourglass_empty:")
        return None
    by_name = {r.name: r for r in choices}
    names = list(reversed(by_name))  # newest first
    first = default_round(choices)
    round_column, groups_column, organisations_column = st.columns([1, 1.7, 1.3])
    round_name = round_column.selectbox(
        "Round",
        names,
        index=names.index(first.name) if first else 0,
        format_func=lambda name: round_label(by_name[name]),
        key=ROUND_KEY,
        persist_state="session",
    )
    groups = groups_column.multiselect(
        "Stakeholder groups",
        framework.group_keys,
        default=framework.group_keys,
        format_func=framework.group_name,
        key=GROUPS_KEY,
        persist_state="session",
        wrap=True,
    )
    organisations = organisations_column.multiselect(
        "Organisations",
        _organisation_names(database_url),
        placeholder="The whole alliance",
        key=ORGANISATIONS_KEY,
        persist_state="session",
        help="Leave empty for the whole alliance. Figures of fewer than the minimum "
        "number of people stay hidden whatever you choose.",
    )
    if not groups:
        st.info("Choose at least one stakeholder group to see results.", icon=":material/group:")
        return None
    ordered = tuple(g for g in framework.group_keys if g in groups)
    return ResultsView(
        round_name, ordered, tuple(sorted(organisations)), round_label(by_name[round_name])
    )


def show_participation(found: RoundResults, framework: Framework) -> None:
    """How many people answered, per group shown (counts are always shown)."""
    counts = found.participation
    total = int(counts["respondents"].sum()) if len(counts) else 0
    columns = st.columns(len(counts) + 1)
    columns[0].metric("People who answered", total, border=True)
    for column, row in zip(columns[1:], counts.itertuples(index=False), strict=True):
        column.metric(
            framework.group_name(row.stakeholder_group), int(row.respondents), border=True
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
        ui.escape_markdown(
            f"{view.round_name} ({state}) · {groups} · {where} · figures of fewer than "
            f"{found.min_group_size} responses are withheld"
        )
    )


def show_statuses(found: RoundResults, framework: Framework) -> None:
    """One line per status (badge with label, icon and colour) naming its learning points."""
    for status, points in readings.status_overview(found.divergence, framework=framework):
        colour = readings.STATUS_COLOURS.get(status, "gray")
        icon = readings.STATUS_ICONS.get(status, "")
        badge = f":{colour}-badge[{icon} {readings.status_label(status)}]"
        st.markdown(f"{badge} {ui.escape_markdown(points)}")


def show_withheld(found: RoundResults, framework: Framework) -> None:
    """Which groups' figures are withheld, and why, in words."""
    for sentence in readings.withheld_overview(
        found.summary, framework=framework, k=found.min_group_size
    ):
        st.markdown(f":material/visibility_off: {ui.escape_markdown(sentence)}")


EXPORT_FRAMES = {
    "summary": results.summary_export_frame,
    "divergence": results.divergence_export_frame,
}


@st.cache_data(ttl=ui.CACHED_READ_SECONDS, show_spinner=False)
def _export_bytes(view_key: tuple, what: str, fmt: str) -> bytes:
    found = _round_results(*view_key)
    return exports.write_frame(EXPORT_FRAMES[what](found), fmt=fmt, sheet_name=what.title())


def export_bytes(view: ResultsView, what: str, fmt: str) -> bytes:
    """The ``summary`` or ``divergence`` figures of ``view`` as a file in format ``fmt``."""
    return _export_bytes(_view_key(view), what, fmt)


def show_downloads(view: ResultsView) -> None:
    """Download buttons for the summary and divergence figures of ``view`` (privacy
    applied exactly as on the page: withheld cells are empty)."""
    with st.expander("Download these figures"):
        for what in EXPORT_FRAMES:
            columns = st.columns(len(exports.FORMATS))
            for column, fmt in zip(columns, exports.FORMATS, strict=True):
                column.download_button(
                    f"{what.title()} ({exports.FORMAT_NAMES[fmt]})",
                    data=export_bytes(view, what, fmt),
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
    st.subheader(f"Since {ui.escape_markdown(found.previous_round)}")
    table = readings.gap_change_table(
        found.gap_change,
        framework=framework,
        previous_round=found.previous_round,
        round_name=found.round.name,
    )
    st.table(table, hide_index=True)


def choose_learning_point(framework: Framework) -> str:
    """Draw the learning point selector (titles, framework order); return the point key."""
    return st.selectbox(
        "Learning point",
        framework.point_keys,
        format_func=lambda key: framework.point(key).title,
        key=LEARNING_POINT_KEY,
        persist_state="session",
    )


def _point_rows(frame: pd.DataFrame, point: str) -> pd.DataFrame:
    return frame[frame["learning_point"] == point]


def show_point_header(found: RoundResults, framework: Framework, point: str) -> None:
    """The learning point's title, statement, status badge and gap in words."""
    learning_point = framework.point(point)
    st.header(ui.escape_markdown(learning_point.title))
    st.markdown(f"*{ui.escape_markdown(learning_point.statement)}*")
    row = _point_rows(found.divergence, point).iloc[0]
    rank = readings.gap_ranks(found.divergence).get(point)
    st.badge(
        readings.status_label(row["status"]),
        color=readings.STATUS_COLOURS.get(row["status"], "gray"),
        icon=readings.STATUS_ICONS.get(row["status"]),
    )
    st.write(ui.escape_markdown(readings.gap_reading(row["gap"], *(rank or (None, None)))))


def show_group_statistics(found: RoundResults, framework: Framework, point: str) -> None:
    """Each shown group's figures with a reading beside each; withheld groups say why."""
    st.subheader("Each group's figures")
    rows = _point_rows(found.summary, point)
    for _, row in rows[rows["suppressed"].astype(bool)].iterrows():
        name = framework.group_name(row["group"])
        sentence = readings.withheld_reading(name, found.min_group_size, reason=str(row["reason"]))
        st.info(ui.escape_markdown(sentence), icon=":material/visibility_off:")
    st.table(readings.group_statistics_grid(rows, framework=framework), hide_index=True)


def show_point_statistics(found: RoundResults, framework: Framework, point: str) -> None:
    """The between-group figures of the point, Kruskal-Wallis marked as supporting evidence."""
    st.subheader("Between the groups")
    row = _point_rows(found.divergence, point).iloc[0]
    shown = _point_rows(found.summary, point)
    shown = shown[~shown["suppressed"].astype(bool)]
    smallest = int(shown["n"].min()) if len(shown) else None
    table = readings.point_statistics_table(
        row,
        framework=framework,
        rank=readings.gap_ranks(found.divergence).get(point),
        smallest_group=smallest,
    )
    st.table(table, hide_index=True)


def show_point_changes(found: RoundResults, framework: Framework, point: str) -> None:
    """The change since the previous round, per group and for the gap."""
    if not found.previous_round:
        return
    st.subheader(f"Since {ui.escape_markdown(found.previous_round)}")
    changes = _point_rows(found.change, point)
    gap_change = _point_rows(found.gap_change, point)
    if changes.empty and gap_change.empty:
        st.write("No figures of both rounds can be compared for this learning point.")
        return
    for row in changes.itertuples(index=False):
        sentence = readings.mean_change_reading(
            framework.group_name(row.group),
            row.mean_change,
            found.previous_round,
            direction=row.direction,
        )
        st.markdown(f"- {ui.escape_markdown(sentence)}")
    for row in gap_change.itertuples(index=False):
        sentence = readings.gap_change_reading(
            row._asdict(), previous_round=found.previous_round, framework=framework
        )
        st.markdown(f"- {ui.escape_markdown(sentence)}")


def show_comments(found: RoundResults, framework: Framework, point: str) -> None:
    """The comments of each shown group, unattributed, shown as plain text."""
    st.subheader("What people wrote")
    comments = found.comments[found.comments["learning_point"] == point]
    if comments.empty:
        st.write("No comments on this learning point from the groups shown.")
        return
    for group in framework.group_keys:
        texts = comments.loc[comments["stakeholder_group"] == group, "comment"]
        if texts.empty:
            continue
        name = framework.group_name(group)
        with st.expander(f"{name}: {len(texts)} comment{'s' if len(texts) != 1 else ''}"):
            for text in texts:
                st.text(text)

"""Every cached read of the pages, and the keys that keep them fresh.

The only module that uses ``st.cache_data`` and ``st.cache_resource``. A cached read of
answers is keyed by a ``ReadKey``, worked out once per page run: the database, the
framework, the privacy threshold, the answers version, which grows with every answer
stored, so new answers show at once wherever they are written, and the state of every
round (name, dates, open or closed, live results), so a read spanning rounds (trends,
participation) never outlives a round opening, closing or turning live results on or
off, from a page or the command line. A results view adds its round's state as read on
this run. Changes made from a page to anything else (rounds,
organisations, actions, expected numbers) call ``clear``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from collab import demo
from collab.domain import answers, rounds
from collab.domain.organisations import list_organisations
from collab.files import exports
from collab.present import agenda_charts, charts
from collab.stats import agenda, participation, results, trends
from collab.stats.results import RoundResults
from collab.store.db import Database
from collab.store.framework import load_framework
from collab.web import session

# Cached reads may lag writes made outside this app (command line) by this long; new
# answers show at once wherever they are stored (see ``ReadKey.answers_version``).
CACHED_READ_SECONDS = 60
# Figures kept at once; a view is a round, groups and organisations, so few are in use.
MAX_CHARTS = 200
EXPORT_FRAMES = {
    "summary": results.summary_export_frame,
    "divergence": results.divergence_export_frame,
}


@st.cache_resource(show_spinner=False, on_release=Database.dispose)
def _database(database_url: str) -> Database:
    database = Database.from_url(database_url)
    database.upgrade()
    return database


def database() -> Database:
    """The database of the configured DATABASE_URL, created and upgraded on first use."""
    return _database(session.settings().database_url)


@dataclass(frozen=True)
class ReadKey:
    """What every cached read of answers in one page run is keyed by."""

    database_url: str
    framework_path: str
    min_group_size: int
    answers_version: int
    # Every round as read on this run: a round opened, closed, renamed or with live
    # results turned on or off anywhere (the command line included) makes a new key.
    rounds_state: tuple[rounds.RoundInfo, ...] = ()


def current_read_key() -> ReadKey:
    """The ``ReadKey`` of the database as it is now (the answers version is a query).

    A page works it out once, by making its view or calling its one reader.
    """
    settings = session.settings()
    return ReadKey(
        database_url=settings.database_url,
        framework_path=str(settings.framework_path),
        min_group_size=session.min_group_size(),
        answers_version=answers.answers_version(database()),
        rounds_state=tuple(rounds.list_rounds(database())),
    )


@dataclass(frozen=True)
class ResultsView:
    """What the person chose to look at: a round and the groups and organisations shown.

    A view is the whole key of its cached results, charts and downloads; its ``read_key``
    is this run's, taken when the view is made.
    """

    round_name: str
    groups: tuple[str, ...]
    organisations: tuple[str, ...]  # empty: the whole alliance
    # The round's state as read on this run (closed, open, live results).
    round_state: str = ""
    read_key: ReadKey = field(default_factory=current_read_key)


@st.cache_data(ttl=CACHED_READ_SECONDS, show_spinner=False)
def _round_results(view: ResultsView) -> RoundResults:
    key = view.read_key
    return results.round_results(
        _database(key.database_url),
        framework=load_framework(key.framework_path),
        round_name=view.round_name,
        min_group_size=key.min_group_size,
        groups=list(view.groups),
        organisations=list(view.organisations) or None,
    )


def round_results(view: ResultsView) -> RoundResults:
    """The results of ``view`` with the privacy rules applied (looked up once per run:
    each lookup of a cached read hashes the view and copies the results)."""
    return session.once_per_run(f"round_results {view!r}", lambda: _round_results(view))


@st.cache_data(ttl=CACHED_READ_SECONDS, show_spinner=False)
def _group_view(view: ResultsView, group: str) -> pd.DataFrame:
    found = _round_results(view)
    framework = load_framework(view.read_key.framework_path)
    return agenda.group_view(found.summary, group=group, framework=framework)


def group_view(view: ResultsView, group: str) -> pd.DataFrame:
    """How far ``group`` stands from the other groups of ``view`` on each learning point
    (``collab.stats.agenda.group_view``), worked out once per view."""
    return _group_view(view, group)


# A figure is kept as the object itself: a copy (what st.cache_data hands out) is
# rebuilt through plotly's checks, which costs about as much as drawing the rest of the
# page. Callers only pass it to st.plotly_chart, which reads it and changes nothing.
@st.cache_resource(ttl=CACHED_READ_SECONDS, max_entries=MAX_CHARTS, show_spinner=False)
def _chart(view: ResultsView, chart: str, point: str, group: str) -> go.Figure:
    found = _round_results(view)
    framework = load_framework(view.read_key.framework_path)
    if chart == "gap_ranking":
        return charts.gap_ranking(found.summary, found.divergence, framework)
    if chart == "score_levels":
        return charts.score_levels_heatmap(found.summary, framework)
    if chart == "distribution":
        return charts.distribution_bars(found.summary, framework, point)
    if chart == "agenda_map":
        return agenda_charts.agenda_map(found.divergence, framework)
    if chart == "group_view":
        own = _group_view(view, group)
        note = agenda.group_view_missing(
            found.summary, own, group=group, framework=framework, k=found.min_group_size
        )
        return agenda_charts.group_view_bars(
            own, framework, group=group, round_name=view.round_name, note=note
        )
    raise ValueError(f"unknown chart {chart!r}")


def chart(view: ResultsView, chart: str, point: str = "", *, group: str = "") -> go.Figure:
    """The ``gap_ranking``, ``score_levels``, ``agenda_map``, ``distribution`` (of the
    learning point ``point``) or ``group_view`` (of the group ``group``) figure of
    ``view``, built once per view.

    The figure is shared by every session: draw it, never change it.
    """
    return _chart(view, chart, point, group)


def export_file(view: ResultsView, what: str, fmt: str) -> Callable[[], bytes]:
    """What writes the ``summary`` or ``divergence`` figures of ``view`` as a file in
    format ``fmt`` (privacy applied exactly as on the page: withheld cells are empty),
    from the results as read now, when it is called.

    A download button given it makes the file only when someone clicks: a page run
    writes no file nobody asked for.
    """
    found = round_results(view)
    frame_of = EXPORT_FRAMES[what]
    return lambda: exports.write_frame(frame_of(found), fmt=fmt, sheet_name=what.title())


@st.cache_data(ttl=CACHED_READ_SECONDS, show_spinner=False)
def _trends(key: ReadKey) -> trends.Trends:
    return trends.alliance_trends(
        _database(key.database_url),
        framework=load_framework(key.framework_path),
        min_group_size=key.min_group_size,
    )


def alliance_trends() -> trends.Trends:
    """Each group's view of each learning point across the rounds that have results."""
    return _trends(current_read_key())


@st.cache_data(ttl=CACHED_READ_SECONDS, show_spinner=False)
def _round_participation(
    key: ReadKey, round_name: str, exact_counts: bool
) -> participation.RoundParticipation:
    return participation.round_participation(
        _database(key.database_url),
        framework=load_framework(key.framework_path),
        round_name=round_name,
        min_group_size=key.min_group_size,
        exact_counts=exact_counts,
    )


def round_participation(
    round_name: str, *, exact_counts: bool = False
) -> participation.RoundParticipation:
    """Who answered in ``round_name``, against the numbers expected; each organisation's
    small counts masked unless ``exact_counts`` (the administrator's own pages)."""
    return _round_participation(current_read_key(), round_name, exact_counts)


@st.cache_data(ttl=CACHED_READ_SECONDS, show_spinner=False)
def _participation_by_group(key: ReadKey, round_id: int) -> dict[str, int]:
    frame = answers.participation(_database(key.database_url), round_id=round_id)
    return {str(k): int(n) for k, n in frame.groupby("stakeholder_group")["n"].sum().items()}


def participation_by_group(round_id: int) -> dict[str, int]:
    """Submissions in the round per stakeholder group key, framework groups first.

    Every group of the framework is listed, with 0 when nobody from it has answered.
    """
    counts = _participation_by_group(current_read_key(), round_id)
    result = {key: counts.get(key, 0) for key in session.framework().group_keys}
    for key, n in counts.items():
        result.setdefault(key, n)
    return result


@st.cache_data(ttl=CACHED_READ_SECONDS, show_spinner=False)
def _organisation_names(database_url: str) -> list[str]:
    return [o.name for o in list_organisations(_database(database_url))]


def organisation_names() -> list[str]:
    """The names of every organisation, active or not, in alphabetical order."""
    return _organisation_names(session.settings().database_url)


@st.cache_data(ttl=CACHED_READ_SECONDS, show_spinner=False)
def _is_demo(database_url: str) -> bool:
    return demo.is_demo(_database(database_url))


def is_demo() -> bool:
    """Whether the database holds the invented demo alliance."""
    return _is_demo(session.settings().database_url)


def clear() -> None:
    """Forget every cached read and figure. Writes from a page that change rounds,
    organisations, actions or expected numbers call this; new answers refresh reads
    through the answers version instead."""
    st.cache_data.clear()
    _chart.clear()

"""Every cached read of the pages, and the keys that keep them fresh.

Reads are kept in this module's own memos, not in Streamlit's caches: Streamlit lets any
browser, signed in or not, clear its caches with one message, and a memo it can't reach
costs the leadership pages nothing when someone does. (``st.cache_data`` and
``st.cache_resource`` are used nowhere else either.)

A cached read is keyed by a ``ReadKey``, worked out once per page run with one query: the
database, the framework, the privacy threshold and the database's data versions. Every
write counts itself in those versions in its own transaction (see
``Database.data_versions``), so a key moves with every commit, on every replica and from
the command line too, and a cached read is never stale. Results views, charts, exports
and trends follow the results version, which member answers move only when they are
published; participation and lists follow every write.
"""

from __future__ import annotations

import pickle
import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from dataclasses import dataclass, field, replace
from typing import Any

import pandas as pd
import plotly.graph_objects as go

from collab import demo
from collab.domain import answers, rounds
from collab.domain.checks import CheckAnswers
from collab.domain.organisations import list_organisations
from collab.files import exports
from collab.present import agenda_charts, charts
from collab.stats import agenda, checks, participation, results, trends
from collab.stats.results import RoundResults
from collab.store.db import Database
from collab.store.framework import load_framework
from collab.web import session

# Reads and figures kept at once, least recently used first out.
MAX_ENTRIES = 200
# The name this run's ReadKey is kept under (see ``session.once_per_run``).
READ_KEY = "read_key"
EXPORT_FRAMES = {
    "summary": results.summary_export_frame,
    "divergence": results.divergence_export_frame,
}


class _Memo:
    """A bounded, thread-safe memo. Each key is computed once however many sessions ask
    at the same moment; values are kept as they are (``shared``) or pickled, so each
    caller gets its own copy to change as it likes."""

    def __init__(self, *, shared: bool, max_entries: int = MAX_ENTRIES):
        self._shared = shared
        self._max = max_entries
        self._values: OrderedDict[Hashable, Any] = OrderedDict()
        self._computing: dict[Hashable, threading.Lock] = {}
        self._lock = threading.Lock()

    def get(self, key: Hashable, compute: Callable[[], Any]) -> Any:
        with self._lock:
            if key in self._values:
                self._values.move_to_end(key)
                return self._out(self._values[key])
            computing = self._computing.setdefault(key, threading.Lock())
        with computing:
            with self._lock:
                if key in self._values:
                    return self._out(self._values[key])
            try:
                value = compute()
                stored = value if self._shared else pickle.dumps(value)
                with self._lock:
                    self._values[key] = stored
                    while len(self._values) > self._max:
                        self._values.popitem(last=False)
            finally:
                with self._lock:
                    self._computing.pop(key, None)
        return value if self._shared else pickle.loads(stored)

    def _out(self, stored: Any) -> Any:
        return stored if self._shared else pickle.loads(stored)

    def clear(self) -> None:
        with self._lock:
            self._values.clear()


_DATA = _Memo(shared=False)
# A figure is kept as the object itself: a copy is rebuilt through plotly's checks,
# which costs about as much as drawing the rest of the page. Callers only pass it to
# st.plotly_chart, which reads it and changes nothing.
_FIGURES = _Memo(shared=True)
_DATABASES: dict[str, Database] = {}
_DATABASES_LOCK = threading.Lock()


def _database(database_url: str) -> Database:
    with _DATABASES_LOCK:
        found = _DATABASES.get(database_url)
        if found is None:
            found = Database.from_url(database_url)
            found.upgrade()
            _DATABASES[database_url] = found
        return found


def database() -> Database:
    """The database of the configured DATABASE_URL, created and upgraded on first use."""
    return _database(session.settings().database_url)


@dataclass(frozen=True)
class ReadKey:
    """What every cached read in one page run is keyed by."""

    database_url: str
    framework_path: str
    min_group_size: int
    # The database's data versions (see ``Database.data_versions``).
    results_version: int
    data_version: int

    def for_results(self) -> ReadKey:
        """The key of a read that only published results and records can change."""
        return replace(self, data_version=0)


def current_read_key() -> ReadKey:
    """The ``ReadKey`` of the database as it is now: one query, once per run (``clear``
    forgets it, for a run that wrote and reads on)."""
    return session.once_per_run(READ_KEY, _read_key)


def _read_key() -> ReadKey:
    settings = session.settings()
    any_change, results_change = database().data_versions()
    return ReadKey(
        database_url=settings.database_url,
        framework_path=str(settings.framework_path),
        min_group_size=session.min_group_size(),
        results_version=results_change,
        data_version=any_change,
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


def _results_key(view: ResultsView) -> ResultsView:
    return replace(view, read_key=view.read_key.for_results())


def _compute_round_results(view: ResultsView) -> RoundResults:
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
    """The results of ``view`` with the privacy rules applied."""
    key = _results_key(view)
    return _DATA.get(("results", key), lambda: _compute_round_results(key))


def group_view(view: ResultsView, group: str) -> pd.DataFrame:
    """How far ``group`` stands from the other groups of ``view`` on each learning point
    (``collab.stats.agenda.group_view``), worked out once per view."""
    key = _results_key(view)
    return _DATA.get(("group_view", key, group), lambda: _compute_group_view(key, group))


def _compute_group_view(view: ResultsView, group: str) -> pd.DataFrame:
    framework = load_framework(view.read_key.framework_path)
    return agenda.group_view(round_results(view).summary, group=group, framework=framework)


def _build_chart(view: ResultsView, chart: str, point: str, group: str) -> go.Figure:
    found = round_results(view)
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
        own = group_view(view, group)
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
    key = _results_key(view)
    return _FIGURES.get(
        ("chart", key, chart, point, group), lambda: _build_chart(key, chart, point, group)
    )


def export_bytes(view: ResultsView, what: str, fmt: str) -> bytes:
    """The ``summary`` or ``divergence`` figures of ``view`` as a file in format ``fmt``
    (privacy applied exactly as on the page: withheld cells are empty)."""
    key = _results_key(view)
    return _DATA.get(
        ("export", key, what, fmt),
        lambda: exports.write_frame(
            EXPORT_FRAMES[what](round_results(key)), fmt=fmt, sheet_name=what.title()
        ),
    )


def alliance_trends() -> trends.Trends:
    """Each group's view of each learning point across the rounds that have results."""
    key = current_read_key().for_results()
    return _DATA.get(
        ("trends", key),
        lambda: trends.alliance_trends(
            _database(key.database_url),
            framework=load_framework(key.framework_path),
            min_group_size=key.min_group_size,
        ),
    )


def round_participation(
    round_name: str, *, exact_counts: bool = False
) -> participation.RoundParticipation:
    """Who answered in ``round_name``, against the numbers expected; each organisation's
    small counts masked unless ``exact_counts`` (the administrator's own pages)."""
    key = current_read_key()
    return _DATA.get(
        ("participation", key, round_name, exact_counts),
        lambda: participation.round_participation(
            _database(key.database_url),
            framework=load_framework(key.framework_path),
            round_name=round_name,
            min_group_size=key.min_group_size,
            exact_counts=exact_counts,
        ),
    )


def _group_totals(key: ReadKey, round_id: int) -> dict[str, int]:
    frame = answers.participation(_database(key.database_url), round_id=round_id)
    return {str(k): int(n) for k, n in frame.groupby("stakeholder_group")["n"].sum().items()}


def participation_by_group(round_id: int) -> dict[str, int]:
    """Submissions in the round per stakeholder group key, framework groups first.

    Every group of the framework is listed, with 0 when nobody from it has answered.
    """
    key = current_read_key()
    counts = _DATA.get(("by_group", key, round_id), lambda: _group_totals(key, round_id))
    result = {k: counts.get(k, 0) for k in session.framework().group_keys}
    for k, n in counts.items():
        result.setdefault(k, n)
    return result


def check_figures(data: CheckAnswers) -> checks.CheckFigures:
    """What a live check's publications show, built once per publication (the figures
    move only with one; the live counts beside them are cheap and never kept here)."""
    settings, k, check = session.settings(), session.min_group_size(), data.check
    key = (settings.database_url, str(settings.framework_path), k)
    return _DATA.get(
        ("check_figures", *key, check.id, check.published_seq, check.rescore_from),
        lambda: checks.check_figures(
            data.answers, check=check, framework=session.framework(), min_group_size=k
        ),
    )


def organisation_names() -> list[str]:
    """The names of every organisation, active or not, in alphabetical order."""
    key = current_read_key()
    return _DATA.get(
        ("organisations", key),
        lambda: [o.name for o in list_organisations(_database(key.database_url))],
    )


def current_round() -> rounds.RoundInfo | None:
    """The open round, if any (opening or closing a round moves the results version)."""
    key = current_read_key().for_results()
    return _DATA.get(
        ("current_round", key), lambda: rounds.current_round(_database(key.database_url))
    )


def is_demo() -> bool:
    """Whether the database holds the invented demo alliance (loading it moves the results
    version; members' answers, which can't, leave this read kept)."""
    key = current_read_key().for_results()
    return _DATA.get(("demo", key), lambda: demo.is_demo(_database(key.database_url)))


def clear() -> None:
    """Forget every cached read and figure (the data versions make this unnecessary after
    a write; tests use it to start afresh)."""
    _DATA.clear()
    _FIGURES.clear()
    session.forget_this_run(READ_KEY)


def reset() -> None:
    """Forget every cached read and close every database opened here (for tests that
    point the app at another database)."""
    clear()
    with _DATABASES_LOCK:
        for found in _DATABASES.values():
            found.dispose()
        _DATABASES.clear()

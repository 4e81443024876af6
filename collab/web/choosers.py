"""The choices the leadership pages share: the round, the stakeholder groups, the
organisations and the learning point.

The round carries across the leadership pages (Divergence overview, Learning point
detail, Meeting mode, Participation): the round a page shows is remembered for the
session and written in the address (``?round=...``), so another page, a reload or a
bookmark opens on the same round. The Divergence overview and Learning point detail also
keep their groups, organisations and learning point for the whole session
(``persist_state="session"``).
"""

from __future__ import annotations

from collections.abc import Callable

import streamlit as st

from collab.domain import rounds
from collab.domain.rounds import RoundInfo
from collab.stats import results
from collab.store.framework import Framework
from collab.web import cache
from collab.web.page import escape_markdown

ROUND_KEY = "leadership_round"
GROUPS_KEY = "leadership_groups"
ORGANISATIONS_KEY = "leadership_organisations"
LEARNING_POINT_KEY = "leadership_learning_point"
# The round the last leadership page showed, by name (plain state, no widget's).
SHOWN_ROUND_KEY = "leadership_round_shown"
# The address's query parameter naming the round shown.
ROUND_PARAM = "round"


def default_round(choices: list[RoundInfo], *, open_first: bool = False) -> RoundInfo | None:
    """The round to show first: an open round with live results on (newest), else the
    newest closed round, else the newest open round (whose participation can be shown).
    With ``open_first`` (Participation, which counts answers as they come in) the newest
    open round comes before the others. A round not yet opened is chosen only when no
    round has ever been opened."""
    live = [r for r in choices if r.status == "open" and r.live_results]
    closed = [r for r in choices if r.status == "closed"]
    still_open = [r for r in choices if r.status == "open"]
    preference = (still_open, closed) if open_first else (live, closed, still_open)
    for candidates in (*preference, choices):
        if candidates:
            return candidates[-1]
    return None


def round_label(info: RoundInfo) -> str:
    """A round as the selector shows it, with whether its results can be seen."""
    if info.status == "not_opened":
        return f"{info.name} (not yet opened)"
    if info.status == "closed":
        return f"{info.name} (closed)"
    if info.live_results:
        return f"{info.name} (open, live results)"
    return f"{info.name} (open: counts only)"


def choose_round(
    choices: list[RoundInfo],
    *,
    first: RoundInfo,
    key: str,
    on_change: Callable[[], None] | None = None,
) -> RoundInfo:
    """Draw the round selector (newest first, each round with its state) in the current
    container; return the round chosen, which the other leadership pages then open on.

    ``choices`` is oldest first and not empty. The selector opens on the round it held
    in this page's previous run, else the round the address names, else the round the
    last leadership page showed, else ``first``; an address naming no round is told so
    under the selector. ``on_change`` runs when the person chooses another round.
    """
    by_name = {r.name: r for r in choices}
    names = list(reversed(by_name))
    opening, unknown = _round_to_open(by_name, key=key, first=first)
    # Set through the state rather than ``index``: the round may come from elsewhere.
    st.session_state[key] = opening.name
    name = st.selectbox(
        "Round",
        names,
        format_func=lambda name: round_label(by_name[name]),
        key=key,
        on_change=on_change or "rerun",
    )
    if unknown:
        st.caption(
            f":material/info: No round is called “{escape_markdown(unknown)}”: showing "
            f"{escape_markdown(name)} instead."
        )
    chosen = by_name[name]
    remember_round(chosen)
    return chosen


def _round_to_open(
    by_name: dict[str, RoundInfo], *, key: str, first: RoundInfo
) -> tuple[RoundInfo, str | None]:
    """The round the selector keyed ``key`` opens on, and the name the address asked
    for when it names no round."""
    asked = st.query_params.get(ROUND_PARAM)
    for name in (st.session_state.get(key), asked, st.session_state.get(SHOWN_ROUND_KEY)):
        if name in by_name:
            return by_name[name], None
    return first, asked


def remember_round(chosen: RoundInfo) -> None:
    """Keep ``chosen`` as the round the leadership pages open on, in the session and in
    the address."""
    st.session_state[SHOWN_ROUND_KEY] = chosen.name
    if st.query_params.get(ROUND_PARAM) != chosen.name:
        st.query_params[ROUND_PARAM] = chosen.name


def choose_view(framework: Framework) -> cache.ResultsView | None:
    """Draw the round selector and the group and organisation filters.

    Returns None (after saying why) when there is no round or no group is chosen.
    """
    # Read on every run (a small query): whether a round is open decides what may be shown.
    choices = rounds.list_rounds(cache.database())
    first = default_round(choices)
    if first is None:
        st.info(results.NO_CLOSED_ROUND_MESSAGE, icon=":material/hourglass_empty:")
        return None
    round_column, groups_column, organisations_column = st.columns([1, 1.7, 1.3])
    with round_column:
        chosen = choose_round(choices, first=first, key=ROUND_KEY)
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
        cache.organisation_names(),
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
    return cache.ResultsView(
        chosen.name, ordered, tuple(sorted(organisations)), round_state=round_label(chosen)
    )


def choose_learning_point(framework: Framework) -> str:
    """Draw the learning point selector (titles, framework order); return the point key."""
    return st.selectbox(
        "Learning point",
        framework.point_keys,
        format_func=lambda key: framework.point(key).title,
        key=LEARNING_POINT_KEY,
        persist_state="session",
    )

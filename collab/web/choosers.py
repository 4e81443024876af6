"""The choices the leadership pages share: the round, the stakeholder groups, the
organisations and the learning point.

The Divergence overview and Learning point detail keep their choices for the whole
session (``persist_state="session"``), so moving between the two keeps the same view.
"""

from __future__ import annotations

from collections.abc import Callable

import streamlit as st

from collab.domain import rounds
from collab.domain.rounds import RoundInfo
from collab.stats import results
from collab.store.framework import Framework
from collab.web import cache

ROUND_KEY = "leadership_round"
GROUPS_KEY = "leadership_groups"
ORGANISATIONS_KEY = "leadership_organisations"
LEARNING_POINT_KEY = "leadership_learning_point"


def default_round(choices: list[RoundInfo]) -> RoundInfo | None:
    """The round to show first: an open round with live results on (newest), else the
    newest closed round, else the newest open round (whose participation can be shown).
    A round not yet opened is chosen only when no round has ever been opened."""
    live = [r for r in choices if r.status == "open" and r.live_results]
    closed = [r for r in choices if r.status == "closed"]
    still_open = [r for r in choices if r.status == "open"]
    for candidates in (live, closed, still_open, choices):
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
    keep_for_session: bool = False,
    on_change: Callable[[], None] | None = None,
) -> RoundInfo:
    """Draw the round selector (newest first, each round with its state) in the current
    container; return the round chosen.

    ``choices`` is oldest first and not empty; ``first`` is chosen until the person
    chooses; ``keep_for_session`` keeps the choice when they move to another page;
    ``on_change`` runs when they choose another round.
    """
    by_name = {r.name: r for r in choices}
    names = list(reversed(by_name))
    name = st.selectbox(
        "Round",
        names,
        index=names.index(first.name),
        format_func=lambda name: round_label(by_name[name]),
        key=key,
        on_change=on_change or "rerun",
        persist_state="session" if keep_for_session else None,
    )
    return by_name[name]


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
        chosen = choose_round(choices, first=first, key=ROUND_KEY, keep_for_session=True)
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

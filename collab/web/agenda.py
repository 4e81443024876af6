"""Blocks of the leadership agenda: where to start the discussion, and a group's own view.

No product logic: the order and the words come from ``collab.stats.agenda``, the figures
from ``collab.present.agenda_charts`` (built once per view through ``collab.web.cache``).
"""

from __future__ import annotations

import streamlit as st

from collab.stats import agenda
from collab.stats.results import RoundResults
from collab.store.framework import Framework
from collab.web import cache
from collab.web.cache import ResultsView
from collab.web.page import escape_markdown

OWN_VIEW_KEY = "leadership_own_view_group"


def _draw(view: ResultsView, chart: str, *, key: str, group: str = "") -> None:
    figure = cache.chart(view, chart, group=group)
    st.plotly_chart(figure, key=key, theme=None, config={"displaylogo": False})


def show_agenda(view: ResultsView, found: RoundResults, framework: Framework) -> None:
    """The agenda map and the suggested order of discussion, with each point's status,
    level, gap and who is highest and lowest."""
    st.subheader("Agenda: where to start", anchor="agenda")
    st.caption(
        "Suggested order of discussion: points where the groups diverge come first, and "
        "among those the lowest; points the groups share come later. Up on the map means "
        "the groups stand further apart, left means a lower level."
    )
    _draw(view, "agenda_map", key="leadership_agenda_map")
    st.table(agenda.agenda_table(found.divergence, framework=framework), hide_index=True)


def show_own_view(
    view: ResultsView,
    found: RoundResults,
    framework: Framework,
    *,
    title: str = "A group's own view",
    key: str = OWN_VIEW_KEY,
    chart: bool = True,
    preferred: str | None = None,
) -> None:
    """Choose a group, see on which learning points it stands furthest from the others.

    ``preferred`` is the group chosen first (the first group otherwise); ``chart=False``
    gives the sentences alone, for a phone.
    """
    st.subheader(title, anchor="own-view")
    st.caption(
        "Choose a group to see, point by point, how far its average stands from the "
        "average of the other groups shown (their scores pooled), largest difference first."
    )
    groups = list(found.groups_shown)
    if not groups:
        return
    if st.session_state.get(key) not in groups:
        st.session_state[key] = preferred if preferred in groups else groups[0]
    group = st.selectbox("Group", groups, format_func=framework.group_name, key=key)
    own = cache.group_view(view, group)
    if own.empty:
        reason = agenda.group_view_missing(
            found.summary, own, group=group, framework=framework, k=found.min_group_size
        )
        st.info(escape_markdown(reason), icon=":material/visibility_off:")
        return
    if chart:
        _draw(view, "group_view", key="leadership_own_view", group=group)
    for row in own.head(agenda.TOP_POINTS).to_dict("records"):
        sentence = agenda.group_view_reading(row, group=group, framework=framework)
        st.markdown(f"- {escape_markdown(sentence)}")

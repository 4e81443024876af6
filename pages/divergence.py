"""Divergence overview: where the stakeholder groups agree and where they see things differently."""

import streamlit as st

from collab.web import agenda, cache, choosers, leadership, page, session, signing_in

session.start_run()
signing_in.require_leadership("Divergence overview")

framework = session.framework()

st.title("Where do we diverge?")
page.demo_banner()

view = choosers.choose_view(framework)
if view is None:
    st.stop()
found = cache.round_results(view)
if leadership.show_unavailable(found, framework):
    st.stop()

leadership.caption(found, framework, view)
leadership.show_participation(found, framework)
leadership.show_statuses(found, framework)

leadership.show_chart(view, "gap_ranking", key="divergence_gap_ranking")
leadership.show_withheld(found, framework)
leadership.show_chart(view, "score_levels", key="divergence_score_levels")
leadership.show_gap_changes(found, framework)
agenda.show_agenda(view, found, framework)
agenda.show_own_view(view, found, framework)
leadership.show_downloads(view)

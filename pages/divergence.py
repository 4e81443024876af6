"""Divergence overview: where the stakeholder groups agree and where they see things differently."""

import streamlit as st

from collab import leadership_ui, ui

framework = ui.get_framework()

st.title("Where do we diverge?")
ui.demo_banner()

view = leadership_ui.choose_view(framework)
if view is None:
    st.stop()
found = leadership_ui.load_results(view)
if leadership_ui.show_unavailable(found, framework):
    st.stop()

leadership_ui.caption(found, framework, view)
leadership_ui.show_participation(found, framework)
leadership_ui.show_statuses(found, framework)

leadership_ui.show_chart(view, "gap_ranking", key="divergence_gap_ranking")
leadership_ui.show_withheld(found, framework)
leadership_ui.show_chart(view, "divergence_heatmap", key="divergence_heatmap")
leadership_ui.show_gap_changes(found, framework)
leadership_ui.show_downloads(view)

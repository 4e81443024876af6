"""Divergence overview: where the stakeholder groups agree and where they see things differently."""

import streamlit as st

from collab import charts, leadership_ui, ui

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

st.plotly_chart(
    charts.gap_ranking(found.summary, found.divergence, framework),
    key="divergence_gap_ranking",
    theme=None,
    config={"displaylogo": False},
)
leadership_ui.show_withheld(found, framework)
st.plotly_chart(
    charts.divergence_heatmap(found.summary, framework),
    key="divergence_heatmap",
    theme=None,
    config={"displaylogo": False},
)
leadership_ui.show_gap_changes(found, framework)

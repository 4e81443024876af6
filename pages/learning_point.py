"""Learning point detail: how each group answered one point, in figures, words and comments."""

import streamlit as st

from collab import leadership_ui, ui

framework = ui.get_framework()

st.title("Learning point detail")
ui.demo_banner()

view = leadership_ui.choose_view(framework)
if view is None:
    st.stop()
point = leadership_ui.choose_learning_point(framework)
found = leadership_ui.load_results(view)
if leadership_ui.show_unavailable(found, framework):
    st.stop()

leadership_ui.caption(found, framework, view)
leadership_ui.show_point_header(found, framework, point)
leadership_ui.show_chart(view, "distribution", key="learning_point_distribution", point=point)
leadership_ui.show_group_statistics(found, framework, point)
leadership_ui.show_point_statistics(found, framework, point)
leadership_ui.show_point_changes(found, framework, point)
leadership_ui.show_comments(found, framework, point)

"""Learning point detail: how each group answered one point, in figures, words and comments."""

import streamlit as st

from collab.web import cache, choosers, leadership, page, session, signing_in

session.start_run()
signing_in.require_leadership("Learning point detail")

framework = session.framework()

st.title("Learning point detail")
page.demo_banner()

view = choosers.choose_view(framework)
if view is None:
    st.stop()
point = choosers.choose_learning_point(framework)
found = cache.round_results(view)
if leadership.show_unavailable(found, framework):
    st.stop()

leadership.caption(found, framework, view)
leadership.show_point_header(found, framework, point)
leadership.show_chart(view, "distribution", key="learning_point_distribution", point=point)
leadership.show_group_statistics(found, framework, point)
leadership.show_point_statistics(found, framework, point)
leadership.show_point_changes(found, framework, point)
leadership.show_comments(found, framework, point)

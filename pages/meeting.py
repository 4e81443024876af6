"""Meeting mode: the leadership team takes the learning points one screen at a time on a
shared screen, discusses them and records what it agrees to do."""

import streamlit as st

from collab.domain import rounds
from collab.stats.meeting import learning_point_order, point_picture
from collab.web import cache, choosers, leadership, meeting, page, session, signing_in

session.start_run()
signing_in.require_leadership("Meeting mode")

framework = session.framework()
db = cache.database()
k = session.min_group_size()
choices = rounds.list_rounds(db)
if not choices:
    st.title("Meeting mode")
    st.info(
        "There is no round to discuss yet. An administrator creates and opens a round on "
        "the Administration page; once members have answered and the round has closed, "
        "its results can be discussed here.",
        icon=":material/hourglass_empty:",
    )
    st.stop()

chosen, order = meeting.choose_round(choices, min_group_size=k)
label = choosers.round_label(chosen)
with meeting.presenter():
    if chosen.opened:
        meeting.show_participation(db, framework, chosen.name, k)
    view = cache.ResultsView(chosen.name, tuple(framework.group_keys), (), label)
    found = cache.round_results(view)
    if leadership.show_unavailable(found, framework):
        st.stop()
    with st.sidebar:
        meeting.show_pack_downloads(db, framework, round_name=chosen.name, k=k)

    keys = learning_point_order(found.divergence, framework=framework, by=order)
    point, shown = meeting.step_through(keys, label=label)
    with st.sidebar:
        page.page_link(
            "pages/live_check.py",
            label="Live check on this point",
            icon=":material/how_to_vote:",
            query_params={"round": chosen.name, "point": point},
        )
    picture = point_picture(found, framework=framework, learning_point=point)
    if shown == meeting.PICTURE:
        meeting.show_picture(found, framework, picture)
    else:
        meeting.show_comments_and_actions(db, found, framework, picture, round_name=chosen.name)

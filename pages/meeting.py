"""Meeting mode: the leadership team takes the learning points one screen at a time,
discusses them on a shared screen and records what it agrees to do."""

import streamlit as st

from collab.domain import rounds
from collab.stats import privacy
from collab.stats.meeting import ORDERS, learning_point_order, point_picture
from collab.web import cache, choosers, leadership, meeting, page, session, signing_in

session.start_run()
signing_in.require_leadership("Meeting mode")

framework = session.framework()

db = cache.database()
k = privacy.min_group_size_from_settings(session.settings())
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

chosen, order = meeting.choose_round(choices)
label = choosers.round_label(chosen)
st.caption(
    page.escape_markdown(
        f"Meeting mode · {label} · {ORDERS[order].lower()} · "
        f"a group's figures on a point are withheld when it has fewer than {k} scores there"
    )
)
page.demo_banner()
if chosen.opened:
    meeting.show_flagged_groups(db, framework, chosen.name, k)

view = cache.ResultsView(chosen.name, tuple(framework.group_keys), (), label)
found = cache.round_results(view)
if leadership.show_unavailable(found, framework):
    st.stop()

keys = learning_point_order(found.divergence, framework=framework, by=order)
position = meeting.step_through(len(keys))
picture = point_picture(found, framework=framework, learning_point=keys[position])

meeting.show_picture(found, framework, picture)
meeting.show_comments(picture)
meeting.show_figures(found, framework, picture)
meeting.show_actions(db, round_name=chosen.name, point=picture.key)
meeting.record_action_form(db, framework, round_name=chosen.name, picture=picture)
st.divider()
meeting.show_pack_downloads(db, framework, round_name=chosen.name, k=k)

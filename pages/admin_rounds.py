"""Rounds: create one, open or close it (closing asks for a tick first), and turn live
results on or off while it is open."""

import streamlit as st

from collab.domain import rounds
from collab.web import admin, cache, page, session

session.start_run()

admin.admin_page("Rounds")
db = cache.database()

admin.show_outcome("rounds")
st.dataframe(admin.rounds_table(db), hide_index=True)
admin.show_waiting_publications(db, session.framework(), session.min_group_size())
with st.form("admin_round_form", clear_on_submit=True):
    st.write("**New round**")
    name = st.text_input("Name", placeholder="Spring 2027", key="admin_round_name")
    left, right = st.columns(2)
    opens = left.date_input("Opens on", value=None, key="admin_round_opens")
    closes = right.date_input("Closes on", value=None, key="admin_round_closes")
    if st.form_submit_button("Create round", key="admin_round_create"):
        admin.act(
            "rounds",
            lambda: rounds.create_round(
                db, actor=session.role(), name=name, opens_on=opens, closes_on=closes
            ),
            lambda info: f"Round '{info.name}' created. Open it when members may answer.",
        )

names = [r.name for r in rounds.list_rounds(db)]
if not names:
    st.stop()
st.write("**Open, close, live results**")
name = st.selectbox("Round", names, index=len(names) - 1, key="admin_round_pick")
chosen = rounds.get_round(db, name)
several = st.checkbox("Allow several rounds open at once", key="admin_round_allow_several")
# Closing can't be undone without reopening, so it waits for a tick: one per round, so
# a tick never carries over to another round.
sure = chosen.is_open and st.checkbox(
    page.escape_markdown(
        f"Yes, close round '{name}': members can no longer send or change answers"
    ),
    key=f"admin_round_close_sure_{chosen.id}",
)
left, middle, right = st.columns(3)
if left.button(
    "Open round",
    key="admin_round_open",
    disabled=chosen.status != "not_opened",
    help="Members can answer once it is open."
    if chosen.status == "not_opened"
    else "A round opens once; a closed round's "
    "answers are frozen (an amendment import corrects them).",
):
    admin.act(
        "rounds",
        lambda: rounds.open_round(db, actor=session.role(), name=name, allow_several=several),
        lambda info: f"Round '{info.name}' is open: members can submit answers.",
    )
if middle.button(
    "Close round",
    key="admin_round_close",
    disabled=not sure,
    help="Tick the box above first." if chosen.is_open else "The round is not open.",
):
    admin.act(
        "rounds",
        lambda: rounds.close_round(db, actor=session.role(), name=name),
        lambda info: f"Round '{info.name}' is closed; its results can now be seen.",
    )
if no_live_results := rounds.why_no_live_results(chosen):
    right.caption(no_live_results)
else:
    live = not chosen.live_results
    if right.button(
        f"Turn live results {'on' if live else 'off'}",
        key="admin_round_live",
        help="While a round is open, group results are hidden unless live results are on.",
    ):
        admin.act(
            "rounds",
            lambda: rounds.set_live_results(db, actor=session.role(), name=name, on=live),
            lambda info: f"Live results are {'on' if live else 'off'} for '{info.name}'.",
        )

if chosen.status == "closed":
    shared = chosen.name in {r.name for r in rounds.shared_rounds(db)}
    st.write("**Results for members**")
    st.caption(
        "Shared results show on Home to everyone who opens the app: where the groups agree "
        "and differ, under the same privacy rules as the leadership pages."
    )
    if st.button(
        "Stop sharing these results with members" if shared else "Share these results with members",
        key="admin_round_share",
    ):
        admin.act(
            "rounds",
            lambda: rounds.set_results_shared(
                db, actor=session.role(), name=name, shared=not shared
            ),
            lambda info: (
                f"Members no longer see the results of '{info.name}'."
                if shared
                else f"Members now see the results of '{info.name}' on Home."
            ),
        )

"""Live check: the leadership team asks the room to score a learning point on their
phones, watches the answers come in on the shared screen, and re-scores after discussion."""

import streamlit as st

from collab.web import cache, live_check, page, session, signing_in

session.start_run()
signing_in.require_leadership("Live check screen")

framework = session.framework()
db = cache.database()
live_check.style()
choices = live_check.round_choices(db)
if not choices:
    st.title("Live check")
    st.info(
        "A live check asks about a round that has opened. An administrator creates and "
        "opens a round on the Administration page first.",
        icon=":material/hourglass_empty:",
    )
    st.stop()

chosen = live_check.choose(choices, framework)
live_check.start_button(db, framework)
check = live_check.check_to_show(db, chosen.name)

with st.container(key=live_check.SCREEN_KEY):
    if check is None:
        st.title("Live check")
        page.demo_banner()
        st.write(
            f"No live check in {page.escape_markdown(chosen.name)} yet. Choose a learning "
            "point (or all of them) in the sidebar and start one: a QR code and a short "
            "code appear here for members to answer on their phones."
        )
        st.stop()
    subject = live_check.point_label(framework, check.learning_point or live_check.ALL_POINTS)
    st.title(page.escape_markdown(subject), anchor=False)
    state = "open" if check.is_open else "closed"
    st.caption(page.escape_markdown(f"Live check {check.short_code} · {chosen.name} · {state}"))
    way_in, live = st.columns([2, 3], gap="large")
    with way_in:
        live_check.show_way_in(check)
    with live:
        live_check.show_live(db, framework, check)
        live_check.controls(db, check)
live_check.show_earlier(db, framework, chosen.name, check.id)

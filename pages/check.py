"""Live check, on a member's phone: the code on the meeting screen, their invite code, and
one learning point (or each of them) to score in a few taps, then again after discussion."""

import streamlit as st

from collab.web import cache, live_check, page, session

session.start_run()

framework = session.framework()
db = cache.database()
st.set_page_config(layout="centered")
live_check.style()

with st.container(key=live_check.FORM_KEY):
    st.title("Live check")
    page.demo_banner()
    check = live_check.typed_check(db)
    if check is None:
        st.stop()
    if not check.is_open:
        st.info(
            "This live check has closed. Thank you for taking part.",
            icon=":material/event_available:",
        )
        st.stop()
    given = live_check.typed_invite_code(db)
    if given is None:
        st.stop()
    code, invite = given
    phone_seat = "" if invite.personal else live_check.seat()
    live_check.who_answers(invite, framework)
    if live_check.has_answered(db, check, code, phone_seat):
        live_check.wait_for_rescore(db, check)
        st.stop()
    if check.rescoring:
        st.info("Re-score: after the discussion, how do you see it now?", icon=":material/replay:")
    live_check.question(framework, check)
    live_check.send_button(db, framework, check, code, phone_seat)

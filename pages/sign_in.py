"""Sign in: the leadership team and the administrator unlock their pages with a passcode
(or their organisation account), then go where their work starts."""

import streamlit as st

from collab.web import navigation, page, session, signing_in

session.start_run()

st.title("Sign in")
page.demo_banner()
st.write(
    "Members don't need to sign in: open **Submit answers** and type your invite code. "
    "This page is for the leadership team and the alliance coordinator."
)

if signed_in := signing_in.sign_in_form():
    navigation.open_landing_page(signed_in)

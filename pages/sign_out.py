"""Sign out: back to the member view."""

import streamlit as st

from collab.domain import access
from collab.web import page, session

session.start_run()

st.title("Sign out")
page.demo_banner()
st.write(
    f"You are signed in as **{access.ROLE_NAMES[session.role()]}**. Signing out returns this "
    "browser to the member view. On a shared computer or projector, sign out when the "
    "meeting ends."
)
if st.button("Sign out", type="primary", key="sign_out_button"):
    session.sign_out()
    st.switch_page("pages/home.py")

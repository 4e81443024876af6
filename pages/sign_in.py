"""Sign in: the leadership team and the administrator unlock their pages with a passcode.

Wrong passcodes are counted in the database per role and per client address
(``collab.domain.sign_in``), so a new session or a reload does not start the count afresh."""

import streamlit as st

from collab.domain import access, sign_in
from collab.web import cache, page, session

session.start_run()

st.title("Sign in")
page.demo_banner()
st.write(
    "Members don't need to sign in: open **Submit answers** and type your invite code. "
    "This page is for the leadership team and the alliance coordinator."
)

settings = session.settings()
if settings.sign_on_configured:
    st.subheader("With your organisation account")
    if st.user.is_logged_in:
        st.warning(
            f"You are signed in as {page.escape_markdown(str(st.user.get('email', '')))}, but "
            "that address is not on the leadership or administrator list. Ask the alliance "
            "coordinator to add it (see the README), or sign in with a passcode below.",
            icon=":material/person_off:",
        )
        st.button("Sign out of this account", key="sign_out_sso", on_click=st.logout)
    else:
        st.button(
            "Sign in with your organisation account",
            key="sign_in_sso",
            type="primary",
            on_click=st.login,
        )
    st.subheader("With a passcode")

with st.form("sign_in_form"):
    chosen_role = st.radio(
        "Sign in as",
        [access.LEADERSHIP, access.ADMIN],
        format_func=access.ROLE_NAMES.__getitem__,
        key="sign_in_role",
        horizontal=True,
    )
    passcode = st.text_input("Passcode", type="password", key="sign_in_passcode")
    signing_in = st.form_submit_button("Sign in", key="sign_in_button", type="primary")

if signing_in:
    expected = access.expected_passcode(settings, role=chosen_role)
    if not expected:
        st.error(access.missing_passcode_message(chosen_role), icon=":material/lock:")
        st.stop()
    try:
        outcome = sign_in.try_passcode(
            cache.database(),
            actor=sign_in.UNKNOWN_ACTOR,
            role=chosen_role,
            client=session.client_address(),
            passcode_matches=access.check_passcode(passcode, expected),
        )
    except Exception as exc:  # the database can't count the try: nobody signs in
        page.show_error(exc)
        st.stop()
    if outcome.accepted:
        session.sign_in_as(chosen_role)
        st.switch_page("pages/home.py")
    elif outcome.wait_seconds:
        # The same words whether or not the passcode was right: a lock tells nothing.
        st.error(
            "That passcode is not right, or too many wrong passcodes have been tried. "
            f"Please wait {outcome.wait_seconds} seconds, then try again.",
            icon=":material/timer:",
        )
    else:
        st.error("That passcode is not right. Please check it and try again.")

"""Signing in on the web: the form (a passcode, or the organisation account where single
sign-on is set up), the sign-in that stands at the address of a page the session's role
may not open, and the check every leadership page makes first.

Wrong passcodes are counted in the database per role and per client address
(``collab.domain.sign_in``), so a new session or a reload does not start the count
afresh. Nothing here makes a credential of its own: a passcode sign-in lasts as long as
the browser session (a reload starts a new one), and the sign-in at a page's address
brings the person back to that page, at the same address, once they have signed in.
"""

from __future__ import annotations

import streamlit as st

from collab.domain import access, sign_in
from collab.domain.access import ADMIN, LEADERSHIP
from collab.web import cache, page, session

# Who each kind of page is for, in the words of the hint above the form.
PAGE_IS_FOR = {LEADERSHIP: "the leadership team", ADMIN: "the alliance's administrator"}


def sign_in_form(*, needs: str = LEADERSHIP) -> str | None:
    """Draw the ways to sign in (organisation account, passcode) with ``needs`` chosen
    first; return the role signed in by this run's passcode, or None.

    A refused passcode is told why (wrong, locked, or no passcode set), never which.
    """
    settings = session.settings()
    if settings.sign_on_configured:
        _single_sign_on()
        st.subheader("With a passcode", anchor=False)
    roles = [LEADERSHIP, ADMIN]
    with st.form("sign_in_form", width=560):
        chosen_role = st.radio(
            "Sign in as",
            roles,
            index=roles.index(needs) if needs in roles else 0,
            format_func=access.ROLE_NAMES.__getitem__,
            key="sign_in_role",
            horizontal=True,
        )
        passcode = st.text_input("Passcode", type="password", key="sign_in_passcode")
        signing_in = st.form_submit_button("Sign in", key="sign_in_button", type="primary")
    if not signing_in:
        return None
    expected = access.expected_passcode(settings, role=chosen_role)
    if not expected:
        st.error(access.missing_passcode_message(chosen_role), icon=":material/lock:")
        return None
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
        return None
    if outcome.accepted:
        session.sign_in_as(chosen_role)
        return chosen_role
    if outcome.wait_seconds:
        # The same words whether or not the passcode was right: a lock tells nothing.
        st.error(
            "That passcode is not right, or too many wrong passcodes have been tried. "
            f"Please wait {outcome.wait_seconds} seconds, then try again.",
            icon=":material/timer:",
        )
    else:
        st.error("That passcode is not right. Please check it and try again.")
    return None


def _single_sign_on() -> None:
    st.subheader("With your organisation account", anchor=False)
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


def sign_in_here(title: str, *, needs: str) -> None:
    """What stands at the address of the page ``title`` for a session whose role may not
    open it: the page's name, who it is for, and the sign-in form (``needs`` chosen).

    Once signed in, the run starts again at the same address, query parameters and all,
    and opens the page itself when the new role may see it.
    """
    st.title(page.escape_markdown(title), anchor=False)
    page.demo_banner()
    st.warning(
        f"{page.escape_markdown(title)} is for {PAGE_IS_FOR[needs]}. Sign in to open it: "
        "you come straight back here.",
        icon=":material/lock:",
    )
    if sign_in_form(needs=needs):
        st.rerun()


def require_leadership(title: str) -> None:
    """Stop the run, offering to sign in, unless the leadership team or the administrator
    is signed in.

    The menu already puts a sign-in at a leadership page's address for members; this
    check also holds when Streamlit runs a page file directly (as it can for the first
    request after a start).
    """
    if session.role() in (LEADERSHIP, ADMIN):
        return
    sign_in_here(title, needs=LEADERSHIP)
    st.stop()

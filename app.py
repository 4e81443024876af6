"""Entry point: the start of each run, page configuration and the menu of the signed-in
role (``collab.web.navigation``).

The menu is rebuilt from ``st.session_state["role"]`` on every run. A page the role may
not open is not in it: its address shows a sign-in instead, and opens the page once the
person has signed in.
"""

import streamlit as st

from collab.web import member, navigation, page, session

# Each run reads the settings afresh, once, whatever page it shows.
session.start_run(by_app=True)
st.set_page_config(
    page_title="Alliance self-assessment",
    # A file served by the app itself: a Material icon here would be fetched from a font
    # host on the internet by every browser that opens a page.
    page_icon=page.FAVICON,
    layout="wide",
)

try:
    role = session.role()
    sections = navigation.menu(role)
    if role == "member":
        # Members get the app's own links: Streamlit's sectioned menu fails accessibility
        # checks and hides behind a button on a phone (see collab/web/member.py).
        menu = st.navigation(sections, position="hidden")
        member.navigation(sections)
    else:
        menu = st.navigation(sections)
    session.leave_uploads_open_for(menu.url_path)
    menu.run()
except Exception as exc:  # logged with its traceback; the person reads a plain message
    page.show_error(exc)

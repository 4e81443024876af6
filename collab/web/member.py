"""The members' own navigation: plain links across the top of their pages.

Streamlit's sidebar menu, divided into sections, is a list whose items aren't all list
items, which screen readers trip over (axe-core's ``list`` and ``listitem`` rules); on a
phone it also hides behind a button. Members (nobody signed in) get these links instead;
the leadership team and the administrator keep the sidebar.
"""

from __future__ import annotations

from pathlib import Path

import streamlit as st
from streamlit.navigation.page import Page as StreamlitPage

NAVIGATION_AREA = "member_nav"
STYLESHEET = Path(__file__).with_name("member_nav.css")


def navigation(sections: dict[str, list[StreamlitPage]]) -> None:
    """A link to each page the menu ``sections`` show, in one row at the top of the page
    (the hidden pages of the menu, known only by their address, get none)."""
    st.html(STYLESHEET)
    with st.container(horizontal=True, key=NAVIGATION_AREA, gap="small"):
        for pages in sections.values():
            for target in pages:
                if target.visibility != "hidden":
                    st.page_link(target, label=target.title, icon=target.icon or None)

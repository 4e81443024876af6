"""The members' own navigation: plain links across the top of their pages.

Streamlit's sidebar menu, divided into sections, is a list whose items aren't all list
items, which screen readers trip over (axe-core's ``list`` and ``listitem`` rules); on a
phone it also hides behind a button. Members (nobody signed in) get these links instead;
the leadership team and the administrator keep the sidebar.
"""

from __future__ import annotations

import streamlit as st
from streamlit.navigation.page import Page as StreamlitPage

NAVIGATION_AREA = "member_nav"
# Links a thumb can hit, in the theme's dark blue (7.3:1 against white).
STYLESHEET = """<style>
.st-key-member_nav a[data-testid="stPageLink-NavLink"] {
  min-height: 44px; display: flex; align-items: center; padding: 0 0.75rem;
}
.st-key-member_nav a[data-testid="stPageLink-NavLink"] span { color: #1f5f8b; }
</style>"""


def navigation(sections: dict[str, list[StreamlitPage]]) -> None:
    """A link to each page the menu ``sections`` show, in one row at the top of the page
    (the hidden pages of the menu, known only by their address, get none)."""
    st.html(STYLESHEET)
    with st.container(horizontal=True, key=NAVIGATION_AREA, gap="small"):
        for pages in sections.values():
            for target in pages:
                if target.visibility != "hidden":
                    st.page_link(target, label=target.title, icon=target.icon or None)

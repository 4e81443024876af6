"""The menu of each role, and what stands at the address of a page the role may not open.

Each run builds the menu of the signed-in role afresh (``st.navigation`` marks the page
objects it runs, so none is kept between runs or sessions). A page the role may not
open is still known by its address, as a hidden page that shows only a sign-in naming
it (``signing_in.sign_in_here``), never the page: a reload, a bookmark or a shared link
of a leadership page leads to that sign-in, and once signed in the run starts again at
the same address, which now opens the page itself. Nobody meets "Page not found".
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import streamlit as st

from collab.domain.access import ADMIN, LEADERSHIP, MEMBER
from collab.web import signing_in


@dataclass(frozen=True)
class PageEntry:
    """One page of the app: its file under ``pages/``, menu title, icon and address."""

    script: str
    title: str
    icon: str
    url_path: str

    def page(self, *, default: bool = False) -> st.Page:
        return st.Page(
            f"pages/{self.script}",
            title=self.title,
            icon=self.icon,
            url_path=self.url_path,
            default=default,
        )

    def sign_in_page(self, *, needs: str) -> st.Page:
        """A hidden page at this page's address that offers to sign in as ``needs``."""
        return st.Page(
            _sign_in_for(self.title, needs),
            title=self.title,
            icon=self.icon,
            url_path=self.url_path,
            visibility="hidden",
        )


def _sign_in_for(title: str, needs: str) -> Callable[[], None]:
    def sign_in_here() -> None:
        signing_in.sign_in_here(title, needs=needs)

    return sign_in_here


HOME = PageEntry("home.py", "Home", ":material/home:", "home")
SUBMIT = PageEntry("submit.py", "Submit answers", ":material/edit_note:", "submit")
CHECK = PageEntry("check.py", "Live check", ":material/how_to_vote:", "check")
SIGN_IN = PageEntry("sign_in.py", "Sign in", ":material/login:", "sign-in")
SIGN_OUT = PageEntry("sign_out.py", "Sign out", ":material/logout:", "sign-out")
DIVERGENCE = PageEntry(
    "divergence.py", "Divergence overview", ":material/compare_arrows:", "divergence"
)
# Leadership pages are seen by leadership and admin, admin pages by admin.
LEADERSHIP_PAGES = (
    DIVERGENCE,
    PageEntry("learning_point.py", "Learning point detail", ":material/search:", "learning_point"),
    PageEntry("meeting.py", "Meeting mode", ":material/co_present:", "meeting"),
    PageEntry("live_check.py", "Live check screen", ":material/qr_code_2:", "live_check"),
    PageEntry("trends.py", "Trends", ":material/timeline:", "trends"),
    PageEntry("participation.py", "Participation", ":material/groups:", "participation"),
)
ROUNDS = PageEntry("admin_rounds.py", "Rounds", ":material/event:", "rounds")
ADMIN_PAGES = (
    ROUNDS,
    PageEntry(
        "admin_organisations.py", "Organisations", ":material/corporate_fare:", "organisations"
    ),
    PageEntry("admin_codes.py", "Invite codes", ":material/key:", "codes"),
    PageEntry("admin_import.py", "Import", ":material/upload:", "import"),
    PageEntry("admin_export.py", "Export", ":material/download:", "export"),
    PageEntry("admin_backup.py", "Backup", ":material/backup:", "backup"),
    PageEntry("admin_audit.py", "Audit log", ":material/history:", "audit"),
)
# Where each role lands after signing in on the Sign in page.
LANDING = {LEADERSHIP: DIVERGENCE, ADMIN: ROUNDS}


def menu(role: str) -> dict[str, list[st.Page]]:
    """The sections of ``role``'s menu, then, hidden, a sign-in at the address of each
    page it may not open."""
    members = [HOME.page(default=True), SUBMIT.page(), CHECK.page()]
    leadership = [entry.page() for entry in LEADERSHIP_PAGES]
    admin_sign_ins = [entry.sign_in_page(needs=ADMIN) for entry in ADMIN_PAGES]
    if role == ADMIN:
        return {
            "Members": members,
            "Leadership": leadership,
            "Administration": [entry.page() for entry in ADMIN_PAGES],
            "Account": [SIGN_OUT.page()],
        }
    if role == LEADERSHIP:
        return {
            "Members": members,
            "Leadership": leadership,
            "Account": [SIGN_OUT.page(), *admin_sign_ins],
        }
    leadership_sign_ins = [entry.sign_in_page(needs=LEADERSHIP) for entry in LEADERSHIP_PAGES]
    return {"Members": members, "Team": [SIGN_IN.page(), *leadership_sign_ins, *admin_sign_ins]}


def open_landing_page(signed_in: str) -> None:
    """Go from the member's Sign in page to where ``signed_in`` starts its work."""
    address = LANDING[signed_in].url_path
    # The page registered at that address in this run: the member's menu holds it.
    registered = next(p for pages in menu(MEMBER).values() for p in pages if p.url_path == address)
    st.switch_page(registered)

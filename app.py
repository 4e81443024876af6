"""Entry point: the start of each run, page configuration and the navigation of the
signed-in role.

The navigation is rebuilt from ``st.session_state["role"]`` on every run, so a page a
role may not use is not in it and cannot be opened, not even by typing its address.
"""

import streamlit as st

from collab.web import page, session

# Each run reads the settings afresh, once, whatever page it shows.
session.start_run(by_app=True)
st.set_page_config(
    page_title="Alliance self-assessment",
    # A file served by the app itself: a Material icon here would be fetched from a font
    # host on the internet by every browser that opens a page.
    page_icon=page.FAVICON,
    layout="wide",
)

home = st.Page("pages/home.py", title="Home", icon=":material/home:", default=True)
submit = st.Page(
    "pages/submit.py", title="Submit answers", icon=":material/edit_note:", url_path="submit"
)
check = st.Page(
    "pages/check.py", title="Live check", icon=":material/how_to_vote:", url_path="check"
)
sign_in = st.Page("pages/sign_in.py", title="Sign in", icon=":material/login:", url_path="sign-in")
sign_out = st.Page(
    "pages/sign_out.py", title="Sign out", icon=":material/logout:", url_path="sign-out"
)

# One line per page: leadership pages are seen by leadership and admin, admin pages by admin.
leadership_pages = [
    st.Page("pages/divergence.py", title="Divergence overview", icon=":material/compare_arrows:"),
    st.Page("pages/learning_point.py", title="Learning point detail", icon=":material/search:"),
    st.Page("pages/meeting.py", title="Meeting mode", icon=":material/co_present:"),
    st.Page("pages/live_check.py", title="Live check screen", icon=":material/qr_code_2:"),
    st.Page("pages/trends.py", title="Trends", icon=":material/timeline:"),
    st.Page("pages/participation.py", title="Participation", icon=":material/groups:"),
]
admin_pages = [
    st.Page("pages/admin_rounds.py", title="Rounds", icon=":material/event:", url_path="rounds"),
    st.Page(
        "pages/admin_organisations.py",
        title="Organisations",
        icon=":material/corporate_fare:",
        url_path="organisations",
    ),
    st.Page("pages/admin_codes.py", title="Invite codes", icon=":material/key:", url_path="codes"),
    st.Page("pages/admin_import.py", title="Import", icon=":material/upload:", url_path="import"),
    st.Page("pages/admin_export.py", title="Export", icon=":material/download:", url_path="export"),
    st.Page("pages/admin_backup.py", title="Backup", icon=":material/backup:", url_path="backup"),
    st.Page("pages/admin_audit.py", title="Audit log", icon=":material/history:", url_path="audit"),
]

pages_by_role = {
    "member": {"Members": [home, submit, check], "Team": [sign_in]},
    "leadership": {
        "Members": [home, submit, check],
        "Leadership": leadership_pages,
        "Account": [sign_out],
    },
    "admin": {
        "Members": [home, submit, check],
        "Leadership": leadership_pages,
        "Administration": admin_pages,
        "Account": [sign_out],
    },
}

try:
    sections = {name: pages for name, pages in pages_by_role[session.role()].items() if pages}
    st.navigation(sections).run()
except Exception as exc:  # logged with its traceback; the person reads a plain message
    page.show_error(exc)

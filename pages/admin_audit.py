"""Audit log: the most recent administrative actions, from the pages and the command line."""

import streamlit as st

from collab.web import admin, cache, session

session.start_run()

admin.admin_page("Audit log")

st.caption("The most recent administrative actions, newest first.")
st.dataframe(
    admin.audit_table(cache.database()),
    hide_index=True,
    column_config=admin.audit_columns(),
)

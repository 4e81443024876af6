"""Organisations: add one, rename it, deactivate it (after a tick to confirm) or reactivate
it; its history stays."""

import streamlit as st

from collab.domain import organisations
from collab.web import admin, cache, page, session

session.start_run()

admin.admin_page("Organisations")
db = cache.database()

admin.show_outcome("organisations")
st.dataframe(admin.organisations_table(db), hide_index=True)
with st.form("admin_org_form", clear_on_submit=True):
    new_name = st.text_input("New organisation", key="admin_org_new_name")
    if st.form_submit_button("Add organisation", key="admin_org_add"):
        admin.act(
            "organisations",
            lambda: organisations.create_organisation(db, actor=session.role(), name=new_name),
            lambda info: f"'{info.name}' added.",
        )

known = {o.id: o for o in organisations.list_organisations(db)}
if not known:
    st.stop()
st.write("**Rename, deactivate or reactivate**")
picked = st.selectbox(
    "Organisation", list(known), format_func=lambda i: known[i].name, key="admin_org_pick"
)
renamed = st.text_input("New name", key="admin_org_rename_to")
if st.button("Rename", key="admin_org_rename"):
    admin.act(
        "organisations",
        lambda: organisations.rename_organisation(
            db, actor=session.role(), organisation_id=picked, name=renamed
        ),
        lambda info: f"Renamed to '{info.name}'.",
    )
chosen = known[picked]
# Deactivating waits for a tick, one per organisation, as closing a round does.
sure = chosen.active and st.checkbox(
    page.escape_markdown(
        f"Yes, deactivate '{chosen.name}': it gets no new invite codes and its "
        "responses can't be imported until it is reactivated"
    ),
    key=f"admin_org_deactivate_sure_{picked}",
)
if st.button(
    "Deactivate" if chosen.active else "Reactivate",
    key="admin_org_toggle_active",
    disabled=chosen.active and not sure,
    help="A deactivated organisation keeps its history but gets no new invite codes.",
):
    admin.act(
        "organisations",
        lambda: organisations.set_organisation_active(
            db, actor=session.role(), organisation_id=picked, active=not chosen.active
        ),
        lambda info: f"'{info.name}' is {'active' if info.active else 'deactivated'}.",
    )

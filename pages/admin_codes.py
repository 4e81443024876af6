"""Invite codes: create one for an organisation's stakeholder group (shown once), or
revoke one so it is refused from then on."""

import streamlit as st

from collab.domain import invite_codes, organisations
from collab.web import admin, cache, session

session.start_run()

admin.admin_page("Invite codes")
db = cache.database()
framework = session.framework()


def create_code(organisation: str, group: str) -> None:
    info, code = invite_codes.create_invite_code(
        db,
        actor=session.role(),
        framework=framework,
        organisation=organisation,
        stakeholder_group=group,
    )
    admin.keep_new_code(
        code=code,
        organisation=info.organisation,
        group=framework.group_name(info.stakeholder_group),
    )


admin.show_new_code(session.settings().base_url)
active = [o.name for o in organisations.list_organisations(db, include_inactive=False)]
if not active:
    st.info("Add an organisation first.")
else:
    st.write("**New invite code**")
    organisation = st.selectbox("Organisation", active, key="admin_code_org")
    group = st.selectbox(
        "Stakeholder group",
        framework.group_keys,
        format_func=framework.group_name,
        key="admin_code_group",
    )
    if st.button("Create invite code", key="admin_code_create"):
        admin.act("codes", lambda: create_code(organisation, group), lambda _: None)
admin.show_outcome("codes")
st.dataframe(admin.invite_codes_table(db, framework=framework), hide_index=True)
labels = {
    c.id: f"No. {c.id}: {c.organisation}, {framework.group_name(c.stakeholder_group)}"
    for c in invite_codes.list_invite_codes(db)
    if not c.revoked
}
if labels:
    code_id = st.selectbox(
        "Code to revoke", list(labels), format_func=labels.__getitem__, key="admin_code_revoke_pick"
    )
    if st.button("Revoke code", key="admin_code_revoke"):
        admin.act(
            "codes",
            lambda: invite_codes.revoke_invite_code(db, actor=session.role(), code_id=code_id),
            lambda info: f"Code no. {info.id} is revoked: members can no longer use it.",
        )

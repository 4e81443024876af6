"""Invite codes: personal codes for each person of an organisation's group (a printable
sheet of QR codes and a CSV of links), or a shared code with a cap; revoke a code so it is
refused from then on."""

import streamlit as st

from collab.domain import expected, invite_codes, organisations
from collab.present import code_sheet
from collab.web import admin, cache, page, session

session.start_run()

admin.admin_page("Invite codes")
db = cache.database()
framework = session.framework()
base_url = session.settings().base_url
PERSONAL, SHARED = "personal", "shared"


def create_codes(organisation: str, group: str, kind: str, count: int, cap: int | None) -> None:
    made = invite_codes.create_invite_codes(
        db,
        actor=session.role(),
        framework=framework,
        organisation=organisation,
        stakeholder_group=group,
        personal=kind == PERSONAL,
        count=count if kind == PERSONAL else 1,
        response_cap=cap if kind == SHARED else None,
    )
    admin.keep_new_codes(code_sheet.code_cards(made, framework=framework, base_url=base_url))


warning = invite_codes.loopback_warning(base_url)
if warning:
    st.warning(page.escape_markdown(warning), icon=":material/wifi_off:")
admin.show_new_codes()
active = [o.name for o in organisations.list_organisations(db, include_inactive=False)]
if not active:
    st.info("Add an organisation first.")
else:
    st.subheader("New invite codes")
    organisation = st.selectbox("Organisation", active, key="admin_code_org")
    group = st.selectbox(
        "Stakeholder group",
        framework.group_keys,
        format_func=framework.group_name,
        key="admin_code_group",
    )
    kind = st.radio(
        "Kind of code",
        [PERSONAL, SHARED],
        format_func={
            PERSONAL: "Personal: one code per person (one response each, which they can change)",
            SHARED: "Shared: one code for a room, up to a number of responses per round",
        }.__getitem__,
        key="admin_code_kind",
    )
    count, cap = 1, None
    if kind == PERSONAL:
        count = int(
            st.number_input(
                "How many people",
                min_value=1,
                max_value=invite_codes.MAX_BATCH,
                value=10,
                key="admin_code_count",
            )
        )
    else:
        expected_now = expected.expected_number(
            db, organisation=organisation, stakeholder_group=group
        )
        cap = int(
            st.number_input(
                "Responses it takes per round",
                min_value=1,
                max_value=10_000,
                value=expected_now or 10,
                help="Past this number the code refuses more answers, so it can't be used "
                "to stuff the count. It starts at the number of people expected.",
                key=f"admin_code_cap_{organisation}_{group}",
            )
        )
    if st.button("Create invite codes", key="admin_code_create", type="primary"):
        admin.act(
            "codes", lambda: create_codes(organisation, group, kind, count, cap), lambda _: None
        )
admin.show_outcome("codes")
st.subheader("Every code")
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
    sure = st.checkbox(
        f"Yes, revoke code no. {code_id}: members using it will be turned away",
        key=f"admin_code_revoke_sure_{code_id}",
    )
    if st.button("Revoke code", key="admin_code_revoke", disabled=not sure):
        admin.act(
            "codes",
            lambda: invite_codes.revoke_invite_code(db, actor=session.role(), code_id=code_id),
            lambda info: f"Code no. {info.id} is revoked: members can no longer use it.",
        )

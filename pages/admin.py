"""Administration: rounds, organisations, invite codes, import, export, backup, audit log.

Each action goes through ``collab.domain.administration``, which also writes the audit entry.
After a successful action the page reruns, so every table shows its effect, and the tab
shows what was done above its controls; a refused action is explained where it was asked.
"""

import datetime as dt
import functools
import hashlib

import streamlit as st

from collab.domain import administration as admin
from collab.domain import backup, invite_codes, organisations, rounds
from collab.domain.access import ADMIN
from collab.files import exports, imports
from collab.present.qr import qr_png
from collab.web import cache, page, session

session.start_run()

db = cache.database()
framework = session.framework()
settings = session.settings()

if session.role() != ADMIN:
    st.error("This page is for the alliance's administrator. Please sign in first.")
    st.stop()


def act(tab: str, action, done) -> None:
    """Run ``action``; on success keep ``done(result)`` for ``show_outcome`` and rerun."""
    try:
        result = action()
    except Exception as exc:  # every failure is shown kindly by page.show_error
        page.show_error(exc)
        return
    cache.clear()
    st.session_state[f"admin_outcome_{tab}"] = done(result)
    st.rerun()


def show_outcome(tab: str) -> None:
    outcome = st.session_state.pop(f"admin_outcome_{tab}", None)
    if outcome:
        st.success(page.escape_markdown(outcome), icon=":material/check_circle:")


def rounds_tab() -> None:
    show_outcome("rounds")
    st.dataframe(admin.rounds_table(db), hide_index=True)
    with st.form("admin_round_form", clear_on_submit=True):
        st.write("**New round**")
        name = st.text_input("Name", placeholder="Spring 2027", key="admin_round_name")
        left, right = st.columns(2)
        opens = left.date_input("Opens on", value=None, key="admin_round_opens")
        closes = right.date_input("Closes on", value=None, key="admin_round_closes")
        if st.form_submit_button("Create round", key="admin_round_create"):
            act(
                "rounds",
                lambda: admin.admin_create_round(
                    db, role=session.role(), name=name, opens_on=opens, closes_on=closes
                ),
                lambda info: f"Round '{info.name}' created. Open it when members may answer.",
            )

    names = [r.name for r in rounds.list_rounds(db)]
    if not names:
        return
    st.write("**Open, close, live results**")
    name = st.selectbox("Round", names, index=len(names) - 1, key="admin_round_pick")
    chosen = rounds.get_round(db, name)
    several = st.checkbox("Allow several rounds open at once", key="admin_round_allow_several")
    left, middle, right = st.columns(3)
    if left.button("Open round", key="admin_round_open", disabled=chosen.is_open):
        act(
            "rounds",
            lambda: admin.admin_open_round(
                db, role=session.role(), name=name, allow_several=several
            ),
            lambda info: f"Round '{info.name}' is open: members can submit answers.",
        )
    if middle.button("Close round", key="admin_round_close", disabled=not chosen.is_open):
        act(
            "rounds",
            lambda: admin.admin_close_round(db, role=session.role(), name=name),
            lambda info: f"Round '{info.name}' is closed; its results can now be seen.",
        )
    live = not chosen.live_results
    if right.button(
        f"Turn live results {'on' if live else 'off'}",
        key="admin_round_live",
        help="While a round is open, group results are hidden unless live results are on.",
    ):
        act(
            "rounds",
            lambda: admin.admin_set_live_results(db, role=session.role(), name=name, on=live),
            lambda info: f"Live results are {'on' if live else 'off'} for '{info.name}'.",
        )


def organisations_tab() -> None:
    show_outcome("organisations")
    st.dataframe(admin.organisations_table(db), hide_index=True)
    with st.form("admin_org_form", clear_on_submit=True):
        new_name = st.text_input("New organisation", key="admin_org_new_name")
        if st.form_submit_button("Add organisation", key="admin_org_add"):
            act(
                "organisations",
                lambda: admin.admin_create_organisation(db, role=session.role(), name=new_name),
                lambda info: f"'{info.name}' added.",
            )

    known = {o.id: o for o in organisations.list_organisations(db)}
    if not known:
        return
    st.write("**Rename, deactivate or reactivate**")
    picked = st.selectbox(
        "Organisation", list(known), format_func=lambda i: known[i].name, key="admin_org_pick"
    )
    renamed = st.text_input("New name", key="admin_org_rename_to")
    if st.button("Rename", key="admin_org_rename"):
        act(
            "organisations",
            lambda: admin.admin_rename_organisation(
                db, role=session.role(), organisation_id=picked, name=renamed
            ),
            lambda info: f"Renamed to '{info.name}'.",
        )
    active = not known[picked].active
    if st.button(
        "Reactivate" if active else "Deactivate",
        key="admin_org_toggle_active",
        help="A deactivated organisation keeps its history but gets no new invite codes.",
    ):
        act(
            "organisations",
            lambda: admin.admin_set_organisation_active(
                db, role=session.role(), organisation_id=picked, active=active
            ),
            lambda info: f"'{info.name}' is {'active' if info.active else 'deactivated'}.",
        )


def invite_codes_tab() -> None:
    # The code itself is kept for one run only: it is never shown again.
    new_code = st.session_state.pop("admin_new_code", None)
    if new_code:
        show_new_code(**new_code)
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
            act("codes", lambda: create_code(organisation, group), lambda _: None)
    show_outcome("codes")
    st.dataframe(admin.invite_codes_table(db, framework=framework), hide_index=True)
    labels = {
        c.id: f"No. {c.id}: {c.organisation}, {framework.group_name(c.stakeholder_group)}"
        for c in invite_codes.list_invite_codes(db)
        if not c.revoked
    }
    if labels:
        code_id = st.selectbox(
            "Code to revoke", list(labels), format_func=labels.get, key="admin_code_revoke_pick"
        )
        if st.button("Revoke code", key="admin_code_revoke"):
            act(
                "codes",
                lambda: admin.admin_revoke_invite_code(db, role=session.role(), code_id=code_id),
                lambda info: f"Code no. {info.id} is revoked: members can no longer use it.",
            )


def create_code(organisation: str, group: str) -> None:
    info, code = admin.admin_create_invite_code(
        db,
        role=session.role(),
        framework=framework,
        organisation=organisation,
        stakeholder_group=group,
    )
    st.session_state["admin_new_code"] = {
        "code": code,
        "organisation": info.organisation,
        "group": framework.group_name(info.stakeholder_group),
    }


def show_new_code(*, code: str, organisation: str, group: str) -> None:
    link = invite_codes.invite_link(settings.base_url, code)
    with st.container(border=True):
        st.success(
            f"Invite code for {page.escape_markdown(organisation)} ({group}). Copy or share it "
            "now: it won't be shown again.",
            icon=":material/key:",
        )
        st.code(code, language=None)
        st.code(link, language=None)
        st.image(qr_png(link), caption="Scan to open the form", width=280)


def import_tab() -> None:
    show_outcome("import")
    st.write(
        "Import paper forms or an older spreadsheet as a CSV file with the columns of the "
        "response export. Every row is checked first; nothing is written unless all are valid."
    )
    create_missing = st.checkbox(
        "Create missing rounds and organisations", key="admin_import_create_missing"
    )
    uploaded = st.file_uploader("Response file (CSV)", type=["csv"], key="admin_import_file")
    if uploaded is None:
        return
    data = uploaded.getvalue()
    fingerprint = hashlib.sha256(data).hexdigest()
    if st.session_state.get("admin_imported_file") == fingerprint:
        st.info("This file has been imported. Choose another file to import more.")
        return
    plan = imports.check_import(
        db,
        framework=framework,
        data=data,
        create_missing=create_missing,
        max_bytes=settings.max_import_bytes,
        max_comment_chars=settings.max_comment_chars,
    )
    if not plan.preview.empty:
        st.caption(f"The first rows of {plan.row_count} in the file:")
        st.dataframe(plan.preview, hide_index=True)
    if plan.problems:
        st.error(f"Nothing can be imported yet: the file has {len(plan.problems)} problem(s).")
        st.dataframe(admin.import_problems_table(plan), hide_index=True)
        return
    also_creates = admin.import_also_creates(plan)
    if also_creates:
        st.info(page.escape_markdown(also_creates))
    if plan.ok and st.button(f"Import {plan.row_count} responses", key="admin_import_apply"):
        bar = st.progress(0.0, text="Importing")

        def imported(count: int) -> str:
            st.session_state["admin_imported_file"] = fingerprint
            return f"Imported {count} responses."

        act(
            "import",
            lambda: admin.admin_import_responses(
                db,
                role=session.role(),
                plan=plan,
                file_name=uploaded.name,
                progress=lambda done, total: bar.progress(done / max(total, 1)),
            ),
            imported,
        )


def export_tab() -> None:
    names = [r.name for r in rounds.list_rounds(db)]
    if not names:
        st.info("There is nothing to export until a round exists.")
        return
    round_name = st.selectbox("Round", names, index=len(names) - 1, key="admin_export_round")
    st.caption("Each file is made when you click its button.")
    for what in exports.EXPORTS:
        st.write(f"**{what.capitalize()}**")
        for column, fmt in zip(st.columns(len(exports.FORMATS)), exports.FORMATS, strict=True):
            column.download_button(
                exports.FORMAT_NAMES.get(fmt, fmt),
                data=functools.partial(
                    admin.admin_export,
                    db,
                    role=session.role(),
                    framework=framework,
                    what=what,
                    round_name=round_name,
                    fmt=fmt,
                ),
                file_name=exports.export_file_name(what=what, round_name=round_name, fmt=fmt),
                mime=exports.MIME_TYPES.get(fmt),
                key=f"admin_export_{what}_{fmt}",
                on_click="ignore",
            )


def backup_tab() -> None:
    if not db.is_sqlite:
        st.info(backup.POSTGRESQL_BACKUP_ADVICE)
        return
    st.write(
        "A backup is a consistent copy of the whole database, taken without stopping the "
        "app. Keep it somewhere safe: it holds every answer and comment."
    )
    if st.button("Take a backup now", key="admin_backup_take"):
        act("backup", take_backup, lambda size: f"Backup taken ({size:,} bytes).")
    show_outcome("backup")
    taken = st.session_state.get("admin_backup")
    if taken:
        st.download_button(
            "Download the backup",
            data=taken["data"],
            file_name=taken["file_name"],
            mime=admin.BACKUP_MIME_TYPE,
            key="admin_backup_download",
            on_click="ignore",
        )
    st.caption(
        "To restore: stop the app, replace data/alliance.db with the backup file (delete any "
        "alliance.db-wal and alliance.db-shm files next to it), then start the app."
    )


def take_backup() -> int:
    data = admin.admin_backup_bytes(db, role=session.role())
    file_name = admin.backup_file_name(dt.datetime.now())
    st.session_state["admin_backup"] = {"data": data, "file_name": file_name}
    return len(data)


def audit_tab() -> None:
    st.caption("The most recent administrative actions, newest first.")
    st.dataframe(
        admin.audit_table(db),
        hide_index=True,
        column_config={"What": st.column_config.TextColumn(width="large")},
    )


st.title("Administration")
page.demo_banner()
sections = {
    "Rounds": rounds_tab,
    "Organisations": organisations_tab,
    "Invite codes": invite_codes_tab,
    "Import": import_tab,
    "Export": export_tab,
    "Backup": backup_tab,
    "Audit log": audit_tab,
}
for tab, render in zip(st.tabs(list(sections)), sections.values(), strict=True):
    with tab:
        render()

"""Import: responses from paper forms or an older spreadsheet, checked row by row and
written all or nothing."""

import hashlib

import streamlit as st

from collab.files import imports
from collab.web import admin, cache, page, session

session.start_run()

admin.admin_page("Import")
db = cache.database()
settings = session.settings()

admin.show_outcome("import")
st.write(
    "Import paper forms or an older spreadsheet as a CSV file with the columns of the "
    "response export. Every row is checked first; nothing is written unless all are valid."
)
st.download_button(
    "Download a blank response file",
    data=imports.blank_response_file(session.framework()),
    file_name=imports.TEMPLATE_FILE_NAME,
    mime="text/csv",
    key="admin_import_template",
    icon=":material/download:",
    help="The header row the import expects, to type paper forms into: one row per person.",
)
st.caption(page.escape_markdown(imports.response_file_guide(session.framework())))
create_missing = st.checkbox(
    "Create missing rounds and organisations", key="admin_import_create_missing"
)
amend = st.checkbox(
    "This file corrects a closed round (an amendment)",
    key="admin_import_amend",
    help="A closed round's answers are frozen. An amendment may add responses to it and "
    "replace a respondent's earlier response; it is recorded in the audit log, and the "
    "round's results change only once enough people's answers have changed.",
)
session.open_uploads_for_import()  # the server takes this uploader's file, and no other
uploaded = st.file_uploader("Response file (CSV)", type=["csv"], key="admin_import_file")
if uploaded is None:
    st.stop()
data = uploaded.getvalue()
file_name = uploaded.name
fingerprint = hashlib.sha256(data).hexdigest()
if st.session_state.get("admin_imported_file") == fingerprint:
    st.info("This file has been imported. Choose another file to import more.")
    st.stop()
plan = imports.check_import(
    db,
    framework=session.framework(),
    data=data,
    create_missing=create_missing,
    max_bytes=settings.max_import_bytes,
    max_comment_chars=settings.max_comment_chars,
    amend=amend,
)
if plan.already_imported:
    st.error(page.escape_markdown(plan.already_imported), icon=":material/content_copy:")
    st.stop()
if not plan.preview.empty:
    st.caption(f"The first rows of {plan.row_count} in the file:")
    st.dataframe(plan.preview, hide_index=True)
if plan.problems:
    admin.show_import_problems(plan)
    st.stop()
if also_creates := imports.also_creates(plan):
    st.info(page.escape_markdown(also_creates))
if plan.ok and st.button(f"Import {plan.row_count} responses", key="admin_import_apply"):
    bar = st.progress(0.0, text="Importing")

    def show_progress(done: int, total: int) -> None:
        bar.progress(done / max(total, 1))

    def imported(count: int) -> str:
        st.session_state["admin_imported_file"] = fingerprint
        replaced = f", replacing {plan.replaced} earlier responses" if plan.replaced else ""
        return f"Imported {count} responses{replaced}."

    admin.act(
        "import",
        lambda: imports.apply_import(
            db,
            plan,
            actor=session.role(),
            file_name=file_name,
            progress=show_progress,
        ),
        imported,
    )

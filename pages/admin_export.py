"""Export: a round's responses, summary, divergence and actions as CSV, Excel or JSON.

Each file is made when its button is clicked, and the download is recorded in the audit log.
"""

import functools

import streamlit as st

from collab.domain import rounds
from collab.files import exports
from collab.web import admin, cache, session

session.start_run()

admin.admin_page("Export")
db = cache.database()

names = [r.name for r in rounds.list_rounds(db)]
if not names:
    st.info("There is nothing to export until a round exists.")
    st.stop()
round_name = st.selectbox("Round", names, index=len(names) - 1, key="admin_export_round")
st.caption("Each file is made when you click its button.")
for what in exports.EXPORTS:
    st.write(f"**{what.capitalize()}**")
    for column, fmt in zip(st.columns(len(exports.FORMATS)), exports.FORMATS, strict=True):
        column.download_button(
            exports.FORMAT_NAMES.get(fmt, fmt),
            data=functools.partial(
                exports.export_round,
                db,
                actor=session.role(),
                framework=session.framework(),
                what=what,
                round_name=round_name,
                fmt=fmt,
            ),
            file_name=exports.export_file_name(what=what, round_name=round_name, fmt=fmt),
            mime=exports.MIME_TYPES.get(fmt),
            key=f"admin_export_{what}_{fmt}",
            on_click="ignore",
        )

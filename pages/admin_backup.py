"""Backup: a consistent copy of the whole database, made when it is downloaded."""

import datetime as dt
import functools

import streamlit as st

from collab.domain import backup
from collab.web import admin, cache, session

session.start_run()

admin.admin_page("Backup")
db = cache.database()

if not db.is_sqlite:
    st.info(backup.POSTGRESQL_BACKUP_ADVICE)
    st.stop()
st.write(
    "A backup is a consistent copy of the whole database, taken without stopping the "
    "app. Keep it somewhere safe: it holds every answer and comment."
)
st.download_button(
    "Download a backup",
    data=functools.partial(backup.backup_bytes, db, actor=session.role()),
    file_name=backup.backup_file_name(dt.datetime.now()),
    mime=backup.BACKUP_MIME_TYPE,
    key="admin_backup_download",
    on_click="ignore",
    help="The copy is taken when you click, and the download is recorded in the audit log.",
)
st.caption(
    "To restore: stop the app, replace data/alliance.db with the backup file (delete any "
    "alliance.db-wal and alliance.db-shm files next to it), then start the app."
)

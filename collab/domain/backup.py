"""Consistent backups of the alliance's database, taken while the app keeps running.

On SQLite the snapshot is made with ``VACUUM INTO`` through an ordinary reading
connection: it reads one consistent state of the database and does not wait for, or
hold up, members who are submitting. The copy is written next to the target, checked
with ``PRAGMA integrity_check``, flushed to disk and only then renamed onto the target,
so the target is either the previous file or a complete, sound backup, never half a file.

PostgreSQL databases are backed up with PostgreSQL's own ``pg_dump``.

Every backup taken through this module is recorded in the audit log: it holds every
answer and comment, so who took one matters.

To restore a SQLite backup:

1. stop the app;
2. replace ``data/alliance.db`` (or the file ``DATABASE_URL`` names) with the backup
   file, and delete any ``alliance.db-wal`` and ``alliance.db-shm`` files beside it;
3. start the app again.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import sqlite3
import tempfile
import uuid
from dataclasses import dataclass
from pathlib import Path

from collab.domain import audit
from collab.store.db import Database
from collab.store.errors import CollabError, Refused

BACKUP_MIME_TYPE = "application/vnd.sqlite3"
POSTGRESQL_BACKUP_ADVICE = (
    "This alliance's data is kept in PostgreSQL, which the app cannot copy by itself. "
    "Back it up with PostgreSQL's own tool, for example "
    '`pg_dump --format=custom --file=alliance.dump "$DATABASE_URL"`, '
    "and restore it with `pg_restore`."
)


class BackupFailed(CollabError):
    """The snapshot could not be made or did not pass its check; nothing was replaced."""


@dataclass(frozen=True)
class BackupResult:
    path: Path
    bytes: int  # size of the backup file
    integrity: str  # "ok": the result of PRAGMA integrity_check on the copy


def _integrity_of(path: Path) -> str:
    """``PRAGMA integrity_check`` on the database file at ``path`` ("ok" when sound)."""
    conn = sqlite3.connect(path)
    try:
        return "; ".join(row[0] for row in conn.execute("PRAGMA integrity_check"))
    finally:
        conn.close()


def _flush_to_disk(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _remove(path: Path) -> None:
    for leftover in (path, Path(f"{path}-wal"), Path(f"{path}-shm"), Path(f"{path}-journal")):
        with contextlib.suppress(FileNotFoundError):
            leftover.unlink()


def _snapshot(db: Database, target: Path) -> BackupResult:
    if not db.is_sqlite:
        raise Refused(POSTGRESQL_BACKUP_ADVICE)
    target = Path(target).resolve()
    live = db.engine.url.database
    if not live or live == ":memory:":
        raise Refused("This database lives in memory only, so there is no file to back up.")
    if target == Path(live).resolve():
        raise Refused("Choose a different file: the backup would overwrite the live database.")
    if target.is_dir():
        raise Refused(f"{target} is a folder; give the name of the backup file to write.")
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(f".{target.name}.{uuid.uuid4().hex}.partial")
    try:
        # A plain pooled connection in autocommit mode: VACUUM INTO runs in a read
        # transaction of its own and never takes the app's write lock.
        connection = db.engine.raw_connection()
        try:
            driver = connection.driver_connection
            if driver is None:
                raise BackupFailed(
                    "The connection to the database closed before the backup began, so "
                    "nothing was written. Please try again."
                )
            driver.execute("VACUUM INTO ?", (str(partial),))
        finally:
            connection.close()
        integrity = _integrity_of(partial)
        if integrity != "ok":
            raise BackupFailed(
                f"The backup copy failed its integrity check ({integrity[:200]}), so it was "
                "discarded and nothing was replaced. Please try again."
            )
        _flush_to_disk(partial)
        os.replace(partial, target)
    except sqlite3.Error as exc:
        raise BackupFailed(f"The backup could not be written to {target}: {exc}") from exc
    finally:
        _remove(partial)
    return BackupResult(path=target, bytes=target.stat().st_size, integrity=integrity)


def backup_database(db: Database, target: Path, *, actor: str) -> BackupResult:
    """Write a consistent, checked snapshot of the database to ``target``; record it.

    Replaces ``target`` atomically if it exists. Raises Refused for PostgreSQL (use
    ``pg_dump``) and for a target that is the live database itself; raises BackupFailed,
    leaving ``target`` untouched, when the copy fails its integrity check. Once the file
    is written, ``backup.write`` is recorded (an entry that can't be stored is raised).
    """
    result = _snapshot(db, target)
    with db.write() as session:
        audit.record(
            session,
            actor=actor,
            action="backup.write",
            detail=f"Wrote a backup of the database to {result.path} ({result.bytes:,} bytes).",
        )
    return result


def backup_bytes(db: Database, *, actor: str) -> bytes:
    """A consistent, checked snapshot as bytes, for a download; record ``backup.download``.

    Raises Refused on PostgreSQL (back up with ``pg_dump``).
    """
    with tempfile.TemporaryDirectory(prefix="alliance-backup-") as folder:
        data = _snapshot(db, Path(folder) / "alliance-backup.db").path.read_bytes()
    with db.write() as session:
        audit.record(
            session,
            actor=actor,
            action="backup.download",
            detail=f"Took a backup of the database ({len(data):,} bytes).",
        )
    return data


def backup_file_name(now: dt.datetime | None = None) -> str:
    """A file name such as ``alliance-backup-2027-03-05-1430.db`` (local time)."""
    now = now or dt.datetime.now()
    return f"alliance-backup-{now:%Y-%m-%d-%H%M}.db"

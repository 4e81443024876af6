"""Storage faults pass by themselves, on a real SQLite file.

A database file that was read-only for a while takes sends again as soon as it is
writable, without restarting the app. Another process holding the write lock makes a
member's send give up within seconds with "the database is busy", storing nothing.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from collab.domain import rounds, submissions
from collab.store.db import SQLITE_BUSY_TIMEOUT_MS, Database
from collab.store.errors import DATABASE_BUSY_MESSAGE, DatabaseBusy, StorageUnavailable
from tests.support.alliances import answers, open_alliance
from tests.support.databases import table_counts

HOLD_WRITE_LOCK = """
import sqlite3, sys
holder = sqlite3.connect(sys.argv[1], isolation_level=None)
holder.execute("BEGIN IMMEDIATE")
print("holding", flush=True)
sys.stdin.read()
"""


def database_file(db: Database) -> Path:
    return Path(str(db.engine.url.database))


@contextmanager
def read_only(path: Path) -> Iterator[None]:
    """``path`` can't be written to until the block ends: made immutable when running as
    root (who ignores file permissions), made read-only otherwise."""
    if os.geteuid() == 0:
        chattr = shutil.which("chattr")
        if chattr is None or subprocess.run([chattr, "+i", str(path)]).returncode != 0:
            pytest.skip("running as root without chattr: a file can't be made read-only")
        try:
            yield
        finally:
            subprocess.run([chattr, "-i", str(path)], check=True)
        return
    mode = path.stat().st_mode
    path.chmod(0o444)
    try:
        yield
    finally:
        path.chmod(mode)


@contextmanager
def write_lock_held_by_another_process(path: Path) -> Iterator[None]:
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLD_WRITE_LOCK, str(path)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout.readline().strip() == "holding"
        yield
    finally:
        holder.stdin.close()
        holder.wait(timeout=30)


def test_sends_succeed_again_once_read_only_storage_is_writable_without_a_restart(
    sqlite_db, framework
):
    codes = open_alliance(sqlite_db, framework).codes
    sqlite_db.dispose()  # the connections the app opens from now on meet the read-only file
    with read_only(database_file(sqlite_db)):
        assert rounds.current_round(sqlite_db) is not None  # reading still works
        for _ in range(2):
            with pytest.raises(StorageUnavailable):
                submissions.submit(
                    sqlite_db, framework=framework, code=codes[0], answers=answers(framework)
                )
        assert table_counts(sqlite_db)["submissions"] == 0

    for code in codes[:3]:
        receipt = submissions.submit(
            sqlite_db, framework=framework, code=code, answers=answers(framework)
        )
        assert receipt.revision == 1
    assert table_counts(sqlite_db)["submissions"] == 3


def test_a_members_send_gives_up_within_seconds_while_another_process_writes(sqlite_db, framework):
    codes = open_alliance(sqlite_db, framework).codes
    with write_lock_held_by_another_process(database_file(sqlite_db)):
        started = time.monotonic()
        with pytest.raises(DatabaseBusy) as busy:
            submissions.submit(
                sqlite_db, framework=framework, code=codes[0], answers=answers(framework)
            )
        waited = time.monotonic() - started
        assert table_counts(sqlite_db)["submissions"] == 0

    assert waited < submissions.MEMBER_WRITE_WAIT_SECONDS + 3
    assert waited < SQLITE_BUSY_TIMEOUT_MS / 1000 / 3
    assert str(busy.value) == DATABASE_BUSY_MESSAGE
    assert "still here" in DATABASE_BUSY_MESSAGE
    submissions.submit(sqlite_db, framework=framework, code=codes[0], answers=answers(framework))
    assert table_counts(sqlite_db)["submissions"] == 1

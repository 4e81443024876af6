"""Backups: a consistent, checked snapshot taken while members keep submitting; atomic
replacement of the target; a clear refusal on PostgreSQL."""

import sqlite3
import threading
import time
import uuid

import pytest

from collab.domain import audit, backup, organisations, submissions
from collab.domain.backup import BackupFailed, backup_bytes, backup_database
from collab.domain.submissions import AnswerInput
from collab.store.db import Database, create_engine
from collab.store.errors import Refused
from collab.store.models import Organisation
from tests.support.alliances import open_alliance

SUBMITTING_THREADS = 8


@pytest.fixture
def open_round_code(sqlite_db, framework):
    alliance = open_alliance(
        sqlite_db, framework, organisation_names=["Riverside Night Shelter"], groups=["provider"]
    )
    return alliance.codes[0]


def count_rows(path, table: str) -> int:
    conn = sqlite3.connect(path)
    try:
        return conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
    finally:
        conn.close()


def integrity_of(path) -> str:
    conn = sqlite3.connect(path)
    try:
        return conn.execute("PRAGMA integrity_check").fetchone()[0]
    finally:
        conn.close()


class Submitters:
    """Threads that keep submitting full answers until stopped, counting what committed."""

    def __init__(self, db, framework, code):
        self.committed = 0
        self.errors: list[BaseException] = []
        self._lock = threading.Lock()
        self._stop = threading.Event()
        answers = {key: AnswerInput(score=3) for key in framework.point_keys}

        def keep_submitting() -> None:
            while not self._stop.is_set():
                try:
                    submissions.submit(
                        db,
                        framework=framework,
                        code=code,
                        answers=answers,
                        idempotency_key=uuid.uuid4().hex,
                    )
                except BaseException as exc:  # reported by the test
                    self.errors.append(exc)
                    return
                with self._lock:
                    self.committed += 1

        self.threads = [
            threading.Thread(target=keep_submitting, daemon=True) for _ in range(SUBMITTING_THREADS)
        ]

    def __enter__(self):
        for thread in self.threads:
            thread.start()
        return self

    def wait_for(self, count: int, timeout: float = 30) -> None:
        deadline = time.monotonic() + timeout
        while self.committed < count and not self.errors:
            assert time.monotonic() < deadline, "submissions stopped flowing"
            time.sleep(0.005)

    def __exit__(self, *_):
        self._stop.set()
        for thread in self.threads:
            thread.join(timeout=30)


def test_backup_while_members_submit_holds_everything_committed_before_it(
    sqlite_db, framework, open_round_code, tmp_path
):
    target = tmp_path / "backups" / "alliance-backup.db"
    with Submitters(sqlite_db, framework, open_round_code) as submitters:
        submitters.wait_for(40)
        committed_before = submitters.committed
        result = backup_database(sqlite_db, target, actor="admin")
        submitters.wait_for(committed_before + 40)
    assert not submitters.errors
    assert result.integrity == "ok"
    assert integrity_of(target) == "ok"
    assert result.bytes == target.stat().st_size
    in_backup = count_rows(target, "submissions")
    assert committed_before <= in_backup <= submitters.committed
    assert count_rows(target, "answers") == in_backup * len(framework.point_keys)


def test_backup_does_not_wait_for_a_writing_transaction(sqlite_db, tmp_path):
    """The copy is made while a writer holds the database; only its audit entry waits."""
    target = tmp_path / "alliance-backup.db"
    finished = threading.Event()

    def take_backup() -> None:
        backup_database(sqlite_db, target, actor="admin")
        finished.set()

    with sqlite_db.write() as session:
        session.add(Organisation(name="Not yet committed"))
        session.flush()
        thread = threading.Thread(target=take_backup, daemon=True)
        thread.start()
        deadline = time.monotonic() + 20
        while not target.exists() and time.monotonic() < deadline:
            time.sleep(0.05)
        assert target.exists()
        assert integrity_of(target) == "ok"
    thread.join(timeout=20)
    assert finished.is_set()
    assert count_rows(target, "organisations") == 0
    assert list(audit.recent_entries(sqlite_db)["action"]) == ["backup.write"]


def test_a_backup_failing_its_integrity_check_leaves_no_file(sqlite_db, tmp_path, monkeypatch):
    monkeypatch.setattr(backup, "_integrity_of", lambda path: "*** page 3 is never used")
    target = tmp_path / "alliance-backup.db"
    with pytest.raises(BackupFailed, match="integrity check"):
        backup_database(sqlite_db, target, actor="admin")
    assert not target.exists()
    leftovers = [p.name for p in tmp_path.iterdir() if not p.name.startswith("alliance.db")]
    assert leftovers == []


def test_a_failed_backup_keeps_the_previous_backup_untouched(sqlite_db, tmp_path, monkeypatch):
    target = tmp_path / "alliance-backup.db"
    target.write_bytes(b"the previous backup")
    monkeypatch.setattr(backup, "_integrity_of", lambda path: "*** corrupt")
    with pytest.raises(BackupFailed):
        backup_database(sqlite_db, target, actor="admin")
    assert target.read_bytes() == b"the previous backup"


def test_a_backup_replaces_an_older_backup_at_the_target(sqlite_db, tmp_path):
    target = tmp_path / "alliance-backup.db"
    target.write_bytes(b"an older backup")
    organisations.create_organisation(sqlite_db, name="Riverside Night Shelter", actor="admin")
    backup_database(sqlite_db, target, actor="admin")
    assert count_rows(target, "organisations") == 1


def test_backing_up_onto_the_live_database_is_refused(sqlite_db, tmp_path):
    with pytest.raises(Refused, match="overwrite the live database"):
        backup_database(sqlite_db, tmp_path / "alliance.db", actor="admin")
    assert integrity_of(tmp_path / "alliance.db") == "ok"


def test_backup_bytes_is_a_sound_database(sqlite_db, tmp_path):
    organisations.create_organisation(sqlite_db, name="Riverside Night Shelter", actor="admin")
    copy = tmp_path / "downloaded.db"
    copy.write_bytes(backup_bytes(sqlite_db, actor="admin"))
    assert integrity_of(copy) == "ok"
    assert count_rows(copy, "organisations") == 1


def test_postgresql_backups_are_refused_with_pg_dump_advice(tmp_path):
    # Refused before any connection is made, so no server is needed.
    postgres = Database(create_engine("postgresql+psycopg://alliance@127.0.0.1:5432/alliance"))
    with pytest.raises(Refused, match="pg_dump"):
        backup_database(postgres, tmp_path / "alliance-backup.db", actor="admin")
    with pytest.raises(Refused, match="pg_dump"):
        backup_bytes(postgres, actor="admin")
    assert list(tmp_path.iterdir()) == []

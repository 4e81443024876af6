"""Faults: a process killed mid-write, and storage that is full or read-only.

A killed import leaves nothing of itself behind and the database stays sound; every
submission acknowledged before a kill is still there after it. When the storage can't
be written to, the member is told so in plain words, nothing is stored, and the answers
stay on the form to send again later.

The killed processes run ``tests/support/fault_target.py``, which says on its standard
output how far it has got.
"""

from __future__ import annotations

import csv
import io
import queue
import signal
import sqlite3
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
import sqlalchemy as sa
from streamlit.testing.v1 import AppTest

from collab.domain import submissions
from collab.files.imports import import_responses
from collab.store.db import Database, create_engine
from collab.store.errors import STORAGE_UNAVAILABLE_MESSAGE, StorageUnavailable
from collab.store.framework import Framework
from collab.store.models import Answer, Revision, Submission
from tests.support.alliances import ORGANISATION, ROUND, answers, open_alliance
from tests.support.app import every_point_on_one_page, open_submit_page, receipt_code
from tests.support.databases import table_counts

PROJECT_DIR = Path(__file__).resolve().parent.parent
TARGET = PROJECT_DIR / "tests" / "support" / "fault_target.py"
IMPORTED_ROUND = "Paper forms 2026"
IMPORT_ROWS = 12_000
ACKNOWLEDGED_BEFORE_KILL = 30
WAIT_SECONDS = 90
LONG_COMMENT = "Room to grow. " * 100  # about 1,400 characters: new pages in the file


# --- helpers -------------------------------------------------------------------------


def postgres_schema(db: Database) -> str:
    with db.engine.connect() as conn:
        return conn.exec_driver_sql("SELECT current_schema()").scalar()


def url_for_another_process(db: Database, application_name: str) -> str:
    """The URL another process uses to reach the same database (and schema)."""
    url = db.engine.url
    if not db.is_sqlite:
        url = url.update_query_dict(
            {
                "options": f"-csearch_path={postgres_schema(db)}",
                "application_name": application_name,
            }
        )
    return url.render_as_string(hide_password=False)


class Target:
    """``fault_target.py`` running in a subprocess, its output lines read as they come."""

    def __init__(self, *args: str):
        self.process = subprocess.Popen(
            [sys.executable, str(TARGET), *args],
            cwd=PROJECT_DIR,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        self.lines: list[str] = []
        self._queue: queue.Queue[str | None] = queue.Queue()
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self) -> None:
        for line in self.process.stdout:
            self._queue.put(line.strip())
        self._queue.put(None)

    def wait_for(self, wanted: Callable[[str], bool], *, timeout: float = WAIT_SECONDS) -> str:
        """The first line (from now on) that is ``wanted``; fails if the process ends first."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                line = self._queue.get(timeout=0.5)
            except queue.Empty:
                continue
            if line is None:
                pytest.fail(f"the process ended early; its last lines: {self.lines[-20:]}")
            self.lines.append(line)
            if wanted(line):
                return line
        pytest.fail(f"no wanted line within {timeout} s; last lines: {self.lines[-3:]}")

    def kill(self) -> None:
        """SIGKILL, as the out-of-memory killer or a pulled plug would; keep its last lines."""
        assert self.process.poll() is None, "the process ended before it could be killed"
        self.process.send_signal(signal.SIGKILL)
        assert self.process.wait(timeout=30) == -signal.SIGKILL
        self._reader.join(timeout=30)
        while (line := self._queue.get_nowait()) is not None:
            self.lines.append(line)

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait(timeout=30)
        self.process.stdout.close()


@contextmanager
def running(*args: str) -> Iterator[Target]:
    target = Target(*args)
    try:
        yield target
    finally:
        target.stop()


def wait_until(condition: Callable[[], bool], *, what: str, timeout: float = WAIT_SECONDS) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            pytest.fail(f"timed out waiting until {what}")
        time.sleep(0.05)


def big_import_file(framework: Framework, path: Path) -> Path:
    """A response CSV of ``IMPORT_ROWS`` rows for a new round and new organisations."""
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer)
    writer.writerow(
        ["round", "organisation", "group", "respondent", *framework.point_keys, "comment_focus"]
    )
    groups = framework.group_keys
    for i in range(IMPORT_ROWS):
        scores = [(i + j) % 5 + 1 for j in range(len(framework.point_keys))]
        writer.writerow(
            [IMPORTED_ROUND, f"Archive partner {i % 30}", groups[i % len(groups)], f"paper-{i}"]
            + scores
            + [f"typed from paper form {i}"]
        )
    path.write_text(buffer.getvalue(), encoding="utf-8")
    return path


def storage_used(db: Database) -> Callable[[], int]:
    """How many bytes the uncommitted writes of another process have put on disk so far.

    SQLite: the size of the write-ahead log (a large transaction spills its pages there
    before it commits). PostgreSQL: the size of the answers table's file, which grows as
    rows are inserted, committed or not.
    """
    if db.is_sqlite:
        wal = Path(db.engine.url.database + "-wal")
        return lambda: wal.stat().st_size if wal.exists() else 0

    def answers_file_size() -> int:
        with db.engine.connect() as conn:
            return conn.exec_driver_sql("SELECT pg_relation_size('answers')").scalar()

    return answers_file_size


def server_has_let_go(db: Database, application_name: str) -> Callable[[], bool]:
    """Whether the database server has ended the killed process's session (PostgreSQL)."""

    def gone() -> bool:
        with db.engine.connect() as conn:
            return not conn.execute(
                sa.text("SELECT 1 FROM pg_stat_activity WHERE application_name = :name"),
                {"name": application_name},
            ).first()

    return gone


def reopened(db: Database) -> Database:
    """The same database opened afresh, as the app does after a restart."""
    if db.is_sqlite:
        return Database(create_engine(str(db.engine.url)))
    schema = postgres_schema(db)
    return Database(
        create_engine(
            db.engine.url.render_as_string(hide_password=False),
            connect_args={"options": f"-csearch_path={schema}"},
        )
    )


# --- killed mid-write ----------------------------------------------------------------


def test_import_killed_while_writing_leaves_nothing_behind(db, framework, tmp_path):
    codes = open_alliance(db, framework).codes
    submissions.submit(db, framework=framework, code=codes[0], answers=answers(framework))
    data = big_import_file(framework, tmp_path / "big.csv")
    before = table_counts(db)
    used = storage_used(db)
    used_before = used()
    name = f"fault-{uuid.uuid4().hex[:8]}"

    with running("import", url_for_another_process(db, name), str(data)) as target:
        target.wait_for(lambda line: line == f"written 0 of {IMPORT_ROWS}")
        wait_until(
            lambda: used() > used_before + 256 * 1024,
            what="the import has put uncommitted rows on disk",
        )
        target.kill()
    assert "import committed" not in target.lines
    if not db.is_sqlite:
        wait_until(server_has_let_go(db, name), what="the server ends the killed session")

    after = reopened(db)
    try:
        assert table_counts(after) == before
        assert after.integrity_check() == "ok"
        receipt = submissions.submit(
            after, framework=framework, code=codes[1], answers=answers(framework)
        )
        assert table_counts(after)["submissions"] == before["submissions"] + 1
        assert receipt.revision == 1
    finally:
        after.dispose()


def test_submissions_acknowledged_before_a_kill_are_all_kept(db, framework):
    codes = open_alliance(db, framework).codes
    name = f"fault-{uuid.uuid4().hex[:8]}"

    with running("submit", url_for_another_process(db, name), *codes) as target:
        for _ in range(ACKNOWLEDGED_BEFORE_KILL):
            target.wait_for(lambda line: line.startswith("stored "))
        target.kill()
    acknowledged = {int(line.split()[1]) for line in target.lines if line.startswith("stored ")}
    assert len(acknowledged) >= ACKNOWLEDGED_BEFORE_KILL
    if not db.is_sqlite:
        wait_until(server_has_let_go(db, name), what="the server ends the killed session")

    after = reopened(db)
    try:
        with after.read() as session:
            answers_per_submission = dict(
                session.execute(
                    sa.select(Submission.id, sa.func.count(Answer.id))
                    .join(Revision, Revision.submission_id == Submission.id)
                    .join(Answer, Answer.revision_id == Revision.id)
                    .where(Revision.number == Submission.current_revision)
                    .group_by(Submission.id)
                ).all()
            )
            stored = set(session.scalars(sa.select(Submission.id)))
        assert acknowledged <= set(answers_per_submission)
        # Nothing half-written either: every stored submission has all its answers.
        assert set(answers_per_submission) == stored
        assert set(answers_per_submission.values()) == {len(framework.point_keys)}
        assert after.integrity_check() == "ok"
    finally:
        after.dispose()


# --- storage that can't be written to --------------------------------------------------


def refusing_writes(db: Database) -> Database:
    """The same database opened so that it refuses every write, as read-only storage does."""
    if db.is_sqlite:
        engine = create_engine(str(db.engine.url))

        @sa.event.listens_for(engine, "connect")
        def _read_only(dbapi_connection, _record) -> None:
            dbapi_connection.execute("PRAGMA query_only=ON")

        return Database(engine)
    options = f"-csearch_path={postgres_schema(db)} -cdefault_transaction_read_only=on"
    return Database(
        create_engine(
            db.engine.url.render_as_string(hide_password=False),
            connect_args={"options": options},
        )
    )


def full(db: Database) -> Database:
    """The same SQLite file opened so that it can't grow by a single page."""
    engine = create_engine(str(db.engine.url))

    @sa.event.listens_for(engine, "connect")
    def _no_room(dbapi_connection, _record) -> None:
        pages = dbapi_connection.execute("PRAGMA page_count").fetchone()[0]
        dbapi_connection.execute(f"PRAGMA max_page_count={pages}")

    return Database(engine)


def test_read_only_storage_refuses_a_submission_in_plain_words(db, framework):
    codes = open_alliance(db, framework).codes
    before = table_counts(db)
    read_only = refusing_writes(db)
    try:
        with pytest.raises(StorageUnavailable) as refused:
            submissions.submit(
                read_only, framework=framework, code=codes[0], answers=answers(framework)
            )
    finally:
        read_only.dispose()
    assert str(refused.value) == STORAGE_UNAVAILABLE_MESSAGE
    assert isinstance(refused.value.__cause__, sa.exc.DBAPIError)
    assert table_counts(db) == before


def test_an_import_on_read_only_storage_says_nothing_was_imported(db, framework):
    open_alliance(db, framework)
    data = (
        "round,organisation,group," + ",".join(framework.point_keys) + "\n"
        f"{ROUND},{ORGANISATION},provider," + ",".join("3" for _ in framework.point_keys) + "\n"
    ).encode()
    before = table_counts(db)
    read_only = refusing_writes(db)
    try:
        with pytest.raises(StorageUnavailable, match="Nothing was imported") as refused:
            import_responses(read_only, framework=framework, data=data, actor="admin")
    finally:
        read_only.dispose()
    assert "still on this page" not in str(refused.value)
    assert table_counts(db) == before


def test_full_disk_refuses_a_submission_in_plain_words(sqlite_db, framework):
    codes = open_alliance(sqlite_db, framework).codes
    before = table_counts(sqlite_db)
    no_room = full(sqlite_db)
    try:
        with pytest.raises(StorageUnavailable) as refused:
            submissions.submit(
                no_room,
                framework=framework,
                code=codes[0],
                answers=answers(framework, comment=LONG_COMMENT),
            )
    finally:
        no_room.dispose()
    assert "database or disk is full" in str(refused.value.__cause__)
    assert table_counts(sqlite_db) == before
    assert sqlite_db.integrity_check() == "ok"


def test_storage_failure_is_logged_for_the_operator(sqlite_db, framework, caplog):
    codes = open_alliance(sqlite_db, framework).codes
    read_only = refusing_writes(sqlite_db)
    try:
        with pytest.raises(StorageUnavailable):
            submissions.submit(
                read_only, framework=framework, code=codes[0], answers=answers(framework)
            )
    finally:
        read_only.dispose()
    logged = [r for r in caplog.records if r.name == "collab.store.db"]
    assert [r.levelname for r in logged] == ["ERROR"]
    assert "attempt to write a readonly database" in logged[0].getMessage()


def test_other_database_errors_are_not_taken_for_storage_failures(sqlite_db):
    with pytest.raises(sa.exc.OperationalError), sqlite_db.write() as session:
        session.execute(sa.text("INSERT INTO no_such_table VALUES (1)"))


# --- the submit page when storage fails ------------------------------------------------

SQLITE_LARGEST_PAGE_COUNT = 4_294_967_294


class StorageFaults:
    """Makes every SQLite connection handed out meet read-only or full storage, or none.

    Root ignores file permissions, so read-only storage is ``PRAGMA query_only`` and a
    full disk is ``PRAGMA max_page_count`` held at the file's size; both are set on
    each connection as the pool hands it out, so the app's own engine meets them too.
    """

    def __init__(self) -> None:
        self.kind: str | None = None

    def on_checkout(self, dbapi_connection, _record, _proxy) -> None:
        if not isinstance(dbapi_connection, sqlite3.Connection):
            return
        read_only = "ON" if self.kind == "read_only" else "OFF"
        dbapi_connection.execute(f"PRAGMA query_only={read_only}")
        pages = SQLITE_LARGEST_PAGE_COUNT
        if self.kind == "full":
            pages = dbapi_connection.execute("PRAGMA page_count").fetchone()[0]
        dbapi_connection.execute(f"PRAGMA max_page_count={pages}")


@pytest.fixture
def storage() -> Iterator[StorageFaults]:
    faults = StorageFaults()
    sa.event.listen(sa.pool.Pool, "checkout", faults.on_checkout)
    yield faults
    sa.event.remove(sa.pool.Pool, "checkout", faults.on_checkout)


def filled_submit_page(code: str, framework: Framework) -> tuple[AppTest, dict, dict]:
    """The submit page opened from an invite link, every point answered and commented."""
    at = every_point_on_one_page(open_submit_page(code))
    choices: dict[str, int | str] = {}
    comments: dict[str, str] = {}
    for i, point in enumerate(framework.point_keys):
        choices[point] = "dont_know" if i == 3 else i % 5 + 1
        comments[point] = f"{point}: {LONG_COMMENT}"
        at.radio(key=f"answer_{point}").set_value(choices[point])
        at.text_area(key=f"comment_{point}").input(comments[point])
    return at, choices, comments


def form_values(at: AppTest, framework: Framework) -> tuple[dict, dict]:
    return (
        {p: at.radio(key=f"answer_{p}").value for p in framework.point_keys},
        {p: at.text_area(key=f"comment_{p}").value for p in framework.point_keys},
    )


def shown_errors(at: AppTest) -> list[str]:
    return [str(e.value).replace("\\", "") for e in at.error]


@pytest.mark.parametrize("kind", ["read_only", "full"])
def test_storage_failure_on_the_submit_page_keeps_every_answer_on_the_form(
    app_db, framework, storage, kind
):
    codes = open_alliance(app_db, framework).codes
    at, choices, comments = filled_submit_page(codes[0], framework)
    storage.kind = kind
    at.button(key="submit_send").click().run()
    storage.kind = None

    assert not at.exception
    assert STORAGE_UNAVAILABLE_MESSAGE in shown_errors(at)
    assert form_values(at, framework) == (choices, comments)
    assert table_counts(app_db)["submissions"] == 0


def test_answers_kept_after_a_storage_failure_are_stored_once_storage_recovers(
    app_db, framework, storage
):
    codes = open_alliance(app_db, framework).codes
    at, _, comments = filled_submit_page(codes[0], framework)
    storage.kind = "full"
    at.button(key="submit_send").click().run()
    storage.kind = None
    at.button(key="submit_send").click().run()

    assert not at.exception
    stored = submissions.find_submission(app_db, receipt_code=receipt_code(at) or "")
    assert {p: a.comment for p, a in stored.answers.items()} == {
        p: c.strip() for p, c in comments.items()
    }
    assert table_counts(app_db)["submissions"] == 1

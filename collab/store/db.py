"""The database: engine creation (the only place) and read and write sessions.

SQLite is opened for a multi-threaded server: WAL journal, foreign keys on, a busy
timeout, no mmap, ``BEGIN IMMEDIATE`` for transactions that write, and the writes of
one process serialised through one lock (two concurrent writers or checkpointers are
what older SQLite releases need for the WAL-reset race). PostgreSQL needs none of that.

Storage faults pass by themselves. SQLite opens a file it can't write to read-only, and
the connection stays read-only after the file becomes writable again; so a connection is
checked before its first write, one found read-only is replaced by a fresh one, and one
whose write met a storage fault is discarded. A writer that can't wait long (a member at
the form) says how long it waits for another process's write lock, and is told the
database is busy (``DatabaseBusy``) rather than left waiting.
"""

from __future__ import annotations

import logging
import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import sqlalchemy as sa
import sqlalchemy.orm as so
from alembic import command
from alembic.config import Config as AlembicConfig
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory

from collab.store.config import get_settings
from collab.store.errors import DatabaseBusy, StorageUnavailable
from collab.store.models import DataVersion

logger = logging.getLogger(__name__)

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"
SQLITE_BUSY_TIMEOUT_MS = 30_000
# Set in a writing session's ``info`` by a change that can alter what results show.
RESULTS_CHANGED = "collab_results_changed"
# Set on a pooled SQLite connection once a write has found it writable.
WRITABLE_KEY = "collab_writable"
# A statement that needs write access and writes nothing: SQLite refuses it on a
# read-only connection ("attempt to write a readonly database").
WRITE_PROBE = "DELETE FROM alembic_version WHERE 0"
# What SQLite says when another connection holds the write lock past the busy timeout.
BUSY_SIGNS = ("database is locked", "database is busy")
# What a database says when its storage can take no write: full, read-only or unreadable.
STORAGE_FAILURE_SIGNS = (
    "readonly database",  # SQLite: a read-only file, or PRAGMA query_only
    "database or disk is full",  # SQLite: no room left, or max_page_count reached
    "disk i/o error",  # SQLite
    "unable to open database file",  # SQLite: the file or its folder can't be opened
    "read-only transaction",  # PostgreSQL: a standby, or default_transaction_read_only
    "no space left on device",  # PostgreSQL
)


def is_storage_failure(exc: BaseException) -> bool:
    """Whether ``exc`` is the database saying its storage can't be written to just now."""
    if not isinstance(exc, sa.exc.DBAPIError):
        return False
    text = str(exc.orig).lower()
    return any(sign in text for sign in STORAGE_FAILURE_SIGNS)


def is_busy(exc: BaseException) -> bool:
    """Whether ``exc`` is SQLite giving up on a write lock another connection holds."""
    error = exc.orig if isinstance(exc, sa.exc.DBAPIError) else exc
    return isinstance(error, sqlite3.OperationalError) and any(
        sign in str(error).lower() for sign in BUSY_SIGNS
    )


def is_out_of_reach(exc: BaseException) -> bool:
    """Whether ``exc`` is the database failing to answer at all: a server that refuses or
    drops the connection, or a file that can't be opened (not a mistake in a statement)."""
    return isinstance(exc, sa.exc.OperationalError | sa.exc.InterfaceError)


def _configure_sqlite(engine: sa.Engine) -> None:
    @sa.event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, _record) -> None:
        # Let SQLAlchemy's "begin" event issue BEGIN, so writes can ask for IMMEDIATE.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA synchronous=FULL")
        cursor.execute("PRAGMA mmap_size=0")
        cursor.close()

    @sa.event.listens_for(engine, "begin")
    def _on_begin(connection: sa.Connection) -> None:
        immediate = connection.get_execution_options().get("collab_write", False)
        connection.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")


def create_engine(url: str | None = None, **kwargs) -> sa.Engine:
    """Create the engine for ``url`` (default: the configured DATABASE_URL)."""
    url = url or get_settings().database_url
    if url.startswith("sqlite"):
        database = sa.engine.make_url(url).database
        if database and database != ":memory:":
            Path(database).parent.mkdir(parents=True, exist_ok=True)
        engine = sa.create_engine(
            url,
            connect_args={"timeout": SQLITE_BUSY_TIMEOUT_MS / 1000, "check_same_thread": False},
            **kwargs,
        )
        _configure_sqlite(engine)
        return engine
    return sa.create_engine(url, pool_pre_ping=True, **kwargs)


def _raw(conn: sa.Connection) -> sqlite3.Connection:
    """The sqlite3 connection under ``conn``, for statements outside any transaction."""
    raw = conn.connection.dbapi_connection
    assert isinstance(raw, sqlite3.Connection)
    return raw


def mark_results_changed(session: so.Session) -> None:
    """Say that the write in progress changes what some results view shows."""
    session.info[RESULTS_CHANGED] = True


class Database:
    """Owns the engine. Views read through ``read()``; every write goes through ``write()``."""

    def __init__(self, engine: sa.Engine):
        self.engine = engine
        self.is_sqlite = engine.dialect.name == "sqlite"
        self._write_lock = threading.Lock()

    @classmethod
    def from_url(cls, url: str | None = None) -> Database:
        return cls(create_engine(url))

    @contextmanager
    def read(self) -> Iterator[so.Session]:
        """A session for reading; it never commits."""
        with so.Session(self.engine, expire_on_commit=False) as session:
            yield session

    @contextmanager
    def write(
        self, *, wait_seconds: float | None = None, changes_results: bool = True
    ) -> Iterator[so.Session]:
        """One writing transaction: committed when the block ends, rolled back on error.

        When the storage can't take the write (disk full, read-only, unreadable), nothing
        is stored and StorageUnavailable is raised, with the database's error as its
        ``__cause__``; the error is logged too. On SQLite, ``wait_seconds`` bounds the wait
        for the write lock (this process's other writers, then another process's); past
        it nothing is stored and DatabaseBusy is raised. By default a write waits as long
        as ``SQLITE_BUSY_TIMEOUT_MS``.

        Every write counts itself in the data versions (see ``data_versions``), in the
        same transaction, so the counts follow the order commits land in on every
        replica. ``changes_results=False`` says the write can't change any results view
        (a member's answers, until they are published); code inside the block can still
        say it did with ``mark_results_changed``.
        """
        try:
            with self._transaction(wait_seconds) as session:
                yield session
                results = changes_results or session.info.get(RESULTS_CHANGED, False)
                session.execute(
                    sa.update(DataVersion)
                    .where(DataVersion.id == 1)
                    .values(
                        any_change=DataVersion.any_change + 1,
                        results_change=DataVersion.results_change + int(results),
                    )
                )
        except sa.exc.DBAPIError as exc:
            if self.is_sqlite and is_busy(exc):
                logger.warning("A write gave up waiting for the database: %s", exc.orig)
                raise DatabaseBusy() from exc
            if not is_storage_failure(exc):
                raise
            # The database's own words, not the statement: its parameters are members' answers.
            logger.error("The database could not store a write: %s", exc.orig)
            raise StorageUnavailable() from exc

    @contextmanager
    def _transaction(self, wait_seconds: float | None) -> Iterator[so.Session]:
        if not self.is_sqlite:
            with so.Session(self.engine, expire_on_commit=False) as session, session.begin():
                yield session
            return
        # This process's own writes queue here, each a moment long, so a member's write
        # waits its turn however busy the app is; ``wait_seconds`` bounds only the wait
        # for another process's write lock, which may be held for as long as it likes.
        self._write_lock.acquire()
        try:
            busy_timeout_ms = (
                SQLITE_BUSY_TIMEOUT_MS if wait_seconds is None else round(wait_seconds * 1000)
            )
            with self._writable_connection(busy_timeout_ms) as conn:
                try:
                    with so.Session(bind=conn, expire_on_commit=False) as session:
                        with session.begin():
                            yield session
                except sa.exc.DBAPIError as exc:
                    if is_storage_failure(exc):
                        # Whatever the storage does next, this connection won't tell.
                        conn.invalidate()
                    raise
                finally:
                    if not conn.invalidated:
                        _raw(conn).execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
        finally:
            self._write_lock.release()

    def _writable_connection(self, busy_timeout_ms: int) -> sa.Connection:
        """A pooled SQLite connection for a write, replaced by a fresh one if it turns out
        to have been opened read-only.

        Raises DatabaseBusy when another process holds the write lock for longer than
        ``busy_timeout_ms``. A fresh connection that is read-only too is returned as it is:
        the write itself then meets the storage fault and says so.
        """
        conn = self._connect_for_write(busy_timeout_ms)
        if conn.info.get(WRITABLE_KEY) or not self._opened_read_only(conn):
            return conn
        conn.invalidate()
        conn.close()
        conn = self._connect_for_write(busy_timeout_ms)
        self._opened_read_only(conn)
        return conn

    def _connect_for_write(self, busy_timeout_ms: int) -> sa.Connection:
        conn = self.engine.connect().execution_options(collab_write=True)
        _raw(conn).execute(f"PRAGMA busy_timeout={busy_timeout_ms}")
        return conn

    @staticmethod
    def _opened_read_only(conn: sa.Connection) -> bool:
        """Whether SQLite refuses ``conn`` any write; remembered on the connection if not."""
        try:
            _raw(conn).execute(WRITE_PROBE)
        except sqlite3.OperationalError as exc:
            if is_busy(exc):
                conn.close()
                logger.warning("A write gave up waiting for the database: %s", exc)
                raise DatabaseBusy() from exc
            if "readonly" in str(exc).lower():
                logger.info("A database connection can't write: %s", exc)
                return True
            # Anything else (a database without the migrations' table) tells nothing.
        conn.info[WRITABLE_KEY] = True
        return False

    def data_versions(self) -> tuple[int, int]:
        """How many writes have landed, and how many of them could change results.

        Both only grow, in commit order (each write updates the one row), so a cached read
        keyed by them is fresh on every replica as soon as a write commits.
        """
        with self.engine.connect() as conn:
            row = conn.execute(
                sa.select(DataVersion.any_change, DataVersion.results_change).where(
                    DataVersion.id == 1
                )
            ).one()
        return int(row[0]), int(row[1])

    def _alembic_config(self) -> AlembicConfig:
        config = AlembicConfig()
        config.set_main_option("script_location", str(MIGRATIONS_DIR))
        return config

    def schema_is_current(self) -> bool:
        """Whether the schema is at the newest migration (read only: writes nothing)."""
        heads = set(ScriptDirectory.from_config(self._alembic_config()).get_heads())
        with self.engine.connect() as conn:
            return set(MigrationContext.configure(conn).get_current_heads()) == heads

    def upgrade(self) -> None:
        """Create or upgrade the schema to the newest migration.

        Nothing is written when the schema is already current, so an app whose storage
        has become read-only can still start and show what it holds.
        """
        if self.schema_is_current():
            return
        config = self._alembic_config()
        if self.is_sqlite:
            with self._write_lock, self.engine.connect() as conn:
                config.attributes["connection"] = conn.execution_options(collab_write=True)
                command.upgrade(config, "head")
                conn.commit()
        else:
            with self.engine.begin() as conn:
                config.attributes["connection"] = conn
                command.upgrade(config, "head")

    def integrity_check(self) -> str:
        """SQLite's ``PRAGMA integrity_check`` ("ok" when sound); "ok" elsewhere."""
        if not self.is_sqlite:
            return "ok"
        with self.engine.connect() as conn:
            return "; ".join(row[0] for row in conn.exec_driver_sql("PRAGMA integrity_check"))

    def dispose(self) -> None:
        self.engine.dispose()

"""Throw-away databases made from a schema migrated once per test session.

Running the Alembic migrations takes most of a second; copying a migrated SQLite file
or replaying the migrated schema's statements in a new PostgreSQL schema takes a few
milliseconds. Every test still gets a database of its own. Tests of the migrations
themselves (``tests/test_db.py``) start from an empty database and run Alembic.
"""

from __future__ import annotations

import atexit
import functools
import os
import shutil
import tempfile
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import sqlalchemy as sa

from collab.store.db import Database, create_engine
from collab.store.models import Base

POSTGRES_URL = os.environ.get(
    "COLLAB_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)


@functools.cache
def migrated_sqlite_file() -> Path:
    """A SQLite file migrated to the newest schema, made on first use; do not write to it."""
    folder = Path(tempfile.mkdtemp(prefix="collab-template-"))
    atexit.register(shutil.rmtree, folder, ignore_errors=True)
    path = folder / "migrated.db"
    database = Database(create_engine(f"sqlite:///{path}"))
    database.upgrade()
    database.dispose()  # the last connection closing folds the write-ahead log into the file
    return path


def copy_migrated_sqlite(path: Path) -> None:
    """Write an empty, migrated SQLite database to ``path``."""
    path.parent.mkdir(parents=True, exist_ok=True)
    shutil.copy(migrated_sqlite_file(), path)


def make_sqlite_database(folder: Path) -> Database:
    """An empty, migrated SQLite database in ``folder``."""
    path = folder / "alliance.db"
    copy_migrated_sqlite(path)
    return Database(create_engine(f"sqlite:///{path}"))


def schema_url(schema: str, server_url: str = POSTGRES_URL) -> str:
    """The database ``server_url`` (the test server's by default) with connections
    working in ``schema``."""
    separator = "&" if "?" in server_url else "?"
    return f"{server_url}{separator}options=-csearch_path%3D{schema}"


@functools.cache
def postgres_migration() -> str:
    """The statements the migrations run on an empty PostgreSQL schema, recorded once.

    The migrations run for real in a scratch schema; what they change (every statement
    but the catalogue look-ups) is kept as one script, which builds the same tables,
    indexes and Alembic version in any schema it runs in.
    """
    statements: list[str] = []
    with postgres_schema_url() as url:
        engine = create_engine(url)

        @sa.event.listens_for(engine, "before_cursor_execute")
        def _record(_conn, _cursor, statement, parameters, _context, _executemany) -> None:
            if statement.lstrip().upper().startswith(("SELECT", "SHOW")):
                return
            # The statements are replayed as text, so none may carry parameters.
            assert not parameters, f"migration statement with parameters: {statement}"
            statements.append(statement.strip())

        database = Database(engine)
        database.upgrade()
        database.dispose()
    return ";\n".join(statements)


@contextmanager
def postgres_schema_url(*, migrated: bool = False, server_url: str = POSTGRES_URL) -> Iterator[str]:
    """A fresh schema in the PostgreSQL database ``server_url`` (the test database by
    default), dropped afterwards.

    Yields a DATABASE_URL whose connections work in that schema, so the app, the command
    line and the tests can all be pointed at it. With ``migrated`` the schema already
    holds the newest tables; otherwise it is empty.
    """
    migration = postgres_migration() if migrated else ""
    schema = f"t_{uuid.uuid4().hex[:12]}"
    admin = sa.create_engine(server_url)
    with admin.begin() as conn:
        conn.exec_driver_sql("SET LOCAL synchronous_commit TO OFF")
        conn.exec_driver_sql(f"CREATE SCHEMA {schema}")
        if migration:
            conn.exec_driver_sql(f"SET LOCAL search_path TO {schema}")
            conn.exec_driver_sql(migration)
    try:
        yield schema_url(schema, server_url)
    finally:
        with admin.begin() as conn:
            conn.exec_driver_sql("SET LOCAL synchronous_commit TO OFF")
            conn.exec_driver_sql(f"DROP SCHEMA {schema} CASCADE")
        admin.dispose()


def table_counts(db: Database) -> dict[str, int]:
    """Rows in every table of the schema, by table name."""
    with db.read() as session:
        return {
            table.name: session.scalar(sa.select(sa.func.count()).select_from(table))
            for table in Base.metadata.sorted_tables
        }


def count_rows(db: Database, model) -> int:
    """Rows in ``model``'s table."""
    with db.read() as session:
        return session.scalar(sa.select(sa.func.count()).select_from(model))

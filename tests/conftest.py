"""Shared fixtures: a throw-away database on SQLite and, when reachable, PostgreSQL.

Every test that takes ``db`` runs once per database. PostgreSQL tests each get a schema
of their own in the server's ``test`` database, dropped afterwards. When ``CI=true`` a
missing PostgreSQL server is an error, not a skip.
"""

from __future__ import annotations

import functools
import os
import shutil
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
import sqlalchemy as sa
import streamlit as st

from collab.demo import build_demo
from collab.store import config
from collab.store.db import Database, create_engine
from collab.store.framework import Framework, load_framework

POSTGRES_URL = os.environ.get(
    "COLLAB_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)
IN_CI = os.environ.get("CI", "").lower() == "true"


def _postgres_problem() -> str | None:
    try:
        engine = sa.create_engine(POSTGRES_URL, connect_args={"connect_timeout": 3})
        with engine.connect() as conn:
            conn.exec_driver_sql("SELECT 1")
        engine.dispose()
        return None
    except Exception as exc:  # any failure to connect means "not reachable"
        return f"PostgreSQL not reachable at {POSTGRES_URL}: {type(exc).__name__}"


@pytest.fixture(scope="session")
def postgres_available() -> None:
    problem = _postgres_problem()
    if problem and IN_CI:
        pytest.fail(f"{problem} (required when CI=true)")
    if problem:
        pytest.skip(problem)


def make_sqlite_database(folder: Path) -> Database:
    db = Database(create_engine(f"sqlite:///{folder / 'alliance.db'}"))
    db.upgrade()
    return db


@contextmanager
def postgres_schema_url() -> Iterator[str]:
    """A fresh schema in the test PostgreSQL database, dropped afterwards.

    Yields a DATABASE_URL whose connections work in that schema, so the app, the
    command line and the tests can all be pointed at it.
    """
    schema = f"t_{uuid.uuid4().hex[:12]}"
    admin = sa.create_engine(POSTGRES_URL)
    with admin.begin() as conn:
        conn.exec_driver_sql(f"CREATE SCHEMA {schema}")
    try:
        yield f"{POSTGRES_URL}?options=-csearch_path%3D{schema}"
    finally:
        with admin.begin() as conn:
            conn.exec_driver_sql(f"DROP SCHEMA {schema} CASCADE")
        admin.dispose()


@pytest.fixture(scope="session")
def postgres_schema(postgres_available):
    """``postgres_schema_url`` for tests: requires (or, outside CI, skips without) a server."""
    return postgres_schema_url


@pytest.fixture(params=["sqlite", "postgresql"])
def db(request, tmp_path) -> Database:
    """A fresh, migrated, empty database."""
    if request.param == "sqlite":
        database = make_sqlite_database(tmp_path)
        yield database
        database.dispose()
        return
    with request.getfixturevalue("postgres_schema")() as url:
        database = Database(create_engine(url))
        database.upgrade()
        yield database
        database.dispose()


@pytest.fixture
def sqlite_db(tmp_path) -> Database:
    database = make_sqlite_database(tmp_path)
    yield database
    database.dispose()


@pytest.fixture(scope="session")
def framework() -> Framework:
    return load_framework()


@pytest.fixture
def app_url(tmp_path, monkeypatch) -> str:
    """The database URL the app under test reads: no secrets file, no passcodes set."""
    url = f"sqlite:///{tmp_path / 'app.db'}"
    monkeypatch.setenv("DATABASE_URL", url)
    for name in (
        "COLLAB_LEADERSHIP_PASSCODE",
        "COLLAB_ADMIN_PASSCODE",
        "COLLAB_FRAMEWORK",
        "COLLAB_MIN_GROUP_SIZE",
    ):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setattr(
        config,
        "get_settings",
        functools.partial(config.get_settings, secrets_path=tmp_path / "no-secrets.toml"),
    )
    st.cache_data.clear()
    st.cache_resource.clear()
    yield url
    st.cache_data.clear()
    st.cache_resource.clear()


@pytest.fixture
def app_db(app_url) -> Database:
    """An empty, migrated database that the app under test uses."""
    database = Database.from_url(app_url)
    database.upgrade()
    yield database
    database.dispose()


@pytest.fixture(scope="session")
def demo_file(tmp_path_factory) -> Path:
    """A SQLite file holding the demo alliance, built once for the session."""
    path = tmp_path_factory.mktemp("demo") / "demo.db"
    database = Database.from_url(f"sqlite:///{path}")
    database.upgrade()
    build_demo(database, framework=load_framework(), seed=7)
    database.dispose()
    return path


@pytest.fixture
def demo_db(app_url, demo_file, tmp_path) -> Database:
    """A copy of the demo alliance that the app under test uses."""
    shutil.copy(demo_file, tmp_path / "app.db")
    database = Database.from_url(app_url)
    yield database
    database.dispose()

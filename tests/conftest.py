"""Shared fixtures: a throw-away database on SQLite and, when reachable, PostgreSQL.

Every test that takes ``db`` runs once per database. PostgreSQL tests each get a schema
of their own in the server's ``test`` database, dropped afterwards. When ``CI=true`` a
missing PostgreSQL server is an error, not a skip. Migrated databases are copies of one
migrated once per session (``tests/support/databases.py``).
"""

from __future__ import annotations

import functools
import os
import shutil
from pathlib import Path

import pytest
import sqlalchemy as sa
import streamlit as st

from collab.demo import build_demo
from collab.store import config
from collab.store.db import Database, create_engine
from collab.store.framework import Framework, load_framework
from collab.web import cache as web_cache
from tests.support.databases import (
    POSTGRES_URL,
    copy_migrated_sqlite,
    make_sqlite_database,
    postgres_schema_url,
)

IN_CI = os.environ.get("CI", "").lower() == "true"
# Tests that take several seconds each even on an idle machine, by test function name.
SLOW_TESTS = {
    "test_round_results_from_counts_match_the_answers_on_the_demo",
    "test_weighted_counts_give_the_same_results_as_single_answers",
    "test_import_killed_while_writing_leaves_nothing_behind",
    "test_submissions_acknowledged_before_a_kill_are_all_kept",
    "test_the_same_group_with_five_people_is_shown_so_the_check_above_can_fail",
    "test_html_in_comments_is_escaped_in_the_meeting_pack",
}
LOAD_TEST_FILES = {"test_load.py", "test_concurrency.py"}
POSTGRES_FIXTURES = {"postgres_available", "postgres_schema"}


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Mark tests so that ``-m "not browser and not postgres and not load and not slow"``
    picks a quick run: browser for tests/e2e, postgres for tests on the PostgreSQL server,
    load for the many-threads tests, slow for those in ``SLOW_TESTS``."""
    for item in items:
        path = Path(item.path)
        if "e2e" in path.parts:
            item.add_marker(pytest.mark.browser)
        callspec = getattr(item, "callspec", None)
        params = callspec.params.values() if callspec else ()
        if POSTGRES_FIXTURES & set(item.fixturenames) or any(
            isinstance(value, str) and value == "postgresql" for value in params
        ):
            item.add_marker(pytest.mark.postgres)
        if path.name in LOAD_TEST_FILES:
            item.add_marker(pytest.mark.load)
        if getattr(item, "originalname", item.name) in SLOW_TESTS:
            item.add_marker(pytest.mark.slow)


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


@pytest.fixture(scope="session")
def postgres_schema(postgres_available):
    """``postgres_schema_url`` for tests: requires (or, outside CI, skips without) a server."""
    return postgres_schema_url


@pytest.fixture(params=["sqlite", "postgresql"])
def db(request, tmp_path) -> Database:
    """A fresh, migrated, empty database (a copy of the session's migrated schema)."""
    if request.param == "sqlite":
        database = make_sqlite_database(tmp_path)
        yield database
        database.dispose()
        return
    request.getfixturevalue("postgres_available")
    with postgres_schema_url(migrated=True) as url:
        database = Database(create_engine(url))
        yield database
        database.dispose()


@pytest.fixture(params=["sqlite", "postgresql"])
def empty_db(request, tmp_path) -> Database:
    """A fresh database with no tables at all, for tests of the migrations themselves."""
    if request.param == "sqlite":
        database = Database(create_engine(f"sqlite:///{tmp_path / 'empty.db'}"))
        yield database
        database.dispose()
        return
    with request.getfixturevalue("postgres_schema")() as url:
        database = Database(create_engine(url))
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
    web_cache.reset()
    st.cache_data.clear()
    yield url
    web_cache.reset()
    st.cache_data.clear()


@pytest.fixture
def app_db(app_url, tmp_path) -> Database:
    """An empty, migrated database that the app under test uses."""
    copy_migrated_sqlite(tmp_path / "app.db")
    database = Database.from_url(app_url)
    yield database
    database.dispose()


@pytest.fixture(scope="session")
def demo_file(tmp_path_factory) -> Path:
    """A SQLite file holding the demo alliance, built once for the session."""
    path = tmp_path_factory.mktemp("demo") / "demo.db"
    copy_migrated_sqlite(path)
    database = Database.from_url(f"sqlite:///{path}")
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

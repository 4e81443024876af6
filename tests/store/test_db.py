"""The database layer: migrations on both databases, SQLite opened safely, writes atomic."""

import contextlib

import pytest
import sqlalchemy as sa
from alembic import command
from alembic.config import Config
from alembic.script import ScriptDirectory

from collab.domain import audit, drafts, rounds
from collab.store.db import MIGRATIONS_DIR, Database, create_engine
from collab.store.models import Organisation, Round
from tests.support.databases import make_sqlite_database, postgres_schema_url

TABLES = {
    "alliance_settings",
    "organisations",
    "rounds",
    "invite_codes",
    "respondents",
    "submissions",
    "revisions",
    "answers",
    "audit_entries",
    "checks",
    "check_answers",
    "drafts",
}


def newest_migration() -> str:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    return ScriptDirectory.from_config(config).get_current_head()


def test_upgrade_creates_every_table_and_can_run_again(empty_db):
    empty_db.upgrade()
    empty_db.upgrade()
    tables = set(sa.inspect(empty_db.engine).get_table_names())
    assert TABLES <= tables
    with empty_db.engine.connect() as conn:
        assert (
            conn.exec_driver_sql("SELECT version_num FROM alembic_version").scalar()
            == newest_migration()
        )


def schema_of(db: Database) -> dict[str, tuple]:
    """Each table's columns, keys, indexes and constraints, as the database reports them."""
    inspector = sa.inspect(db.engine)
    return {
        table: (
            [
                (c["name"], str(c["type"]), c["nullable"], c["default"])
                for c in inspector.get_columns(table)
            ],
            inspector.get_pk_constraint(table)["constrained_columns"],
            sorted(
                (fk["constrained_columns"], fk["referred_table"], fk["referred_columns"])
                for fk in inspector.get_foreign_keys(table)
            ),
            sorted(
                (i["name"], i["column_names"], i["unique"]) for i in inspector.get_indexes(table)
            ),
            sorted((u["name"], u["column_names"]) for u in inspector.get_unique_constraints(table)),
            sorted(c["sqltext"] for c in inspector.get_check_constraints(table)),
        )
        for table in inspector.get_table_names()
    }


def test_the_tests_migrated_copies_match_what_the_migrations_build(empty_db, tmp_path):
    empty_db.upgrade()
    with contextlib.ExitStack() as stack:
        if empty_db.is_sqlite:
            copy = make_sqlite_database(tmp_path / "copy")
        else:
            copy = Database(create_engine(stack.enter_context(postgres_schema_url(migrated=True))))
        stack.callback(copy.dispose)
        assert schema_of(copy) == schema_of(empty_db)
        with copy.engine.connect() as conn:
            assert (
                conn.exec_driver_sql("SELECT version_num FROM alembic_version").scalar()
                == newest_migration()
            )


def test_sqlite_connections_use_wal_foreign_keys_busy_timeout_and_no_mmap(sqlite_db):
    with sqlite_db.engine.connect() as conn:
        pragma = {
            name: conn.exec_driver_sql(f"PRAGMA {name}").scalar()
            for name in ("journal_mode", "foreign_keys", "busy_timeout", "mmap_size")
        }
    assert pragma == {
        "journal_mode": "wal",
        "foreign_keys": 1,
        "busy_timeout": 30000,
        "mmap_size": 0,
    }


def test_sqlite_write_transactions_begin_immediate(sqlite_db):
    statements = []
    sa.event.listen(
        sqlite_db.engine,
        "before_cursor_execute",
        lambda conn, cursor, statement, *args: statements.append(statement),
    )
    with sqlite_db.write() as session:
        session.add(Organisation(name="Night Shelter"))
    with sqlite_db.read() as session:
        session.scalars(sa.select(Organisation)).all()
    begins = [s for s in statements if s.startswith("BEGIN")]
    assert begins == ["BEGIN IMMEDIATE", "BEGIN"]


def test_a_failed_write_leaves_nothing_behind(db):
    with pytest.raises(RuntimeError), db.write() as session:
        session.add(Organisation(name="Half Written"))
        session.flush()
        raise RuntimeError("power cut")
    with db.read() as session:
        assert session.scalars(sa.select(Organisation)).all() == []


def test_sqlite_foreign_keys_are_enforced(sqlite_db):
    with pytest.raises(sa.exc.IntegrityError), sqlite_db.engine.begin() as conn:
        conn.exec_driver_sql(
            "INSERT INTO invite_codes (code_hash, organisation_id, stakeholder_group, revoked,"
            " created_at) VALUES ('x', 999, 'provider', 0, '2026-01-01')"
        )


def test_engine_factory_creates_the_sqlite_folder(tmp_path):
    db = Database(create_engine(f"sqlite:///{tmp_path}/new/folder/alliance.db"))
    db.upgrade()
    assert (tmp_path / "new" / "folder" / "alliance.db").exists()
    assert db.integrity_check() == "ok"
    db.dispose()


def test_upgrade_writes_nothing_when_the_schema_is_current(sqlite_db):
    assert sqlite_db.schema_is_current()

    def read_only(dbapi_connection, _record):
        dbapi_connection.execute("PRAGMA query_only=ON")

    sa.event.listen(sqlite_db.engine, "connect", read_only)
    sqlite_db.engine.dispose()
    sqlite_db.upgrade()  # a read-only database that is up to date still starts
    with pytest.raises(sa.exc.OperationalError, match="readonly"), sqlite_db.engine.begin() as c:
        c.exec_driver_sql("DELETE FROM organisations")


def test_a_new_database_is_not_current_until_upgraded(tmp_path):
    db = Database(create_engine(f"sqlite:///{tmp_path}/fresh.db"))
    assert not db.schema_is_current()
    db.upgrade()
    assert db.schema_is_current()
    db.dispose()


def test_audit_entries_keep_who_made_them_when_role_becomes_actor(db):
    config = db._alembic_config()
    with db.engine.begin() as conn:
        config.attributes["connection"] = conn
        command.downgrade(config, "0003")
        assert "role" in {c["name"] for c in sa.inspect(conn).get_columns("audit_entries")}
        conn.execute(
            sa.text(
                "INSERT INTO audit_entries (at, role, action, detail) "
                "VALUES ('2027-03-05 14:30:00', 'admin', 'round.create', 'Created round.')"
            )
        )
        command.upgrade(config, "head")
    entries = audit.recent_entries(db)
    assert list(zip(entries["actor"], entries["action"], strict=True)) == [
        ("admin", "round.create")
    ]


def test_rounds_open_or_answered_before_count_as_opened_and_the_column_goes_on_downgrade(db):
    config = db._alembic_config()
    with db.engine.begin() as conn:
        config.attributes["connection"] = conn
        command.downgrade(config, "0006")
        assert "opened_at" not in {c["name"] for c in sa.inspect(conn).get_columns("rounds")}
        conn.execute(
            sa.text(
                "INSERT INTO rounds (id, name, is_open, live_results, created_at) VALUES "
                "(1, 'Answered', false, false, '2026-03-01 09:00:00'), "
                "(2, 'Open', true, false, '2026-09-01 09:00:00'), "
                "(3, 'Never opened', false, false, '2027-01-05 09:00:00')"
            )
        )
        conn.execute(
            sa.text(
                "INSERT INTO organisations (id, name, active, created_at) "
                "VALUES (1, 'Harbour Trust', true, '2026-01-01 09:00:00')"
            )
        )
        conn.execute(
            sa.text(
                "INSERT INTO respondents (id, organisation_id, stakeholder_group, created_at) "
                "VALUES (1, 1, 'provider', '2026-03-02 09:00:00')"
            )
        )
        conn.execute(
            sa.text(
                "INSERT INTO submissions "
                "(id, respondent_id, round_id, source, current_revision, created_at) "
                "VALUES (1, 1, 1, 'paper', 1, '2026-03-02 09:00:00')"
            )
        )
        command.upgrade(config, "0007")
        opened = dict(conn.execute(sa.text("SELECT name, opened_at FROM rounds")).all())
        assert {name: str(at) if at else None for name, at in opened.items()} == {
            "Answered": "2026-03-01 09:00:00",
            "Open": "2026-09-01 09:00:00",
            "Never opened": None,
        }
        command.downgrade(config, "0006")
        assert "opened_at" not in {c["name"] for c in sa.inspect(conn).get_columns("rounds")}
        command.upgrade(config, "head")
    assert [(r.name, r.status) for r in rounds.list_rounds(db)] == [
        ("Answered", "closed"),
        ("Open", "open"),
        ("Never opened", "not_opened"),
    ]


def test_live_checks_come_and_go_with_their_migration_and_nothing_else_does(db):
    config = db._alembic_config()
    before_checks = ScriptDirectory.from_config(config).get_revision("0010").down_revision
    with db.engine.begin() as conn:
        config.attributes["connection"] = conn
        conn.execute(
            sa.text(
                "INSERT INTO rounds (id, name, is_open, live_results, created_at) "
                "VALUES (1, 'Spring 2027', true, false, '2027-03-01 09:00:00')"
            )
        )
        conn.execute(
            sa.text(
                "INSERT INTO checks (id, round_id, learning_point, short_code, passes, is_open, "
                "published_seq, opened_at) VALUES "
                "(1, 1, 'upstream', 'K7PX', 1, true, 0, '2027-03-05 10:00:00')"
            )
        )
        command.downgrade(config, before_checks)
        tables = set(sa.inspect(conn).get_table_names())
        assert not {"checks", "check_answers"} & tables
        assert {"rounds", "invite_codes", "submissions"} <= tables
        command.upgrade(config, "head")
        columns = {c["name"] for c in sa.inspect(conn).get_columns("check_answers")}
        assert {"invite_code_id", "seat", "published_in"} <= columns
        # The code's number is kept, never the code.
        assert [c for c in columns if "code" in c] == ["invite_code_id"]
        assert conn.execute(sa.text("SELECT count(*) FROM checks")).scalar() == 0
    assert [r.name for r in rounds.list_rounds(db)] == ["Spring 2027"]


def test_drafts_come_with_0009_and_go_when_it_is_undone(db, framework):
    config = db._alembic_config()
    with db.engine.begin() as conn:
        config.attributes["connection"] = conn
        command.downgrade(config, "0008")
        assert "drafts" not in sa.inspect(conn).get_table_names()
        command.upgrade(config, "0009")
        inspector = sa.inspect(conn)
        assert {c["name"] for c in inspector.get_columns("drafts")} == {
            "id",
            "code_hash",
            "round_id",
            "device",
            "position",
            "answers",
            "updated_at",
        }
        assert [u["column_names"] for u in inspector.get_unique_constraints("drafts")] == [
            ["code_hash", "round_id", "device"]
        ]
        command.upgrade(config, "head")
    with db.write() as session:
        session.add(Round(id=1, name="Spring 2027", is_open=True))
    device = "0" * 32
    assert drafts.save_draft(
        db, framework=framework, code="ABCD", round_id=1, device=device, answers={}, position=2
    )
    found = drafts.find_draft(db, code="ABCD", round_id=1, device=device)
    assert found is not None and found.position == 2

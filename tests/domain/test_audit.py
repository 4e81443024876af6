"""The audit log: every administrative action leaves one entry, newest first, with no codes,
and an action whose entry can't be written leaves nothing behind."""

import pytest
import sqlalchemy as sa

from collab.domain import actions, audit, backup, expected, invite_codes, organisations, rounds
from collab.files.exports import export_round
from collab.files.imports import apply_import, check_import
from collab.store.errors import Refused

ADMIN = "admin"


@pytest.fixture
def alliance(db, framework):
    """A database with one organisation and one round (not yet opened, live results to
    show once it opens), made without audit entries."""
    with db.write() as session:
        organisations.create_organisation_in(session, name="Riverside Night Shelter")
        rounds.create_round_in(session, name="Spring 2027", live_results=True)
    return db


def only_entry(db):
    entries = audit.recent_entries(db)
    assert len(entries) == 1
    return entries.iloc[0]


def test_creating_a_round_records_round_create(db):
    rounds.create_round(db, actor=ADMIN, name="Autumn 2027")
    entry = only_entry(db)
    assert (entry.actor, entry.action) == ("admin", "round.create")
    assert "Autumn 2027" in entry.detail


def test_opening_closing_and_live_results_each_record_one_entry(alliance):
    rounds.open_round(alliance, actor=ADMIN, name="Spring 2027")
    rounds.set_live_results(alliance, actor=ADMIN, name="Spring 2027", on=True)
    rounds.close_round(alliance, actor=ADMIN, name="Spring 2027")
    entries = audit.recent_entries(alliance)
    assert list(entries["action"]) == ["round.close", "round.live_results", "round.open"]
    assert set(entries["actor"]) == {"admin"}
    assert "live results on" in entries.iloc[1].detail


def test_organisation_changes_are_recorded_with_old_and_new_names(alliance):
    info = organisations.create_organisation(alliance, actor=ADMIN, name="County Council")
    organisations.rename_organisation(
        alliance, actor=ADMIN, organisation_id=info.id, name="Shire County Council"
    )
    organisations.set_organisation_active(
        alliance, actor=ADMIN, organisation_id=info.id, active=False
    )
    organisations.set_organisation_active(
        alliance, actor=ADMIN, organisation_id=info.id, active=True
    )
    entries = audit.recent_entries(alliance)
    assert list(entries["action"]) == [
        "organisation.reactivate",
        "organisation.deactivate",
        "organisation.rename",
        "organisation.create",
    ]
    assert "'County Council' to 'Shire County Council'" in entries.iloc[2].detail


def test_invite_code_entries_never_contain_the_code(alliance, framework):
    info, code = invite_codes.create_invite_code(
        alliance,
        actor=ADMIN,
        framework=framework,
        organisation="Riverside Night Shelter",
        stakeholder_group="lived_experience",
        response_cap=10_000,
    )
    invite_codes.revoke_invite_code(alliance, actor=ADMIN, code_id=info.id)
    entries = audit.recent_entries(alliance)
    assert list(entries["action"]) == ["invite_code.revoke", "invite_code.create"]
    for detail in entries["detail"]:
        assert invite_codes.normalise_code(code) not in invite_codes.normalise_code(detail)
        assert code not in detail
    assert "Riverside Night Shelter" in entries.iloc[1].detail


def test_created_invite_code_is_accepted_and_revoked_one_refused(alliance, framework):
    info, code = invite_codes.create_invite_code(
        alliance,
        actor=ADMIN,
        framework=framework,
        organisation="Riverside Night Shelter",
        stakeholder_group="provider",
        response_cap=10_000,
    )
    assert invite_codes.find_invite_code(alliance, code).id == info.id
    invite_codes.revoke_invite_code(alliance, actor=ADMIN, code_id=info.id)
    with pytest.raises(Refused):
        invite_codes.find_invite_code(alliance, code)


def test_a_refused_action_writes_no_entry_and_changes_nothing(alliance):
    rounds.open_round(alliance, actor=ADMIN, name="Spring 2027")
    rounds.create_round(alliance, actor=ADMIN, name="Autumn 2027")
    with pytest.raises(Refused, match="still open"):
        rounds.open_round(alliance, actor=ADMIN, name="Autumn 2027")
    assert len(audit.recent_entries(alliance)) == 2
    assert not rounds.get_round(alliance, "Autumn 2027").is_open


def test_a_failed_audit_entry_undoes_the_action(alliance, monkeypatch):
    def broken_record(session, **_):
        raise RuntimeError("disk full")

    monkeypatch.setattr(audit, "record", broken_record)
    with pytest.raises(RuntimeError):
        rounds.create_round(alliance, actor=ADMIN, name="Autumn 2027")
    assert [r.name for r in rounds.list_rounds(alliance)] == ["Spring 2027"]


def test_an_import_is_recorded_with_its_count(alliance, framework):
    header = "round,organisation,group," + ",".join(framework.point_keys)
    rows = [
        "Spring 2027,Riverside Night Shelter,provider," + ",".join(["4"] * 8),
        "Spring 2027,Riverside Night Shelter,commissioner," + ",".join(["DK"] * 8),
    ]
    plan = check_import(
        alliance, framework=framework, data="\n".join([header, *rows]).encode("utf-8")
    )
    assert apply_import(alliance, plan, actor=ADMIN, file_name="paper.csv")
    entry = only_entry(alliance)
    assert entry.action == "responses.import"
    assert entry.detail == "Imported 2 responses from paper.csv."


def test_an_export_download_is_recorded(alliance, framework):
    data = export_round(
        alliance,
        actor=ADMIN,
        framework=framework,
        what="responses",
        round_name="Spring 2027",
        fmt="csv",
    )
    assert data.decode("utf-8-sig").startswith("round,organisation,group")
    entry = only_entry(alliance)
    assert (entry.action, entry.detail) == (
        "export.download",
        "Downloaded responses of round 'Spring 2027' as CSV.",
    )


def test_entries_are_listed_newest_first_with_their_columns(db):
    for name in ["First", "Second", "Third"]:
        rounds.create_round(db, actor=ADMIN, name=name)
    entries = audit.recent_entries(db)
    assert list(entries.columns) == ["at", "actor", "action", "detail"]
    assert [d.split("'")[1] for d in entries["detail"]] == ["Third", "Second", "First"]
    assert entries["at"].is_monotonic_decreasing
    assert len(audit.recent_entries(db, limit=2)) == 2


def test_backups_are_recorded_as_downloads_and_as_files(sqlite_db, tmp_path):
    data = backup.backup_bytes(sqlite_db, actor=ADMIN)
    assert data.startswith(b"SQLite format 3\x00")
    backup.backup_database(sqlite_db, tmp_path / "copy.db", actor=audit.COMMAND_LINE)
    entries = audit.recent_entries(sqlite_db)
    assert list(zip(entries["actor"], entries["action"], strict=True)) == [
        ("command line", "backup.write"),
        ("admin", "backup.download"),
    ]
    assert str(tmp_path / "copy.db") in entries.iloc[0].detail


def test_actions_are_recorded_when_agreed_and_when_their_status_changes(alliance, framework):
    info = actions.record_action(
        alliance,
        actor="leadership",
        framework=framework,
        round_name="Spring 2027",
        learning_point=framework.point_keys[0],
        description="Share the waiting list each month",
    )
    actions.update_action_status(alliance, actor="leadership", action_id=info.id, status="done")
    actions.update_action_status(alliance, actor="leadership", action_id=info.id, status="done")
    entries = audit.recent_entries(alliance)
    assert list(entries["action"]) == ["action.status", "action.record"]
    assert set(entries["actor"]) == {"leadership"}
    assert entries.iloc[0].detail == f"Set action no. {info.id} to 'Done'."


def _import_plan(db, framework):
    header = "round,organisation,group," + ",".join(framework.point_keys)
    row = "Autumn 2027,Riverside Night Shelter,provider," + ",".join(["4"] * 8)
    return check_import(
        db, framework=framework, data=f"{header}\n{row}".encode(), create_missing=True
    )


# Each audited change, called as a page or the command line calls it.
CHANGES = {
    "round.create": lambda db, fw: rounds.create_round(db, actor=ADMIN, name="Autumn 2027"),
    "round.open": lambda db, fw: rounds.open_round(db, actor=ADMIN, name="Spring 2027"),
    # Live results are turned on only for an open round; off, for any.
    "round.live_results": lambda db, fw: rounds.set_live_results(
        db, actor=ADMIN, name="Spring 2027", on=False
    ),
    "organisation.create": lambda db, fw: organisations.create_organisation(
        db, actor=ADMIN, name="County Council"
    ),
    "organisation.rename": lambda db, fw: organisations.rename_organisation(
        db,
        actor=ADMIN,
        organisation_id=organisations.get_organisation(db, "Riverside Night Shelter").id,
        name="Riverside Shelter",
    ),
    "organisation.deactivate": lambda db, fw: organisations.set_organisation_active(
        db,
        actor=ADMIN,
        organisation_id=organisations.get_organisation(db, "Riverside Night Shelter").id,
        active=False,
    ),
    "invite_code.create": lambda db, fw: invite_codes.create_invite_code(
        db,
        actor=ADMIN,
        framework=fw,
        organisation="Riverside Night Shelter",
        stakeholder_group="provider",
        response_cap=10_000,
    ),
    "action.record": lambda db, fw: actions.record_action(
        db,
        actor="leadership",
        framework=fw,
        round_name="Spring 2027",
        learning_point=fw.point_keys[0],
        description="Meet the council",
    ),
    "participation.expected": lambda db, fw: expected.set_expected_participation(
        db,
        actor=ADMIN,
        framework=fw,
        organisation="Riverside Night Shelter",
        stakeholder_group="provider",
        expected=5,
    ),
    "responses.import": lambda db, fw: apply_import(
        db, _import_plan(db, fw), actor=audit.COMMAND_LINE
    ),
}


def _everything(db) -> str:
    """What the database holds, as a string to compare before and after."""
    tables = ("rounds", "organisations", "invite_codes", "actions", "expected_participation")
    with db.read() as session:
        return repr(
            [session.execute(sa.text(f"SELECT * FROM {t} ORDER BY id")).all() for t in tables]
            + [session.execute(sa.text("SELECT count(*) FROM submissions")).scalar()]
        )


@pytest.mark.parametrize("action", list(CHANGES))
def test_each_change_commits_with_its_entry_or_not_at_all(alliance, framework, monkeypatch, action):
    before = _everything(alliance)

    def broken_record(session, **_):
        raise RuntimeError("disk full")

    with monkeypatch.context() as patched:
        patched.setattr(audit, "record", broken_record)
        with pytest.raises(RuntimeError):
            CHANGES[action](alliance, framework)
    assert _everything(alliance) == before
    assert audit.recent_entries(alliance).empty

    CHANGES[action](alliance, framework)
    assert _everything(alliance) != before
    assert list(audit.recent_entries(alliance)["action"]) == [action]

"""The audit log: every administrative action leaves one entry, newest first, with no codes."""

import pytest

from collab.domain import administration as admin
from collab.domain import audit, invite_codes, organisations, rounds
from collab.files.imports import check_import
from collab.store.errors import Refused

ADMIN = "admin"


@pytest.fixture
def alliance(db, framework):
    """A database with one organisation and one round, made without audit entries."""
    organisations.create_organisation(db, name="Riverside Night Shelter")
    rounds.create_round(db, name="Spring 2027")
    return db


def only_entry(db):
    entries = audit.recent_entries(db)
    assert len(entries) == 1
    return entries.iloc[0]


def test_creating_a_round_records_round_create(db):
    admin.admin_create_round(db, role=ADMIN, name="Autumn 2027")
    entry = only_entry(db)
    assert (entry.role, entry.action) == ("admin", "round.create")
    assert "Autumn 2027" in entry.detail


def test_opening_closing_and_live_results_each_record_one_entry(alliance):
    admin.admin_open_round(alliance, role=ADMIN, name="Spring 2027")
    admin.admin_set_live_results(alliance, role=ADMIN, name="Spring 2027", on=True)
    admin.admin_close_round(alliance, role=ADMIN, name="Spring 2027")
    entries = audit.recent_entries(alliance)
    assert list(entries["action"]) == ["round.close", "round.live_results", "round.open"]
    assert set(entries["role"]) == {"admin"}
    assert "live results on" in entries.iloc[1].detail


def test_organisation_changes_are_recorded_with_old_and_new_names(alliance):
    info = admin.admin_create_organisation(alliance, role=ADMIN, name="County Council")
    admin.admin_rename_organisation(
        alliance, role=ADMIN, organisation_id=info.id, name="Shire County Council"
    )
    admin.admin_set_organisation_active(alliance, role=ADMIN, organisation_id=info.id, active=False)
    admin.admin_set_organisation_active(alliance, role=ADMIN, organisation_id=info.id, active=True)
    entries = audit.recent_entries(alliance)
    assert list(entries["action"]) == [
        "organisation.reactivate",
        "organisation.deactivate",
        "organisation.rename",
        "organisation.create",
    ]
    assert "'County Council' to 'Shire County Council'" in entries.iloc[2].detail


def test_invite_code_entries_never_contain_the_code(alliance, framework):
    info, code = admin.admin_create_invite_code(
        alliance,
        role=ADMIN,
        framework=framework,
        organisation="Riverside Night Shelter",
        stakeholder_group="lived_experience",
    )
    admin.admin_revoke_invite_code(alliance, role=ADMIN, code_id=info.id)
    entries = audit.recent_entries(alliance)
    assert list(entries["action"]) == ["invite_code.revoke", "invite_code.create"]
    for detail in entries["detail"]:
        assert invite_codes.normalise_code(code) not in invite_codes.normalise_code(detail)
        assert code not in detail
    assert "Riverside Night Shelter" in entries.iloc[1].detail


def test_created_invite_code_is_accepted_and_revoked_one_refused(alliance, framework):
    info, code = admin.admin_create_invite_code(
        alliance,
        role=ADMIN,
        framework=framework,
        organisation="Riverside Night Shelter",
        stakeholder_group="provider",
    )
    assert invite_codes.find_invite_code(alliance, code).id == info.id
    admin.admin_revoke_invite_code(alliance, role=ADMIN, code_id=info.id)
    with pytest.raises(Refused):
        invite_codes.find_invite_code(alliance, code)


def test_a_refused_action_writes_no_entry_and_changes_nothing(alliance):
    admin.admin_open_round(alliance, role=ADMIN, name="Spring 2027")
    admin.admin_create_round(alliance, role=ADMIN, name="Autumn 2027")
    with pytest.raises(Refused, match="still open"):
        admin.admin_open_round(alliance, role=ADMIN, name="Autumn 2027")
    assert len(audit.recent_entries(alliance)) == 2
    assert not rounds.get_round(alliance, "Autumn 2027").is_open


def test_a_failed_audit_entry_undoes_the_action(alliance, monkeypatch):
    def broken_record(session, **_):
        raise RuntimeError("disk full")

    monkeypatch.setattr(audit, "record", broken_record)
    with pytest.raises(RuntimeError):
        admin.admin_create_round(alliance, role=ADMIN, name="Autumn 2027")
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
    assert admin.admin_import_responses(alliance, role=ADMIN, plan=plan, file_name="paper.csv")
    entry = only_entry(alliance)
    assert entry.action == "responses.import"
    assert entry.detail == "Imported 2 responses from paper.csv."


def test_an_export_download_is_recorded(alliance, framework):
    data = admin.admin_export(
        alliance,
        role=ADMIN,
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
        admin.admin_create_round(db, role=ADMIN, name=name)
    entries = audit.recent_entries(db)
    assert list(entries.columns) == ["at", "role", "action", "detail"]
    assert [d.split("'")[1] for d in entries["detail"]] == ["Third", "Second", "First"]
    assert entries["at"].is_monotonic_decreasing
    assert len(audit.recent_entries(db, limit=2)) == 2

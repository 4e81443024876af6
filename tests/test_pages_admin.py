"""The administration page (AppTest): each action changes what the domain layer reports,
errors are shown without a traceback, and every action appears in the audit log."""

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from collab.domain import audit, invite_codes, organisations, rounds
from collab.domain.answers import load_answers
from collab.files import exports
from collab.store.errors import Refused

PAGE = Path(__file__).resolve().parent.parent / "pages" / "admin.py"


def admin_page() -> AppTest:
    at = AppTest.from_file(str(PAGE), default_timeout=30)
    at.session_state["role"] = "admin"
    return at.run()


def click(at: AppTest, key: str) -> AppTest:
    at.button(key=key).click()
    return at.run()


def successes(at: AppTest) -> str:
    return " ".join(s.value for s in at.success).replace("\\", "")


def errors(at: AppTest) -> str:
    return " ".join(e.value for e in at.error).replace("\\", "")


def table_with(at: AppTest, column: str):
    """The first table on the page that has ``column``."""
    return next(d.value for d in at.dataframe if column in d.value.columns)


def response_csv(framework, *rows: str) -> bytes:
    header = "round,organisation,group,respondent," + ",".join(framework.point_keys)
    return "\n".join([header, *rows]).encode("utf-8")


def test_page_renders_every_section_for_admin(app_db):
    at = admin_page()
    assert not at.exception
    assert [t.label for t in at.tabs] == [
        "Rounds",
        "Organisations",
        "Invite codes",
        "Import",
        "Export",
        "Backup",
        "Audit log",
    ]


def test_page_shows_nothing_to_a_member(app_db):
    at = AppTest.from_file(str(PAGE), default_timeout=30)
    at.session_state["role"] = "member"
    at.run()
    assert not at.exception
    assert "administrator" in errors(at)
    assert not at.tabs


def test_creating_a_round_adds_it_closed(app_db):
    at = admin_page()
    at.text_input(key="admin_round_name").set_value("Spring 2027")
    click(at, "admin_round_create")
    assert not at.exception
    assert [(r.name, r.is_open) for r in rounds.list_rounds(app_db)] == [("Spring 2027", False)]
    assert "Spring 2027" in successes(at)


def test_a_round_without_a_name_is_refused_kindly(app_db):
    at = admin_page()
    click(at, "admin_round_create")
    assert not at.exception
    assert "needs a name" in errors(at)
    assert rounds.list_rounds(app_db) == []


def test_opening_live_results_and_closing_a_round(app_db):
    rounds.create_round(app_db, name="Spring 2027")
    at = admin_page()
    click(at, "admin_round_open")
    assert rounds.get_round(app_db, "Spring 2027").is_open
    click(at, "admin_round_live")
    assert rounds.get_round(app_db, "Spring 2027").live_results
    click(at, "admin_round_live")
    assert not rounds.get_round(app_db, "Spring 2027").live_results
    click(at, "admin_round_close")
    assert not rounds.get_round(app_db, "Spring 2027").is_open
    assert not at.exception


def test_a_second_open_round_needs_the_allow_several_box(app_db):
    rounds.create_round(app_db, name="Spring 2027")
    rounds.open_round(app_db, name="Spring 2027")
    rounds.create_round(app_db, name="Autumn 2027")
    at = admin_page()
    at.selectbox(key="admin_round_pick").set_value("Autumn 2027")
    click(at, "admin_round_open")
    assert "still open" in errors(at)
    assert not rounds.get_round(app_db, "Autumn 2027").is_open
    at.checkbox(key="admin_round_allow_several").check()
    click(at, "admin_round_open")
    assert rounds.get_round(app_db, "Autumn 2027").is_open
    assert not at.exception


def test_adding_renaming_and_deactivating_an_organisation(app_db):
    at = admin_page()
    at.text_input(key="admin_org_new_name").set_value("County Council")
    click(at, "admin_org_add")
    assert [o.name for o in organisations.list_organisations(app_db)] == ["County Council"]
    at.text_input(key="admin_org_rename_to").set_value("Shire County Council")
    click(at, "admin_org_rename")
    assert [o.name for o in organisations.list_organisations(app_db)] == ["Shire County Council"]
    click(at, "admin_org_toggle_active")
    assert [o.active for o in organisations.list_organisations(app_db)] == [False]
    assert at.button(key="admin_org_toggle_active").label == "Reactivate"
    click(at, "admin_org_toggle_active")
    assert [o.active for o in organisations.list_organisations(app_db)] == [True]
    assert not at.exception


def test_a_new_invite_code_is_shown_once_with_its_link_and_qr_code(app_db):
    organisations.create_organisation(app_db, name="Riverside Night Shelter")
    at = admin_page()
    at.selectbox(key="admin_code_group").set_value("lived_experience")
    click(at, "admin_code_create")
    assert not at.exception
    code, link = (c.value for c in at.code)
    found = invite_codes.find_invite_code(app_db, code)
    assert (found.organisation, found.stakeholder_group) == (
        "Riverside Night Shelter",
        "lived_experience",
    )
    assert link == invite_codes.invite_link("http://localhost:8501", code)
    assert len(at.image) == 1
    assert "won't be shown again" in successes(at)
    at.run()
    assert not at.code
    assert not at.image
    assert code not in table_with(at, "People who answered").to_string()


def test_a_revoked_invite_code_is_refused_afterwards(app_db, framework):
    organisations.create_organisation(app_db, name="Riverside Night Shelter")
    info, code = invite_codes.create_invite_code(
        app_db,
        framework=framework,
        organisation="Riverside Night Shelter",
        stakeholder_group="provider",
    )
    at = admin_page()
    at.selectbox(key="admin_code_revoke_pick").set_value(info.id)
    click(at, "admin_code_revoke")
    assert not at.exception
    with pytest.raises(Refused):
        invite_codes.find_invite_code(app_db, code)
    table = table_with(at, "People who answered")
    assert list(table["Status"]) == ["Revoked"]


def test_an_upload_with_errors_writes_nothing_and_lists_every_problem(app_db, framework):
    organisations.create_organisation(app_db, name="Riverside Night Shelter")
    rounds.create_round(app_db, name="Spring 2027")
    data = response_csv(
        framework,
        "Spring 2027,Riverside Night Shelter,provider,p1," + ",".join(["4"] * 8),
        "Spring 2027,Riverside Night Shelter,provider,p2," + ",".join(["7"] + ["4"] * 7),
        "Spring 2027,Nowhere House,provider,p3," + ",".join(["4"] * 8),
    )
    at = admin_page()
    at.file_uploader(key="admin_import_file").set_value(("paper.csv", data, "text/csv"))
    at.run()
    assert not at.exception
    problems = table_with(at, "Problem")
    assert list(problems["Row"]) == [3, 4]
    assert list(problems["Column"]) == ["upstream", "organisation"]
    assert "admin_import_apply" not in [b.key for b in at.button]
    assert load_answers(app_db).empty


def test_a_valid_upload_imports_every_row_with_progress(app_db, framework):
    organisations.create_organisation(app_db, name="Riverside Night Shelter")
    data = response_csv(
        framework,
        "Spring 2027,Riverside Night Shelter,provider,p1," + ",".join(["4"] * 8),
        "Spring 2027,Riverside Night Shelter,commissioner,p2," + ",".join(["DK"] * 8),
        "Spring 2027,Riverside Night Shelter,lived_experience,p3," + ",".join(["2"] * 8),
    )
    at = admin_page()
    at.checkbox(key="admin_import_create_missing").check()
    at.file_uploader(key="admin_import_file").set_value(("paper.csv", data, "text/csv"))
    at.run()
    assert at.button(key="admin_import_apply").label == "Import 3 responses"
    click(at, "admin_import_apply")
    assert not at.exception
    assert load_answers(app_db)["submission_id"].nunique() == 3
    assert [r.name for r in rounds.list_rounds(app_db)] == ["Spring 2027"]
    assert "Imported 3 responses" in successes(at)
    assert "admin_import_apply" not in [b.key for b in at.button]


def test_a_download_button_for_every_export_and_format(app_db):
    rounds.create_round(app_db, name="Spring 2027")
    at = admin_page()
    assert not at.exception
    keys = {b.key for b in at.download_button}
    expected = {f"admin_export_{what}_{fmt}" for what in exports.EXPORTS for fmt in exports.FORMATS}
    assert expected <= keys


def test_taking_a_backup_offers_it_for_download(app_db):
    at = admin_page()
    assert "admin_backup_download" not in [b.key for b in at.download_button]
    click(at, "admin_backup_take")
    assert not at.exception
    assert "admin_backup_download" in [b.key for b in at.download_button]
    assert at.session_state["admin_backup"]["data"].startswith(b"SQLite format 3\x00")


def test_the_audit_table_shows_each_action_with_its_role(app_db):
    at = admin_page()
    at.text_input(key="admin_round_name").set_value("Spring 2027")
    click(at, "admin_round_create")
    at.text_input(key="admin_org_new_name").set_value("County Council")
    click(at, "admin_org_add")
    table = table_with(at, "Action")
    assert list(table["Action"]) == ["organisation.create", "round.create"]
    assert set(table["Role"]) == {"admin"}
    assert list(table["Action"]) == list(audit.recent_entries(app_db)["action"])

"""The administration pages (AppTest): each action changes what the domain layer reports,
errors are shown without a traceback, and every action appears in the audit log."""

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from collab.domain import audit, backup, invite_codes, organisations, rounds
from collab.domain.answers import load_answers
from collab.files import exports
from collab.store.errors import Refused

PAGES = Path(__file__).resolve().parents[2] / "pages"
SECTIONS = {
    "rounds": "Rounds",
    "organisations": "Organisations",
    "codes": "Invite codes",
    "import": "Import",
    "export": "Export",
    "backup": "Backup",
    "audit": "Audit log",
}


def admin_page(section: str, role: str = "admin") -> AppTest:
    at = AppTest.from_file(str(PAGES / f"admin_{section}.py"), default_timeout=30)
    at.session_state["role"] = role
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


@pytest.mark.parametrize("section", list(SECTIONS))
def test_each_administration_page_renders_for_admin(app_db, section):
    at = admin_page(section)
    assert not at.exception
    assert [t.value for t in at.title] == [SECTIONS[section]]


@pytest.mark.parametrize("section", list(SECTIONS))
@pytest.mark.parametrize("role", ["member", "leadership"])
def test_administration_pages_show_nothing_to_anyone_else(app_db, section, role):
    at = admin_page(section, role=role)
    assert not at.exception
    assert "administrator" in errors(at)
    assert not at.title and not at.button and not at.dataframe


def test_every_administration_page_is_registered_in_the_app():
    app = (PAGES.parent / "app.py").read_text(encoding="utf-8")
    for section in SECTIONS:
        assert f'"pages/admin_{section}.py"' in app


def test_creating_a_round_adds_it_closed(app_db):
    at = admin_page("rounds")
    at.text_input(key="admin_round_name").set_value("Spring 2027")
    click(at, "admin_round_create")
    assert not at.exception
    assert [(r.name, r.is_open) for r in rounds.list_rounds(app_db)] == [("Spring 2027", False)]
    assert "Spring 2027" in successes(at)


def test_a_round_not_yet_opened_is_listed_as_such(app_db):
    for name in ("Autumn 2026", "Spring 2027"):
        rounds.create_round(app_db, actor="admin", name=name)
    rounds.open_round(app_db, actor="admin", name="Autumn 2026")
    rounds.close_round(app_db, actor="admin", name="Autumn 2026")
    at = admin_page("rounds")
    assert not at.exception
    table = table_with(at, "Status")
    assert list(zip(table["Round"], table["Status"], strict=True)) == [
        ("Autumn 2026", "Closed"),
        ("Spring 2027", "Not yet opened"),
    ]


def test_a_round_without_a_name_is_refused_kindly(app_db):
    at = admin_page("rounds")
    click(at, "admin_round_create")
    assert not at.exception
    assert "needs a name" in errors(at)
    assert rounds.list_rounds(app_db) == []


def test_a_round_name_with_a_direction_control_is_refused_naming_the_character(app_db):
    at = admin_page("rounds")
    at.text_input(key="admin_round_name").set_value("Spring \u202e7202")
    click(at, "admin_round_create")
    assert not at.exception
    assert "U+202E RIGHT-TO-LEFT OVERRIDE) at position 8" in errors(at)
    assert rounds.list_rounds(app_db) == []


def test_opening_live_results_and_closing_a_round(app_db):
    rounds.create_round(app_db, actor="admin", name="Spring 2027")
    at = admin_page("rounds")
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
    rounds.create_round(app_db, actor="admin", name="Spring 2027")
    rounds.open_round(app_db, actor="admin", name="Spring 2027")
    rounds.create_round(app_db, actor="admin", name="Autumn 2027")
    at = admin_page("rounds")
    at.selectbox(key="admin_round_pick").set_value("Autumn 2027")
    click(at, "admin_round_open")
    assert "still open" in errors(at)
    assert not rounds.get_round(app_db, "Autumn 2027").is_open
    at.checkbox(key="admin_round_allow_several").check()
    click(at, "admin_round_open")
    assert rounds.get_round(app_db, "Autumn 2027").is_open
    assert not at.exception


def test_an_organisation_that_looks_like_one_already_there_is_refused(app_db):
    organisations.create_organisation(app_db, actor="admin", name="Tiny Org")
    at = admin_page("organisations")
    at.text_input(key="admin_org_new_name").set_value("Tiny Org\u200b")
    click(at, "admin_org_add")
    assert not at.exception
    assert "invisible character (U+200B ZERO WIDTH SPACE) at position 9" in errors(at)
    at.text_input(key="admin_org_new_name").set_value("TINY  ORG")
    click(at, "admin_org_add")
    assert "An organisation called 'Tiny Org' already exists" in errors(at)
    assert [o.name for o in organisations.list_organisations(app_db)] == ["Tiny Org"]


def test_adding_renaming_and_deactivating_an_organisation(app_db):
    at = admin_page("organisations")
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
    organisations.create_organisation(app_db, actor="admin", name="Riverside Night Shelter")
    at = admin_page("codes")
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
    organisations.create_organisation(app_db, actor="admin", name="Riverside Night Shelter")
    info, code = invite_codes.create_invite_code(
        app_db,
        actor="admin",
        framework=framework,
        organisation="Riverside Night Shelter",
        stakeholder_group="provider",
        response_cap=10_000,
    )
    at = admin_page("codes")
    at.selectbox(key="admin_code_revoke_pick").set_value(info.id)
    click(at, "admin_code_revoke")
    assert not at.exception
    with pytest.raises(Refused):
        invite_codes.find_invite_code(app_db, code)
    table = table_with(at, "People who answered")
    assert list(table["Status"]) == ["Revoked"]


def test_an_upload_with_errors_writes_nothing_and_lists_every_problem(app_db, framework):
    organisations.create_organisation(app_db, actor="admin", name="Riverside Night Shelter")
    rounds.create_round(app_db, actor="admin", name="Spring 2027")
    data = response_csv(
        framework,
        "Spring 2027,Riverside Night Shelter,provider,p1," + ",".join(["4"] * 8),
        "Spring 2027,Riverside Night Shelter,provider,p2," + ",".join(["7"] + ["4"] * 7),
        "Spring 2027,Nowhere House,provider,p3," + ",".join(["4"] * 8),
    )
    at = admin_page("import")
    at.file_uploader(key="admin_import_file").set_value(("paper.csv", data, "text/csv"))
    at.run()
    assert not at.exception
    problems = table_with(at, "Problem")
    assert list(problems["Row"]) == [3, 4]
    assert list(problems["Column"]) == ["upstream", "organisation"]
    assert "admin_import_apply" not in [b.key for b in at.button]
    assert load_answers(app_db).empty


def test_a_valid_upload_imports_every_row_with_progress(app_db, framework):
    organisations.create_organisation(app_db, actor="admin", name="Riverside Night Shelter")
    data = response_csv(
        framework,
        "Spring 2027,Riverside Night Shelter,provider,p1," + ",".join(["4"] * 8),
        "Spring 2027,Riverside Night Shelter,commissioner,p2," + ",".join(["DK"] * 8),
        "Spring 2027,Riverside Night Shelter,lived_experience,p3," + ",".join(["2"] * 8),
    )
    at = admin_page("import")
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


def test_a_file_imported_before_in_another_session_is_refused_naming_it(app_db, framework):
    organisations.create_organisation(app_db, actor="admin", name="Riverside Night Shelter")
    data = response_csv(
        framework,
        "Spring 2027,Riverside Night Shelter,provider,," + ",".join(["4"] * 8),
        "Spring 2027,Riverside Night Shelter,commissioner,," + ",".join(["3"] * 8),
    )
    at = admin_page("import")
    at.checkbox(key="admin_import_create_missing").check()
    at.file_uploader(key="admin_import_file").set_value(("paper.csv", data, "text/csv"))
    click(at.run(), "admin_import_apply")
    assert "Imported 2 responses" in successes(at)
    again = admin_page("import")  # another browser session
    again.file_uploader(key="admin_import_file").set_value(("paper copy.csv", data, "text/csv"))
    again.run()
    assert not again.exception
    refusal = " ".join(e.value for e in again.error).replace("\\", "")
    assert "already imported into round 'Spring 2027'" in refusal
    assert "'paper.csv'" in refusal
    assert "admin_import_apply" not in [b.key for b in again.button]
    assert load_answers(app_db)["submission_id"].nunique() == 2


def test_a_download_button_for_every_export_and_format(app_db):
    rounds.create_round(app_db, actor="admin", name="Spring 2027")
    at = admin_page("export")
    assert not at.exception
    keys = {b.key for b in at.download_button}
    expected = {f"admin_export_{what}_{fmt}" for what in exports.EXPORTS for fmt in exports.FORMATS}
    assert expected <= keys


def test_the_backup_is_made_when_downloaded_not_kept_in_the_session(app_db):
    at = admin_page("backup")
    assert not at.exception
    assert [b.key for b in at.download_button] == ["admin_backup_download"]
    # A deferred download: the file is made by a callable when the button is clicked.
    assert at.download_button(key="admin_backup_download").proto.HasField("deferred_file_id")
    assert "admin_backup" not in at.session_state
    assert audit.recent_entries(app_db).empty


def test_the_audit_log_shows_each_action_with_who_did_it(app_db):
    at = admin_page("rounds")
    at.text_input(key="admin_round_name").set_value("Spring 2027")
    click(at, "admin_round_create")
    at = admin_page("organisations")
    at.text_input(key="admin_org_new_name").set_value("County Council")
    click(at, "admin_org_add")
    backup.backup_bytes(app_db, actor="admin")
    table = table_with(admin_page("audit"), "Action")
    assert list(table["Action"]) == ["backup.download", "organisation.create", "round.create"]
    assert set(table["Who"]) == {"admin"}
    assert list(table["Action"]) == list(audit.recent_entries(app_db)["action"])

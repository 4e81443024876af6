"""The administration pages (AppTest): each action changes what the domain layer reports,
errors are shown without a traceback, and every action appears in the audit log."""

import datetime as dt
import json
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from collab.domain import audit, backup, invite_codes, organisations, rounds
from collab.domain.answers import load_answers
from collab.files import exports
from collab.files.imports import check_import
from collab.store.errors import Refused
from collab.web import admin, navigation, page
from tests.support.app import texts

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
    registered = {entry.script for entry in navigation.ADMIN_PAGES}
    assert registered == {f"admin_{section}.py" for section in SECTIONS}
    assert all((PAGES / script).is_file() for script in registered)


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


def test_round_dates_read_in_words_and_not_set_when_missing(app_db):
    rounds.create_round(
        app_db,
        actor="admin",
        name="Spring 2027",
        opens_on=dt.date(2027, 3, 1),
        closes_on=dt.date(2027, 4, 2),
    )
    rounds.create_round(app_db, actor="admin", name="Autumn 2027")
    at = admin_page("rounds")
    assert not at.exception
    table = table_with(at, "Opens")
    assert list(zip(table["Opens"], table["Closes"], strict=True)) == [
        ("1 March 2027", "2 April 2027"),
        ("not set", "not set"),
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
    at.checkbox(key=close_box(app_db, "Spring 2027")).check().run()
    click(at, "admin_round_close")
    assert not rounds.get_round(app_db, "Spring 2027").is_open
    assert not at.exception


def close_box(db, name: str) -> str:
    """The key of the box that confirms closing round ``name``."""
    return f"admin_round_close_sure_{rounds.get_round(db, name).id}"


def label(widget) -> str:
    return widget.label.replace("\\", "")


def test_closing_a_round_waits_for_its_box_to_be_ticked(app_db):
    rounds.create_round(app_db, actor="admin", name="Spring 2027")
    rounds.open_round(app_db, actor="admin", name="Spring 2027")
    at = admin_page("rounds")
    box = at.checkbox(key=close_box(app_db, "Spring 2027"))
    assert label(box) == (
        "Yes, close round 'Spring 2027': members can no longer send or change answers"
    )
    assert at.button(key="admin_round_close").disabled
    box.check().run()
    assert not at.button(key="admin_round_close").disabled
    box.uncheck().run()
    assert at.button(key="admin_round_close").disabled
    assert rounds.get_round(app_db, "Spring 2027").is_open
    assert not at.exception


def test_a_round_closes_once_its_box_is_ticked(app_db):
    rounds.create_round(app_db, actor="admin", name="Spring 2027")
    rounds.open_round(app_db, actor="admin", name="Spring 2027")
    at = admin_page("rounds")
    at.checkbox(key=close_box(app_db, "Spring 2027")).check().run()
    click(at, "admin_round_close")
    assert not at.exception
    assert not rounds.get_round(app_db, "Spring 2027").is_open
    assert "Round 'Spring 2027' is closed" in successes(at)
    assert close_box(app_db, "Spring 2027") not in [c.key for c in at.checkbox]
    assert list(audit.recent_entries(app_db)["action"]).count("round.close") == 1


def test_a_tick_to_close_one_round_never_carries_over_to_another(app_db):
    for name in ("Spring 2027", "Autumn 2027"):
        rounds.create_round(app_db, actor="admin", name=name)
        rounds.open_round(app_db, actor="admin", name=name, allow_several=True)
    at = admin_page("rounds")
    at.selectbox(key="admin_round_pick").set_value("Spring 2027").run()
    at.checkbox(key=close_box(app_db, "Spring 2027")).check().run()
    at.selectbox(key="admin_round_pick").set_value("Autumn 2027").run()
    assert not at.checkbox(key=close_box(app_db, "Autumn 2027")).value
    assert at.button(key="admin_round_close").disabled
    at.selectbox(key="admin_round_pick").set_value("Spring 2027").run()
    assert not at.checkbox(key=close_box(app_db, "Spring 2027")).value
    assert at.button(key="admin_round_close").disabled
    assert [r.is_open for r in rounds.list_rounds(app_db)] == [True, True]


@pytest.mark.parametrize(
    ("steps", "says"),
    [
        ((), "Round 'Spring 2027' is not open yet. Open it first"),
        (
            (rounds.open_round, rounds.close_round),
            "Round 'Spring 2027' is closed: its results are already shown",
        ),
    ],
)
def test_live_results_are_offered_only_for_an_open_round_and_the_page_says_why(app_db, steps, says):
    rounds.create_round(app_db, actor="admin", name="Spring 2027")
    for step in steps:
        step(app_db, actor="admin", name="Spring 2027")
    at = admin_page("rounds")
    assert not at.exception
    assert "admin_round_live" not in [b.key for b in at.button]
    assert says in texts(at.caption)


def test_the_rounds_table_says_where_live_results_apply(app_db):
    for name in ("Autumn 2026", "Spring 2027", "Autumn 2027"):
        rounds.create_round(app_db, actor="admin", name=name)
    # The command line can set live results for a round before it opens.
    rounds.create_round(app_db, actor="admin", name="Spring 2028", live_results=True)
    rounds.open_round(app_db, actor="admin", name="Autumn 2026")
    rounds.set_live_results(app_db, actor="admin", name="Autumn 2026", on=True)
    rounds.close_round(app_db, actor="admin", name="Autumn 2026")
    rounds.open_round(app_db, actor="admin", name="Spring 2027")
    rounds.set_live_results(app_db, actor="admin", name="Spring 2027", on=True)
    table = table_with(admin_page("rounds"), "Live results")
    assert list(table["Live results"]) == ["Not needed: closed", "On", "Off", "On once open"]


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
    at.checkbox(key=deactivate_box(app_db, "Shire County Council")).check().run()
    click(at, "admin_org_toggle_active")
    assert [o.active for o in organisations.list_organisations(app_db)] == [False]
    assert at.button(key="admin_org_toggle_active").label == "Reactivate"
    click(at, "admin_org_toggle_active")
    assert [o.active for o in organisations.list_organisations(app_db)] == [True]
    assert not at.exception


def deactivate_box(db, name: str) -> str:
    """The key of the box that confirms deactivating organisation ``name``."""
    return f"admin_org_deactivate_sure_{organisations.get_organisation(db, name).id}"


def test_deactivating_an_organisation_waits_for_its_box_to_be_ticked(app_db):
    organisations.create_organisation(app_db, actor="admin", name="County Council")
    at = admin_page("organisations")
    box = at.checkbox(key=deactivate_box(app_db, "County Council"))
    assert label(box).startswith("Yes, deactivate 'County Council': it gets no new invite codes")
    assert at.button(key="admin_org_toggle_active").disabled
    assert [o.active for o in organisations.list_organisations(app_db)] == [True]
    box.check().run()
    click(at, "admin_org_toggle_active")
    assert not at.exception
    assert [o.active for o in organisations.list_organisations(app_db)] == [False]
    assert "'County Council' is deactivated" in successes(at)


def test_reactivating_an_organisation_takes_one_click(app_db):
    council = organisations.create_organisation(app_db, actor="admin", name="County Council")
    organisations.set_organisation_active(
        app_db, actor="admin", organisation_id=council.id, active=False
    )
    at = admin_page("organisations")
    click(at, "admin_org_toggle_active")
    assert not at.exception
    assert [o.active for o in organisations.list_organisations(app_db)] == [True]


def test_a_new_shared_code_stays_shown_with_its_link_and_qr_code_until_done(app_db):
    organisations.create_organisation(app_db, actor="admin", name="Riverside Night Shelter")
    at = admin_page("codes")
    at.selectbox(key="admin_code_group").set_value("lived_experience")
    at.radio(key="admin_code_kind").set_value("shared").run()
    click(at, "admin_code_create")
    assert not at.exception
    code, link = (c.value for c in at.code)
    found = invite_codes.find_invite_code(app_db, code)
    assert (found.organisation, found.stakeholder_group, found.response_cap) == (
        "Riverside Night Shelter",
        "lived_experience",
        10,
    )
    assert link == invite_codes.invite_link("http://localhost:8501", code)
    assert len(at.image) == 1
    assert "once you press Done they can't be shown again" in successes(at)
    # Another click elsewhere on the page keeps the new code and its QR code on screen.
    at.selectbox(key="admin_code_group").set_value("provider").run()
    assert [c.value for c in at.code] == [code, link] and len(at.image) == 1
    click(at, "admin_codes_done")
    assert not at.code
    assert not at.image
    assert code not in table_with(at, "Responses").to_string()


def test_a_batch_of_personal_codes_comes_with_a_sheet_and_a_csv_of_links(app_db):
    organisations.create_organisation(app_db, actor="admin", name="Riverside Night Shelter")
    at = admin_page("codes")
    at.selectbox(key="admin_code_group").set_value("lived_experience")
    at.number_input(key="admin_code_count").set_value(3).run()
    click(at, "admin_code_create")
    assert not at.exception
    shown = table_with(at, "Link")
    assert len(shown) == 3
    for code in shown["Code"]:
        assert invite_codes.find_invite_code(app_db, code).personal
    labels = [b.proto.label for b in at.get("download_button")]
    assert labels == ["Printable sheet with QR codes", "Links for a mail merge (CSV)"]
    # The default address only opens on the server's own computer: the page says so.
    assert "COLLAB_BASE_URL" in " ".join(str(w.value) for w in at.warning).replace("\\", "")


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
    at.selectbox(key="admin_code_revoke_pick").set_value(info.id).run()
    assert at.button(key="admin_code_revoke").disabled  # asks first
    at.checkbox(key=f"admin_code_revoke_sure_{info.id}").check().run()
    click(at, "admin_code_revoke")
    assert not at.exception
    with pytest.raises(Refused):
        invite_codes.find_invite_code(app_db, code)
    table = table_with(at, "Responses")
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
    problems = at.table[0].value
    assert list(problems["Row"]) == ["3", "4"]
    assert list(problems["Column"]) == ["upstream", "organisation"]
    assert "admin_import_apply" not in [b.key for b in at.button]
    assert load_answers(app_db).empty


def upload(at: AppTest, data: bytes, name: str = "paper.csv") -> AppTest:
    at.file_uploader(key="admin_import_file").set_value((name, data, "text/csv"))
    return at.run()


def test_every_import_problem_is_shown_in_full_in_a_table_that_wraps_its_text(app_db, framework):
    long_name = "Riverside Community Night Shelter and Day Centre for the Whole of the Valley"
    data = response_csv(
        framework,
        f"Spring 2027,{long_name},providers,p1," + ",".join(["4"] * 8),
    )
    at = upload(admin_page("import"), data)
    assert not at.exception
    assert "the file has 3 problems" in errors(at)
    # st.table wraps long text; st.dataframe would cut every cell to one line.
    assert not [d for d in at.dataframe if "Problem" in d.value.columns]
    problems = at.table[0].value
    expected = check_import(app_db, framework=framework, data=data).problems
    assert list(problems["Problem"]) == [p.message for p in expected]
    assert any(long_name in message and len(message) > 150 for message in problems["Problem"])
    assert list(problems["Column"]) == ["round", "organisation", "group"]


def test_a_problem_with_the_whole_file_has_no_row_rather_than_none(app_db):
    at = upload(admin_page("import"), b"\n")
    assert "the file has 1 problem." in errors(at)
    problems = at.table[0].value
    assert list(problems["Row"]) == [""]
    assert list(problems["Column"]) == [""]
    assert "The file is empty" in problems["Problem"][0]


def test_a_file_with_very_many_problems_lists_the_first_and_offers_every_one(app_db, framework):
    organisations.create_organisation(app_db, actor="admin", name="Riverside Night Shelter")
    rounds.create_round(app_db, actor="admin", name="Spring 2027")
    rows = [
        f"Spring 2027,Riverside Night Shelter,provider,p{n}," + ",".join(["9"] + ["4"] * 7)
        for n in range(admin.PROBLEMS_SHOWN + 5)
    ]
    at = upload(admin_page("import"), response_csv(framework, *rows))
    assert not at.exception
    assert len(at.table[0].value) == admin.PROBLEMS_SHOWN
    assert f"The first {admin.PROBLEMS_SHOWN} of {admin.PROBLEMS_SHOWN + 5} problems" in texts(
        at.caption
    )
    assert at.download_button(key="admin_import_problems_download").proto.url.endswith(".csv")


def test_the_import_page_offers_a_blank_response_file_to_type_paper_forms_into(app_db):
    at = admin_page("import")
    assert not at.exception
    button = at.download_button(key="admin_import_template")
    assert button.label == "Download a blank response file"
    assert button.proto.url.endswith(".csv")


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


def test_the_audit_log_shows_each_time_as_the_app_writes_times(app_db):
    rounds.create_round(app_db, actor="admin", name="Spring 2027")
    at = admin_page("audit")
    assert not at.exception
    when = json.loads(at.dataframe[0].proto.columns)["When"]
    assert when["type_config"] == {"type": "datetime", "format": page.TIME_COLUMN_FORMAT}
    assert page.TIME_COLUMN_FORMAT == "D MMMM YYYY, HH:mm [UTC]"

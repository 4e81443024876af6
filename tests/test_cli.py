"""The command line, run in-process on a SQLite file: set-up, rounds, organisations, invite
codes, import, export, demo and serve. Problems are one ``error:`` line, exit status 1."""

import contextlib
import datetime as dt
import json
import os
import sys

import pytest

from collab import cli
from collab.demo import DEMO_ADMIN_PASSCODE, DEMO_LEADERSHIP_PASSCODE
from collab.domain.answers import load_answers
from collab.domain.audit import recent_entries
from collab.domain.dates import long_date
from collab.domain.invite_codes import find_invite_code, normalise_code
from collab.domain.organisations import list_organisations
from collab.domain.rounds import get_round, list_rounds
from collab.store.db import Database
from collab.store.framework import DEFAULT_PATH


@pytest.fixture
def database_url(tmp_path, monkeypatch):
    url = f"sqlite:///{tmp_path}/a.db"
    monkeypatch.setenv("DATABASE_URL", url)
    for name in ("COLLAB_LEADERSHIP_PASSCODE", "COLLAB_ADMIN_PASSCODE", "COLLAB_BASE_URL"):
        monkeypatch.setenv(name, "")
    return url


@pytest.fixture
def run(database_url, capsys):
    """Run one command; return (exit status, stdout, stderr)."""

    def run_command(*argv: str) -> tuple[int, str, str]:
        status = cli.main(list(argv))
        out, err = capsys.readouterr()
        return status, out, err

    return run_command


@pytest.fixture
def initialised(run, database_url):
    assert run("init")[0] == 0
    db = Database.from_url(database_url)
    yield db
    db.dispose()


@pytest.fixture
def shelter(run, initialised):
    assert run("organisations", "add", "Riverside Night Shelter")[0] == 0
    return initialised


def test_init_creates_the_schema_and_says_where_the_database_is(run, tmp_path):
    status, out, _ = run("init")
    assert status == 0
    assert f"SQLite file {tmp_path}/a.db" in out
    assert "8 learning points" in out


@pytest.mark.parametrize(
    ("data", "says"),
    [
        (
            DEFAULT_PATH.read_text(encoding="utf-8").encode("utf-16"),
            "the framework file is saved as UTF-16 text; save it as UTF-8",
        ),
        (
            DEFAULT_PATH.read_text(encoding="utf-8")
            .replace('key = "focus"', 'key = "round"')
            .encode(),
            "learning_points #7 ('round'): 'round' is a column of the response file",
        ),
    ],
)
def test_init_with_a_framework_file_that_cant_be_used_is_one_error_line(
    run, tmp_path, monkeypatch, data, says
):
    path = tmp_path / "framework.toml"
    path.write_bytes(data)
    monkeypatch.setenv("COLLAB_FRAMEWORK", str(path))
    status, out, err = run("init")
    assert (status, out) == (1, "")
    assert err.startswith(f"error: {path}: {says}")
    assert err.count("\n") == 1


def test_commands_before_init_ask_for_init(run):
    status, out, err = run("rounds", "list")
    assert status == 1
    assert err.startswith("error: ") and "python -m collab init" in err
    assert "Traceback" not in err


def test_password_in_a_database_url_is_masked():
    where = cli.describe_database("postgresql+psycopg://alliance:s3cret@db.example/alliance")
    assert where == "postgresql+psycopg://alliance:***@db.example/alliance"


def test_rounds_are_created_opened_closed_and_listed(run, initialised):
    assert run("rounds", "create", "Spring 2027", "--opens", "2027-03-01")[0] == 0
    assert (
        run("rounds", "create", "Autumn 2027", "--open")[1]
        == "created round 'Autumn 2027' (open)\n"
    )
    status, _, err = run("rounds", "open", "Spring 2027")
    assert status == 1 and "Autumn 2027' is still open" in err
    assert run("rounds", "close", "Autumn 2027")[0] == 0
    assert run("rounds", "open", "Spring 2027")[0] == 0
    assert run("rounds", "live", "Spring 2027", "on")[0] == 0
    status, out, _ = run("rounds", "list")
    lines = out.splitlines()
    assert lines[0].split() == [
        "round",
        "status",
        "live",
        "results",
        "opens",
        "closes",
        "responses",
    ]
    assert lines[2].split() == ["Spring", "2027", "open", "yes", "2027-03-01", "0"]
    assert lines[3].split() == ["Autumn", "2027", "closed", "no", "0"]
    assert get_round(initialised, "Spring 2027").live_results


@pytest.mark.parametrize(
    ("before", "says"),
    [
        ((), "Round 'Spring 2027' is not open yet. Open it first"),
        (
            (("open", "Spring 2027"), ("close", "Spring 2027")),
            "Round 'Spring 2027' is closed: its results are already shown",
        ),
    ],
)
def test_live_results_for_a_round_that_is_not_open_are_refused_saying_why(
    run, initialised, before, says
):
    assert run("rounds", "create", "Spring 2027")[0] == 0
    for action, name in before:
        assert run("rounds", action, name)[0] == 0
    status, out, err = run("rounds", "live", "Spring 2027", "on")
    assert (status, out) == (1, "")
    assert err.startswith(f"error: {says}")
    assert not get_round(initialised, "Spring 2027").live_results
    assert run("rounds", "live", "Spring 2027", "off")[0] == 0


def test_a_round_not_yet_opened_is_listed_as_such(run, initialised):
    assert run("rounds", "create", "Spring 2027")[1] == (
        "created round 'Spring 2027' (not yet opened)\n"
    )
    status, out, _ = run("rounds", "list")
    assert status == 0
    assert out.splitlines()[2].split() == ["Spring", "2027", "not", "yet", "opened", "no", "0"]


def test_dates_that_are_not_iso_dates_are_refused_by_the_parser(run, initialised):
    with pytest.raises(SystemExit):
        run("rounds", "create", "Spring 2027", "--opens", "01/03/2027")


def test_organisations_are_added_renamed_deactivated_and_listed(run, shelter):
    status, _, err = run("organisations", "rename", "Riverside Night Shelta", "Riverside Shelter")
    assert status == 1 and "Did you mean 'Riverside Night Shelter'?" in err
    assert run("organisations", "rename", "Riverside Night Shelter", "Riverside Shelter")[0] == 0
    assert run("organisations", "deactivate", "Riverside Shelter")[0] == 0
    out = run("organisations", "list")[1]
    assert out.splitlines()[2].split() == ["Riverside", "Shelter", "no"]


def test_names_with_unseen_characters_or_over_the_limit_are_one_error_line(run, initialised):
    status, _, err = run("rounds", "create", "Spring\u202e2027")
    assert status == 1
    assert err == (
        "error: The round name contains an invisible text-direction character "
        "(U+202E RIGHT-TO-LEFT OVERRIDE) at position 7. Type the name again without it.\n"
    )
    status, _, err = run("rounds", "create", "R" * 150)
    assert (status, err) == (
        1,
        "error: The round name is 150 characters long; the limit is 100. Shorten it.\n",
    )
    status, _, err = run("organisations", "add", "Tiny\nOrg")
    assert status == 1
    assert "a line break (U+000A LINE FEED) at position 5" in err
    assert list_rounds(initialised) == []
    assert list_organisations(initialised) == []


def test_code_create_prints_a_code_that_is_accepted_and_its_link(run, shelter):
    status, out, err = run(
        "codes",
        "create",
        "--organisation",
        "Riverside Night Shelter",
        "--group",
        "provider",
        "--cap",
        "5",
    )
    assert status == 0
    assert "(shared, up to 5 per round)" in out
    _, number, code, link = out.split("\n\n")[1].split("\n")[0].split()
    assert find_invite_code(shelter, code).organisation == "Riverside Night Shelter"
    assert link == f"http://localhost:8501/submit?code={code}"
    # The default address only opens on this computer: say so, and how to set another.
    assert "COLLAB_BASE_URL" in err and "only opens on the computer" in err


def test_code_create_with_json_prints_one_object_with_the_link(run, shelter):
    status, out, _ = run(
        "codes",
        "create",
        "--organisation",
        "Riverside Night Shelter",
        "--group",
        "provider",
        "--cap",
        "5",
        "--json",
    )
    record = json.loads(out)
    assert set(record) == {"id", "organisation", "group", "kind", "cap", "code", "link"}
    assert (record["kind"], record["cap"]) == ("shared", 5)
    assert record["link"].endswith(f"/submit?code={record['code']}")
    assert find_invite_code(shelter, record["code"]).stakeholder_group == "provider"


def test_codes_are_revoked_and_listed_without_the_code(run, shelter):
    created = json.loads(
        run(
            "codes",
            "create",
            "--organisation",
            "Riverside Night Shelter",
            "--group",
            "commissioner",
            "--cap",
            "5",
            "--json",
        )[1]
    )
    assert run("codes", "revoke", str(created["id"]))[0] == 0
    listed = run("codes", "list", "--json")[1]
    assert created["code"] not in listed
    assert json.loads(listed)[0] | {"created": None} == {
        "id": created["id"],
        "organisation": "Riverside Night Shelter",
        "group": "commissioner",
        "revoked": True,
        "uses": 0,
        "created": None,
    }
    assert created["code"] not in run("codes", "list")[1]


def test_a_code_for_an_unknown_group_is_refused_with_one_error_line(run, shelter):
    status, out, err = run(
        "codes", "create", "--organisation", "Riverside Night Shelter", "--group", "board"
    )
    assert status == 1 and out == ""
    assert err.startswith("error: 'board' is not a stakeholder group")


def write_csv(path, framework, rows):
    header = ["round", "organisation", "group", "respondent", *framework.point_keys]
    path.write_text("\n".join(",".join(r) for r in [header, *rows]) + "\n", encoding="utf-8")
    return str(path)


def test_import_with_problems_lists_every_one_and_writes_nothing(run, shelter, framework, tmp_path):
    assert run("rounds", "create", "Spring 2027")[0] == 0
    good = ["Spring 2027", "Riverside Night Shelter", "provider", "P1"] + ["3"] * 8
    bad_score = ["Spring 2027", "Riverside Night Shelter", "provider", "P2"] + ["9"] + ["3"] * 7
    bad_group = ["Spring 2027", "Riverside Night Shelter", "providr", "P3"] + ["3"] * 8
    path = write_csv(tmp_path / "in.csv", framework, [good, bad_score, bad_group])
    status, out, err = run("import", path)
    assert status == 1 and out == ""
    lines = err.splitlines()
    assert lines[0].startswith("row 3, column upstream: 9 is outside the scale")
    assert lines[1].startswith("row 4, column group: 'providr' is not a stakeholder group")
    assert lines[2] == f"error: 2 problems in {path}; nothing was imported."
    assert load_answers(shelter).empty


def test_import_with_a_quotation_mark_never_closed_writes_nothing_and_exits_1(
    run, shelter, framework, tmp_path
):
    assert run("rounds", "create", "Spring 2027")[0] == 0
    row = ["Spring 2027", "Riverside Night Shelter", "provider"]
    path = write_csv(
        tmp_path / "in.csv",
        framework,
        [row + ["P1"] + ["3"] * 8, row + ['"P2'] + ["3"] * 8, row + ["P3"] + ["3"] * 8],
    )
    status, out, err = run("import", path)
    assert (status, out) == (1, "")
    assert "row 3, column respondent: A quotation mark opens in this cell on line 3" in err
    assert "is never closed" in err
    assert load_answers(shelter).empty


def test_import_writes_the_file_and_creates_missing_rounds_when_asked(
    run, shelter, framework, tmp_path
):
    rows = [
        ["Winter 2026", "Riverside Night Shelter", "provider", f"P{i}"] + ["4"] * 8
        for i in range(3)
    ]
    path = write_csv(tmp_path / "in.csv", framework, rows)
    status, _, err = run("import", path)
    assert status == 1 and "no round called 'Winter 2026'" in err
    status, out, _ = run("import", path, "--create-missing")
    assert status == 0
    assert out.splitlines() == ["imported 3 responses", "created closed round(s): Winter 2026"]
    assert [r.status for r in list_rounds(shelter)] == ["closed"]


def test_import_refuses_a_file_over_the_limit_before_reading_it(
    run, shelter, framework, tmp_path, monkeypatch
):
    monkeypatch.setenv("COLLAB_MAX_IMPORT_BYTES", "10")
    path = write_csv(tmp_path / "in.csv", framework, [])
    status, _, err = run("import", path)
    assert status == 1
    assert "the largest file accepted is 10 bytes" in err


def test_import_of_a_missing_file_is_one_error_line(run, initialised, tmp_path):
    status, _, err = run("import", str(tmp_path / "nowhere.csv"))
    assert (status, err.count("\n")) == (1, 1)
    assert "There is no file" in err


def test_export_writes_the_round_to_a_file(run, shelter, framework, tmp_path):
    rows = [["Spring 2027", "Riverside Night Shelter", "provider", "P1"] + ["DK"] + ["2"] * 7]
    assert (
        run("import", write_csv(tmp_path / "in.csv", framework, rows), "--create-missing")[0] == 0
    )
    target = tmp_path / "out.json"
    status, out, _ = run(
        "export",
        "--round",
        "Spring 2027",
        "--what",
        "responses",
        "--format",
        "json",
        "-o",
        str(target),
    )
    assert status == 0 and str(target) in out
    records = json.loads(target.read_text(encoding="utf-8"))
    assert [(r["respondent"], r["upstream"], r["impact"]) for r in records] == [("P1", "DK", 2)]


def test_export_to_standard_output_writes_the_csv(run, shelter):
    assert run("rounds", "create", "Spring 2027")[0] == 0
    status, out, _ = run("export", "--round", "Spring 2027", "--format", "csv")
    assert status == 0
    assert out.lstrip("\ufeff").startswith("round,organisation,group,respondent,upstream")


def test_export_of_an_unknown_round_is_one_error_line(run, initialised):
    status, _, err = run("export", "--round", "Winter", "--format", "csv")
    assert status == 1 and err == "error: There is no round called 'Winter'.\n"


def test_export_of_a_kind_not_registered_says_what_can_be_exported(run, initialised, monkeypatch):
    monkeypatch.delitem(cli.EXPORTS, "summary", raising=False)
    status, _, err = run("export", "--round", "Winter", "--what", "summary", "--format", "csv")
    assert status == 1
    assert "Exporting the summary is not available" in err and "responses" in err


def test_demo_loads_once_and_if_empty_leaves_a_filled_database_alone(run, initialised):
    status, out, _ = run("demo")
    assert status == 0
    assert "DEMO" in out and "/submit?code=" in out
    rounds_before = list_rounds(initialised)
    status, out, _ = run("demo", "--if-empty")
    assert status == 0 and "not loaded" in out
    assert list_rounds(initialised) == rounds_before
    status, _, err = run("demo")
    assert status == 1 and err.startswith("error: ")


def test_serve_on_the_demo_sets_and_prints_demo_passcodes(run, initialised, monkeypatch, tmp_path):
    assert run("demo")[0] == 0
    started = {}
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(os, "execvpe", lambda file, args, env: started.update(args=args, env=env))
    status, out, _ = run("serve", "--port", "8600")
    assert status == 0
    assert started["args"][1:] == ["-m", "collab.web.server", "--port", "8600"]
    assert started["env"]["COLLAB_LEADERSHIP_PASSCODE"] == DEMO_LEADERSHIP_PASSCODE
    assert started["env"]["COLLAB_ADMIN_PASSCODE"] == DEMO_ADMIN_PASSCODE
    assert DEMO_LEADERSHIP_PASSCODE in out and DEMO_ADMIN_PASSCODE in out
    assert "demo passcodes" in out
    assert os.path.exists("app.py")


def test_serve_without_passcodes_on_a_real_database_says_how_to_set_them(
    run, initialised, monkeypatch, tmp_path
):
    started = {}
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(os, "execvpe", lambda file, args, env: started.update(env=env))
    status, out, _ = run("serve")
    assert status == 0
    assert "COLLAB_LEADERSHIP_PASSCODE" in out and ".streamlit/secrets.toml" in out
    assert not started["env"].get("COLLAB_ADMIN_PASSCODE")


def test_excel_export_to_a_terminal_is_refused(run, initialised, monkeypatch):
    assert run("rounds", "create", "Spring 2027")[0] == 0
    monkeypatch.setattr(sys.stdout, "isatty", lambda: True)
    status, out, err = run("export", "--round", "Spring 2027", "--format", "xlsx")
    assert status == 1 and out == ""
    assert "-o FILE.xlsx" in err


def test_backup_writes_a_checked_copy_of_the_database(run, shelter, tmp_path):
    target = tmp_path / "backups" / "alliance-copy.db"
    status, out, _ = run("backup", str(target))
    assert status == 0 and str(target) in out
    copy = Database.from_url(f"sqlite:///{target}")
    try:
        assert copy.integrity_check() == "ok"
        assert [o.name for o in list_organisations(copy)] == ["Riverside Night Shelter"]
    finally:
        copy.dispose()


def test_make_run_steps_work_with_database_url_on_postgresql(
    postgres_schema, monkeypatch, capsys, tmp_path
):
    with postgres_schema() as url:
        monkeypatch.setenv("DATABASE_URL", url)
        for name in ("COLLAB_LEADERSHIP_PASSCODE", "COLLAB_ADMIN_PASSCODE"):
            monkeypatch.setenv(name, "")
        started = {}
        monkeypatch.chdir(tmp_path)
        monkeypatch.setattr(os, "execvpe", lambda file, args, env: started.update(env=env))
        assert cli.main(["init"]) == 0
        assert "Database ready: postgresql+psycopg://" in capsys.readouterr().out
        assert cli.main(["demo", "--if-empty"]) == 0
        assert cli.main(["serve"]) == 0
        out = capsys.readouterr().out
        assert DEMO_LEADERSHIP_PASSCODE in out
        assert started["env"]["DATABASE_URL"] == url
        db = Database.from_url(url)
        assert [r.name for r in list_rounds(db)] == ["Autumn 2025", "Spring 2026", "Autumn 2026"]
        db.dispose()


def test_changes_made_on_the_command_line_are_audited_as_the_command_line(
    run, shelter, framework, tmp_path
):
    assert run("rounds", "create", "Spring 2027", "--open")[0] == 0
    status, out, _ = run(
        "codes",
        "create",
        "--organisation",
        "Riverside Night Shelter",
        "--group",
        "provider",
        "--cap",
        "5",
        "--json",
    )
    code = json.loads(out)["code"]
    rows = [["Winter 2026", "Riverside Night Shelter", "provider", "P1"] + ["4"] * 8]
    assert (
        run("import", write_csv(tmp_path / "in.csv", framework, rows), "--create-missing")[0] == 0
    )
    assert run("backup", str(tmp_path / "copy.db"))[0] == 0
    entries = recent_entries(shelter)
    assert list(entries["action"]) == [
        "backup.write",
        "responses.import",
        "invite_code.create",
        "round.open",
        "round.create",
        "organisation.create",
    ]
    assert set(entries["actor"]) == {"command line"}
    assert (
        entries.iloc[1].detail == "Imported 1 responses from in.csv, creating rounds Winter 2026."
    )
    assert not any(normalise_code(code) in normalise_code(d) for d in entries["detail"])


def test_audit_lists_the_log_newest_first_as_a_table_or_json(run, shelter):
    assert run("rounds", "create", "Spring 2027")[0] == 0
    status, out, _ = run("audit", "--json")
    assert status == 0
    records = json.loads(out)
    assert [(r["actor"], r["action"]) for r in records] == [
        ("command line", "round.create"),
        ("command line", "organisation.create"),
    ]
    assert set(records[0]) == {"at", "actor", "action", "detail"}
    assert records[0]["detail"] == "Created round 'Spring 2027' (no dates set)."
    status, out, _ = run("audit", "--limit", "1")
    lines = out.splitlines()
    assert status == 0 and len(lines) == 3
    assert lines[0].split() == ["at", "(UTC)", "actor", "action", "detail"]
    assert "command line  round.create  Created round 'Spring 2027'" in lines[2]


def test_audit_of_an_empty_log_says_so(run, initialised):
    status, out, _ = run("audit")
    assert status == 0 and "empty" in out
    assert run("audit", "--json")[1].strip() == "[]"
    with pytest.raises(SystemExit):
        run("audit", "--limit", "0")


@pytest.fixture(params=["sqlite", "postgresql"])
def run_on_each_database(request, run, database_url, monkeypatch):
    """``run`` on a migrated database, SQLite or PostgreSQL, with a shelter and a round."""
    with contextlib.ExitStack() as stack:
        if request.param == "sqlite":
            assert run("init")[0] == 0
        else:
            schema_url = request.getfixturevalue("postgres_schema")
            monkeypatch.setenv("DATABASE_URL", stack.enter_context(schema_url(migrated=True)))
        assert run("organisations", "add", "Riverside Night Shelter")[0] == 0
        assert run("rounds", "create", "Spring 2027")[0] == 0
        db = Database.from_url(os.environ["DATABASE_URL"])
        stack.callback(db.dispose)
        yield run, db


def test_importing_the_same_file_twice_is_refused_naming_the_first_and_exits_1(
    run_on_each_database, framework, tmp_path
):
    run, db = run_on_each_database
    rows = [
        ["Spring 2027", "Riverside Night Shelter", "provider", ""] + ["3"] * 8 for _ in range(4)
    ]
    first = write_csv(tmp_path / "paper-forms.csv", framework, rows)
    assert run("import", first)[:2] == (0, "imported 4 responses\n")
    copy = tmp_path / "paper-forms-again.csv"
    copy.write_bytes((tmp_path / "paper-forms.csv").read_bytes())
    status, out, err = run("import", str(copy))
    assert (status, out) == (1, "")
    assert "already imported into round 'Spring 2027'" in err
    assert "(as 'paper-forms.csv')" in err
    assert f"on {long_date(dt.datetime.now(dt.UTC))}, " in err
    # The round closed when the first file created it, so it is frozen too: both are said.
    assert "its answers are frozen" in err
    assert err.splitlines()[-1] == f"error: 2 problems in {copy}; nothing was imported."
    assert len(load_answers(db)) == 4 * 8

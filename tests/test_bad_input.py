"""Bad input at every way in: the form, the invite link, the CSV import and the exports.

HTML and script in comments are shown as text and escaped in the meeting pack; SQL
metacharacters in comments and names are stored and exported as typed; comments over
the limit are refused naming the point (form) or the row and column (import); odd
invite codes get a polite refusal; formula-like text is neutralised in spreadsheets.
"""

from __future__ import annotations

import csv
import io
import json

import openpyxl
import pytest
import sqlalchemy as sa
from streamlit.testing.v1 import AppTest

from collab.domain import invite_codes, organisations, rounds, submissions
from collab.files.exports import export_responses
from collab.files.imports import ImportRejected, import_responses
from collab.present.pack import build_meeting_pack
from collab.store.db import Database
from collab.store.errors import InvalidAnswers, NotFound
from collab.store.framework import Framework
from collab.store.models import Base
from tests.support.alliances import ORGANISATION, ROUND, answers, open_alliance
from tests.support.app import (
    every_point_on_one_page,
    open_submit_page,
    page_text,
    receipt_code,
    start_app,
)
from tests.support.databases import make_sqlite_database, table_counts

FORM_COMMENT = "<script>alert(1)</script><b>bold</b>"
IMPORTED_COMMENT = "<script>alert('csv')</script><img src=x onerror=alert(2)><i>imported</i>"
SQL_ORGANISATION = "Robert'); DROP TABLE answers;--"
SQL_ROUND = "Spring '27'); DROP TABLE rounds;-- %_\\"
SQL_COMMENT = "Robert'); DROP TABLE answers;-- 100%_sure \\ or \\\\ not"
WILDCARD_ORGANISATION = "%_\\"
SQL_REFERENCE = "x'; DELETE FROM respondents WHERE '1'='1"
FORMULAS = (
    '=HYPERLINK("http://evil.example/steal","Click for details")',
    "+SUM(1,1)",
    "-2+3",
    "@SUM(A1:A2)",
)
ODD_CODES = (
    "ZZZZ-ZZZZ-ZZZZ",
    "A" * 5000,
    "Código ÄÖÜ – 🙂 漢字",
    "'; --",
    "' OR '1'='1",
    "%_\\",
    "nul\x00byte",
)


# --- shared set-up ----------------------------------------------------------------------


def csv_file(framework: Framework, rows: list[dict[str, object]]) -> bytes:
    """A response CSV with every column; each row gives the cells it needs, scores default 3."""
    columns = ["round", "organisation", "group", "respondent", *framework.point_keys]
    columns += [f"comment_{key}" for key in framework.point_keys]
    buffer = io.StringIO(newline="")
    writer = csv.DictWriter(buffer, fieldnames=columns)
    writer.writeheader()
    for row in rows:
        writer.writerow({**dict.fromkeys(framework.point_keys, 3), **row})
    return buffer.getvalue().encode("utf-8")


def read_csv(data: bytes) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"), newline="")))


def answer_every_point(at: AppTest, framework: Framework) -> None:
    for point in framework.point_keys:
        at.radio(key=f"answer_{point}").set_value(3)


# --- HTML and script in comments ----------------------------------------------------


def closed_round_with_html_comments(app_db: Database, framework: Framework) -> None:
    """A closed round of 5 people per group: one comment typed in the form, one imported."""
    codes = open_alliance(app_db, framework).by_group
    at = every_point_on_one_page(open_submit_page(codes["provider"]))
    answer_every_point(at, framework)
    at.text_area(key="comment_focus").input(FORM_COMMENT)
    at.button(key="submit_send").click().run()
    assert receipt_code(at) is not None
    rows = [
        {"round": ROUND, "organisation": ORGANISATION, "group": group}
        for group, people in (("commissioner", 5), ("provider", 4), ("lived_experience", 5))
        for _ in range(people)
    ]
    rows[0]["comment_focus"] = IMPORTED_COMMENT
    assert (
        import_responses(app_db, framework=framework, data=csv_file(framework, rows), actor="admin")
        == 14
    )
    rounds.close_round(app_db, name=ROUND, actor="admin")


def test_html_in_comments_is_shown_as_text_on_the_learning_point_page(app_db, framework):
    closed_round_with_html_comments(app_db, framework)
    at = start_app("leadership", "pages/learning_point.py")
    at.selectbox(key="leadership_learning_point").set_value("focus").run()

    assert not at.exception
    shown_as_text = [t.value for t in at.text]
    assert FORM_COMMENT in shown_as_text
    assert IMPORTED_COMMENT in shown_as_text
    interpreted = [*at.markdown, *at.caption, *at.header, *at.subheader, *at.info]
    assert not [e.value for e in interpreted if "<script" in str(e.value)]


def test_html_in_comments_is_escaped_in_the_meeting_pack(app_db, framework):
    closed_round_with_html_comments(app_db, framework)
    pack = build_meeting_pack(app_db, framework=framework, round_name=ROUND, min_group_size=5)

    assert "&lt;script&gt;alert(1)&lt;/script&gt;&lt;b&gt;bold&lt;/b&gt;" in pack
    assert "&lt;img src=x onerror=alert(2)&gt;" in pack
    assert "<script>alert(" not in pack
    assert "<img src=x" not in pack


# --- SQL metacharacters ----------------------------------------------------------------


def alliance_with_sql_metacharacters(db: Database, framework: Framework) -> None:
    """A form and an import whose names, reference and comments carry SQL syntax."""
    codes = open_alliance(
        db, framework, organisation_names=[SQL_ORGANISATION], round_name=SQL_ROUND
    ).by_group
    submissions.submit(
        db,
        framework=framework,
        code=codes["provider"],
        answers=answers(framework, {"upstream": SQL_COMMENT}),
    )
    row = {
        "round": SQL_ROUND,
        "organisation": WILDCARD_ORGANISATION,
        "group": "commissioner",
        "respondent": SQL_REFERENCE,
        "comment_upstream": SQL_COMMENT,
    }
    data = csv_file(framework, [row])
    assert (
        import_responses(db, framework=framework, data=data, create_missing=True, actor="admin")
        == 1
    )
    rounds.close_round(db, name=SQL_ROUND, actor="admin")  # exports read what is published


def test_sql_metacharacters_are_stored_and_exported_as_typed(db, framework):
    alliance_with_sql_metacharacters(db, framework)
    exported = read_csv(export_responses(db, framework=framework, round_name=SQL_ROUND, fmt="csv"))

    assert [(r["round"], r["organisation"], r["comment_upstream"]) for r in exported] == [
        (SQL_ROUND, SQL_ORGANISATION, SQL_COMMENT),
        (SQL_ROUND, WILDCARD_ORGANISATION, SQL_COMMENT),
    ]
    assert exported[1]["respondent"] == SQL_REFERENCE
    assert set(sa.inspect(db.engine).get_table_names()) >= set(Base.metadata.tables)
    assert table_counts(db)["answers"] == 2 * len(framework.point_keys)


def test_names_with_like_wildcards_are_matched_exactly(db, framework):
    alliance_with_sql_metacharacters(db, framework)

    assert organisations.get_organisation(db, WILDCARD_ORGANISATION).name == WILDCARD_ORGANISATION
    assert rounds.get_round(db, SQL_ROUND).name == SQL_ROUND
    for pattern in ("%", "_", "%%", "Robert%"):
        with pytest.raises(NotFound):
            organisations.get_organisation(db, pattern)


def test_response_file_with_sql_metacharacters_survives_export_and_import(db, framework, tmp_path):
    alliance_with_sql_metacharacters(db, framework)
    exported = export_responses(db, framework=framework, round_name=SQL_ROUND, fmt="csv")
    copy = make_sqlite_database(tmp_path / "copy")
    try:
        imported = import_responses(
            copy, framework=framework, data=exported, create_missing=True, actor="admin"
        )
        exported_again = export_responses(
            copy, framework=framework, round_name=SQL_ROUND, fmt="csv"
        )
    finally:
        copy.dispose()

    assert imported == 2
    assert read_csv(exported_again) == read_csv(exported)


# --- comments over the limit -----------------------------------------------------------


def test_comment_over_the_limit_is_refused_naming_the_point(db, framework):
    codes = open_alliance(db, framework).by_group
    too_long = "x" * 2001
    with pytest.raises(InvalidAnswers) as refused:
        submissions.submit(
            db,
            framework=framework,
            code=codes["provider"],
            answers=answers(framework, {"focus": too_long}),
            max_comment_chars=2000,
        )
    assert refused.value.problems == {
        "focus": "the comment is 2001 characters long; please keep it under 2000"
    }
    assert table_counts(db)["submissions"] == 0


def test_comment_boxes_on_the_form_stop_at_the_limit(app_db, framework, monkeypatch):
    monkeypatch.setenv("COLLAB_MAX_COMMENT_CHARS", "300")
    codes = open_alliance(app_db, framework).by_group
    at = open_submit_page(codes["provider"])

    assert {box.max_chars for box in at.text_area} == {300}


def test_loaded_comment_over_a_lowered_limit_is_refused_on_the_form_naming_the_point(
    app_db, framework, monkeypatch
):
    codes = open_alliance(app_db, framework).by_group
    written_earlier = " ".join(["We meet often but decide little."] * 4)  # 131 characters
    receipt = submissions.submit(
        app_db,
        framework=framework,
        code=codes["provider"],
        answers=answers(framework, {"focus": written_earlier}),
    )
    monkeypatch.setenv("COLLAB_MAX_COMMENT_CHARS", "50")
    at = open_submit_page()
    at.text_input(key="revise_receipt").input(receipt.code)
    at.button(key="revise_load").click().run()
    every_point_on_one_page(at)
    at.radio(key="answer_upstream").set_value(5)
    at.button(key="submit_send").click().run()

    assert not at.exception
    errors = [e.value for e in at.error]
    assert framework.point("focus").title in errors[0]
    assert "The comment is 131 characters long; please keep it under 50." in errors
    assert at.text_area(key="comment_focus").value == written_earlier
    stored = submissions.find_submission(app_db, receipt_code=receipt.code)
    assert (stored.revision, stored.answers["focus"].comment) == (1, written_earlier)


def test_imported_comment_over_the_limit_is_refused_naming_row_and_column(db, framework):
    open_alliance(db, framework)
    person = {"round": ROUND, "organisation": ORGANISATION, "group": "provider"}
    rows = [person, {**person, "comment_focus": "y" * 61}]
    before = table_counts(db)
    with pytest.raises(ImportRejected) as rejected:
        import_responses(
            db,
            framework=framework,
            data=csv_file(framework, rows),
            max_comment_chars=60,
            actor="admin",
        )

    assert [(p.row, p.column) for p in rejected.value.problems] == [(3, "comment_focus")]
    assert "row 3, column comment_focus" in str(rejected.value)
    assert table_counts(db) == before


# --- odd invite codes -------------------------------------------------------------------


@pytest.mark.parametrize("code", ODD_CODES, ids=range(len(ODD_CODES)))
def test_odd_invite_code_in_the_link_is_refused_politely(app_db, framework, code):
    open_alliance(app_db, framework)
    at = open_submit_page(code)

    assert not at.exception
    assert "We don't recognise that code" in page_text(at)
    assert not at.radio
    assert table_counts(app_db)["respondents"] == 0


@pytest.mark.parametrize("code", ["", "   "])
def test_empty_invite_code_in_the_link_asks_for_one(app_db, framework, code):
    open_alliance(app_db, framework)
    at = open_submit_page(code)

    assert not at.exception
    assert "Type the invite code your alliance coordinator gave you" in page_text(at)
    assert not at.radio


@pytest.mark.parametrize("code", ODD_CODES, ids=range(len(ODD_CODES)))
def test_odd_invite_code_is_not_found_in_either_database(db, framework, code):
    open_alliance(db, framework)
    with pytest.raises(NotFound):
        invite_codes.find_invite_code(db, code)


# --- formula-like text in spreadsheets --------------------------------------------------


def round_with_formulas(db: Database, framework: Framework) -> None:
    """Formula-like text in an organisation name, a reference and four comments."""
    codes = open_alliance(db, framework, organisation_names=[FORMULAS[0]]).by_group
    submissions.submit(
        db,
        framework=framework,
        code=codes["provider"],
        answers=answers(framework, dict(zip(framework.point_keys, FORMULAS, strict=False))),
    )
    row = {"round": ROUND, "organisation": FORMULAS[0], "group": "commissioner"}
    row |= {"respondent": "=cmd|' /C calc'!A0", "comment_focus": FORMULAS[1]}
    assert (
        import_responses(db, framework=framework, data=csv_file(framework, [row]), actor="admin")
        == 1
    )
    rounds.close_round(db, name=ROUND, actor="admin")  # exports read what is published


def holds_a_formula(text: object) -> bool:
    """Whether a cell's text is one of the formulas, the respondent reference included."""
    return any(marker in str(text) for marker in ("HYPERLINK", "SUM(", "2+3", "cmd|"))


def test_formula_like_text_is_neutralised_in_the_csv_export(db, framework):
    round_with_formulas(db, framework)
    data = export_responses(db, framework=framework, round_name=ROUND, fmt="csv")
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))

    cells = [cell for row in rows[1:] for cell in row if holds_a_formula(cell)]
    assert len(cells) == 8  # the organisation twice, the reference and five comments
    assert all(cell[0] == "'" and cell[1] in "=+-@" for cell in cells)


def test_formula_like_text_is_text_not_a_formula_in_the_xlsx_export(db, framework, tmp_path):
    round_with_formulas(db, framework)
    path = tmp_path / "responses.xlsx"
    path.write_bytes(export_responses(db, framework=framework, round_name=ROUND, fmt="xlsx"))
    sheet = openpyxl.load_workbook(path).active

    cells = [c for row in sheet.iter_rows(min_row=2) for c in row if holds_a_formula(c.value)]
    assert len(cells) == 8
    assert {c.data_type for c in cells} == {"s"}
    assert all(c.value[0] == "'" and c.value[1] in "=+-@" for c in cells)


def test_neutralised_export_imports_back_to_the_text_as_typed(db, framework, tmp_path):
    round_with_formulas(db, framework)
    exported = export_responses(db, framework=framework, round_name=ROUND, fmt="csv")
    copy = make_sqlite_database(tmp_path / "copy")
    try:
        import_responses(
            copy, framework=framework, data=exported, create_missing=True, actor="admin"
        )
        records = json.loads(
            export_responses(copy, framework=framework, round_name=ROUND, fmt="json")
        )
    finally:
        copy.dispose()

    web, imported = records
    assert {web["organisation"], imported["organisation"]} == {FORMULAS[0]}
    assert [web[f"comment_{key}"] for key in framework.point_keys[:4]] == list(FORMULAS)
    assert (imported["respondent"], imported["comment_focus"]) == (
        "=cmd|' /C calc'!A0",
        FORMULAS[1],
    )

"""Exports: the one spreadsheet sanitiser, CSV/Excel/JSON writing, the response file of a
round, and a round trip from one database's export into another by import."""

import csv
import io
import json

import openpyxl
import pandas as pd
import pytest

from collab.domain import organisations, rounds
from collab.domain.answers import load_answers
from collab.domain.submissions import AnswerInput, NewResponse
from collab.files.exports import (
    EXPORTS,
    export_responses,
    neutralise_formula,
    responses_frame,
    restore_neutralised,
    write_frame,
    write_workbook,
)
from collab.files.imports import import_responses
from collab.store.errors import NotFound, Refused
from tests.support.answers import add_published
from tests.support.databases import make_sqlite_database

ROUND = "Spring 2027"


@pytest.mark.parametrize("trigger", ["=", "+", "-", "@", "\t", "\r"])
def test_text_starting_with_a_formula_character_is_neutralised(trigger):
    text = f"{trigger}SUM(A1:A9)"
    assert neutralise_formula(text) == f"'{text}"
    assert restore_neutralised(neutralise_formula(text)) == text


def test_a_comment_that_looks_like_a_negative_number_is_neutralised():
    assert neutralise_formula("-1 is wrong") == "'-1 is wrong"


def test_plain_text_numbers_and_missing_values_are_left_alone():
    for value in ["We meet monthly", "", "'quoted'", 3, 2.5, None, True]:
        assert neutralise_formula(value) == value
    assert restore_neutralised("'quoted'") == "'quoted'"


def test_text_that_already_starts_with_an_apostrophe_and_formula_survives_a_round_trip():
    for text in ["'=1+1", "''@home"]:
        assert restore_neutralised(neutralise_formula(text)) == text


@pytest.fixture
def mixed_frame():
    return pd.DataFrame(
        {
            "learning_point": ["upstream", "impact", "focus"],
            "n": pd.array([7, None, 5], dtype="Int64"),
            "mean": [3.25, float("nan"), 4.0],
            "suppressed": [False, True, False],
            "comment": ['=HYPERLINK("http://x")', None, "@team fine"],
        }
    )


def read_csv(data: bytes) -> list[dict[str, str]]:
    assert data.startswith(b"\xef\xbb\xbf")  # Excel needs the mark to read UTF-8
    return list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"), newline="")))


def test_csv_has_a_header_row_empty_missing_cells_and_neutralised_text(mixed_frame):
    rows = read_csv(write_frame(mixed_frame, fmt="csv"))
    assert list(rows[0]) == ["learning_point", "n", "mean", "suppressed", "comment"]
    assert rows[0] == {
        "learning_point": "upstream",
        "n": "7",
        "mean": "3.25",
        "suppressed": "False",
        "comment": '\'=HYPERLINK("http://x")',
    }
    assert (rows[1]["n"], rows[1]["mean"], rows[1]["comment"]) == ("", "", "")
    assert rows[2]["comment"] == "'@team fine"


def test_csv_never_spells_out_missing_values(mixed_frame):
    text = write_frame(mixed_frame, fmt="csv").decode("utf-8-sig")
    assert "nan" not in text.lower() and "<NA>" not in text and "None" not in text


def test_json_is_a_list_of_objects_with_null_for_missing_values_and_text_as_given(mixed_frame):
    records = json.loads(write_frame(mixed_frame, fmt="json"))
    assert records[0] == {
        "learning_point": "upstream",
        "n": 7,
        "mean": 3.25,
        "suppressed": False,
        "comment": '=HYPERLINK("http://x")',
    }
    assert (records[1]["n"], records[1]["mean"], records[1]["comment"]) == (None, None, None)


def test_excel_sheet_has_bold_frozen_header_sized_columns_and_neutralised_text(mixed_frame):
    data = write_frame(mixed_frame, fmt="xlsx", sheet_name="Summary")
    sheet = openpyxl.load_workbook(io.BytesIO(data))["Summary"]
    assert [c.value for c in sheet[1]] == list(mixed_frame.columns)
    assert all(c.font.bold for c in sheet[1])
    assert sheet.freeze_panes == "A2"
    assert [c.value for c in sheet[2]] == ["upstream", 7, 3.25, False, '\'=HYPERLINK("http://x")']
    assert sheet["E2"].data_type == "s"
    assert (sheet["B3"].value, sheet["C3"].value, sheet["E3"].value) == (None, None, None)
    assert sheet.column_dimensions["E"].width > sheet.column_dimensions["B"].width


def test_workbook_holds_one_sheet_per_frame_in_order(mixed_frame):
    data = write_workbook({"Summary": mixed_frame, "Divergence: by point": mixed_frame.head(1)})
    book = openpyxl.load_workbook(io.BytesIO(data))
    assert book.sheetnames == ["Summary", "Divergence- by point"]
    assert book["Divergence- by point"].max_row == 2


def test_unknown_format_is_refused(mixed_frame):
    with pytest.raises(Refused, match="choose one of csv, xlsx, json"):
        write_frame(mixed_frame, fmt="pdf")


@pytest.fixture
def answered_round(db, framework):
    """A closed round with three responses: scores, don't-knows, gaps and comments."""
    round_id = rounds.create_round(db, name=ROUND, actor="admin").id
    shelter = organisations.create_organisation(
        db, name="Riverside Night Shelter", actor="admin"
    ).id
    trust = organisations.create_organisation(db, name="=Calder Housing Trust", actor="admin").id
    keys = framework.point_keys
    first = {k: AnswerInput(score=4) for k in keys} | {
        "upstream": AnswerInput(score=2, comment="=cmd|' /C calc'!A0"),
        "impact": AnswerInput(dont_know=True, comment="Too early to say"),
    }
    second = {k: AnswerInput(score=5) for k in keys[:3]}
    third = {k: AnswerInput(dont_know=True) for k in keys} | {
        "focus": AnswerInput(comment="-1 is wrong")
    }
    with db.write() as session:
        add_published(
            session,
            [
                NewResponse(round_id, shelter, "provider", first, reference="P-1"),
                NewResponse(round_id, trust, "lived_experience", second, reference="P-2"),
                NewResponse(round_id, shelter, "commissioner", third, reference="P-3"),
            ],
            source="import",
        )
    return db


def test_response_frame_has_one_row_per_respondent_in_the_documented_columns(
    answered_round, framework
):
    frame = responses_frame(answered_round, framework=framework, round_name=ROUND)
    keys = framework.point_keys
    assert list(frame.columns) == ["round", "organisation", "group", "respondent"] + keys + [
        f"comment_{k}" for k in keys
    ]
    assert frame["respondent"].tolist() == ["P-1", "P-2", "P-3"]
    first = frame.iloc[0]
    assert (first["upstream"], first["impact"], first["focus"]) == (2, "DK", 4)
    assert first["comment_upstream"] == "=cmd|' /C calc'!A0"
    second = frame.iloc[1]
    assert second[keys[:3]].tolist() == [5, 5, 5]
    assert second[keys[3:]].isna().all()
    third = frame.iloc[2]
    assert third["focus"] is None and third["comment_focus"] == "-1 is wrong"


def test_response_csv_shows_dk_and_leaves_unanswered_points_empty(answered_round, framework):
    data = export_responses(answered_round, framework=framework, round_name=ROUND, fmt="csv")
    rows = read_csv(data)
    assert rows[0]["impact"] == "DK"
    assert rows[1]["impact"] == "" and rows[1]["comment_impact"] == ""
    assert rows[0]["comment_upstream"] == "'=cmd|' /C calc'!A0"
    assert rows[1]["organisation"] == "'=Calder Housing Trust"


def test_response_json_uses_null_for_unanswered_points(answered_round, framework):
    data = export_responses(answered_round, framework=framework, round_name=ROUND, fmt="json")
    records = json.loads(data)
    assert (records[1]["upstream"], records[1]["impact"]) == (5, None)
    assert records[0]["comment_upstream"] == "=cmd|' /C calc'!A0"


def test_response_export_of_an_unknown_round_is_not_found(answered_round, framework):
    with pytest.raises(NotFound, match="no round called 'Winter'"):
        export_responses(answered_round, framework=framework, round_name="Winter", fmt="csv")


def test_response_export_of_an_empty_round_is_just_the_header(db, framework):
    rounds.create_round(db, name="Autumn 2027", actor="admin")
    rows = read_csv(export_responses(db, framework=framework, round_name="Autumn 2027", fmt="csv"))
    assert rows == []


def test_responses_are_the_registered_export():
    assert EXPORTS["responses"] is export_responses


def comparable(answers: pd.DataFrame) -> list[tuple]:
    columns = ["round", "organisation", "stakeholder_group", "respondent", "learning_point"]
    columns += ["score", "dont_know", "comment"]
    return sorted(
        tuple(None if pd.isna(v) else v for v in row)
        for row in answers[columns].itertuples(index=False)
    )


def test_exported_round_imports_into_a_fresh_database_unchanged(
    answered_round, framework, tmp_path
):
    data = export_responses(answered_round, framework=framework, round_name=ROUND, fmt="csv")
    (tmp_path / "copy").mkdir()
    fresh = make_sqlite_database(tmp_path / "copy")
    try:
        written = import_responses(
            fresh, framework=framework, data=data, create_missing=True, actor="admin"
        )
        assert written == 3
        assert comparable(load_answers(fresh)) == comparable(load_answers(answered_round))
        assert rounds.get_round(fresh, ROUND).status == "closed"
    finally:
        fresh.dispose()

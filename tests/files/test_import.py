"""CSV import of responses: every kind of problem is named by row and column, and a file
with any problem writes nothing; a good file is stored exactly, in one transaction."""

import csv
import datetime as dt
import io
import re
import unicodedata
from dataclasses import replace

import pytest

from collab.domain import imported, organisations, rounds
from collab.domain.answers import load_answers
from collab.domain.dates import long_date
from collab.domain.submissions import AnswerInput
from collab.files.imports import (
    ImportRejected,
    apply_import,
    blank_response_file,
    check_import,
    import_responses,
)
from collab.store.errors import Refused
from tests.support.databases import table_counts

ROUND = "Spring 2027"
SHELTER = "Riverside Night Shelter"
TRUST = "Calder Housing Trust"


def csv_bytes(rows: list[list[object]], *, encoding: str = "utf-8") -> bytes:
    buffer = io.StringIO(newline="")
    csv.writer(buffer).writerows(rows)
    return buffer.getvalue().encode(encoding)


def header(framework, *, comments: bool = True) -> list[str]:
    keys = framework.point_keys
    return ["round", "organisation", "group", "respondent", *keys] + (
        [f"comment_{k}" for k in keys] if comments else []
    )


def response(framework, *, organisation=SHELTER, group="provider", respondent="", scores=None):
    """A data row of the full header: every point scored 3 unless ``scores`` says otherwise."""
    scores = scores or {}
    comments = {k[len("comment_") :]: v for k, v in scores.items() if k.startswith("comment_")}
    return [
        ROUND,
        organisation,
        group,
        respondent,
        *(scores.get(k, "3") for k in framework.point_keys),
        *(comments.get(k, "") for k in framework.point_keys),
    ]


@pytest.fixture
def alliance(db):
    organisations.create_organisation(db, name=SHELTER, actor="admin")
    organisations.create_organisation(db, name=TRUST, actor="admin")
    rounds.create_round(db, name=ROUND, actor="admin")
    return db


def rejected(db, framework, data: bytes, **options) -> list:
    """Import ``data`` expecting a refusal; check nothing was written; return the problems."""
    before = table_counts(db)
    with pytest.raises(ImportRejected) as caught:
        import_responses(db, framework=framework, data=data, **options, actor="admin")
    assert table_counts(db) == before
    return caught.value.problems


def only_problem(problems):
    assert len(problems) == 1, [str(p) for p in problems]
    return problems[0]


def test_file_that_is_not_utf8_is_refused_with_advice_to_save_as_csv_utf8(alliance, framework):
    rows = [header(framework), response(framework, organisation="Café Rencontre")]
    problem = only_problem(rejected(alliance, framework, csv_bytes(rows, encoding="cp1252")))
    assert (problem.row, problem.column) == (None, None)
    assert "not saved as UTF-8" in problem.message
    assert "CSV UTF-8" in problem.message


def test_file_over_the_size_limit_is_refused_giving_both_sizes(alliance, framework):
    data = csv_bytes([header(framework), response(framework)])
    problem = only_problem(rejected(alliance, framework, data, max_bytes=100))
    assert (problem.row, problem.column) == (None, None)
    assert f"{len(data):,} bytes" in problem.message
    assert "100 bytes" in problem.message


def test_empty_file_is_refused(alliance, framework):
    problem = only_problem(rejected(alliance, framework, b"\r\n  \r\n"))
    assert problem.row is None
    assert "empty" in problem.message


def test_file_with_a_header_but_no_responses_is_refused(alliance, framework):
    problem = only_problem(rejected(alliance, framework, csv_bytes([header(framework)])))
    assert "no responses" in problem.message


def test_missing_required_column_is_named_on_row_1(alliance, framework):
    rows = [[c for c in header(framework) if c != "group"], response(framework)[:2]]
    problem = only_problem(rejected(alliance, framework, csv_bytes(rows)))
    assert (problem.row, problem.column) == (1, "group")
    assert "missing" in problem.message


def test_file_without_any_learning_point_column_is_refused(alliance, framework):
    rows = [["round", "organisation", "group"], [ROUND, SHELTER, "provider"]]
    problem = only_problem(rejected(alliance, framework, csv_bytes(rows)))
    assert problem.row == 1
    assert "no learning point column" in problem.message
    assert "upstream" in problem.message


def test_unknown_column_suggests_the_closest_known_one(alliance, framework):
    columns = ["upstrem" if c == "upstream" else c for c in header(framework)]
    problem = only_problem(rejected(alliance, framework, csv_bytes([columns, response(framework)])))
    assert (problem.row, problem.column) == (1, "upstrem")
    assert "Did you mean 'upstream'?" in problem.message


@pytest.mark.parametrize(
    ("cell", "says"),
    [
        ("often", "'often' is not a score"),
        ("7", "7 is outside the scale"),
        ("0", "0 is outside the scale"),
        ("3.5", "'3.5' is not a whole number"),
    ],
)
def test_score_that_is_not_a_whole_number_from_1_to_5_is_refused(alliance, framework, cell, says):
    rows = [header(framework), response(framework), response(framework, scores={"realistic": cell})]
    problem = only_problem(rejected(alliance, framework, csv_bytes(rows)))
    assert (problem.row, problem.column) == (3, "realistic")
    assert says in problem.message
    assert "from 1 to 5" in problem.message


def test_unknown_round_is_refused_unless_missing_ones_may_be_created(alliance, framework):
    row = response(framework)
    row[0] = "Sprint 2027"
    problem = only_problem(rejected(alliance, framework, csv_bytes([header(framework), row])))
    assert (problem.row, problem.column) == (2, "round")
    assert "no round called 'Sprint 2027'" in problem.message
    assert "Did you mean 'Spring 2027'?" in problem.message


def test_unknown_organisation_suggests_the_closest_known_name(alliance, framework):
    rows = [header(framework), response(framework, organisation="Riverside Night Shelta")]
    problem = only_problem(rejected(alliance, framework, csv_bytes(rows)))
    assert (problem.row, problem.column) == (2, "organisation")
    assert "Did you mean 'Riverside Night Shelter'?" in problem.message


def test_unknown_group_suggests_the_closest_group_key(alliance, framework):
    rows = [header(framework), response(framework, group="providr")]
    problem = only_problem(rejected(alliance, framework, csv_bytes(rows)))
    assert (problem.row, problem.column) == (2, "group")
    assert "Did you mean 'provider'?" in problem.message


def test_deactivated_organisation_is_refused(alliance, framework):
    trust = organisations.get_organisation(alliance, TRUST)
    organisations.set_organisation_active(
        alliance, organisation_id=trust.id, active=False, actor="admin"
    )
    rows = [header(framework), response(framework), response(framework, organisation=TRUST)]
    problem = only_problem(rejected(alliance, framework, csv_bytes(rows)))
    assert (problem.row, problem.column) == (3, "organisation")
    assert "deactivated" in problem.message


def test_respondent_twice_in_one_round_of_the_file_is_refused(alliance, framework):
    rows = [
        header(framework),
        response(framework, respondent="P-17"),
        response(framework, respondent="P-18"),
        response(framework, respondent="P-17"),
    ]
    problem = only_problem(rejected(alliance, framework, csv_bytes(rows)))
    assert (problem.row, problem.column) == (4, "respondent")
    assert "'P-17' already answers round 'Spring 2027' on row 2" in problem.message


def test_respondent_already_in_the_database_for_the_round_is_refused(alliance, framework):
    rounds.open_round(alliance, name=ROUND, actor="admin")  # paper forms while open
    first = csv_bytes([header(framework), response(framework, respondent="P-17")])
    assert import_responses(alliance, framework=framework, data=first, actor="admin") == 1
    again = csv_bytes(
        [
            header(framework),
            response(framework, respondent="P-18"),
            response(framework, respondent="P-17"),
        ]
    )
    problem = only_problem(rejected(alliance, framework, again))
    assert (problem.row, problem.column) == (3, "respondent")
    assert "already has a response in round 'Spring 2027' in the database" in problem.message


@pytest.mark.parametrize(
    ("first", "second"),
    [
        ("P-17", "P-17\u200b"),
        ("P\u200b-17", "P-17"),
        ("Pé-17", unicodedata.normalize("NFD", "Pé-17")),
        ("P 17", "P\u00a0 17"),
    ],
)
def test_respondent_id_that_only_looks_different_is_the_same_person_or_refused(
    alliance, framework, first, second
):
    rows = [
        header(framework),
        response(framework, respondent=first),
        response(framework, respondent=second),
    ]
    problems = rejected(alliance, framework, csv_bytes(rows))
    assert [(p.row, p.column) for p in problems] in ([(2, "respondent")], [(3, "respondent")])
    assert any(
        "ZERO WIDTH SPACE" in p.message
        or "already answers round 'Spring 2027' on row 2" in p.message
        for p in problems
    )


def test_respondent_id_already_in_the_round_in_another_form_is_refused(alliance, framework):
    rounds.open_round(alliance, name=ROUND, actor="admin")  # paper forms while open
    first = csv_bytes([header(framework), response(framework, respondent="Pé-17")])
    assert import_responses(alliance, framework=framework, data=first, actor="admin") == 1
    again = csv_bytes(
        [
            header(framework),
            response(framework, respondent="P-18"),
            response(framework, respondent=unicodedata.normalize("NFD", " Pé-17 ")),
        ]
    )
    problem = only_problem(rejected(alliance, framework, again))
    assert (problem.row, problem.column) == (3, "respondent")
    assert (
        "Respondent 'Pé-17' already has a response in round 'Spring 2027' in the database"
        in problem.message
    )


@pytest.mark.parametrize(
    ("column", "cell", "says"),
    [
        (
            "organisation",
            "Tiny Org\u200b",
            "The organisation name contains an invisible character "
            "(U+200B ZERO WIDTH SPACE) at position 9",
        ),
        (
            "organisation",
            "Tiny\u202eOrg",
            "The organisation name contains an invisible text-direction character "
            "(U+202E RIGHT-TO-LEFT OVERRIDE) at position 5",
        ),
        ("round", "Autumn\n2027", "The round name contains a line break (U+000A LINE FEED)"),
        ("round", "Autumn\t2027", "The round name contains a tab (U+0009 CHARACTER TABULATION)"),
        (
            "round",
            "A" * 150,
            "The round name is 150 characters long; the limit is 100. Shorten it.",
        ),
        (
            "organisation",
            "O" * 201,
            "The organisation name is 201 characters long; the limit is 200. Shorten it.",
        ),
        ("respondent", "P-17\x07", "The respondent reference contains an invisible control"),
    ],
)
def test_name_with_an_unseen_character_or_too_long_is_refused_naming_row_and_column(
    alliance, framework, column, cell, says
):
    organisations.create_organisation(alliance, name="Tiny Org", actor="admin")
    row = response(framework, organisation="Tiny Org")
    row[["round", "organisation", "group", "respondent"].index(column)] = cell
    rows = [header(framework), response(framework), row]
    problem = only_problem(rejected(alliance, framework, csv_bytes(rows), create_missing=True))
    assert (problem.row, problem.column) == (3, column)
    assert says in problem.message
    assert [o.name for o in organisations.list_organisations(alliance)] == [
        TRUST,
        SHELTER,
        "Tiny Org",
    ]


def test_names_in_the_file_are_tidied_and_matched_to_those_that_look_the_same(alliance, framework):
    organisations.create_organisation(alliance, name="Tiny Org", actor="admin")
    rows = [
        header(framework),
        response(framework, organisation="tiny\u00a0 org"),
        response(framework, organisation="ＴＩＮＹ Org"),
        response(framework, organisation=" New  Hope Hostel "),
        response(framework, organisation="new hope hostel"),
    ]
    data = csv_bytes(rows)
    assert (
        import_responses(alliance, framework=framework, data=data, create_missing=True, actor="a")
        == 4
    )
    assert [o.name for o in organisations.list_organisations(alliance)] == [
        TRUST,
        "New Hope Hostel",
        SHELTER,
        "Tiny Org",
    ]


def test_respondent_keeps_one_organisation_and_group(alliance, framework):
    rounds.create_round(alliance, name="Autumn 2027", actor="admin")
    later = response(framework, organisation=TRUST, respondent="P-17")
    later[0] = "Autumn 2027"
    rows = [header(framework), response(framework, respondent="P-17"), later]
    problem = only_problem(rejected(alliance, framework, csv_bytes(rows)))
    assert (problem.row, problem.column) == (3, "respondent")
    assert f"is with {SHELTER} (provider) on row 2" in problem.message


def test_comment_longer_than_the_limit_is_refused(alliance, framework):
    rows = [header(framework), response(framework, scores={"comment_assets": "x" * 41})]
    problem = only_problem(rejected(alliance, framework, csv_bytes(rows), max_comment_chars=40))
    assert (problem.row, problem.column) == (2, "comment_assets")
    assert "41 characters" in problem.message
    assert "limit is 40" in problem.message


def test_invisible_control_character_is_refused_naming_its_cell(alliance, framework):
    rows = [header(framework), response(framework, scores={"comment_focus": "fine\x00"})]
    problem = only_problem(rejected(alliance, framework, csv_bytes(rows)))
    assert (problem.row, problem.column) == (2, "comment_focus")
    assert "invisible control character" in problem.message


def test_row_with_no_answer_at_all_is_refused(alliance, framework):
    empty = dict.fromkeys(framework.point_keys, "") | {"comment_focus": "No idea"}
    rows = [header(framework), response(framework), response(framework, scores=empty)]
    problem = only_problem(rejected(alliance, framework, csv_bytes(rows)))
    assert (problem.row, problem.column) == (3, None)
    assert "no answer" in problem.message


def test_every_problem_in_the_file_is_reported_in_row_order(alliance, framework):
    rows = [
        header(framework),
        response(framework, scores={"upstream": "9", "impact": "x"}),
        response(framework),
        response(framework, organisation="Nowhere Housing", group="board"),
    ]
    problems = rejected(alliance, framework, csv_bytes(rows))
    assert [(p.row, p.column) for p in problems] == [
        (2, "upstream"),
        (2, "impact"),
        (4, "organisation"),
        (4, "group"),
    ]
    assert str(problems[0]).startswith("row 2, column upstream: 9 is outside the scale")


def test_rejected_import_with_create_missing_creates_nothing(alliance, framework):
    new_round = response(framework, organisation="New Hope Hostel")
    new_round[0] = "Autumn 2027"
    rows = [header(framework), new_round, response(framework, scores={"focus": "6"})]
    problem = only_problem(rejected(alliance, framework, csv_bytes(rows), create_missing=True))
    assert (problem.row, problem.column) == (3, "focus")
    assert [r.name for r in rounds.list_rounds(alliance)] == [ROUND]


def lines(framework, *rows: str) -> bytes:
    """A file written by hand: the header, then ``rows`` as they are, one per line."""
    return "\n".join([",".join(header(framework, comments=False) + ["comment_focus"]), *rows])


def scored(respondent: str, comment: str = "") -> str:
    return f"{ROUND},{SHELTER},provider,{respondent}," + ",".join(["3"] * 8) + f",{comment}"


def test_a_quotation_mark_never_closed_refuses_the_file_naming_the_row_where_it_opens(
    alliance, framework
):
    data = lines(
        framework,
        scored("P-1", '"Good start, but'),
        scored("P-2", "Fine"),
        scored("P-3", "Also fine") + "\n",
    ).encode()
    problem = only_problem(rejected(alliance, framework, data))
    assert (problem.row, problem.column) == (2, "comment_focus")
    assert problem.message.startswith(
        "A quotation mark opens in this cell on line 2 of the file and is never closed, so "
        "everything after it to the end of the file (lines 2 to 4) would be read as this "
        "one cell."
    )
    assert "Close the quotation mark or remove it" in problem.message


def test_a_quotation_mark_closed_rows_later_refuses_the_file_naming_the_row_where_it_opens(
    alliance, framework
):
    data = lines(
        framework,
        scored("P-1", "Fine"),
        scored("P-2", '"We said ""yes'),
        scored("P-3", "Fine"),
        scored("P-4", 'we meant "no"'),
        scored("P-5", "Fine"),
    ).encode()
    problem = only_problem(rejected(alliance, framework, data))
    assert (problem.row, problem.column) == (3, "comment_focus")
    assert problem.message.startswith(
        "A quotation mark opens in this cell on line 3 of the file and closes only on line 5, "
        "so the lines in between, which look like rows of their own (line 4: "
        "'Spring 2027,Riverside Night Shelter,pro\u2026'), would be read as part of this cell."
    )


def test_a_comment_of_several_lines_in_quotation_marks_is_one_cell(alliance, framework):
    comment = '"First, the council\nprovider, commissioner, lived experience\n\nthird, ""ok"""'
    data = lines(framework, scored("P-1", comment), scored("P-2", "Fine")).encode()
    assert import_responses(alliance, framework=framework, data=data, actor="admin") == 2
    comments = load_answers(alliance).query("learning_point == 'focus'")["comment"]
    assert sorted(comments.dropna()) == [
        "Fine",
        'First, the council\nprovider, commissioner, lived experience\n\nthird, "ok"',
    ]


@pytest.mark.parametrize("ending", ['""', '""\n', '"x"', '"x"\r\n', "x\n\n"])
def test_a_file_ending_in_a_closed_or_empty_quoted_cell_is_read(alliance, framework, ending):
    data = lines(framework, scored("P-1", "Fine"), scored("P-2", ending)).encode()
    assert import_responses(alliance, framework=framework, data=data, actor="admin") == 2


def test_valid_import_reports_its_rows_and_stores_exact_answers(alliance, framework):
    rows = [
        header(framework),
        response(
            framework,
            respondent="P-1",
            scores={
                "upstream": "5",
                "right_people": "dk",
                "realistic": "",
                "comment_upstream": "=1+1",
            },
        ),
        response(framework, organisation=TRUST, group="lived_experience", respondent="P-2"),
        response(
            framework, group="commissioner", scores={"focus": " DK ", "comment_focus": "Unsure"}
        ),
    ]
    assert import_responses(alliance, framework=framework, data=csv_bytes(rows), actor="admin") == 3

    answers = load_answers(alliance).set_index(["respondent", "learning_point"])
    first = answers.loc["P-1"]
    assert first.loc["upstream", ["score", "dont_know", "comment"]].tolist() == [5, False, "=1+1"]
    assert bool(first.loc["right_people", "dont_know"])
    assert "realistic" not in first.index
    second = answers.loc["P-2"]
    assert (second["organisation"].iloc[0], second["stakeholder_group"].iloc[0]) == (
        TRUST,
        "lived_experience",
    )
    assert second["score"].tolist() == [3] * 8
    anonymous = answers[answers["stakeholder_group"] == "commissioner"]
    assert anonymous.loc[(slice(None), "focus"), "comment"].tolist() == ["Unsure"]
    assert anonymous["dont_know"].sum() == 1


def test_same_respondent_in_two_rounds_is_one_person(alliance, framework):
    rounds.create_round(alliance, name="Autumn 2027", actor="admin")
    later = response(framework, respondent="P-17")
    later[0] = "Autumn 2027"
    data = csv_bytes([header(framework), response(framework, respondent="P-17"), later])
    assert import_responses(alliance, framework=framework, data=data, actor="admin") == 2
    answers = load_answers(alliance)
    assert set(answers["respondent"]) == {"P-17"}
    assert answers["round"].nunique() == 2


def test_create_missing_creates_the_round_closed_and_the_organisation(alliance, framework):
    row = response(framework, organisation="New Hope Hostel")
    row[0] = "Autumn 2027"
    data = csv_bytes([header(framework), row, response(framework)])
    plan = check_import(alliance, framework=framework, data=data, create_missing=True)
    assert (plan.rounds_to_create, plan.organisations_to_create) == (
        ["Autumn 2027"],
        ["New Hope Hostel"],
    )
    assert apply_import(alliance, plan, actor="admin") == 2
    created = rounds.get_round(alliance, "Autumn 2027")
    assert created.status == "closed"
    assert organisations.get_organisation(alliance, "New Hope Hostel").active


def test_checking_a_file_writes_nothing_and_previews_its_first_rows(alliance, framework):
    rows = [header(framework)] + [response(framework, respondent=f"P-{i}") for i in range(30)]
    before = table_counts(alliance)
    plan = check_import(alliance, framework=framework, data=csv_bytes(rows))
    assert table_counts(alliance) == before
    assert plan.ok and plan.row_count == 30
    assert plan.preview["respondent"].tolist()[:2] == ["P-0", "P-1"]
    assert len(plan.preview) < 30


def test_headers_ignore_case_and_spaces_and_a_byte_order_mark_is_accepted(alliance, framework):
    columns = [f" {c.upper()} " for c in header(framework, comments=False)]
    data = b"\xef\xbb\xbf" + csv_bytes([columns, response(framework)[: len(columns)]])
    assert import_responses(alliance, framework=framework, data=data, actor="admin") == 1


def test_missing_learning_point_column_means_nobody_in_the_file_answered_it(alliance, framework):
    rows = [
        ["round", "organisation", "group", "upstream", "impact"],
        [ROUND, SHELTER, "provider", "4", "DK"],
    ]
    assert import_responses(alliance, framework=framework, data=csv_bytes(rows), actor="admin") == 1
    assert sorted(load_answers(alliance)["learning_point"]) == ["impact", "upstream"]


def test_blank_rows_are_skipped_and_row_numbers_stay_those_of_the_spreadsheet(alliance, framework):
    blank = [""] * len(header(framework))
    rows = [header(framework), response(framework), blank, response(framework, group="x")]
    problem = only_problem(rejected(alliance, framework, csv_bytes(rows)))
    assert (problem.row, problem.column) == (4, "group")


def test_semicolon_separated_file_is_read(alliance, framework):
    rows = [header(framework, comments=False), response(framework)[:12]]
    data = "\r\n".join(";".join(r) for r in rows).encode()
    assert import_responses(alliance, framework=framework, data=data, actor="admin") == 1


def test_apply_refuses_a_plan_with_problems(alliance, framework):
    data = csv_bytes([header(framework), response(framework, group="board")])
    plan = check_import(alliance, framework=framework, data=data)
    assert not plan.ok
    with pytest.raises(ImportRejected) as caught:
        apply_import(alliance, plan, actor="admin")
    assert caught.value.problems == plan.problems


def test_large_import_is_written_in_one_go_with_progress(alliance, framework):
    groups = framework.group_keys
    rows = [header(framework)] + [
        response(
            framework,
            organisation=(SHELTER, TRUST)[i % 2],
            group=groups[i % 3],
            respondent=f"R{i:05d}",
            scores={
                k: ("DK" if (i + j) % 11 == 0 else str(1 + (i + j) % 5))
                for j, k in enumerate(framework.point_keys)
            },
        )
        for i in range(2000)
    ]
    seen = []
    plan = check_import(alliance, framework=framework, data=csv_bytes(rows))
    assert (
        apply_import(
            alliance, plan, progress=lambda done, total: seen.append((done, total)), actor="admin"
        )
        == 2000
    )
    assert seen[-1] == (2000, 2000)
    assert table_counts(alliance)["submissions"] == 2000
    assert table_counts(alliance)["answers"] == 2000 * len(framework.point_keys)


def test_the_same_file_imported_twice_into_a_round_is_refused_naming_the_first(alliance, framework):
    data = csv_bytes([header(framework)] + [response(framework) for _ in range(3)])
    plan = check_import(alliance, framework=framework, data=data)
    assert apply_import(alliance, plan, actor="admin", file_name="paper-forms.csv") == 3
    before = table_counts(alliance)
    again = check_import(alliance, framework=framework, data=data)
    assert not again.ok
    assert again.already_imported is not None
    assert "already imported into round 'Spring 2027'" in again.already_imported
    assert "'paper-forms.csv'" in again.already_imported
    today = long_date(dt.datetime.now(dt.UTC))
    assert re.search(rf"on {today}, \d\d:\d\d UTC", again.already_imported)
    with pytest.raises(ImportRejected):
        apply_import(alliance, again, actor="admin", file_name="copy.csv")
    assert table_counts(alliance) == before
    assert len(load_answers(alliance)) == 3 * len(framework.point_keys)


def test_a_duplicate_checked_before_the_first_import_landed_is_refused_when_written(
    alliance, framework
):
    data = csv_bytes([header(framework), response(framework)])
    first = check_import(alliance, framework=framework, data=data)
    second = check_import(alliance, framework=framework, data=data)
    assert first.ok and second.ok
    apply_import(alliance, first, actor="admin", file_name="a.csv")
    before = table_counts(alliance)
    with pytest.raises(Refused, match="already imported into round 'Spring 2027'.*'a.csv'"):
        apply_import(alliance, second, actor="admin", file_name="b.csv")
    assert table_counts(alliance) == before


def test_the_same_bytes_may_go_into_another_round_and_other_bytes_into_the_same(
    alliance, framework
):
    rounds.create_round(alliance, name="Autumn 2027", actor="admin")
    rounds.open_round(alliance, name=ROUND, actor="admin")  # paper forms while open
    rows = [header(framework), response(framework)]
    assert import_responses(alliance, framework=framework, data=csv_bytes(rows), actor="a") == 1
    other = [rows[0], ["Autumn 2027", *rows[1][1:]]]
    assert import_responses(alliance, framework=framework, data=csv_bytes(other), actor="a") == 1
    changed = csv_bytes(rows) + b"\n"  # one more byte: another file
    assert import_responses(alliance, framework=framework, data=changed, actor="a") == 1


def test_the_domain_refuses_a_file_already_in_one_of_its_rounds_and_writes_nothing(alliance):
    response_ = imported.ImportedResponse(
        round=ROUND,
        organisation=SHELTER,
        stakeholder_group="provider",
        reference=None,
        answers={"upstream": AnswerInput(score=3)},
    )
    imported.import_responses(
        alliance, actor="admin", responses=[response_], file_name="x.csv", file_sha256="ab" * 32
    )
    before = table_counts(alliance)
    with pytest.raises(Refused, match="'x.csv'"):
        imported.import_responses(
            alliance,
            actor="admin",
            responses=[response_, replace(response_, round="Winter 2026")],
            rounds_to_create=["Winter 2026"],
            file_name="y.csv",
            file_sha256="ab" * 32,
        )
    assert table_counts(alliance) == before


def test_the_blank_template_names_every_column_the_import_accepts(framework):
    template = blank_response_file(framework)
    rows = list(csv.reader(io.StringIO(template.decode("utf-8-sig"))))
    keys = framework.point_keys
    assert rows == [
        ["round", "organisation", "group", "respondent", *keys, *(f"comment_{k}" for k in keys)]
    ]


def test_the_blank_template_reads_without_a_column_problem_and_holds_no_rows(alliance, framework):
    plan = check_import(alliance, framework=framework, data=blank_response_file(framework))
    assert plan.row_count == 0
    assert [p.message for p in plan.problems] == [
        "The file has a header row but no responses below it."
    ]


def test_the_blank_template_filled_in_with_a_paper_form_imports(alliance, framework):
    row = response(framework, respondent="paper-1", scores={"comment_focus": "Hard to say"})
    filled = blank_response_file(framework) + csv_bytes([row])
    plan = check_import(alliance, framework=framework, data=filled)
    assert plan.problems == []
    assert apply_import(alliance, plan, actor="admin", file_name="paper.csv") == 1
    stored = load_answers(alliance).set_index("learning_point")
    assert set(stored["respondent"]) == {"paper-1"}
    assert stored.loc["focus", "comment"] == "Hard to say"
    assert stored["score"].tolist() == [3] * len(framework.point_keys)

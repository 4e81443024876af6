"""Submissions: invite codes, validation, storing once, revisions with history kept."""

import pytest
import sqlalchemy as sa

from collab.domain import invite_codes, organisations, rounds, submissions
from collab.domain.answers import load_answers
from collab.domain.submissions import AnswerInput
from collab.store.errors import InvalidAnswers, NotFound, Refused
from collab.store.models import Answer, InviteCode, Revision, Submission
from tests.support import alliances
from tests.support.answers import stored_answers
from tests.support.databases import count_rows


@pytest.fixture
def open_alliance(db, framework):
    alliance = alliances.open_alliance(
        db, framework, organisation_names=["Riverside Night Shelter"], groups=["provider"]
    )
    return db, alliance.codes[0]


def full_answers(framework, score=4):
    return {key: AnswerInput(score=score) for key in framework.point_keys}


def test_only_the_hash_of_an_invite_code_is_stored(open_alliance):
    db, code = open_alliance
    with db.read() as session:
        stored = session.scalar(sa.select(InviteCode.code_hash))
    assert code not in stored
    assert stored == invite_codes.hash_code(code)


def test_codes_are_accepted_in_lower_case_and_without_dashes(open_alliance):
    db, code = open_alliance
    found = invite_codes.find_invite_code(db, code.lower().replace("-", " "))
    assert (found.organisation, found.stakeholder_group) == ("Riverside Night Shelter", "provider")


def test_unknown_and_revoked_codes_are_refused_kindly(open_alliance):
    db, code = open_alliance
    with pytest.raises(NotFound, match="don't recognise that code"):
        invite_codes.find_invite_code(db, "AAAA-BBBB-CCCC")
    with pytest.raises(NotFound):
        invite_codes.find_invite_code(db, "")
    info = invite_codes.find_invite_code(db, code)
    invite_codes.revoke_invite_code(db, code_id=info.id, actor="admin")
    with pytest.raises(Refused, match="no longer in use"):
        invite_codes.find_invite_code(db, code)


def test_a_submission_stores_every_answer_and_returns_a_receipt(open_alliance, framework):
    db, code = open_alliance
    answers = full_answers(framework)
    answers["focus"] = AnswerInput(dont_know=True, comment="  Not sure who sets priorities. ")
    receipt = submissions.submit(db, framework=framework, code=code, answers=answers)
    assert (receipt.round, receipt.revision) == ("Spring 2027", 1)
    stored = stored_answers(db).set_index("learning_point")
    assert stored.loc["upstream", "score"] == 4
    assert bool(stored.loc["focus", "dont_know"]) is True
    assert stored.loc["focus", "comment"] == "Not sure who sets priorities."
    assert invite_codes.list_invite_codes(db)[0].uses == 1


def test_unanswered_points_are_named_and_nothing_is_stored(open_alliance, framework):
    db, code = open_alliance
    answers = full_answers(framework)
    del answers["assets"]
    answers["impact"] = AnswerInput()
    with pytest.raises(InvalidAnswers) as excinfo:
        submissions.submit(db, framework=framework, code=code, answers=answers)
    assert set(excinfo.value.problems) == {"assets", "impact"}
    assert count_rows(db, Submission) == 0


def test_out_of_range_scores_and_overlong_comments_are_refused(open_alliance, framework):
    db, code = open_alliance
    answers = full_answers(framework)
    answers["upstream"] = AnswerInput(score=6)
    answers["assets"] = AnswerInput(score=3, dont_know=True)
    answers["focus"] = AnswerInput(score=3, comment="x" * 2001)
    with pytest.raises(InvalidAnswers) as excinfo:
        submissions.submit(db, framework=framework, code=code, answers=answers)
    problems = excinfo.value.problems
    assert "must be one of [1, 2, 3, 4, 5]" in problems["upstream"]
    assert "not both" in problems["assets"]
    assert "2001 characters" in problems["focus"]


def test_a_comment_with_an_invisible_control_character_is_refused(open_alliance, framework):
    db, code = open_alliance
    answers = full_answers(framework)
    answers["assets"] = AnswerInput(score=3, comment="line one\nline\ttwo")
    answers["focus"] = AnswerInput(score=3, comment="odd\x00byte")
    with pytest.raises(InvalidAnswers) as excinfo:
        submissions.submit(db, framework=framework, code=code, answers=answers)
    assert set(excinfo.value.problems) == {"focus"}
    assert "invisible control character" in excinfo.value.problems["focus"]
    assert count_rows(db, Submission) == 0


def test_the_same_form_sent_twice_is_stored_once(open_alliance, framework):
    db, code = open_alliance
    first = submissions.submit(
        db, framework=framework, code=code, answers=full_answers(framework), idempotency_key="f1"
    )
    again = submissions.submit(
        db, framework=framework, code=code, answers=full_answers(framework), idempotency_key="f1"
    )
    assert again.already_stored and again.submission_id == first.submission_id
    # The receipt comes back whole, so a double tap never loses it.
    assert again.code == first.code is not None
    assert (count_rows(db, Submission), count_rows(db, Revision), count_rows(db, Answer)) == (
        1,
        1,
        8,
    )


def test_a_revision_counts_and_the_history_is_kept(open_alliance, framework):
    db, code = open_alliance
    receipt = submissions.submit(
        db, framework=framework, code=code, answers=full_answers(framework, 2)
    )
    revised = submissions.revise(
        db, framework=framework, receipt_code=receipt.code, answers=full_answers(framework, 5)
    )
    assert revised.revision == 2
    assert set(stored_answers(db)["score"]) == {5}
    assert count_rows(db, Revision) == 2 and count_rows(db, Answer) == 16
    stored = submissions.find_submission(db, receipt_code=receipt.code)
    assert stored.revision == 2 and stored.answers["upstream"].score == 5


def test_no_submission_or_revision_once_the_round_has_closed(open_alliance, framework):
    db, code = open_alliance
    receipt = submissions.submit(
        db, framework=framework, code=code, answers=full_answers(framework)
    )
    rounds.close_round(db, name="Spring 2027", actor="admin")
    with pytest.raises(Refused, match="has closed"):
        submissions.revise(
            db, framework=framework, receipt_code=receipt.code, answers=full_answers(framework, 1)
        )
    with pytest.raises(Refused, match="No round is open"):
        submissions.submit(db, framework=framework, code=code, answers=full_answers(framework))
    assert count_rows(db, Submission) == 1
    assert set(stored_answers(db)["score"]) == {4}


def test_an_unknown_receipt_is_refused(open_alliance):
    db, _ = open_alliance
    with pytest.raises(NotFound, match="receipt code"):
        submissions.find_submission(db, receipt_code="ZZZZ-ZZZZ-ZZZZ")


def test_the_database_allows_one_submission_per_respondent_and_round(open_alliance, framework):
    db, code = open_alliance
    receipt = submissions.submit(
        db, framework=framework, code=code, answers=full_answers(framework)
    )
    with pytest.raises(sa.exc.IntegrityError), db.write() as session:
        first = session.get(Submission, receipt.submission_id)
        session.add(
            Submission(respondent_id=first.respondent_id, round_id=first.round_id, source="web")
        )


def test_bulk_responses_reuse_a_respondent_across_rounds_and_refuse_a_twin(db, framework):
    org = organisations.create_organisation(db, name="Peer Network", actor="admin")
    first = rounds.create_round(db, name="Autumn 2026", actor="admin")
    second = rounds.create_round(db, name="Spring 2027", actor="admin")

    def response(round_id):
        return submissions.NewResponse(
            round_id, org.id, "lived_experience", full_answers(framework, 3), reference="p-7"
        )

    with db.write() as session:
        assert submissions.add_responses(session, [response(first.id)], source="import") == 1
    with db.write() as session:
        submissions.add_responses(session, [response(second.id)], source="import")
    for name in ("Autumn 2026", "Spring 2027"):
        rounds.close_round(db, name=name, actor="admin")  # publishes what results read
    answers = load_answers(db)
    assert answers["respondent"].unique().tolist() == ["p-7"]
    assert answers["round"].value_counts().to_dict() == {"Autumn 2026": 8, "Spring 2027": 8}
    with pytest.raises(sa.exc.IntegrityError), db.write() as session:
        submissions.add_responses(session, [response(first.id)], source="import")
    assert count_rows(db, Submission) == 2


def test_member_answers_move_the_data_version_but_not_results_until_published(
    open_alliance, framework
):
    db, code = open_alliance
    empty = db.data_versions()
    receipt = submissions.submit(
        db, framework=framework, code=code, answers=full_answers(framework)
    )
    after_submit = db.data_versions()
    submissions.revise(
        db, framework=framework, receipt_code=receipt.code, answers=full_answers(framework, 2)
    )
    after_revise = db.data_versions()
    assert empty[0] < after_submit[0] < after_revise[0]
    # The round is open without live results: nothing is published, results can't change.
    assert empty[1] == after_submit[1] == after_revise[1]
    rounds.close_round(db, name="Spring 2027", actor="admin")
    assert db.data_versions()[1] == after_revise[1] + 1


def test_answers_for_a_round_that_closed_are_never_stored_in_the_round_opened_since(
    open_alliance, framework
):
    db, code = open_alliance
    shown = rounds.get_round(db, "Spring 2027")
    rounds.close_round(db, name="Spring 2027", actor="admin")
    rounds.create_round(db, name="Autumn 2027", actor="admin")
    rounds.open_round(db, name="Autumn 2027", actor="admin")
    with pytest.raises(Refused) as refused:
        submissions.submit(
            db, framework=framework, code=code, answers=full_answers(framework), round_id=shown.id
        )
    assert str(refused.value) == (
        "Round 'Spring 2027' closed while you were filling in the form, so your answers were "
        "not stored. Round 'Autumn 2027' is open now: check that your answers still apply to "
        "it, then send them again to answer that round."
    )
    assert count_rows(db, Submission) == 0
    autumn = rounds.get_round(db, "Autumn 2027")
    receipt = submissions.submit(
        db, framework=framework, code=code, answers=full_answers(framework), round_id=autumn.id
    )
    assert receipt.round == "Autumn 2027"


def test_answers_for_a_round_that_closed_are_refused_when_no_round_is_open(
    open_alliance, framework
):
    db, code = open_alliance
    shown = rounds.get_round(db, "Spring 2027")
    rounds.close_round(db, name="Spring 2027", actor="admin")
    with pytest.raises(Refused, match="No round is open now"):
        submissions.submit(
            db, framework=framework, code=code, answers=full_answers(framework), round_id=shown.id
        )
    assert count_rows(db, Submission) == 0


def test_answers_go_to_the_open_round_the_form_showed_when_several_are_open(
    open_alliance, framework
):
    db, code = open_alliance
    spring = rounds.get_round(db, "Spring 2027")
    rounds.create_round(db, name="Autumn 2027", actor="admin")
    rounds.open_round(db, name="Autumn 2027", allow_several=True, actor="admin")
    receipt = submissions.submit(
        db, framework=framework, code=code, answers=full_answers(framework), round_id=spring.id
    )
    assert receipt.round == "Spring 2027"

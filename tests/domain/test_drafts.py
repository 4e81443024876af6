"""Drafts: a member's answers kept as they go, found again by code, round and device,
never holding the code itself, and gone once sent, once the round closes or after
``KEEP_DAYS`` days."""

import datetime as dt
import uuid

import pytest
import sqlalchemy as sa

from collab.domain import drafts, rounds, submissions
from collab.domain.submissions import AnswerInput
from collab.store.models import Draft, Submission, utcnow
from tests.support import alliances
from tests.support.databases import count_rows

COMMENT = "We met twice;\nthe second time went better.\x00"


@pytest.fixture
def alliance(db, framework):
    return alliances.open_alliance(
        db, framework, organisation_names=["Riverside Night Shelter"], groups=["provider"]
    )


def device() -> str:
    return uuid.uuid4().hex


def some_answers() -> dict[str, AnswerInput]:
    return {
        "upstream": AnswerInput(score=3),
        "right_people": AnswerInput(dont_know=True, comment=COMMENT),
        "realistic": AnswerInput(comment="Not sure yet"),
    }


def save(db, framework, alliance, phone, answers=None, *, position=4, now=None) -> bool:
    return drafts.save_draft(
        db,
        framework=framework,
        code=alliance.codes[0],
        round_id=alliance.round_id,
        device=phone,
        answers=some_answers() if answers is None else answers,
        position=position,
        now=now,
    )


def find(db, alliance, phone, *, code=None, now=None):
    return drafts.find_draft(
        db, code=code or alliance.codes[0], round_id=alliance.round_id, device=phone, now=now
    )


def test_a_saved_draft_comes_back_with_every_answer_and_the_point_reached(db, framework, alliance):
    phone = device()
    assert save(db, framework, alliance, phone)
    found = find(db, alliance, phone)
    assert found.position == 4
    assert found.answers["upstream"] == AnswerInput(score=3)
    # A control character can't be sent, but the draft keeps the comment as typed.
    assert found.answers["right_people"] == AnswerInput(dont_know=True, comment=COMMENT)
    assert found.answers["realistic"] == AnswerInput(comment="Not sure yet")
    assert found.answers["impact"] == AnswerInput()
    assert set(found.answers) == set(framework.point_keys)


def test_the_code_is_found_however_it_is_typed_but_never_stored(db, framework, alliance):
    phone = device()
    save(db, framework, alliance, phone)
    code = alliance.codes[0]
    assert find(db, alliance, phone, code=code.lower().replace("-", " ")) is not None
    with db.read() as session:
        row = session.scalars(sa.select(Draft)).one()
    stored = " ".join(str(value) for value in row.__dict__.values())
    assert code not in stored
    assert code.replace("-", "") not in stored


def test_saving_again_replaces_the_draft(db, framework, alliance):
    phone = device()
    save(db, framework, alliance, phone, position=2)
    save(db, framework, alliance, phone, {"upstream": AnswerInput(score=5)}, position=3)
    assert count_rows(db, Draft) == 1
    found = find(db, alliance, phone)
    assert (found.position, found.answers["upstream"].score) == (3, 5)
    assert found.answers["right_people"] == AnswerInput()


def test_another_device_or_code_sees_nothing(db, framework, alliance):
    phone = device()
    save(db, framework, alliance, phone)
    assert find(db, alliance, device()) is None
    assert find(db, alliance, phone, code="AAAA-BBBB-CCCC") is None
    assert find(db, alliance, "not-a-device-token") is None


def test_scores_off_the_scale_and_unknown_points_are_not_kept(db, framework, alliance):
    phone = device()
    save(
        db,
        framework,
        alliance,
        phone,
        {"upstream": AnswerInput(score=9), "nonsense": AnswerInput(score=2)},
    )
    found = find(db, alliance, phone)
    assert found.answers["upstream"] == AnswerInput()
    assert "nonsense" not in found.answers


def test_a_draft_expires_after_keep_days_and_is_deleted_by_the_next_save(db, framework, alliance):
    old_phone, new_phone = device(), device()
    then = utcnow() - dt.timedelta(days=drafts.KEEP_DAYS, minutes=1)
    save(db, framework, alliance, old_phone, now=then)
    assert find(db, alliance, old_phone, now=then + dt.timedelta(days=1)) is not None
    assert find(db, alliance, old_phone) is None
    save(db, framework, alliance, new_phone)
    assert count_rows(db, Draft) == 1
    assert find(db, alliance, new_phone) is not None


def test_closing_the_round_deletes_its_drafts_and_none_is_kept_after(db, framework, alliance):
    phone = device()
    save(db, framework, alliance, phone)
    rounds.close_round(db, name=alliances.ROUND, actor="admin")
    assert count_rows(db, Draft) == 0
    assert not save(db, framework, alliance, phone)
    assert count_rows(db, Draft) == 0


def test_sending_the_answers_deletes_that_forms_draft_only(db, framework, alliance):
    phone, other_phone = device(), device()
    save(db, framework, alliance, phone)
    save(db, framework, alliance, other_phone)
    submissions.submit(
        db,
        framework=framework,
        code=alliance.codes[0],
        answers=alliances.answers(framework),
        round_id=alliance.round_id,
        idempotency_key=uuid.uuid4().hex,
        device=phone,
    )
    assert find(db, alliance, phone) is None
    assert find(db, alliance, other_phone) is not None


def test_a_refused_send_keeps_the_draft(db, framework, alliance):
    phone = device()
    save(db, framework, alliance, phone)
    with pytest.raises(submissions.InvalidAnswers):
        submissions.submit(
            db,
            framework=framework,
            code=alliance.codes[0],
            answers=some_answers(),
            round_id=alliance.round_id,
            device=phone,
        )
    assert find(db, alliance, phone) is not None
    assert count_rows(db, Submission) == 0


def test_a_revision_deletes_the_draft_kept_under_its_receipt_code(db, framework, alliance):
    receipt = submissions.submit(
        db,
        framework=framework,
        code=alliance.codes[0],
        answers=alliances.answers(framework),
        idempotency_key=uuid.uuid4().hex,
    )
    phone = device()
    drafts.save_draft(
        db,
        framework=framework,
        code=receipt.code,
        round_id=alliance.round_id,
        device=phone,
        answers={"upstream": AnswerInput(score=1)},
        position=1,
    )
    submissions.revise(
        db,
        framework=framework,
        receipt_code=receipt.code,
        answers=alliances.answers(framework),
        idempotency_key=uuid.uuid4().hex,
        device=phone,
    )
    assert count_rows(db, Draft) == 0


def test_draft_writes_leave_the_results_version_alone(db, framework, alliance):
    any_change, results_change = db.data_versions()
    save(db, framework, alliance, device())
    assert db.data_versions() == (any_change + 1, results_change)


def test_discarding_a_draft_deletes_it(db, framework, alliance):
    phone = device()
    save(db, framework, alliance, phone)
    drafts.discard_draft(db, code=alliance.codes[0], round_id=alliance.round_id, device=phone)
    assert find(db, alliance, phone) is None


def test_a_device_token_is_32_hexadecimal_digits():
    assert drafts.is_device_token(uuid.uuid4().hex)
    assert not drafts.is_device_token("")
    assert not drafts.is_device_token(None)
    assert not drafts.is_device_token("G" * 32)
    assert not drafts.is_device_token(uuid.uuid4().hex + "0")

"""Members' submissions: validate, store once, revise through a receipt code.

A submission is never updated in place. Each edit adds a revision; the submission's
``current_revision`` says which one counts, and the history stays in the database.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from dataclasses import dataclass, field

import sqlalchemy as sa
import sqlalchemy.exc as sa_exc

from collab.domain.invite_codes import (
    ALPHABET,
    CODE_LENGTH,
    find_invite_code,
    grouped,
    hash_code,
    new_secret_code,
)
from collab.domain.snapshots import min_group_size_setting, publish_if_shown_in
from collab.store.db import Database
from collab.store.errors import InvalidAnswers, NotFound, Refused
from collab.store.framework import Framework
from collab.store.models import (
    AllianceSetting,
    Answer,
    Base,
    Draft,
    InviteCode,
    Respondent,
    Revision,
    Round,
    Submission,
    utcnow,
)

DEFAULT_MAX_COMMENT_CHARS = 2000
# The alliance setting holding the secret that turns a form's one-time key into a receipt.
RECEIPT_KEY_SETTING = "receipt_key"
# How long a member's send waits for the database's write lock before they are told the
# database is busy (their answers stay on the form to send again).
MEMBER_WRITE_WAIT_SECONDS = 5.0
# Invisible control characters (NUL and the like) that no one types and some databases
# refuse to store; tab and line breaks are ordinary text.
UNSTORABLE_CHARACTERS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
UNSTORABLE_MESSAGE = "it holds an invisible control character, which can't be stored"


@dataclass(frozen=True)
class AnswerInput:
    """One learning point's answer: a score on the scale, or don't know; a comment."""

    score: int | None = None
    dont_know: bool = False
    comment: str = ""


@dataclass(frozen=True)
class Receipt:
    submission_id: int
    round: str
    revision: int
    # The receipt code; None for a personal code's answers (the code is the receipt).
    code: str | None
    # True when this exact form (its one-time key) had been stored before.
    already_stored: bool = False
    personal: bool = False


@dataclass(frozen=True)
class StoredSubmission:
    submission_id: int
    round: str
    round_id: int
    round_open: bool
    organisation: str
    stakeholder_group: str
    revision: int
    answers: dict[str, AnswerInput] = field(default_factory=dict)


def validate_answers(
    framework: Framework,
    answers: dict[str, AnswerInput],
    *,
    max_comment_chars: int = DEFAULT_MAX_COMMENT_CHARS,
) -> dict[str, AnswerInput]:
    """Check every learning point has a score or don't know; return cleaned answers.

    Raises InvalidAnswers naming each point that is unanswered, out of range, both
    scored and don't-know, or carries a comment longer than ``max_comment_chars``.
    """
    problems: dict[str, str] = {}
    cleaned: dict[str, AnswerInput] = {}
    valid_scores = {s.value for s in framework.scale}
    unknown = sorted(set(answers) - set(framework.point_keys))
    for key in unknown:
        problems[key] = "is not a learning point of this framework"
    for point in framework.learning_points:
        answer = answers.get(point.key, AnswerInput())
        comment = (answer.comment or "").strip()
        if answer.dont_know and answer.score is not None:
            problems[point.key] = "choose a score or don't know, not both"
        elif answer.score is None and not answer.dont_know:
            problems[point.key] = "choose a score or don't know"
        elif answer.score is not None and answer.score not in valid_scores:
            problems[point.key] = f"the score must be one of {sorted(valid_scores)}"
        elif len(comment) > max_comment_chars:
            problems[point.key] = (
                f"the comment is {len(comment)} characters long; "
                f"please keep it under {max_comment_chars}"
            )
        elif UNSTORABLE_CHARACTERS.search(comment):
            problems[point.key] = f"the comment: {UNSTORABLE_MESSAGE}; please retype it"
        cleaned[point.key] = AnswerInput(answer.score, answer.dont_know, comment)
    if problems:
        raise InvalidAnswers(problems)
    return cleaned


def _add_revision(
    session, submission: Submission, number: int, answers: dict[str, AnswerInput], key: str | None
) -> None:
    revision = Revision(submission_id=submission.id, number=number, idempotency_key=key)
    session.add(revision)
    session.flush()
    session.add_all(
        Answer(
            revision_id=revision.id,
            learning_point=point,
            score=a.score,
            dont_know=a.dont_know,
            comment=a.comment or None,
        )
        for point, a in answers.items()
    )
    submission.current_revision = number


def _receipt_key(session) -> bytes:
    value = session.scalar(
        sa.select(AllianceSetting.value).where(AllianceSetting.key == RECEIPT_KEY_SETTING)
    )
    if value is None:  # a database set up before receipts were derived: make its key now
        value = secrets.token_hex(32)
        session.add(AllianceSetting(key=RECEIPT_KEY_SETTING, value=value))
        session.flush()
    return bytes.fromhex(value)


def receipt_code_for(session, form_key: str) -> str:
    """The receipt code of the form with one-time key ``form_key``.

    Worked out from the key with a secret kept in the database, so a form sent again,
    after a double tap, a reconnect or a server restart, gets back the same receipt
    without the receipt itself ever being stored (only its hash is).
    """
    digest = hmac.new(_receipt_key(session), form_key.encode(), hashlib.sha256).digest()
    number = int.from_bytes(digest, "big")
    raw = ""
    for _ in range(CODE_LENGTH):
        number, index = divmod(number, len(ALPHABET))
        raw += ALPHABET[index]
    return grouped(raw)


def receipt_for_form(db: Database, form_key: str | None) -> Receipt | None:
    """The receipt of the form with one-time key ``form_key`` if it has been stored, so
    a page reopened after sending (a reload, a reconnect, a tab from the browser's
    history) shows it again; None when that form hasn't been stored."""
    return _already_stored(db, form_key)


def _discard_draft_in(session, *, code: str, round_id: int, device: str | None) -> None:
    """Delete the draft of the form just stored, in the same transaction (``device``
    None: the form kept no draft)."""
    if device:
        # No draft is ever loaded in this session: nothing there to bring up to date.
        session.execute(
            sa.delete(Draft)
            .where(Draft.of_form(hash_code(code), round_id, device))
            .execution_options(synchronize_session=False)
        )


def _already_stored(db: Database, idempotency_key: str | None) -> Receipt | None:
    """The receipt of the form stored under ``idempotency_key`` before, if it was."""
    if not idempotency_key:
        return None
    with db.read() as session:
        row = session.execute(
            sa.select(
                Submission.id,
                Round.name,
                Revision.number,
                Submission.receipt_hash,
                InviteCode.personal,
            )
            .join(Revision, Revision.submission_id == Submission.id)
            .join(Round, Round.id == Submission.round_id)
            .join(Respondent, Respondent.id == Submission.respondent_id)
            .outerjoin(InviteCode, InviteCode.id == Respondent.invite_code_id)
            .where(Revision.idempotency_key == idempotency_key)
        ).first()
        if row is None:
            return None
        code = receipt_code_for(session, idempotency_key)
    # A revision made with a receipt code carries the key of the form that revised it:
    # the receipt is the code that form was opened with, which the caller knows.
    own = row.receipt_hash is not None and hash_code(code) == row.receipt_hash
    return Receipt(
        row.id,
        row.name,
        row.number,
        code if own else None,
        already_stored=True,
        personal=bool(row.personal),
    )


def _store_once(db: Database, idempotency_key: str | None, store) -> Receipt:
    """Run ``store`` unless this form was stored before; a concurrent twin stores once."""
    earlier = _already_stored(db, idempotency_key)
    if earlier:
        return earlier
    try:
        return store()
    except sa_exc.IntegrityError:
        earlier = _already_stored(db, idempotency_key)
        if earlier:
            return earlier
        raise


NO_ROUND_OPEN = (
    "No round is open at the moment, so answers can't be taken. "
    "Your coordinator will tell you when the next one opens."
)


def _round_to_store_in(session, round_id: int | None) -> Round:
    """The round a form's answers go to: the one it showed, while that one is open.

    Without ``round_id`` (a caller with no form) it is the open round created last.
    """
    if round_id is None:
        open_round = session.scalar(sa.select(Round).where(Round.is_open).order_by(Round.id.desc()))
        if open_round is None:
            raise Refused(NO_ROUND_OPEN)
        return open_round
    shown = session.get(Round, round_id)
    if shown is not None and shown.is_open:
        return shown
    opened_since = session.scalar(
        sa.select(Round.name).where(Round.is_open).order_by(Round.id.desc())
    )
    closed = (
        f"Round '{shown.name}' closed while you were filling in the form"
        if shown is not None
        else "The round this form was for no longer exists"
    )
    then = (
        f"Round '{opened_since}' is open now: check that your answers still apply to it, "
        "then send them again to answer that round."
        if opened_since
        else "No round is open now. Your coordinator will tell you when the next one opens."
    )
    raise Refused(f"{closed}, so your answers were not stored. {then}")


def submit(
    db: Database,
    *,
    framework: Framework,
    code: str,
    answers: dict[str, AnswerInput],
    round_id: int | None = None,
    idempotency_key: str | None = None,
    max_comment_chars: int = DEFAULT_MAX_COMMENT_CHARS,
    device: str | None = None,
) -> Receipt:
    """Store a new member's answers for the round the form showed; return the receipt.

    ``round_id`` is the round the member saw: the answers are stored in that round, and
    refused if it has closed since, never stored in another. Without it (a caller with
    no form, such as a script) they go to the open round created last.

    The same ``idempotency_key`` sent twice stores once and returns the first receipt
    again (``already_stored``). The draft the form kept on ``device`` is deleted with
    the answers stored.
    """
    invite = find_invite_code(db, code)
    cleaned = validate_answers(framework, answers, max_comment_chars=max_comment_chars)

    def store() -> Receipt:
        with db.write(wait_seconds=MEMBER_WRITE_WAIT_SECONDS, changes_results=False) as session:
            open_round = _round_to_store_in(session, round_id)
            # Held until commit: one code's responses are counted one at a time.
            record = session.execute(
                sa.select(InviteCode).where(InviteCode.id == invite.id).with_for_update()
            ).scalar_one()
            if record.personal:
                receipt = _store_personal(session, record, open_round, cleaned, idempotency_key)
            else:
                receipt = _store_shared(session, record, open_round, cleaned, idempotency_key)
            _discard_draft_in(session, code=code, round_id=open_round.id, device=device)
            publish_if_shown_in(
                session, round_id=open_round.id, min_group_size=min_group_size_setting()
            )
            return receipt

    return _store_once(db, idempotency_key, store)


def _store_personal(
    session, record: InviteCode, open_round: Round, answers, key: str | None
) -> Receipt:
    """A personal code's answers: its one response in the round, revised if it exists."""
    respondent = session.scalar(sa.select(Respondent).where(Respondent.invite_code_id == record.id))
    if respondent is None:
        respondent = Respondent(
            organisation_id=record.organisation_id,
            stakeholder_group=record.stakeholder_group,
            invite_code_id=record.id,
        )
        session.add(respondent)
        session.flush()
    submission = session.scalar(
        sa.select(Submission).where(
            Submission.respondent_id == respondent.id, Submission.round_id == open_round.id
        )
    )
    if submission is None:
        submission = Submission(respondent_id=respondent.id, round_id=open_round.id, source="web")
        session.add(submission)
        session.flush()
        number = 1
    else:
        number = submission.current_revision + 1
    _add_revision(session, submission, number, answers, key)
    return Receipt(submission.id, open_round.name, number, None, personal=True)


def _store_shared(
    session, record: InviteCode, open_round: Round, answers, key: str | None
) -> Receipt:
    """A shared code's answers: a new person's response, while the code's cap allows."""
    cap = record.response_cap
    if cap is not None:
        taken = session.scalar(
            sa.select(sa.func.count(Submission.id))
            .join(Respondent, Respondent.id == Submission.respondent_id)
            .where(Respondent.invite_code_id == record.id, Submission.round_id == open_round.id)
        )
        if taken >= cap:
            raise Refused(
                f"This code has already been used for the {cap} responses it takes in round "
                f"'{open_round.name}', so your answers were not stored. If you haven't "
                "answered yet, ask your alliance coordinator for a code of your own."
            )
    receipt_code = receipt_code_for(session, key) if key else new_secret_code()
    respondent = Respondent(
        organisation_id=record.organisation_id,
        stakeholder_group=record.stakeholder_group,
        invite_code_id=record.id,
    )
    session.add(respondent)
    session.flush()
    submission = Submission(
        respondent_id=respondent.id,
        round_id=open_round.id,
        receipt_hash=hash_code(receipt_code),
        source="web",
    )
    session.add(submission)
    session.flush()
    _add_revision(session, submission, 1, answers, key)
    return Receipt(submission.id, open_round.name, 1, receipt_code)


def _submission_by_receipt(session, receipt_code: str) -> Submission:
    submission = session.scalar(
        sa.select(Submission).where(Submission.receipt_hash == hash_code(receipt_code))
    )
    if submission is None or not receipt_code.strip():
        raise NotFound(
            "We don't recognise that receipt code. Check it against the one you were shown "
            "after submitting."
        )
    return submission


def find_submission(db: Database, *, receipt_code: str) -> StoredSubmission:
    """The answers that currently count for the submission behind a receipt code."""
    with db.read() as session:
        return _stored(session, _submission_by_receipt(session, receipt_code))


def find_personal_submission(db: Database, *, code: str, round_id: int) -> StoredSubmission | None:
    """The answers a personal code gave in the round, or None (also for a shared code)."""
    with db.read() as session:
        submission = session.scalar(
            sa.select(Submission)
            .join(Respondent, Respondent.id == Submission.respondent_id)
            .join(InviteCode, InviteCode.id == Respondent.invite_code_id)
            .where(
                InviteCode.code_hash == hash_code(code),
                InviteCode.personal,
                Submission.round_id == round_id,
            )
        )
        return _stored(session, submission) if submission is not None else None


def _stored(session, submission: Submission) -> StoredSubmission:
    """A submission and the answers that count for it now."""
    rows = session.scalars(
        sa.select(Answer)
        .join(Revision, Revision.id == Answer.revision_id)
        .where(
            Revision.submission_id == submission.id,
            Revision.number == submission.current_revision,
        )
    )
    answers = {a.learning_point: AnswerInput(a.score, a.dont_know, a.comment or "") for a in rows}
    return StoredSubmission(
        submission_id=submission.id,
        round=submission.round.name,
        round_id=submission.round_id,
        round_open=submission.round.is_open,
        organisation=submission.respondent.organisation.name,
        stakeholder_group=submission.respondent.stakeholder_group,
        revision=submission.current_revision,
        answers=answers,
    )


def revise(
    db: Database,
    *,
    framework: Framework,
    receipt_code: str,
    answers: dict[str, AnswerInput],
    idempotency_key: str | None = None,
    max_comment_chars: int = DEFAULT_MAX_COMMENT_CHARS,
    device: str | None = None,
) -> Receipt:
    """Add a revision to the submission behind ``receipt_code`` while its round is open;
    the draft the form kept on ``device`` is deleted with it."""
    cleaned = validate_answers(framework, answers, max_comment_chars=max_comment_chars)

    def store() -> Receipt:
        with db.write(wait_seconds=MEMBER_WRITE_WAIT_SECONDS, changes_results=False) as session:
            submission = _submission_by_receipt(session, receipt_code)
            if not submission.round.is_open:
                raise Refused(
                    f"Round '{submission.round.name}' has closed, so answers can no longer "
                    "be changed. Thank you for taking part."
                )
            number = submission.current_revision + 1
            _add_revision(session, submission, number, cleaned, idempotency_key)
            _discard_draft_in(
                session, code=receipt_code, round_id=submission.round_id, device=device
            )
            publish_if_shown_in(
                session, round_id=submission.round_id, min_group_size=min_group_size_setting()
            )
            return Receipt(submission.id, submission.round.name, number, receipt_code)

    return _store_once(db, idempotency_key, store)


@dataclass(frozen=True)
class NewResponse:
    """A whole response to store in bulk (import, demo): one respondent in one round.

    ``reference`` names the respondent across rounds (the CSV's respondent column);
    None makes a new anonymous respondent.
    """

    round_id: int
    organisation_id: int
    stakeholder_group: str
    answers: dict[str, AnswerInput]
    reference: str | None = None


def _reserve_ids(session, model, count: int) -> list[int]:
    """Primary keys for ``count`` new rows, taken inside the writing transaction."""
    if count == 0:
        return []
    if session.get_bind().dialect.name == "postgresql":
        sequence = f"{model.__tablename__}_id_seq"
        return list(
            session.scalars(
                sa.text(f"SELECT nextval('{sequence}') FROM generate_series(1, :n)"), {"n": count}
            )
        )
    # SQLite: the transaction began IMMEDIATE, so no other writer can take these ids.
    start = session.scalar(sa.select(sa.func.coalesce(sa.func.max(model.id), 0))) + 1
    return list(range(start, start + count))


def _table(model: type[Base]) -> sa.Table:
    """``model``'s table, for inserting many rows as plain Core statements."""
    return Base.metadata.tables[model.__tablename__]


def add_responses(session, responses: list[NewResponse], *, source: str) -> int:
    """Insert many responses inside the caller's writing transaction; return how many.

    Their rounds count as opened from now if they had not been opened yet.
    Answers must already be validated. A respondent whose reference exists is reused;
    a second submission by one respondent in one round violates the database
    constraint and fails the whole transaction.
    """
    if not responses:
        return 0
    references = sorted({r.reference for r in responses if r.reference})
    known: dict[str, int] = {}
    for start in range(0, len(references), 5000):
        chunk = references[start : start + 5000]
        known.update(
            session.execute(
                sa.select(Respondent.reference, Respondent.id).where(
                    Respondent.reference.in_(chunk)
                )
            ).all()
        )
    people: list[NewResponse] = []
    for r in responses:
        if r.reference is None or r.reference not in known:
            people.append(r)
            if r.reference is not None:
                known[r.reference] = -1  # reserved below
    people_ids = _reserve_ids(session, Respondent, len(people))
    respondent_ids: dict[int, int] = {}
    for pid, r in zip(people_ids, people, strict=True):
        if r.reference is not None:
            known[r.reference] = pid
        respondent_ids[id(r)] = pid
    now = utcnow()
    if people:
        session.execute(
            sa.insert(_table(Respondent)),
            [
                {
                    "id": pid,
                    "organisation_id": r.organisation_id,
                    "stakeholder_group": r.stakeholder_group,
                    "reference": r.reference,
                    "created_at": now,
                }
                for pid, r in zip(people_ids, people, strict=True)
            ],
        )
    submission_ids = _reserve_ids(session, Submission, len(responses))
    session.execute(
        sa.insert(_table(Submission)),
        [
            {
                "id": sid,
                "respondent_id": known[r.reference] if r.reference else respondent_ids[id(r)],
                "round_id": r.round_id,
                "source": source,
                "current_revision": 1,
                "created_at": now,
            }
            for sid, r in zip(submission_ids, responses, strict=True)
        ],
    )
    revision_ids = _reserve_ids(session, Revision, len(responses))
    session.execute(
        sa.insert(_table(Revision)),
        [
            {"id": rid, "submission_id": sid, "number": 1, "created_at": now}
            for rid, sid in zip(revision_ids, submission_ids, strict=True)
        ],
    )
    answer_rows = [
        {
            "revision_id": rid,
            "learning_point": point,
            "score": a.score,
            "dont_know": a.dont_know,
            "comment": a.comment or None,
        }
        for rid, r in zip(revision_ids, responses, strict=True)
        for point, a in r.answers.items()
    ]
    if answer_rows:
        session.execute(sa.insert(_table(Answer)), answer_rows)
    # A round that holds answers has been opened, even if they came on paper into a
    # round never opened here.
    session.execute(
        sa.update(Round)
        .where(Round.id.in_(sorted({r.round_id for r in responses})), Round.opened_at.is_(None))
        .values(opened_at=now)
    )
    return len(responses)


def revise_responses(session, responses: list[NewResponse]) -> list[NewResponse]:
    """Give each response whose respondent (by reference) already answered its round a new
    revision of that answer, in the caller's transaction; return the other responses."""
    references = sorted({r.reference for r in responses if r.reference})
    existing: dict[tuple[str, int], Submission] = {}
    for start in range(0, len(references), 5000):
        found = session.execute(
            sa.select(Respondent.reference, Submission)
            .join(Submission, Submission.respondent_id == Respondent.id)
            .where(Respondent.reference.in_(references[start : start + 5000]))
        )
        existing.update(((ref, s.round_id), s) for ref, s in found)
    rest = []
    for r in responses:
        submission = existing.get((r.reference or "", r.round_id))
        if submission is None:
            rest.append(r)
        else:
            _add_revision(session, submission, submission.current_revision + 1, r.answers, None)
    return rest

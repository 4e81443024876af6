"""Live checks in a meeting: members score a learning point on their phones, twice.

The leadership team opens a check on one learning point of a round, or on every point,
and members answer it through their invite code: a personal code is one person, who
answers once in each pass; a shared code takes at most its cap of people in each pass,
each phone one person (its *seat*: a random token the member's page holds, stored only
as a hash). After discussion the team starts the re-score, a second pass in which
everyone answers again. Each person's latest answer counts.

What the meeting screen shows moves only by publications, under the release rule of
``collab.domain.snapshots``: after each answer, a stakeholder group's figures are
published again only when at least ``min_group_size`` of its people answer differently
from what is shown (``snapshots.held_back``), so watching the screen singles nobody out.
A person who re-scores with the answer they gave before has not changed. The figures
shown when the re-score began are the check's "before"; the ones shown now its "after".

``open_check(db, actor=...)``, ``start_rescore`` and ``close_check`` commit a change with
its audit entry; the ``..._in(session, ...)`` forms make the change alone in a
transaction the caller holds (and audits). ``answer_check`` stores a member's answers.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from urllib.parse import urlencode

import pandas as pd
import sqlalchemy as sa
import sqlalchemy.orm as so

from collab.domain import audit, names
from collab.domain.invite_codes import ALPHABET, find_invite_code, hash_code, normalise_code
from collab.domain.snapshots import differing, held_back
from collab.domain.submissions import MEMBER_WRITE_WAIT_SECONDS
from collab.store.db import Database, mark_results_changed
from collab.store.errors import InvalidAnswers, NotFound, Refused
from collab.store.framework import Framework
from collab.store.models import Check, CheckAnswer, InviteCode, Round, utcnow

SHORT_CODE_LENGTH = 4
FIRST_PASS = 1
RESCORE_PASS = 2
# The address parameter of the member's page that carries the check's short code.
CHECK_PARAM = "check"
CHECK_PATH = "check"
ANSWER_COLUMNS = [
    "answer_id",
    "person",
    "stakeholder_group",
    "learning_point",
    "pass_number",
    "score",
    "dont_know",
    "published_in",
]


@dataclass(frozen=True)
class CheckInfo:
    id: int
    round_id: int
    round: str
    # None: every learning point of the framework.
    learning_point: str | None
    short_code: str
    # The pass taking answers: 1, or 2 once the re-score began.
    passes: int
    is_open: bool
    # Publications so far; the figures shown are those of publication ``published_seq``.
    published_seq: int
    # The publication shown when the re-score began (None before it began).
    rescore_from: int | None
    opened_at: dt.datetime
    closed_at: dt.datetime | None

    @property
    def rescoring(self) -> bool:
        return self.passes == RESCORE_PASS

    def points(self, framework: Framework) -> list[str]:
        """The learning point keys the check asks about, in framework order."""
        if self.learning_point is None:
            return framework.point_keys
        return [self.learning_point]

    def subject(self, framework: Framework) -> str:
        """What the check is about: the learning point's title, or every learning point."""
        if self.learning_point is None:
            return f"All {len(framework.point_keys)} learning points"
        return framework.point(self.learning_point).title


@dataclass(frozen=True)
class CheckAnswered:
    """What became of a member's answers."""

    pass_number: int
    # False: this person had answered this pass already, and nothing was stored.
    stored: bool
    # Whether the figures on the meeting screen moved.
    published: bool = False


@dataclass(frozen=True)
class CheckAnswers:
    """A check and every answer given to it (one row per person, point and pass, with the
    columns of ``ANSWER_COLUMNS``; ``person`` is an opaque key, never a code)."""

    check: CheckInfo
    answers: pd.DataFrame


def _info(c: Check, round_name: str) -> CheckInfo:
    return CheckInfo(
        c.id,
        c.round_id,
        round_name,
        c.learning_point,
        c.short_code,
        c.passes,
        c.is_open,
        c.published_seq,
        c.rescore_from,
        c.opened_at,
        c.closed_at,
    )


def _with_round(session: so.Session, c: Check) -> CheckInfo:
    return _info(c, session.get_one(Round, c.round_id).name)


def check_link(base_url: str, short_code: str) -> str:
    """The address members open to answer the check (the meeting screen's QR code)."""
    return f"{base_url.rstrip('/')}/{CHECK_PATH}?{urlencode({CHECK_PARAM: short_code})}"


def new_seat() -> str:
    """A random token that makes a phone answering with a shared code one person."""
    return secrets.token_urlsafe(16)


def seat_hash(seat: str) -> str:
    """The stored form of a seat token."""
    return hashlib.sha256(seat.encode("utf-8")).hexdigest()


def _new_short_code(session: so.Session) -> str:
    """A short code no check has had, from the invite codes' alphabet (no look-alikes)."""
    while True:
        code = "".join(secrets.choice(ALPHABET) for _ in range(SHORT_CODE_LENGTH))
        if session.scalar(sa.select(Check.id).where(Check.short_code == code)) is None:
            return code


def _round_by_name(session: so.Session, name: str) -> Round:
    found = session.scalar(sa.select(Round).where(Round.name == names.tidy(name)))
    if found is None:
        raise NotFound(f"There is no round called '{name}'.")
    return found


def open_check_in(
    session: so.Session, *, framework: Framework, round_name: str, learning_point: str | None
) -> tuple[CheckInfo, list[str]]:
    """Open a check on ``learning_point`` (None: every point) of a round that has opened,
    in the caller's transaction (no audit entry). Any other open check of the round
    closes: the room answers one at a time. Returns the check and the short codes of
    the checks it closed."""
    r = _round_by_name(session, round_name)
    if r.opened_at is None and not r.is_open:
        raise Refused(
            f"Round '{r.name}' has not opened yet. Open it first, or choose the round "
            "the meeting is about."
        )
    if learning_point is not None and learning_point not in framework.point_keys:
        raise Refused(f"'{learning_point}' is not a learning point of this framework.")
    others = session.scalars(sa.select(Check).where(Check.round_id == r.id, Check.is_open)).all()
    for other in others:
        other.is_open = False
        other.closed_at = utcnow()
    check = Check(
        round_id=r.id,
        learning_point=learning_point,
        short_code=_new_short_code(session),
        passes=FIRST_PASS,
        is_open=True,
        published_seq=0,
        opened_at=utcnow(),
    )
    session.add(check)
    session.flush()
    return _info(check, r.name), [o.short_code for o in others]


def open_check(
    db: Database, *, actor: str, framework: Framework, round_name: str, learning_point: str | None
) -> CheckInfo:
    """Open a live check and record ``check.open`` (see ``open_check_in``)."""
    with db.write() as session:
        info, closed = open_check_in(
            session, framework=framework, round_name=round_name, learning_point=learning_point
        )
        detail = (
            f"Opened live check {info.short_code} on {info.subject(framework)} "
            f"in round '{info.round}'."
        )
        if closed:
            detail += f" Closed live check {', '.join(closed)}."
        audit.record(session, actor=actor, action="check.open", detail=detail)
    return info


def _locked(session: so.Session, check_id: int) -> Check:
    found = session.execute(
        sa.select(Check).where(Check.id == check_id).with_for_update()
    ).scalar_one_or_none()
    if found is None:
        raise NotFound(f"There is no live check number {check_id}.")
    return found


def start_rescore_in(session: so.Session, *, check_id: int) -> CheckInfo:
    """Start the re-score of an open check in its first pass (no audit entry): the
    figures shown now become its "before", and members answer again."""
    check = _locked(session, check_id)
    if not check.is_open:
        raise Refused(f"Live check {check.short_code} has closed; open a new one to re-score.")
    if check.passes != FIRST_PASS:
        raise Refused(f"The re-score of live check {check.short_code} has already started.")
    check.passes = RESCORE_PASS
    check.rescore_from = check.published_seq
    return _with_round(session, check)


def start_rescore(db: Database, *, actor: str, check_id: int) -> CheckInfo:
    """Start the re-score (see ``start_rescore_in``) and record ``check.rescore``."""
    with db.write() as session:
        info = start_rescore_in(session, check_id=check_id)
        audit.record(
            session,
            actor=actor,
            action="check.rescore",
            detail=f"Started the re-score of live check {info.short_code} in round '{info.round}'.",
        )
    return info


def close_check_in(session: so.Session, *, check_id: int) -> CheckInfo:
    """Close a check (no audit entry): it takes no more answers; what it showed is kept."""
    check = _locked(session, check_id)
    if check.is_open:
        check.is_open = False
        check.closed_at = utcnow()
    return _with_round(session, check)


def close_check(db: Database, *, actor: str, check_id: int) -> CheckInfo:
    """Close a check and record ``check.close``."""
    with db.write() as session:
        info = close_check_in(session, check_id=check_id)
        audit.record(
            session,
            actor=actor,
            action="check.close",
            detail=f"Closed live check {info.short_code} in round '{info.round}'.",
        )
    return info


def find_check(db: Database, short_code: str) -> CheckInfo:
    """The check with ``short_code`` (typed in any case, with spaces or dashes)."""
    wanted = normalise_code(short_code)
    with db.read() as session:
        found = session.scalar(sa.select(Check).where(Check.short_code == wanted))
        if found is None or not wanted:
            raise NotFound(
                "We don't recognise that check code. Check it against the code on the "
                "meeting screen."
            )
        return _with_round(session, found)


def get_check(db: Database, check_id: int) -> CheckInfo:
    with db.read() as session:
        found = session.get(Check, check_id)
        if found is None:
            raise NotFound(f"There is no live check number {check_id}.")
        return _with_round(session, found)


def list_checks(db: Database, *, round_name: str) -> list[CheckInfo]:
    """Every check of a round, oldest first (empty for an unknown round)."""
    with db.read() as session:
        rows = session.execute(
            sa.select(Check, Round.name)
            .join(Round, Round.id == Check.round_id)
            .where(Round.name == round_name)
            .order_by(Check.id)
        ).all()
        return [_info(c, name) for c, name in rows]


def _validated(
    framework: Framework, check: CheckInfo, answers: Mapping[str, int | None]
) -> dict[str, int | None]:
    """The answers to the check's points (a score, or None for don't know); raises
    InvalidAnswers naming each point unanswered or out of the scale."""
    scale = {s.value for s in framework.scale}
    asked = check.points(framework)
    problems = dict.fromkeys(sorted(set(answers) - set(asked)), "is not asked in this check")
    for key in asked:
        if key not in answers:
            problems[key] = "choose a score or don't know"
        elif answers[key] is not None and answers[key] not in scale:
            problems[key] = f"the score must be one of {sorted(scale)}"
    if problems:
        raise InvalidAnswers(problems)
    return {key: answers[key] for key in asked}


def answer_check(
    db: Database,
    *,
    framework: Framework,
    check_id: int,
    code: str,
    seat: str,
    pass_number: int,
    answers: Mapping[str, int | None],
    min_group_size: int,
) -> CheckAnswered:
    """Store a member's answers to the pass of the check their page showed, and publish
    what the release rule allows.

    ``answers`` maps each of the check's learning points to a score, or None for don't
    know. ``code`` is the member's invite code; ``seat`` the token their page holds
    (ignored for a personal code, which is the person itself). A person answers once per
    pass: answering a pass again stores nothing and returns ``stored=False``. Refused
    when the check has closed or moved on to another pass, for a shared code past its cap
    in this pass, and for an unknown or revoked code.
    """
    invite = find_invite_code(db, code)
    with db.write(wait_seconds=MEMBER_WRITE_WAIT_SECONDS, changes_results=False) as session:
        # Held until commit, in this order everywhere: one check's answers, and one
        # code's people, are counted one at a time.
        check = _locked(session, check_id)
        info = _with_round(session, check)
        cleaned = _validated(framework, info, answers)
        if not check.is_open:
            raise Refused(
                "This live check has closed, so your answer was not stored. Thank you for "
                "taking part."
            )
        if check.passes != pass_number:
            raise Refused(
                "The leadership team has started the re-score, so your answer was not "
                "stored: please answer again, after the discussion."
            )
        record = session.execute(
            sa.select(InviteCode).where(InviteCode.id == invite.id).with_for_update()
        ).scalar_one()
        if not record.personal and not seat:
            raise ValueError("a shared code's answers need the seat of the phone they come from")
        person_seat = "" if record.personal else seat_hash(seat)
        mine = sa.and_(
            CheckAnswer.check_id == check.id,
            CheckAnswer.pass_number == pass_number,
            CheckAnswer.invite_code_id == record.id,
        )
        if session.scalar(sa.select(CheckAnswer.id).where(mine, CheckAnswer.seat == person_seat)):
            return CheckAnswered(pass_number, stored=False)
        cap = record.response_cap
        if not record.personal and cap is not None:
            people = session.scalar(
                sa.select(sa.func.count(sa.distinct(CheckAnswer.seat))).where(mine)
            )
            if (people or 0) >= cap:
                raise Refused(
                    f"This code has already been used by the {cap} people it takes in "
                    "this pass of the check, so your answer was not stored. If you haven't "
                    "answered yet, ask your alliance coordinator for a code of your own."
                )
        now = utcnow()
        session.add_all(
            CheckAnswer(
                check_id=check.id,
                pass_number=pass_number,
                invite_code_id=record.id,
                seat=person_seat,
                learning_point=point,
                score=score,
                dont_know=score is None,
                answered_at=now,
            )
            for point, score in cleaned.items()
        )
        session.flush()
        published = _publish_in(session, check, min_group_size)
    return CheckAnswered(pass_number, stored=True, published=published)


def has_answered(db: Database, *, check_id: int, code: str, seat: str, pass_number: int) -> bool:
    """Whether the person behind ``code`` (and ``seat``, for a shared code) has answered
    this pass of the check."""
    with db.read() as session:
        record = session.scalar(
            sa.select(InviteCode).where(InviteCode.code_hash == hash_code(code))
        )
        if record is None:
            return False
        person_seat = "" if record.personal else seat_hash(seat)
        return (
            session.scalar(
                sa.select(CheckAnswer.id).where(
                    CheckAnswer.check_id == check_id,
                    CheckAnswer.pass_number == pass_number,
                    CheckAnswer.invite_code_id == record.id,
                    CheckAnswer.seat == person_seat,
                )
            )
            is not None
        )


def _answers_frame(session: so.Session, check_id: int) -> pd.DataFrame:
    rows = session.execute(
        sa.select(
            CheckAnswer.id,
            CheckAnswer.invite_code_id,
            CheckAnswer.seat,
            InviteCode.stakeholder_group,
            CheckAnswer.learning_point,
            CheckAnswer.pass_number,
            CheckAnswer.score,
            CheckAnswer.dont_know,
            CheckAnswer.published_in,
        )
        .join(InviteCode, InviteCode.id == CheckAnswer.invite_code_id)
        .where(CheckAnswer.check_id == check_id)
        .order_by(CheckAnswer.id)
    ).all()
    frame = pd.DataFrame(
        [(answer_id, f"{code_id}:{seat}", *rest) for answer_id, code_id, seat, *rest in rows],
        columns=ANSWER_COLUMNS,
    )
    frame["score"] = frame["score"].astype("Int64")
    frame["published_in"] = frame["published_in"].astype("Int64")
    frame["dont_know"] = frame["dont_know"].astype(bool)
    return frame


def latest_answers(answers: pd.DataFrame) -> pd.DataFrame:
    """Each person's latest answer to each point, whatever is published: the answers
    that count now."""
    return answers.sort_values("pass_number", kind="stable").drop_duplicates(
        ["person", "learning_point"], keep="last"
    )


def shown_as_of(answers: pd.DataFrame, publication: int | None) -> pd.DataFrame:
    """Each person's answer to each point as shown after ``publication``: the one with the
    largest ``published_in`` up to it (none for None or 0, nothing published yet)."""
    if not publication:
        return answers.iloc[0:0]
    published = answers[answers["published_in"].notna()]
    published = published[published["published_in"] <= publication]
    return published.sort_values("published_in", kind="stable").drop_duplicates(
        ["person", "learning_point"], keep="last"
    )


def _by_person(answers: pd.DataFrame) -> dict[str, tuple]:
    """Each person's answers, comparable: sorted (point, score, don't know)."""
    found: dict[str, list] = {}
    for person, point, score, dont_know in answers[
        ["person", "learning_point", "score", "dont_know"]
    ].itertuples(index=False):
        found.setdefault(person, []).append(
            (point, None if pd.isna(score) else int(score), bool(dont_know))
        )
    return {person: tuple(sorted(given)) for person, given in found.items()}


def publishable_people(answers: pd.DataFrame, *, shown: int, k: int) -> list[str]:
    """The people whose answers may be published now, under the release rule, group by
    group: everyone whose latest answers differ from those shown after publication
    ``shown``, in each stakeholder group where at least ``k`` people differ. In a group
    where 1 to ``k - 1`` differ, they wait."""
    now, before = latest_answers(answers), shown_as_of(answers, shown)
    changed = differing(_by_person(now), _by_person(before))
    group_of = dict(zip(answers["person"], answers["stakeholder_group"], strict=True))
    waiting = {
        w.stakeholder_group
        for w in held_back(((group_of[p], "") for p in changed), k=k, by_organisation=False)
    }
    return sorted(p for p in changed if group_of[p] not in waiting)


def _publish_in(session: so.Session, check: Check, k: int) -> bool:
    """Publish, in the caller's transaction, the answers the release rule lets through;
    whether anything was."""
    answers = _answers_frame(session, check.id)
    people = set(publishable_people(answers, shown=check.published_seq, k=k))
    if not people:
        return False
    latest = latest_answers(answers)
    to_publish = latest[latest["person"].isin(people) & latest["published_in"].isna()]
    check.published_seq += 1
    session.execute(
        sa.update(CheckAnswer)
        .where(CheckAnswer.id.in_([int(i) for i in to_publish["answer_id"]]))
        .values(published_in=check.published_seq)
    )
    mark_results_changed(session)
    return True


def check_answers(db: Database, *, check_id: int) -> CheckAnswers:
    """A check with every answer it holds, published or waiting."""
    with db.read() as session:
        found = session.get(Check, check_id)
        if found is None:
            raise NotFound(f"There is no live check number {check_id}.")
        return CheckAnswers(_with_round(session, found), _answers_frame(session, check_id))

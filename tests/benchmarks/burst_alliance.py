"""The alliance ``make bench-burst`` serves, made through the domain functions, and the
check afterwards that every answer sent was stored exactly once.

An earlier round, closed, holds answers (so the leadership page compares two rounds);
the burst round is open with live results on. Every member has a personal invite code,
the organisations and stakeholder groups taken in turn; one shared code serves members
who answer one at a time.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import sqlalchemy as sa

from collab.domain import invite_codes, organisations, rounds, submissions
from collab.domain.invite_codes import hash_code
from collab.domain.submissions import AnswerInput, NewResponse
from collab.store.db import Database, create_engine
from collab.store.framework import Framework
from collab.store.models import InviteCode, Respondent, Revision, Submission
from tests.support.databases import postgres_schema_url

EARLIER_ROUND = "Spring review"
BURST_ROUND = "Autumn review"
ORGANISATIONS = 10
EARLIER_RESPONSES = 300
# Responses a shared code takes per round: more than any run of single members sends.
SHARED_CAP = 10_000
ACTOR = "admin"


@dataclass(frozen=True)
class BurstAlliance:
    db: Database
    database_url: str
    round_id: int
    codes: list[str]  # each member's personal invite code
    shared_code: str  # a shared code, for members answering one at a time


@contextmanager
def temporary_database(postgres_url: str | None, folder) -> Iterator[str]:
    """A DATABASE_URL of an empty database: a SQLite file in ``folder``, or a schema of
    its own in the PostgreSQL database ``postgres_url``, dropped afterwards."""
    if postgres_url is None:
        yield f"sqlite:///{folder / 'alliance.db'}"
        return
    with postgres_schema_url(server_url=postgres_url) as url:
        yield url


def random_answers(framework: Framework, rng: random.Random) -> dict[str, AnswerInput]:
    """A plausible member's answers: mostly scores, some don't knows, a few comments."""
    values = [point.value for point in framework.scale]
    answers = {}
    for key in framework.point_keys:
        dont_know = rng.random() < 0.05
        comment = "We have started, but not everywhere yet." if rng.random() < 0.3 else ""
        score = None if dont_know else rng.choice(values)
        answers[key] = AnswerInput(score=score, dont_know=dont_know, comment=comment)
    return answers


def build_alliance(
    database_url: str, framework: Framework, *, members: int, seed: int
) -> BurstAlliance:
    """Migrate the database and fill it as the module docstring says."""
    db = Database(create_engine(database_url))
    db.upgrade()
    rng = random.Random(seed)
    names = [f"Organisation {i + 1:02d}" for i in range(ORGANISATIONS)]
    org_ids = [organisations.create_organisation(db, actor=ACTOR, name=n).id for n in names]
    earlier = rounds.create_round(db, actor=ACTOR, name=EARLIER_ROUND)
    responses = [
        NewResponse(
            round_id=earlier.id,
            organisation_id=rng.choice(org_ids),
            stakeholder_group=rng.choice(framework.group_keys),
            answers=random_answers(framework, rng),
        )
        for _ in range(EARLIER_RESPONSES)
    ]
    with db.write() as session:
        submissions.add_responses(session, responses, source="import")
    rounds.close_round(db, actor=ACTOR, name=EARLIER_ROUND)
    burst = rounds.create_round(db, actor=ACTOR, name=BURST_ROUND, live_results=True)
    rounds.open_round(db, actor=ACTOR, name=BURST_ROUND)
    places = [(name, group) for name in names for group in framework.group_keys]
    per_place = -(-members // len(places))
    personal = [
        [
            code
            for _, code in invite_codes.create_invite_codes(
                db,
                actor=ACTOR,
                framework=framework,
                organisation=name,
                stakeholder_group=group,
                personal=True,
                count=per_place,
            )
        ]
        for name, group in places
    ]
    # Member i has the i-th personal code, taking organisations and groups in turn.
    codes = [personal[i % len(places)][i // len(places)] for i in range(members)]
    _, shared = invite_codes.create_invite_code(
        db,
        actor=ACTOR,
        framework=framework,
        organisation=names[0],
        stakeholder_group=framework.group_keys[0],
        response_cap=SHARED_CAP,
    )
    return BurstAlliance(db, database_url, burst.id, codes, shared)


@dataclass(frozen=True)
class StoredOnce:
    """What the database holds for the burst round against the members who were told
    their answers were saved."""

    submissions: int  # new in the round since the burst began
    keys_stored_twice: int  # one-time form keys with more than one revision
    codes_missing: int  # members told "saved" whose code holds no answers in the round
    codes_revised: int  # members whose code holds more than one submission or revision

    def holds(self, members: int, saved: int) -> bool:
        return (
            saved == members
            and self.submissions == members
            and self.keys_stored_twice == 0
            and self.codes_missing == 0
            and self.codes_revised == 0
        )


def submissions_in_round(alliance: BurstAlliance) -> int:
    with alliance.db.read() as session:
        return (
            session.scalar(
                sa.select(sa.func.count())
                .select_from(Submission)
                .where(Submission.round_id == alliance.round_id)
            )
            or 0
        )


def stored_once(alliance: BurstAlliance, saved_codes: list[str], *, earlier: int) -> StoredOnce:
    """Count the burst round's submissions beyond the ``earlier`` ones, the one-time
    form keys stored more than once, and the personal codes of members told their
    answers were saved that hold no answers in the round, or more than one version."""
    in_round = Submission.round_id == alliance.round_id
    with alliance.db.read() as session:
        per_key = (
            sa.select(Revision.idempotency_key, sa.func.count().label("n"))
            .join(Submission, Submission.id == Revision.submission_id)
            .where(in_round, Revision.idempotency_key.is_not(None))
            .group_by(Revision.idempotency_key)
            .subquery()
        )
        twice = session.scalar(
            sa.select(sa.func.count()).select_from(per_key).where(per_key.c.n > 1)
        )
        revisions = dict(
            session.execute(
                sa.select(InviteCode.code_hash, sa.func.count(Revision.id))
                .join(Respondent, Respondent.invite_code_id == InviteCode.id)
                .join(Submission, Submission.respondent_id == Respondent.id)
                .join(Revision, Revision.submission_id == Submission.id)
                .where(in_round, InviteCode.code_hash.in_([hash_code(c) for c in saved_codes]))
                .group_by(InviteCode.code_hash)
            ).all()
        )
    counts = [revisions.get(hash_code(code), 0) for code in saved_codes]
    return StoredOnce(
        submissions=submissions_in_round(alliance) - earlier,
        keys_stored_twice=twice or 0,
        codes_missing=counts.count(0),
        codes_revised=sum(1 for n in counts if n > 1),
    )

"""The alliance ``make bench-burst`` serves, made through the domain functions, and the
check afterwards that every answer sent was stored exactly once.

An earlier round, closed, holds answers (so the leadership page compares two rounds);
the burst round is open with live results on (so the leadership page recomputes its
figures as answers arrive). Each organisation has an invite code per stakeholder group.
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
from collab.store.models import Revision, Submission
from tests.support.databases import postgres_schema_url

EARLIER_ROUND = "Spring review"
BURST_ROUND = "Autumn review"
ORGANISATIONS = 10
EARLIER_RESPONSES = 300
ACTOR = "admin"


@dataclass(frozen=True)
class BurstAlliance:
    db: Database
    database_url: str
    round_id: int
    codes: list[str]  # one invite code per organisation and stakeholder group


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


def build_alliance(database_url: str, framework: Framework, *, seed: int) -> BurstAlliance:
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
    codes = [
        invite_codes.create_invite_code(
            db, actor=ACTOR, framework=framework, organisation=name, stakeholder_group=group
        )[1]
        for name in names
        for group in framework.group_keys
    ]
    return BurstAlliance(db, database_url, burst.id, codes)


@dataclass(frozen=True)
class StoredOnce:
    """What the database holds for the burst round against the receipts members saw."""

    submissions: int
    keys_stored_twice: int
    receipts_missing: int
    receipts_duplicated: int

    def holds(self, receipts: int) -> bool:
        return (
            self.submissions == receipts
            and self.keys_stored_twice == 0
            and self.receipts_missing == 0
            and self.receipts_duplicated == 0
        )


def submissions_in_round(alliance: BurstAlliance) -> int:
    with alliance.db.read() as session:
        return session.scalar(
            sa.select(sa.func.count())
            .select_from(Submission)
            .where(Submission.round_id == alliance.round_id)
        ) or 0


def stored_once(alliance: BurstAlliance, receipt_codes: list[str], *, earlier: int) -> StoredOnce:
    """Count the burst round's submissions beyond the ``earlier`` ones, the idempotency
    keys stored more than once and the receipt codes shown that match no submission, or
    more than one."""
    count = submissions_in_round(alliance) - earlier
    with alliance.db.read() as session:
        per_key = (
            sa.select(Revision.idempotency_key, sa.func.count().label("n"))
            .join(Submission, Submission.id == Revision.submission_id)
            .where(Submission.round_id == alliance.round_id)
            .group_by(Revision.idempotency_key)
            .subquery()
        )
        twice = session.scalar(
            sa.select(sa.func.count()).select_from(per_key).where(per_key.c.n > 1)
        )
        hashes = [hash_code(code) for code in receipt_codes]
        found = dict(
            session.execute(
                sa.select(Submission.receipt_hash, sa.func.count())
                .where(Submission.receipt_hash.in_(hashes))
                .group_by(Submission.receipt_hash)
            ).all()
        )
    return StoredOnce(
        submissions=count,
        keys_stored_twice=twice or 0,
        receipts_missing=sum(1 for h in set(hashes) if h not in found),
        receipts_duplicated=len(hashes) - len(set(hashes)) + sum(1 for n in found.values() if n > 1),
    )

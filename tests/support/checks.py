"""A room for live checks: an organisation for each stakeholder group, an open round,
personal codes for each group and a shared code with a cap, and answers given through
them."""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa

from collab.domain import checks, invite_codes, organisations, rounds
from collab.domain.checks import FIRST_PASS, CheckAnswered, CheckInfo
from collab.store.db import Database
from collab.store.framework import Framework
from collab.store.models import CheckAnswer

K = 5
ROUND = "Spring 2027"
ORGANISATIONS = {
    "commissioner": "County Council",
    "provider": "Shelter Trust",
    "lived_experience": "Voices",
}


def stored_answers(db: Database) -> list[tuple]:
    """Every live check answer stored: (pass, learning point, score), in the order given."""
    with db.read() as session:
        return [
            tuple(row)
            for row in session.execute(
                sa.select(
                    CheckAnswer.pass_number, CheckAnswer.learning_point, CheckAnswer.score
                ).order_by(CheckAnswer.id)
            )
        ]


def give_answers(
    db: Database,
    framework: Framework,
    check: CheckInfo,
    codes: Sequence[str],
    scores: Sequence[int | None],
    *,
    pass_number: int = FIRST_PASS,
    min_group_size: int = K,
) -> list[CheckAnswered]:
    """Each code in turn gives its score (None: don't know) to every point of the check."""
    return [
        checks.answer_check(
            db,
            framework=framework,
            check_id=check.id,
            code=code,
            seat="",
            pass_number=pass_number,
            answers=dict.fromkeys(check.points(framework), score),
            min_group_size=min_group_size,
        )
        for code, score in zip(codes, scores, strict=False)
    ]


class CheckRoom:
    """The alliance in the room: ``personal`` codes by group, one ``shared`` code (a
    provider's) taking ``shared_cap`` people a pass."""

    def __init__(
        self,
        db: Database,
        framework: Framework,
        *,
        per_group: int = 12,
        shared_cap: int = 3,
        round_closed: bool = False,
    ) -> None:
        self.db, self.framework = db, framework
        for name in ORGANISATIONS.values():
            organisations.create_organisation(db, name=name, actor="admin")
        rounds.create_round(db, name=ROUND, actor="admin")
        rounds.open_round(db, name=ROUND, actor="admin")
        if round_closed:
            rounds.close_round(db, name=ROUND, actor="admin")
        self.personal = {
            group: [
                code
                for _, code in invite_codes.create_invite_codes(
                    db,
                    actor="admin",
                    framework=framework,
                    organisation=organisation,
                    stakeholder_group=group,
                    personal=True,
                    count=per_group,
                )
            ]
            for group, organisation in ORGANISATIONS.items()
        }
        self.shared = invite_codes.create_invite_code(
            db,
            actor="admin",
            framework=framework,
            organisation=ORGANISATIONS["provider"],
            stakeholder_group="provider",
            response_cap=shared_cap,
        )[1]

    def open_check(self, point: str | None) -> CheckInfo:
        return checks.open_check(
            self.db, actor="leadership", framework=self.framework, round_name=ROUND,
            learning_point=point,
        )  # fmt: skip

    def answer_group(
        self,
        check: CheckInfo,
        group: str,
        scores: Sequence[int | None],
        *,
        start: int = 0,
        pass_number: int = FIRST_PASS,
    ) -> None:
        """The group's personal codes from number ``start`` on give ``scores``."""
        give_answers(
            self.db,
            self.framework,
            check,
            self.personal[group][start:],
            scores,
            pass_number=pass_number,
        )

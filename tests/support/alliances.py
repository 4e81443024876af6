"""An alliance ready for members to answer: organisations, an open round, invite codes."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from collab.domain import invite_codes, organisations, rounds, submissions
from collab.store.db import Database
from collab.store.framework import Framework

ORGANISATION = "Riverside Housing Trust"
ROUND = "Spring 2027"
CLOSES_ON = dt.date(2027, 4, 30)
# The audit log names who made each change; tests set up as the administrator would.
ACTOR = "admin"


@dataclass(frozen=True)
class OpenAlliance:
    round_id: int
    codes: list[str]
    """Every invite code, organisation by organisation, group by group."""
    by_group: dict[str, str]
    """The first organisation's invite code for each stakeholder group."""


def open_alliance(
    db: Database,
    framework: Framework,
    *,
    organisation_names: Sequence[str] = (ORGANISATION,),
    round_name: str = ROUND,
    closes_on: dt.date = CLOSES_ON,
    groups: Sequence[str] | None = None,
    live_results: bool = False,
) -> OpenAlliance:
    """Create the organisations, open a round and make a code per organisation and group
    (every group of the framework unless ``groups`` names some)."""
    groups = list(groups or framework.group_keys)
    for name in organisation_names:
        organisations.create_organisation(db, name=name, actor=ACTOR)
    info = rounds.create_round(db, name=round_name, closes_on=closes_on, actor=ACTOR)
    rounds.open_round(db, name=round_name, actor=ACTOR)
    if live_results:
        rounds.set_live_results(db, name=round_name, on=True, actor=ACTOR)
    codes = [
        invite_codes.create_invite_code(
            db,
            framework=framework,
            organisation=organisation,
            stakeholder_group=group,
            response_cap=10_000,
            actor=ACTOR,
        )[1]
        for organisation in organisation_names
        for group in groups
    ]
    first_organisations = dict(zip(groups, codes, strict=False))
    return OpenAlliance(round_id=info.id, codes=codes, by_group=first_organisations)


def answers(
    framework: Framework, comments: dict[str, str] | None = None, *, comment: str = ""
) -> dict[str, submissions.AnswerInput]:
    """A score for every point (1 to 5 in turn) and a comment: from ``comments`` by point,
    else ``comment``."""
    comments = comments or {}
    return {
        point: submissions.AnswerInput(score=i % 5 + 1, comment=comments.get(point, comment))
        for i, point in enumerate(framework.point_keys)
    }

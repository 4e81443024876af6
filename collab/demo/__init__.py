"""The demo alliance: an invented county homelessness alliance to explore the dashboard with.

Fictional organisations answer a few rounds (the last one open). Their answers are drawn
at random from target score distributions chosen so that the dashboard has something
real to find: points where the groups diverge, points where they agree, a group split
within itself, a point on which the groups converge over time, and a lived-experience
group too small to show in the first round.

The invented alliance itself (organisations, rounds, agreed actions, targets and
comments) is data, in ``alliance.toml`` and ``comments.toml`` beside this file; the
drawing is in ``draw.py``. Everything random comes from ``random.Random(seed)``: the same
seed gives the same answers and comments; another seed gives other answers with the same
patterns.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass

import sqlalchemy as sa
import sqlalchemy.orm as so

from collab.demo.alliance import Alliance, load_alliance
from collab.demo.draw import SCALE, draw_answers, plan_members, shows_the_patterns
from collab.domain import snapshots
from collab.domain.invite_codes import hash_code, new_secret_code
from collab.domain.submissions import NewResponse, add_responses
from collab.store.db import Database
from collab.store.errors import Refused
from collab.store.framework import Framework
from collab.store.models import (
    Action,
    AllianceSetting,
    ExpectedParticipation,
    InviteCode,
    Organisation,
    Round,
    Submission,
)

DEMO_LEADERSHIP_PASSCODE = "demo-leadership"
DEMO_ADMIN_PASSCODE = "demo-admin"
DEMO_SETTING_KEY = "demo"


@dataclass(frozen=True)
class DemoSummary:
    """What ``build_demo`` wrote. The invite codes are shown here once and never again."""

    organisations: int
    rounds: list[str]  # oldest first
    respondents_by_round: dict[str, int]
    # (organisation, stakeholder group key, code), usable in the open round
    invite_codes: list[tuple[str, str, str]]


# A seed whose draws keep missing the patterns means the targets in alliance.toml no longer
# produce them; give up rather than loop for ever.
MAX_DRAWS = 500


def _check_framework(alliance: Alliance, framework: Framework) -> None:
    if (
        sorted(framework.point_keys) != sorted(alliance.answers.target_means)
        or not set(alliance.groups) <= set(framework.group_keys)
        or tuple(s.value for s in framework.scale) != SCALE
    ):
        raise Refused(
            "The demo alliance is written for the default framework (eight learning "
            "points, the three stakeholder groups and a 1 to 5 scale); this framework file "
            "is different, so the demo can't be loaded."
        )


def _holds_data(session: so.Session) -> bool:
    return any(
        session.scalar(sa.select(model.id).limit(1)) is not None
        for model in (Organisation, Round, Submission)
    )


def is_empty(db: Database) -> bool:
    """True when the database holds no organisations, rounds or submissions."""
    with db.read() as session:
        return not _holds_data(session)


def is_demo(db: Database) -> bool:
    """True when the database was filled by ``build_demo``."""
    with db.read() as session:
        setting = session.get(AllianceSetting, DEMO_SETTING_KEY)
        return setting is not None and setting.value == "true"


def build_demo(db: Database, *, framework: Framework, seed: int = 7) -> DemoSummary:
    """Fill an empty database with the demo alliance in one transaction; say what was written.

    Refused, writing nothing, when the database already holds organisations, rounds or
    submissions, or when the framework is not the default one the demo is written for.
    """
    alliance = load_alliance()
    _check_framework(alliance, framework)
    rng = random.Random(seed)
    members_by_round = plan_members(rng, alliance)
    for _ in range(MAX_DRAWS):
        responses = draw_answers(rng, alliance, members_by_round, framework.point_keys)
        if shows_the_patterns(alliance, responses):
            break
    else:
        raise RuntimeError(
            f"No draw of the demo answers showed the intended patterns (seed {seed})"
        )

    everyone = sorted({m.index for members in members_by_round for m in members})
    numbers = rng.sample(range(1, len(everyone) + 1), len(everyone))
    references = {index: f"demo-{n:04d}" for index, n in zip(everyone, numbers, strict=True)}
    with_members = {m.organisation for members in members_by_round for m in members}
    codes = [
        (o.name, o.stakeholder_group, new_secret_code())
        for o in alliance.organisations
        if o in with_members
    ]

    with db.write() as session:
        if _holds_data(session):
            raise Refused(
                "This database already holds an alliance's organisations, rounds or answers, "
                "so the demo was not loaded. Point DATABASE_URL at a new, empty database "
                "to try the demo."
            )
        session.add(AllianceSetting(key=DEMO_SETTING_KEY, value="true"))
        organisations = {o.name: Organisation(name=o.name) for o in alliance.organisations}
        # Every demo round has been opened (each holds answers): on its opening date.
        rounds = [
            Round(
                name=r.name,
                opens_on=r.opens_on,
                closes_on=r.closes_on,
                is_open=r.is_open,
                opened_at=dt.datetime.combine(r.opens_on, dt.time()),
            )
            for r in alliance.rounds
        ]
        session.add_all([*organisations.values(), *rounds])
        session.flush()
        expected = {o.name: o.expected for o in alliance.organisations}
        session.add_all(
            InviteCode(
                code_hash=hash_code(code),
                organisation_id=organisations[name].id,
                stakeholder_group=group,
                response_cap=max(expected[name], 1),
            )
            for name, group, code in codes
        )
        add_responses(
            session,
            [
                NewResponse(
                    round_id=rounds[r.round_index].id,
                    organisation_id=organisations[r.member.organisation.name].id,
                    stakeholder_group=r.member.organisation.stakeholder_group,
                    answers=r.answers,
                    reference=references[r.member.index],
                )
                for r in responses
            ],
            source="demo",
        )
        session.add_all(
            ExpectedParticipation(
                organisation_id=organisations[o.name].id,
                stakeholder_group=o.stakeholder_group,
                expected=o.expected,
            )
            for o in alliance.organisations
        )
        for r in rounds:
            snapshots.publish_if_shown_in(
                session, round_id=r.id, min_group_size=snapshots.min_group_size_setting()
            )
        round_ids = {r.name: r.id for r in rounds}
        session.add_all(
            Action(
                round_id=round_ids[a.round_name],
                learning_point=a.learning_point,
                description=a.description,
                lead_organisation_id=organisations[a.lead].id,
                due_on=a.due_on,
                status=a.status,
            )
            for a in alliance.actions
        )

    return DemoSummary(
        organisations=len(alliance.organisations),
        rounds=[r.name for r in alliance.rounds],
        respondents_by_round={r.name: sum(r.respondents.values()) for r in alliance.rounds},
        invite_codes=codes,
    )

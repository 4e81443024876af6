"""Actions the leadership team agrees in its meetings, one learning point at a time.

An action belongs to the round whose results the meeting discussed. It stays listed in
the meetings of later rounds, with its status, so the team can see what became of it.

``record_action(db, actor=...)`` and ``update_action_status`` commit a change with its
audit entry; the ``..._in(session, ...)`` forms make the change alone inside a
transaction the caller holds (and audits).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pandas as pd
import sqlalchemy as sa
import sqlalchemy.orm as so

from collab.domain import audit
from collab.domain.organisations import closest_name
from collab.store.config import get_settings
from collab.store.db import Database
from collab.store.errors import NotFound, Refused
from collab.store.framework import Framework, load_framework
from collab.store.models import Action, Organisation, Round, utcnow

STATUSES = ("agreed", "in_progress", "done", "dropped")
STATUS_NAMES = {
    "agreed": "Agreed",
    "in_progress": "In progress",
    "done": "Done",
    "dropped": "Dropped",
}
MAX_DESCRIPTION_CHARS = 500
ACTION_COLUMNS = [
    "id",
    "round",
    "learning_point",
    "description",
    "lead_organisation",
    "due_on",
    "status",
    "created_at",
    "updated_at",
]
EXPORT_COLUMNS = [
    "round",
    "learning_point",
    "learning_point_title",
    "description",
    "lead_organisation",
    "due_on",
    "status",
    "updated_on",
]


@dataclass(frozen=True)
class ActionInfo:
    id: int
    round: str
    learning_point: str
    description: str
    lead_organisation: str | None
    due_on: dt.date | None
    status: str
    created_at: dt.datetime
    updated_at: dt.datetime

    @property
    def status_name(self) -> str:
        return STATUS_NAMES[self.status]


def _info(action: Action) -> ActionInfo:
    return ActionInfo(
        id=action.id,
        round=action.round.name,
        learning_point=action.learning_point,
        description=action.description,
        lead_organisation=action.lead_organisation.name if action.lead_organisation else None,
        due_on=action.due_on,
        status=action.status,
        created_at=action.created_at,
        updated_at=action.updated_at,
    )


def status_name(status: str) -> str:
    """The plain-language name of an action status ("in_progress" -> "In progress")."""
    return STATUS_NAMES.get(status, status)


def _check_status(status: str) -> str:
    if status not in STATUSES:
        names = ", ".join(STATUS_NAMES.values())
        raise Refused(f"'{status}' is not an action status; choose one of {names}.")
    return status


def _clean_description(description: str) -> str:
    text = " ".join(str(description).split())
    if not text:
        raise Refused("Describe the action in a sentence, for example who will do what.")
    if len(text) > MAX_DESCRIPTION_CHARS:
        raise Refused(
            f"An action can be at most {MAX_DESCRIPTION_CHARS} characters long; "
            f"this one has {len(text)}. Shorten it or split it into two actions."
        )
    return text


def _round_by_name(session: so.Session, name: str) -> Round:
    found = session.scalar(sa.select(Round).where(Round.name == name))
    if found is None:
        raise NotFound(f"There is no round called '{name}'.")
    return found


def _organisation_by_name(session: so.Session, name: str) -> Organisation:
    found = session.scalar(sa.select(Organisation).where(Organisation.name == name))
    if found is None:
        hint = closest_name(name, list(session.scalars(sa.select(Organisation.name))))
        raise NotFound(
            f"There is no organisation called '{name}'."
            + (f" Did you mean '{hint}'?" if hint else "")
        )
    return found


def record_action_in(
    session: so.Session,
    *,
    framework: Framework,
    round_name: str,
    learning_point: str,
    description: str,
    lead_organisation: str | None = None,
    due_on: dt.date | None = None,
) -> ActionInfo:
    """Add an agreed action in the caller's transaction (no audit entry).

    Checks as ``record_action`` does.
    """
    if learning_point not in framework.point_keys:
        raise NotFound(f"There is no learning point called '{learning_point}'.")
    text = _clean_description(description)
    round_row = _round_by_name(session, round_name)
    lead = (
        _organisation_by_name(session, lead_organisation.strip())
        if lead_organisation and lead_organisation.strip()
        else None
    )
    now = utcnow()
    action = Action(
        round=round_row,
        learning_point=learning_point,
        description=text,
        lead_organisation=lead,
        due_on=due_on,
        status="agreed",
        created_at=now,
        updated_at=now,
    )
    session.add(action)
    session.flush()
    return _info(action)


def update_action_status_in(
    session: so.Session, *, action_id: int, status: str
) -> tuple[ActionInfo, bool]:
    """Set an action's status in the caller's transaction (no audit entry).

    Returns the action and whether its status changed.
    """
    _check_status(status)
    action = session.get(Action, action_id)
    if action is None:
        raise NotFound("That action no longer exists.")
    changed = action.status != status
    if changed:
        action.status = status
        action.updated_at = utcnow()
    return _info(action), changed


def record_action(
    db: Database,
    *,
    actor: str,
    round_name: str,
    learning_point: str,
    description: str,
    lead_organisation: str | None = None,
    due_on: dt.date | None = None,
    framework: Framework | None = None,
) -> ActionInfo:
    """Store an agreed action on one learning point of a round, with status ``agreed``.

    The description is trimmed (runs of spaces become one) and must hold 1 to 500
    characters; the learning point must be one of the framework's (the configured
    framework when ``framework`` is None); the lead organisation, when given, must exist.
    Raises Refused or NotFound with a message for the user; nothing is stored then.
    Records ``action.record``.
    """
    framework = framework or load_framework(get_settings().framework_path)
    with db.write() as session:
        info = record_action_in(
            session,
            framework=framework,
            round_name=round_name,
            learning_point=learning_point,
            description=description,
            lead_organisation=lead_organisation,
            due_on=due_on,
        )
        audit.record(
            session,
            actor=actor,
            action="action.record",
            detail=(
                f"Recorded action no. {info.id} on learning point {info.learning_point} "
                f"for round '{info.round}'."
            ),
        )
    return info


def update_action_status(db: Database, *, actor: str, action_id: int, status: str) -> ActionInfo:
    """Set an action's status (agreed, in_progress, done or dropped); returns the action.

    A change of status is recorded as ``action.status``; setting the status it already
    has changes nothing and records nothing.
    """
    with db.write() as session:
        info, changed = update_action_status_in(session, action_id=action_id, status=status)
        if changed:
            audit.record(
                session,
                actor=actor,
                action="action.status",
                detail=f"Set action no. {info.id} to '{info.status_name}'.",
            )
    return info


def list_actions(
    db: Database, *, up_to_round: str | None = None, learning_point: str | None = None
) -> pd.DataFrame:
    """Agreed actions, oldest round first, then in the order they were recorded.

    ``up_to_round`` keeps the actions of that round and of every round created before it
    (what a meeting on that round follows up); ``learning_point`` keeps one point's.
    Columns of ``ACTION_COLUMNS``; ``lead_organisation`` and ``due_on`` are None when
    not set. Raises NotFound for an unknown round.
    """
    lead = so.aliased(Organisation)
    query = (
        sa.select(
            Action.id,
            Round.name,
            Action.learning_point,
            Action.description,
            lead.name,
            Action.due_on,
            Action.status,
            Action.created_at,
            Action.updated_at,
        )
        .join(Round, Round.id == Action.round_id)
        .outerjoin(lead, lead.id == Action.lead_organisation_id)
        .order_by(Round.id, Action.id)
    )
    if learning_point is not None:
        query = query.where(Action.learning_point == learning_point)
    with db.read() as session:
        if up_to_round is not None:
            query = query.where(Round.id <= _round_by_name(session, up_to_round).id)
        rows = [tuple(r) for r in session.execute(query).all()]
    frame = pd.DataFrame(rows, columns=ACTION_COLUMNS)
    frame["id"] = frame["id"].astype(int)
    for column in ("lead_organisation", "due_on"):
        frame[column] = frame[column].astype(object).where(frame[column].notna(), None)
    return frame


def actions_frame_for_export(
    db: Database, *, framework: Framework, up_to_round: str | None = None
) -> pd.DataFrame:
    """The actions as a table to share: columns of ``EXPORT_COLUMNS``.

    Statuses are in words, the learning point has its title beside its key and
    ``updated_on`` is the date of the last change. Text is as typed: write it with
    ``collab.files.exports.write_frame`` or ``write_workbook``, which neutralise formulas.
    """
    actions = list_actions(db, up_to_round=up_to_round)
    titles = {p.key: p.title for p in framework.learning_points}
    frame = pd.DataFrame(
        {
            "round": actions["round"],
            "learning_point": actions["learning_point"],
            "learning_point_title": [titles.get(k, k) for k in actions["learning_point"]],
            "description": actions["description"],
            "lead_organisation": actions["lead_organisation"],
            "due_on": actions["due_on"],
            "status": [status_name(s) for s in actions["status"]],
            "updated_on": [pd.Timestamp(t).date() for t in actions["updated_at"]],
        },
        columns=EXPORT_COLUMNS,
    )
    return frame.astype(object)

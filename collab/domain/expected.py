"""Expected participation: how many people the coordinator expects from each
organisation's stakeholder group. The figures built on these numbers live in
``collab.stats.participation``.

``save_expected_participation(db, actor=...)`` commits the numbers with their audit
entry; ``save_expected_in(session, ...)`` makes the change alone inside a transaction
the caller holds (and audits).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import sqlalchemy as sa
import sqlalchemy.orm as so

from collab.domain import audit
from collab.store.db import Database
from collab.store.errors import NotFound, Refused
from collab.store.framework import Framework
from collab.store.models import ExpectedParticipation, Organisation
from collab.store.types import Cell

EXPECTED_COLUMNS = ["organisation", "stakeholder_group", "expected"]
MAX_EXPECTED = 100_000


def _expected_number(value: Cell) -> int | None:
    if value is None or value is pd.NA or (isinstance(value, float) and np.isnan(value)):
        return None
    try:
        number = float(value)
    except (TypeError, ValueError) as exc:
        raise Refused(f"'{value}' is not a number of people.") from exc
    if number != int(number) or not 0 <= number <= MAX_EXPECTED:
        raise Refused(f"An expected number must be a whole number from 0 up; got {value}.")
    return int(number)


def save_expected_in(
    session: so.Session, *, framework: Framework, table: pd.DataFrame
) -> list[str]:
    """Store the numbers of ``table`` in the caller's transaction (no audit entry).

    Checks every row as ``save_expected_participation`` does; returns one line per
    number that changed, such as ``Riverside, Service providers: 12``.
    """
    wanted: dict[tuple[str, str], int | None] = {}
    for row in table.itertuples(index=False):
        group = str(row.stakeholder_group)
        if group not in framework.group_keys:
            raise NotFound(f"There is no stakeholder group called '{group}'.")
        wanted[(str(row.organisation), group)] = _expected_number(row.expected)
    organisations = dict(session.execute(sa.select(Organisation.name, Organisation.id)).all())
    unknown = sorted({name for name, _ in wanted} - set(organisations))
    if unknown:
        raise NotFound(f"There is no organisation called '{unknown[0]}'.")
    stored = {
        (e.organisation_id, e.stakeholder_group): e
        for e in session.scalars(sa.select(ExpectedParticipation))
    }
    changed: list[str] = []
    for (name, group), number in wanted.items():
        existing = stored.get((organisations[name], group))
        if number is None and existing is not None:
            session.delete(existing)
        elif number is not None and existing is None:
            session.add(
                ExpectedParticipation(
                    organisation_id=organisations[name], stakeholder_group=group, expected=number
                )
            )
        elif number is not None and existing is not None and existing.expected != number:
            existing.expected = number
        else:
            continue
        shown = "no number" if number is None else str(number)
        changed.append(f"{name}, {framework.group_name(group)}: {shown}")
    return changed


def save_expected_participation(
    db: Database, *, actor: str, framework: Framework, table: pd.DataFrame
) -> int:
    """Store the expected numbers of ``table`` (organisation, stakeholder_group, expected).

    A missing ``expected`` removes the number. Every row is checked first (known
    organisation and group, a whole number from 0 up); nothing is stored unless every row
    is valid. Any change is recorded as ``participation.expected``. Returns how many
    numbers changed.
    """
    with db.write() as session:
        changed = save_expected_in(session, framework=framework, table=table)
        if changed:
            audit.record(
                session,
                actor=actor,
                action="participation.expected",
                detail="Expected responses set. " + "; ".join(changed),
            )
    return len(changed)


def set_expected_participation(
    db: Database,
    *,
    actor: str,
    framework: Framework,
    organisation: str,
    stakeholder_group: str,
    expected: int | None,
) -> None:
    """Set (or, with None, remove) the responses expected from one organisation's group."""
    table = pd.DataFrame([(organisation, stakeholder_group, expected)], columns=EXPECTED_COLUMNS)
    save_expected_participation(db, actor=actor, framework=framework, table=table)


def expected_in(session: so.Session, *, organisation_id: int, stakeholder_group: str) -> int | None:
    """The number of people expected from one organisation's group, None when not set."""
    return session.scalar(
        sa.select(ExpectedParticipation.expected).where(
            ExpectedParticipation.organisation_id == organisation_id,
            ExpectedParticipation.stakeholder_group == stakeholder_group,
        )
    )


def expected_number(db: Database, *, organisation: str, stakeholder_group: str) -> int | None:
    """The number of people expected from ``organisation``'s group, None when not set."""
    with db.read() as session:
        organisation_id = session.scalar(
            sa.select(Organisation.id).where(Organisation.name == organisation)
        )
        if organisation_id is None:
            return None
        return expected_in(
            session, organisation_id=organisation_id, stakeholder_group=stakeholder_group
        )

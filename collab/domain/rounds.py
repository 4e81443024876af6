"""Rounds of self-assessment: create, open, close, live results."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import sqlalchemy as sa

from collab.store.db import Database
from collab.store.errors import NotFound, Refused
from collab.store.models import Round


@dataclass(frozen=True)
class RoundInfo:
    id: int
    name: str
    opens_on: dt.date | None
    closes_on: dt.date | None
    is_open: bool
    live_results: bool

    @property
    def status(self) -> str:
        return "open" if self.is_open else "closed"

    @property
    def results_visible(self) -> bool:
        """Group results show once a round closes, or while open with live results on."""
        return (not self.is_open) or self.live_results


def _info(r: Round) -> RoundInfo:
    return RoundInfo(r.id, r.name, r.opens_on, r.closes_on, r.is_open, r.live_results)


def _by_name(session, name: str) -> Round:
    found = session.scalar(sa.select(Round).where(Round.name == name))
    if found is None:
        raise NotFound(f"There is no round called '{name}'.")
    return found


def create_round(
    db: Database,
    *,
    name: str,
    opens_on: dt.date | None = None,
    closes_on: dt.date | None = None,
    live_results: bool = False,
) -> RoundInfo:
    """Create a closed round; open it with ``open_round``."""
    name = name.strip()
    if not name:
        raise Refused("A round needs a name, for example 'Spring 2027'.")
    if opens_on and closes_on and closes_on < opens_on:
        raise Refused("A round cannot close before it opens.")
    with db.write() as session:
        if session.scalar(sa.select(Round.id).where(Round.name == name)) is not None:
            raise Refused(f"A round called '{name}' already exists.")
        r = Round(name=name, opens_on=opens_on, closes_on=closes_on, live_results=live_results)
        session.add(r)
        session.flush()
        return _info(r)


def open_round(db: Database, *, name: str, allow_several: bool = False) -> RoundInfo:
    """Open a round. Refused while another round is open, unless ``allow_several``."""
    with db.write() as session:
        r = _by_name(session, name)
        others = session.scalars(sa.select(Round.name).where(Round.is_open, Round.id != r.id)).all()
        if others and not allow_several:
            raise Refused(
                f"Round '{others[0]}' is still open. Close it first, "
                "or choose to keep several rounds open."
            )
        r.is_open = True
        return _info(r)


def close_round(db: Database, *, name: str) -> RoundInfo:
    with db.write() as session:
        r = _by_name(session, name)
        r.is_open = False
        return _info(r)


def set_live_results(db: Database, *, name: str, on: bool) -> RoundInfo:
    with db.write() as session:
        r = _by_name(session, name)
        r.live_results = on
        return _info(r)


def list_rounds(db: Database) -> list[RoundInfo]:
    """Every round, oldest first."""
    with db.read() as session:
        return [_info(r) for r in session.scalars(sa.select(Round).order_by(Round.id))]


def get_round(db: Database, name: str) -> RoundInfo:
    with db.read() as session:
        return _info(_by_name(session, name))


def current_round(db: Database) -> RoundInfo | None:
    """The open round most recently created, or None when every round is closed."""
    with db.read() as session:
        r = session.scalar(sa.select(Round).where(Round.is_open).order_by(Round.id.desc()))
        return _info(r) if r else None


def latest_closed_round(db: Database) -> RoundInfo | None:
    with db.read() as session:
        r = session.scalar(sa.select(Round).where(~Round.is_open).order_by(Round.id.desc()))
        return _info(r) if r else None

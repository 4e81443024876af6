"""Rounds of self-assessment: create, open, close, live results.

Each change has two forms: ``create_round(db, actor=...)`` and its siblings commit the
change with its audit entry; ``create_round_in(session, ...)`` and its siblings make the
change alone inside a transaction the caller holds (and audits).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import sqlalchemy as sa
import sqlalchemy.orm as so

from collab.domain import audit, drafts, names, snapshots
from collab.store.db import Database
from collab.store.errors import NotFound, Refused
from collab.store.models import AllianceSetting, Round, utcnow

STATUS_TEXTS = {"not_opened": "not yet opened", "open": "open", "closed": "closed"}


@dataclass(frozen=True)
class RoundInfo:
    id: int
    name: str
    opens_on: dt.date | None
    closes_on: dt.date | None
    is_open: bool
    live_results: bool
    opened: bool = True

    @property
    def status(self) -> str:
        """``not_opened`` (created, never opened), ``open`` or ``closed``."""
        if self.is_open:
            return "open"
        return "closed" if self.opened else "not_opened"

    @property
    def status_text(self) -> str:
        """The state in words: "not yet opened", "open" or "closed"."""
        return STATUS_TEXTS[self.status]

    @property
    def results_visible(self) -> bool:
        """Group results show once a round closes, or while open with live results on."""
        return (not self.is_open) or self.live_results


def _info(r: Round) -> RoundInfo:
    return RoundInfo(
        r.id,
        r.name,
        r.opens_on,
        r.closes_on,
        r.is_open,
        r.live_results,
        opened=r.is_open or r.opened_at is not None,
    )


def _by_name(session: so.Session, name: str) -> Round:
    found = session.scalar(sa.select(Round).where(Round.name == name))
    if found is None and names.tidy(name) != name:
        found = session.scalar(sa.select(Round).where(Round.name == names.tidy(name)))
    if found is None:
        raise NotFound(f"There is no round called '{name}'.")
    return found


def create_round_in(
    session: so.Session,
    *,
    name: str,
    opens_on: dt.date | None = None,
    closes_on: dt.date | None = None,
    live_results: bool = False,
) -> RoundInfo:
    """Add a round, not yet opened, in the caller's transaction (no audit entry).

    The name is cleaned and checked by ``collab.domain.names``; a name that differs from
    an existing one only in capitals or in the form of its letters is refused.
    """
    name = names.clean(name, names.ROUND)
    if not name:
        raise Refused("A round needs a name, for example 'Spring 2027'.")
    if opens_on and closes_on and closes_on < opens_on:
        raise Refused("A round cannot close before it opens.")
    key = names.same_name_key(name)
    for existing in session.scalars(sa.select(Round.name)):
        if names.same_name_key(existing) == key:
            raise Refused(f"A round called '{existing}' already exists.")
    r = Round(name=name, opens_on=opens_on, closes_on=closes_on, live_results=live_results)
    session.add(r)
    session.flush()
    return _info(r)


def open_round_in(session: so.Session, *, name: str, allow_several: bool = False) -> RoundInfo:
    """Open a round in the caller's transaction (no audit entry).

    Refused while another round is open, unless ``allow_several``.
    """
    r = _by_name(session, name)
    if r.opened_at is not None and not r.is_open:
        raise Refused(
            f"Round '{r.name}' has closed and its answers are frozen, so it can't open "
            "again. Open a new round, or correct this one with an amendment import."
        )
    others = session.scalars(sa.select(Round.name).where(Round.is_open, Round.id != r.id)).all()
    if others and not allow_several:
        raise Refused(
            f"Round '{others[0]}' is still open. Close it first, "
            "or choose to keep several rounds open."
        )
    r.is_open = True
    if r.opened_at is None:
        r.opened_at = utcnow()
    return _info(r)


def close_round_in(
    session: so.Session, *, name: str, min_group_size: int | None = None
) -> RoundInfo:
    """Close a round and publish its answers under the release rule, in the caller's
    transaction (no audit entry). Its answers are frozen from now on, and the drafts of
    answers not sent in it are deleted."""
    r = _by_name(session, name)
    r.is_open = False
    drafts.discard_round_in(session, round_id=r.id)
    snapshots.publish_in(
        session, round_id=r.id, min_group_size=min_group_size or snapshots.min_group_size_setting()
    )
    return _info(r)


def why_no_live_results(info: RoundInfo) -> str | None:
    """Why live results can't be turned on for the round, or None when they can (it is open).

    Live results show an open round's results while answers come in: a closed round's
    results show anyway, and a round not yet opened has no answers.
    """
    if info.status == "closed":
        return (
            f"Round '{info.name}' is closed: its results are already shown to the "
            "leadership team, so live results are not needed."
        )
    if info.status == "not_opened":
        return (
            f"Round '{info.name}' is not open yet. Open it first; live results show a "
            "round's results while it is open."
        )
    return None


def set_live_results_in(
    session: so.Session, *, name: str, on: bool, min_group_size: int | None = None
) -> RoundInfo:
    """Turn live results on or off in the caller's transaction (no audit entry); turned
    on, the round's answers are published under the release rule.

    Turning them on is refused unless the round is open (``why_no_live_results``);
    turning them off is always allowed.
    """
    r = _by_name(session, name)
    if on and (refusal := why_no_live_results(_info(r))):
        raise Refused(refusal)
    r.live_results = on
    if on and r.is_open:
        snapshots.publish_in(
            session,
            round_id=r.id,
            min_group_size=min_group_size or snapshots.min_group_size_setting(),
        )
    return _info(r)


def _dates(info: RoundInfo) -> str:
    parts = []
    if info.opens_on:
        parts.append(f"opens {info.opens_on.isoformat()}")
    if info.closes_on:
        parts.append(f"closes {info.closes_on.isoformat()}")
    return ", ".join(parts) or "no dates set"


def create_round(
    db: Database,
    *,
    actor: str,
    name: str,
    opens_on: dt.date | None = None,
    closes_on: dt.date | None = None,
    live_results: bool = False,
) -> RoundInfo:
    """Create a round, not yet opened (open it with ``open_round``); record ``round.create``."""
    with db.write() as session:
        info = create_round_in(
            session, name=name, opens_on=opens_on, closes_on=closes_on, live_results=live_results
        )
        audit.record(
            session,
            actor=actor,
            action="round.create",
            detail=f"Created round '{info.name}' ({_dates(info)}).",
        )
    return info


def open_round(db: Database, *, actor: str, name: str, allow_several: bool = False) -> RoundInfo:
    """Open a round (refused while another is open, unless ``allow_several``); record it."""
    with db.write() as session:
        info = open_round_in(session, name=name, allow_several=allow_several)
        detail = f"Opened round '{info.name}'"
        detail += " (several rounds may be open)." if allow_several else "."
        audit.record(session, actor=actor, action="round.open", detail=detail)
    return info


def close_round(db: Database, *, actor: str, name: str) -> RoundInfo:
    """Close a round and record ``round.close``."""
    with db.write() as session:
        info = close_round_in(session, name=name)
        audit.record(
            session, actor=actor, action="round.close", detail=f"Closed round '{info.name}'."
        )
    return info


def set_live_results(db: Database, *, actor: str, name: str, on: bool) -> RoundInfo:
    """Turn live results on or off for a round and record ``round.live_results``.

    Turning them on is refused, with the reason, unless the round is open.
    """
    with db.write() as session:
        info = set_live_results_in(session, name=name, on=on)
        audit.record(
            session,
            actor=actor,
            action="round.live_results",
            detail=f"Turned live results {'on' if on else 'off'} for round '{info.name}'.",
        )
    return info


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
    """The closed round most recently created (never one not yet opened), or None."""
    with db.read() as session:
        r = session.scalar(
            sa.select(Round)
            .where(~Round.is_open, Round.opened_at.is_not(None))
            .order_by(Round.id.desc())
        )
        return _info(r) if r else None


# An alliance setting per round whose results the administrator shared with members.
SHARED_SETTING = "results_shared:{round_id}"


def set_results_shared(db: Database, *, actor: str, name: str, shared: bool) -> RoundInfo:
    """Share a closed round's results with members (on Home), or stop sharing them; record
    ``round.share_results``. Refused for a round that is not closed: its results are not
    final yet."""
    with db.write() as session:
        r = _by_name(session, name)
        info = _info(r)
        if shared and info.status != "closed":
            raise Refused(
                f"Round '{r.name}' is {info.status_text}: its results can be shared with "
                "members once it has closed."
            )
        key = SHARED_SETTING.format(round_id=r.id)
        found = session.get(AllianceSetting, key)
        if shared and found is None:
            session.add(AllianceSetting(key=key, value="true"))
        elif not shared and found is not None:
            session.delete(found)
        audit.record(
            session,
            actor=actor,
            action="round.share_results",
            detail=(
                f"Shared the results of round '{r.name}' with members."
                if shared
                else f"Stopped sharing the results of round '{r.name}' with members."
            ),
        )
    return info


def shared_rounds(db: Database) -> list[RoundInfo]:
    """The closed rounds whose results members may see, oldest first."""
    with db.read() as session:
        keys = set(
            session.scalars(
                sa.select(AllianceSetting.key).where(AllianceSetting.key.like("results_shared:%"))
            )
        )
        found = session.scalars(sa.select(Round).order_by(Round.id))
        return [
            info
            for info in (_info(r) for r in found)
            if SHARED_SETTING.format(round_id=info.id) in keys and info.status == "closed"
        ]

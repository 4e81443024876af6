"""Wrong passcodes counted in the database, per role and per client address.

A guess costs the same whichever browser session, tab or reload it comes from: the
count belongs to the role tried and to the address the try came from, and either one
being locked refuses the try. The rule for how long a count locks is
``access.lock_seconds``. Each wrong passcode is written to the audit log (never the
passcode itself); a correct one, when nothing is locked, resets both counts.

A try is decided in one writing transaction that holds both counters, so tries sent at
the same moment are counted one after another and none slips past a lock.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass

import sqlalchemy as sa
import sqlalchemy.orm as so
from sqlalchemy.dialects import postgresql, sqlite

from collab.domain import audit
from collab.domain.access import PASSCODE_SETTINGS, ROLE_NAMES, lock_seconds
from collab.store.db import Database
from collab.store.models import SignInThrottle, utcnow

ROLE = "role"
CLIENT = "client"
# The client address when the server can't tell it (a local connection, a test).
UNKNOWN_CLIENT = "unknown"
# The audit actor of a wrong passcode: nobody is signed in as the role tried.
UNKNOWN_ACTOR = "unknown"
CLIENT_NAME_LENGTH = 100


@dataclass(frozen=True)
class SignInOutcome:
    """Whether the try signs in, and the whole seconds before another try is allowed."""

    accepted: bool
    wait_seconds: int = 0


def client_name(address: str | None) -> str:
    """The name a client address is counted under (``unknown`` when there is none)."""
    address = (address or "").strip()
    return address[:CLIENT_NAME_LENGTH] if address else UNKNOWN_CLIENT


def _seconds_left(locked_until: dt.datetime | None, now: dt.datetime) -> int:
    if locked_until is None:
        return 0
    return max(0, math.ceil((locked_until - now).total_seconds()))


def _held_rows(session: so.Session, subjects: list[tuple[str, str]]) -> list[SignInThrottle]:
    """The counters of ``subjects``, created when missing, locked until the commit."""
    dialect = session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    for kind, name in subjects:  # always in the same order, so two tries never deadlock
        session.execute(
            insert(SignInThrottle)
            .values(kind=kind, name=name, failures=0)
            .on_conflict_do_nothing(index_elements=["kind", "name"])
        )
    rows = session.scalars(
        sa.select(SignInThrottle)
        .where(
            sa.or_(
                *(
                    sa.and_(SignInThrottle.kind == kind, SignInThrottle.name == name)
                    for kind, name in subjects
                )
            )
        )
        .order_by(SignInThrottle.kind, SignInThrottle.name)
        .with_for_update()
        .execution_options(populate_existing=True)
    ).all()
    return list(rows)


def try_passcode(
    db: Database,
    *,
    actor: str,
    role: str,
    client: str | None,
    passcode_matches: bool,
    now: dt.datetime | None = None,
) -> SignInOutcome:
    """Decide a sign-in try for ``role`` from ``client`` whose passcode did or didn't match.

    While the role or the client is locked the try is refused whatever the passcode, and
    nothing is counted. Otherwise a matching passcode signs in and resets both counts; a
    wrong one adds to both, locks them once ``access.FREE_TRIES`` run out, and is audited
    as ``sign_in.failed`` under ``actor``. ``now`` is naive UTC (default: the clock).
    """
    if role not in PASSCODE_SETTINGS:
        raise ValueError(f"no passcode sign-in for role {role!r}")
    now = now or utcnow()
    address = client_name(client)
    subjects = sorted([(ROLE, role), (CLIENT, address)])
    with db.write() as session:
        rows = _held_rows(session, subjects)
        wait = max(_seconds_left(row.locked_until, now) for row in rows)
        if wait:
            return SignInOutcome(accepted=False, wait_seconds=wait)
        if passcode_matches:
            for row in rows:
                session.delete(row)
            return SignInOutcome(accepted=True)
        for row in rows:
            row.failures += 1
            row.last_failed_at = now
            seconds = lock_seconds(row.failures)
            row.locked_until = now + dt.timedelta(seconds=seconds) if seconds else None
        wait = max(_seconds_left(row.locked_until, now) for row in rows)
        counts = {row.kind: row.failures for row in rows}
        detail = (
            f"Wrong passcode for {ROLE_NAMES[role]} from address {address}: "
            f"{counts[ROLE]} in a row for this role, {counts[CLIENT]} from this address."
        )
        if wait:
            detail += f" Sign-in locked for {wait} seconds."
        audit.record(session, actor=actor, action="sign_in.failed", detail=detail)
    return SignInOutcome(accepted=False, wait_seconds=wait)

"""The audit log: who did what to the alliance's set-up and data, and when.

A change and its entry are written in one transaction, so the two commit together or not
at all. The actor is the signed-in role for a page ("admin", "leadership") and
``COMMAND_LINE`` for ``python -m collab``. Details are for people to read and never hold
an invite code, a receipt code or a passcode.
"""

from __future__ import annotations

import pandas as pd
import sqlalchemy as sa
import sqlalchemy.orm as so

from collab.store.db import Database
from collab.store.models import AuditEntry, utcnow

COLUMNS = ["at", "actor", "action", "detail"]
COMMAND_LINE = "command line"


def record(session: so.Session, *, actor: str, action: str, detail: str) -> None:
    """Add an entry (time now, UTC) to the caller's open writing session.

    ``action`` is a short dotted name such as ``round.create``; ``detail`` says in plain
    words what changed.
    """
    session.add(AuditEntry(at=utcnow(), actor=actor, action=action, detail=detail))


def record_export(
    db: Database, *, actor: str, what: str, round_name: str, format_name: str
) -> None:
    """Record ``export.download``: ``what`` of a round left the app as ``format_name``."""
    with db.write() as session:
        record(
            session,
            actor=actor,
            action="export.download",
            detail=f"Downloaded {what} of round '{round_name}' as {format_name}.",
        )


def recent_entries(db: Database, limit: int = 200) -> pd.DataFrame:
    """The newest ``limit`` entries, newest first, with columns at, actor, action, detail."""
    query = (
        sa.select(AuditEntry.at, AuditEntry.actor, AuditEntry.action, AuditEntry.detail)
        .order_by(AuditEntry.id.desc())
        .limit(limit)
    )
    with db.read() as session:
        rows = session.execute(query).all()
    return pd.DataFrame([tuple(r) for r in rows], columns=COLUMNS)

"""The audit log: which role did what to the alliance's set-up, and when.

An entry is written inside the same writing transaction as the action it records, so the
two commit together or not at all. Details are for people to read and never hold an
invite code, a receipt code or a passcode.
"""

from __future__ import annotations

import pandas as pd
import sqlalchemy as sa
import sqlalchemy.orm as so

from collab.store.db import Database
from collab.store.models import AuditEntry, utcnow

COLUMNS = ["at", "role", "action", "detail"]


def record(session: so.Session, *, role: str, action: str, detail: str) -> None:
    """Add an entry (time now, UTC) to the caller's open writing session.

    ``action`` is a short dotted name such as ``round.create``; ``detail`` says in plain
    words what changed.
    """
    session.add(AuditEntry(at=utcnow(), role=role, action=action, detail=detail))


def recent_entries(db: Database, limit: int = 200) -> pd.DataFrame:
    """The newest ``limit`` entries, newest first, with columns at, role, action, detail."""
    query = (
        sa.select(AuditEntry.at, AuditEntry.role, AuditEntry.action, AuditEntry.detail)
        .order_by(AuditEntry.id.desc())
        .limit(limit)
    )
    with db.read() as session:
        rows = session.execute(query).all()
    return pd.DataFrame([tuple(r) for r in rows], columns=COLUMNS)

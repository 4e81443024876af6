"""The administrator's actions, each written to the audit log with the change it records.

Every function here does one administrative action through the domain modules and adds
one audit entry. Where the action is a single write, the action and its entry run in one
transaction (they commit together or not at all); exports and backups are reads, so
their entry is written once the file has been produced. No entry holds an invite code.

The tables the administration page shows are built here too, so the page stays thin.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from contextlib import contextmanager

import pandas as pd
import sqlalchemy.orm as so

from collab.domain import audit, backup, invite_codes, organisations, rounds
from collab.domain.invite_codes import InviteCodeInfo
from collab.domain.organisations import OrganisationInfo
from collab.domain.rounds import RoundInfo
from collab.files import exports, imports
from collab.store.db import Database
from collab.store.errors import NotFound
from collab.store.framework import Framework
from collab.store.models import Organisation

BACKUP_MIME_TYPE = "application/vnd.sqlite3"


class _OneTransaction(Database):
    """The database as seen from inside one open writing session.

    Domain functions called with it read and write through that session, so their
    change and the audit entry added after it commit together.
    """

    def __init__(self, session: so.Session, database: Database):
        self.engine = database.engine
        self.is_sqlite = database.is_sqlite
        self._session = session

    @contextmanager
    def read(self) -> Iterator[so.Session]:
        yield self._session

    @contextmanager
    def write(self) -> Iterator[so.Session]:
        yield self._session


@contextmanager
def _audited(db: Database) -> Iterator[tuple[Database, so.Session]]:
    """A writing transaction: the database to pass to domain functions, and its session."""
    with db.write() as session:
        yield _OneTransaction(session, db), session


def _dates(info: RoundInfo) -> str:
    parts = []
    if info.opens_on:
        parts.append(f"opens {info.opens_on.isoformat()}")
    if info.closes_on:
        parts.append(f"closes {info.closes_on.isoformat()}")
    return ", ".join(parts) or "no dates set"


# Rounds


def admin_create_round(
    db: Database,
    *,
    role: str,
    name: str,
    opens_on: dt.date | None = None,
    closes_on: dt.date | None = None,
) -> RoundInfo:
    """Create a closed round and record ``round.create``."""
    with _audited(db) as (within, session):
        info = rounds.create_round(within, name=name, opens_on=opens_on, closes_on=closes_on)
        audit.record(
            session,
            role=role,
            action="round.create",
            detail=f"Created round '{info.name}' ({_dates(info)}).",
        )
    return info


def admin_open_round(
    db: Database, *, role: str, name: str, allow_several: bool = False
) -> RoundInfo:
    """Open a round (refused while another is open, unless ``allow_several``); record it."""
    with _audited(db) as (within, session):
        info = rounds.open_round(within, name=name, allow_several=allow_several)
        detail = f"Opened round '{info.name}'"
        detail += " (several rounds may be open)." if allow_several else "."
        audit.record(session, role=role, action="round.open", detail=detail)
    return info


def admin_close_round(db: Database, *, role: str, name: str) -> RoundInfo:
    """Close a round and record ``round.close``."""
    with _audited(db) as (within, session):
        info = rounds.close_round(within, name=name)
        audit.record(
            session, role=role, action="round.close", detail=f"Closed round '{info.name}'."
        )
    return info


def admin_set_live_results(db: Database, *, role: str, name: str, on: bool) -> RoundInfo:
    """Turn live results on or off for a round and record ``round.live_results``."""
    with _audited(db) as (within, session):
        info = rounds.set_live_results(within, name=name, on=on)
        state = "on" if on else "off"
        audit.record(
            session,
            role=role,
            action="round.live_results",
            detail=f"Turned live results {state} for round '{info.name}'.",
        )
    return info


# Organisations


def admin_create_organisation(db: Database, *, role: str, name: str) -> OrganisationInfo:
    """Add an organisation and record ``organisation.create``."""
    with _audited(db) as (within, session):
        info = organisations.create_organisation(within, name=name)
        audit.record(
            session,
            role=role,
            action="organisation.create",
            detail=f"Added organisation '{info.name}'.",
        )
    return info


def admin_rename_organisation(
    db: Database, *, role: str, organisation_id: int, name: str
) -> OrganisationInfo:
    """Rename an organisation (its history follows it) and record ``organisation.rename``."""
    with _audited(db) as (within, session):
        before = session.get(Organisation, organisation_id)
        if before is None:
            raise NotFound("That organisation no longer exists.")
        old_name = before.name
        info = organisations.rename_organisation(within, organisation_id=organisation_id, name=name)
        audit.record(
            session,
            role=role,
            action="organisation.rename",
            detail=f"Renamed organisation '{old_name}' to '{info.name}'.",
        )
    return info


def admin_set_organisation_active(
    db: Database, *, role: str, organisation_id: int, active: bool
) -> OrganisationInfo:
    """Deactivate or reactivate an organisation (history kept); record the change."""
    with _audited(db) as (within, session):
        info = organisations.set_organisation_active(
            within, organisation_id=organisation_id, active=active
        )
        verb = "Reactivated" if active else "Deactivated"
        audit.record(
            session,
            role=role,
            action="organisation.reactivate" if active else "organisation.deactivate",
            detail=f"{verb} organisation '{info.name}'.",
        )
    return info


# Invite codes


def admin_create_invite_code(
    db: Database,
    *,
    role: str,
    framework: Framework,
    organisation: str,
    stakeholder_group: str,
) -> tuple[InviteCodeInfo, str]:
    """Create an invite code; return its record and the code (to show once).

    The audit entry names the code's number, organisation and group, never the code.
    """
    with _audited(db) as (within, session):
        info, code = invite_codes.create_invite_code(
            within,
            framework=framework,
            organisation=organisation,
            stakeholder_group=stakeholder_group,
        )
        audit.record(
            session,
            role=role,
            action="invite_code.create",
            detail=(
                f"Created invite code no. {info.id} for {info.organisation} "
                f"({framework.group_name(info.stakeholder_group)})."
            ),
        )
    return info, code


def admin_revoke_invite_code(db: Database, *, role: str, code_id: int) -> InviteCodeInfo:
    """Revoke an invite code so it is refused from now on; record ``invite_code.revoke``."""
    with _audited(db) as (within, session):
        info = invite_codes.revoke_invite_code(within, code_id=code_id)
        audit.record(
            session,
            role=role,
            action="invite_code.revoke",
            detail=(
                f"Revoked invite code no. {info.id} of {info.organisation} "
                f"({info.stakeholder_group})."
            ),
        )
    return info


# Import, export, backup


def admin_import_responses(
    db: Database,
    *,
    role: str,
    plan: imports.ImportPlan,
    file_name: str = "",
    progress: Callable[[int, int], None] | None = None,
) -> int:
    """Write a checked import plan, all or nothing, with its ``responses.import`` entry.

    Returns the number of responses imported. Raises ImportRejected for a plan with
    problems, writing nothing.
    """
    with _audited(db) as (within, session):
        count = imports.apply_import(within, plan, progress=progress)
        source = f" from {file_name}" if file_name else ""
        created = _to_create(plan)
        detail = f"Imported {count} responses{source}" + (
            f", creating {created}." if created else "."
        )
        audit.record(session, role=role, action="responses.import", detail=detail)
    return count


def _to_create(plan: imports.ImportPlan) -> str:
    return "; ".join(
        f"{kind} {', '.join(names)}"
        for kind, names in (
            ("rounds", plan.rounds_to_create),
            ("organisations", plan.organisations_to_create),
        )
        if names
    )


def import_also_creates(plan: imports.ImportPlan) -> str | None:
    """A sentence naming the rounds and organisations an import would create, if any."""
    to_create = _to_create(plan)
    return f"The import will also create {to_create}." if to_create else None


def admin_export(
    db: Database, *, role: str, framework: Framework, what: str, round_name: str, fmt: str
) -> bytes:
    """The export ``what`` (a key of ``exports.EXPORTS``) of a round; record the download."""
    data = exports.EXPORTS[what](db, framework=framework, round_name=round_name, fmt=fmt)
    with db.write() as session:
        audit.record(
            session,
            role=role,
            action="export.download",
            detail=(
                f"Downloaded {what} of round '{round_name}' as "
                f"{exports.FORMAT_NAMES.get(fmt, fmt)}."
            ),
        )
    return data


def admin_backup_bytes(db: Database, *, role: str) -> bytes:
    """A consistent, checked snapshot of the database as bytes; record ``backup.download``.

    Raises Refused on PostgreSQL (back up with ``pg_dump``).
    """
    data = backup.backup_bytes(db)
    with db.write() as session:
        audit.record(
            session,
            role=role,
            action="backup.download",
            detail=f"Took a backup of the database ({len(data):,} bytes).",
        )
    return data


def backup_file_name(now: dt.datetime | None = None) -> str:
    """A file name such as ``alliance-backup-2027-03-05-1430.db`` (local time)."""
    now = now or dt.datetime.now()
    return f"alliance-backup-{now:%Y-%m-%d-%H%M}.db"


# Tables for the administration page


def rounds_table(db: Database) -> pd.DataFrame:
    """Every round, oldest first: Round, Opens, Closes, Status, Live results."""
    return pd.DataFrame(
        [
            {
                "Round": r.name,
                "Opens": r.opens_on,
                "Closes": r.closes_on,
                "Status": "Open" if r.is_open else "Closed",
                "Live results": "On" if r.live_results else "Off",
            }
            for r in rounds.list_rounds(db)
        ],
        columns=["Round", "Opens", "Closes", "Status", "Live results"],
    )


def organisations_table(db: Database) -> pd.DataFrame:
    """Every organisation in alphabetical order: Organisation, Status."""
    return pd.DataFrame(
        [
            {"Organisation": o.name, "Status": "Active" if o.active else "Deactivated"}
            for o in organisations.list_organisations(db)
        ],
        columns=["Organisation", "Status"],
    )


def invite_codes_table(db: Database, *, framework: Framework) -> pd.DataFrame:
    """Every invite code without the code itself: number, organisation, group, uses."""
    return pd.DataFrame(
        [
            {
                "No.": c.id,
                "Organisation": c.organisation,
                "Stakeholder group": framework.group_name(c.stakeholder_group),
                "Status": "Revoked" if c.revoked else "In use",
                "People who answered": c.uses,
                "Created (UTC)": c.created_at.replace(microsecond=0),
            }
            for c in invite_codes.list_invite_codes(db)
        ],
        columns=[
            "No.",
            "Organisation",
            "Stakeholder group",
            "Status",
            "People who answered",
            "Created (UTC)",
        ],
    )


def import_problems_table(plan: imports.ImportPlan) -> pd.DataFrame:
    """Every problem of an import plan: Row (as a spreadsheet numbers it), Column, Problem."""
    return pd.DataFrame(
        [{"Row": p.row, "Column": p.column or "", "Problem": p.message} for p in plan.problems],
        columns=["Row", "Column", "Problem"],
    ).astype({"Row": "Int64"})


def audit_table(db: Database, *, limit: int = 200) -> pd.DataFrame:
    """The recent audit entries, newest first, with headings for people."""
    entries = audit.recent_entries(db, limit=limit)
    entries["at"] = entries["at"].map(lambda at: at.replace(microsecond=0))
    return entries.rename(
        columns={"at": "When (UTC)", "role": "Role", "action": "Action", "detail": "What"}
    )

"""Invite codes: one per organisation and stakeholder group, shared with its members.

A code is shown once when created; only its SHA-256 hash is stored. Codes use an
alphabet without look-alike characters and are typed case-insensitively, with or
without the dashes.

``create_invite_code(db, actor=...)`` and ``revoke_invite_code`` commit a change with its
audit entry; the ``..._in(session, ...)`` forms make the change alone inside a
transaction the caller holds (and audits).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from dataclasses import dataclass
from urllib.parse import urlencode

import sqlalchemy as sa
import sqlalchemy.orm as so

from collab.domain import audit
from collab.store.db import Database
from collab.store.errors import NotFound, Refused
from collab.store.framework import Framework
from collab.store.models import InviteCode, Organisation, Respondent

ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
CODE_LENGTH = 12


@dataclass(frozen=True)
class InviteCodeInfo:
    id: int
    organisation_id: int
    organisation: str
    stakeholder_group: str
    revoked: bool
    created_at: dt.datetime
    uses: int = 0


def new_secret_code(length: int = CODE_LENGTH) -> str:
    """A random code such as ``K7PX-2MQA-9RTD`` (60 bits of entropy for 12 characters)."""
    raw = "".join(secrets.choice(ALPHABET) for _ in range(length))
    return "-".join(raw[i : i + 4] for i in range(0, length, 4))


def normalise_code(code: str) -> str:
    return "".join(ch for ch in code.upper() if ch.isalnum())


def hash_code(code: str) -> str:
    """The stored form of an invite or receipt code."""
    return hashlib.sha256(normalise_code(code).encode("ascii", "ignore")).hexdigest()


def invite_link(base_url: str, code: str) -> str:
    return f"{base_url.rstrip('/')}/submit?{urlencode({'code': code})}"


def _info(c: InviteCode, uses: int = 0) -> InviteCodeInfo:
    return InviteCodeInfo(
        c.id,
        c.organisation_id,
        c.organisation.name,
        c.stakeholder_group,
        c.revoked,
        c.created_at,
        uses,
    )


def create_invite_code_in(
    session: so.Session, *, framework: Framework, organisation: str, stakeholder_group: str
) -> tuple[InviteCodeInfo, str]:
    """Add a code in the caller's transaction (no audit entry); return it and its record.

    The code itself is never stored: show it once.
    """
    if stakeholder_group not in framework.group_keys:
        raise Refused(
            f"'{stakeholder_group}' is not a stakeholder group "
            f"(known: {', '.join(framework.group_keys)})."
        )
    code = new_secret_code()
    org = session.scalar(sa.select(Organisation).where(Organisation.name == organisation))
    if org is None:
        raise NotFound(f"There is no organisation called '{organisation}'.")
    if not org.active:
        raise Refused(f"'{organisation}' is deactivated; reactivate it first.")
    record = InviteCode(
        code_hash=hash_code(code), organisation=org, stakeholder_group=stakeholder_group
    )
    session.add(record)
    session.flush()
    return _info(record), code


def revoke_invite_code_in(session: so.Session, *, code_id: int) -> InviteCodeInfo:
    """Revoke a code in the caller's transaction (no audit entry)."""
    record = session.get(InviteCode, code_id)
    if record is None:
        raise NotFound(f"There is no invite code number {code_id}.")
    record.revoked = True
    return _info(record)


def create_invite_code(
    db: Database,
    *,
    actor: str,
    framework: Framework,
    organisation: str,
    stakeholder_group: str,
) -> tuple[InviteCodeInfo, str]:
    """Create a code; return its record and the code itself (never stored, shown once).

    Records ``invite_code.create`` with the code's number, organisation and group, never
    the code.
    """
    with db.write() as session:
        info, code = create_invite_code_in(
            session,
            framework=framework,
            organisation=organisation,
            stakeholder_group=stakeholder_group,
        )
        audit.record(
            session,
            actor=actor,
            action="invite_code.create",
            detail=(
                f"Created invite code no. {info.id} for {info.organisation} "
                f"({framework.group_name(info.stakeholder_group)})."
            ),
        )
    return info, code


def revoke_invite_code(db: Database, *, actor: str, code_id: int) -> InviteCodeInfo:
    """Revoke a code so it is refused from now on; record ``invite_code.revoke``."""
    with db.write() as session:
        info = revoke_invite_code_in(session, code_id=code_id)
        audit.record(
            session,
            actor=actor,
            action="invite_code.revoke",
            detail=(
                f"Revoked invite code no. {info.id} of {info.organisation} "
                f"({info.stakeholder_group})."
            ),
        )
    return info


def list_invite_codes(db: Database) -> list[InviteCodeInfo]:
    """Every code with the number of people who have submitted with it."""
    uses = (
        sa.select(sa.func.count(Respondent.id))
        .where(Respondent.invite_code_id == InviteCode.id)
        .scalar_subquery()
    )
    query = sa.select(InviteCode, uses).join(InviteCode.organisation).order_by(InviteCode.id)
    with db.read() as session:
        return [_info(c, n) for c, n in session.execute(query)]


def find_invite_code(db: Database, code: str) -> InviteCodeInfo:
    """The code's record; NotFound for an unknown code, Refused for a revoked one."""
    with db.read() as session:
        record = session.scalar(
            sa.select(InviteCode).where(InviteCode.code_hash == hash_code(code))
        )
        if record is None or not normalise_code(code):
            raise NotFound(
                "We don't recognise that code. Check it against the one you were given, "
                "or ask your alliance coordinator for a new one."
            )
        if record.revoked:
            raise Refused(
                "This code is no longer in use. Please ask your alliance coordinator for a new one."
            )
        return _info(record)

"""Invite codes: personal codes, one per person, and shared codes with a cap.

A personal code belongs to one person of an organisation and stakeholder group: it
stores one response per round, and opening it again loads that response for revision,
so it is its own receipt. A shared code (one for a room) takes at most its cap of
responses in each round; the cap defaults to the number of people expected from that
organisation and group.

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
import ipaddress
import secrets
from dataclasses import dataclass
from urllib.parse import urlencode, urlsplit

import sqlalchemy as sa
import sqlalchemy.orm as so

from collab.domain import audit
from collab.domain.expected import expected_in
from collab.store.db import Database
from collab.store.errors import NotFound, Refused
from collab.store.framework import Framework
from collab.store.models import (
    InviteCode,
    Organisation,
    Respondent,
    Submission,
)

ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
CODE_LENGTH = 12
# Personal codes made at once: a printable sheet stays a sheet, not a book.
MAX_BATCH = 500


@dataclass(frozen=True)
class InviteCodeInfo:
    id: int
    organisation_id: int
    organisation: str
    stakeholder_group: str
    revoked: bool
    created_at: dt.datetime
    uses: int = 0
    personal: bool = False
    # Responses a shared code takes in each round (None: no cap).
    response_cap: int | None = None

    @property
    def kind_text(self) -> str:
        """ "personal" or "shared, up to N per round"."""
        if self.personal:
            return "personal"
        cap = "no cap" if self.response_cap is None else f"up to {self.response_cap} per round"
        return f"shared, {cap}"


def new_secret_code(length: int = CODE_LENGTH) -> str:
    """A random code such as ``K7PX-2MQA-9RTD`` (60 bits of entropy for 12 characters)."""
    return grouped("".join(secrets.choice(ALPHABET) for _ in range(length)))


def grouped(raw: str) -> str:
    """A code's characters in groups of four, as codes are shown: ``K7PX-2MQA-9RTD``."""
    return "-".join(raw[i : i + 4] for i in range(0, len(raw), 4))


def normalise_code(code: str) -> str:
    return "".join(ch for ch in code.upper() if ch.isalnum())


def hash_code(code: str) -> str:
    """The stored form of an invite or receipt code."""
    return hashlib.sha256(normalise_code(code).encode("ascii", "ignore")).hexdigest()


def invite_link(base_url: str, code: str) -> str:
    return f"{base_url.rstrip('/')}/submit?{urlencode({'code': code})}"


def loopback_warning(base_url: str) -> str | None:
    """A warning when invite links would point at this computer only, else None."""
    host = (urlsplit(base_url).hostname or "").lower()
    try:
        loopback = ipaddress.ip_address(host).is_loopback
    except ValueError:
        loopback = host == "localhost" or host.endswith(".localhost")
    if not loopback:
        return None
    return (
        f"Invite links and QR codes point at {base_url}, which only opens on the computer "
        "running the app: members' phones can't reach it. Set COLLAB_BASE_URL to the "
        "address members open (for example https://alliance.example.org) and restart the "
        "app, then make the codes' links again."
    )


def _info(c: InviteCode, uses: int = 0) -> InviteCodeInfo:
    return InviteCodeInfo(
        c.id,
        c.organisation_id,
        c.organisation.name,
        c.stakeholder_group,
        c.revoked,
        c.created_at,
        uses,
        personal=c.personal,
        response_cap=c.response_cap,
    )


def _shared_cap(
    session: so.Session, org: Organisation, stakeholder_group: str, group_name: str, cap: int | None
) -> int:
    if cap is not None:
        if cap < 1:
            raise Refused("A shared code must take at least 1 response per round.")
        return cap
    expected = expected_in(session, organisation_id=org.id, stakeholder_group=stakeholder_group)
    if not expected:
        raise Refused(
            f"A shared code needs a cap on its responses, and no number of people is "
            f"expected from {org.name} ({group_name}) to take it from. Give the cap (how "
            "many people may answer with it in each round), or set the expected number "
            "first. Personal codes, one per person, need no cap."
        )
    return int(expected)


def create_invite_codes_in(
    session: so.Session,
    *,
    framework: Framework,
    organisation: str,
    stakeholder_group: str,
    personal: bool = False,
    count: int = 1,
    response_cap: int | None = None,
) -> list[tuple[InviteCodeInfo, str]]:
    """Add ``count`` codes in the caller's transaction (no audit entry); return each
    record with its code. The codes themselves are never stored: show them once.

    A shared code's cap is ``response_cap``, or else the number of people expected from
    the organisation and group; Refused when there is neither.
    """
    if stakeholder_group not in framework.group_keys:
        raise Refused(
            f"'{stakeholder_group}' is not a stakeholder group "
            f"(known: {', '.join(framework.group_keys)})."
        )
    if not 1 <= count <= MAX_BATCH:
        raise Refused(f"Codes are made 1 to {MAX_BATCH} at a time; {count} were asked for.")
    if personal and response_cap is not None:
        raise Refused("A personal code takes one response per round; it has no cap to set.")
    org = session.scalar(sa.select(Organisation).where(Organisation.name == organisation))
    if org is None:
        raise NotFound(f"There is no organisation called '{organisation}'.")
    if not org.active:
        raise Refused(f"'{organisation}' is deactivated; reactivate it first.")
    cap = (
        None
        if personal
        else _shared_cap(
            session, org, stakeholder_group, framework.group_name(stakeholder_group), response_cap
        )
    )
    made = []
    for _ in range(count):
        code = new_secret_code()
        record = InviteCode(
            code_hash=hash_code(code),
            organisation=org,
            stakeholder_group=stakeholder_group,
            personal=personal,
            response_cap=cap,
        )
        session.add(record)
        made.append((record, code))
    session.flush()
    return [(_info(record), code) for record, code in made]


def create_invite_code_in(
    session: so.Session,
    *,
    framework: Framework,
    organisation: str,
    stakeholder_group: str,
    response_cap: int | None = None,
) -> tuple[InviteCodeInfo, str]:
    """Add one shared code in the caller's transaction (see ``create_invite_codes_in``)."""
    return create_invite_codes_in(
        session,
        framework=framework,
        organisation=organisation,
        stakeholder_group=stakeholder_group,
        response_cap=response_cap,
    )[0]


def revoke_invite_code_in(session: so.Session, *, code_id: int) -> InviteCodeInfo:
    """Revoke a code in the caller's transaction (no audit entry)."""
    record = session.get(InviteCode, code_id)
    if record is None:
        raise NotFound(f"There is no invite code number {code_id}.")
    record.revoked = True
    return _info(record)


def create_invite_codes(
    db: Database,
    *,
    actor: str,
    framework: Framework,
    organisation: str,
    stakeholder_group: str,
    personal: bool = False,
    count: int = 1,
    response_cap: int | None = None,
) -> list[tuple[InviteCodeInfo, str]]:
    """Create ``count`` personal codes, or shared codes with a cap; return each record
    with its code (never stored, shown once).

    Records ``invite_code.create`` with the codes' numbers, kind, organisation and
    group, never the codes.
    """
    with db.write() as session:
        made = create_invite_codes_in(
            session,
            framework=framework,
            organisation=organisation,
            stakeholder_group=stakeholder_group,
            personal=personal,
            count=count,
            response_cap=response_cap,
        )
        first, last = made[0][0], made[-1][0]
        numbers = f"no. {first.id}" if len(made) == 1 else f"nos. {first.id} to {last.id}"
        codes = "invite code" if len(made) == 1 else f"{len(made)} invite codes"
        audit.record(
            session,
            actor=actor,
            action="invite_code.create",
            detail=(
                f"Created {codes} ({first.kind_text}) {numbers} for {first.organisation} "
                f"({framework.group_name(first.stakeholder_group)})."
            ),
        )
    return made


def create_invite_code(
    db: Database,
    *,
    actor: str,
    framework: Framework,
    organisation: str,
    stakeholder_group: str,
    personal: bool = False,
    response_cap: int | None = None,
) -> tuple[InviteCodeInfo, str]:
    """Create one code (see ``create_invite_codes``); return its record and the code."""
    return create_invite_codes(
        db,
        actor=actor,
        framework=framework,
        organisation=organisation,
        stakeholder_group=stakeholder_group,
        personal=personal,
        response_cap=response_cap,
    )[0]


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
    """Every code with the number of responses given with it, all rounds together."""
    uses = (
        sa.select(sa.func.count(Submission.id))
        .join(Respondent, Respondent.id == Submission.respondent_id)
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
            sa.select(InviteCode)
            .where(InviteCode.code_hash == hash_code(code))
            # The organisation's name comes in the same query.
            .options(so.joinedload(InviteCode.organisation))
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

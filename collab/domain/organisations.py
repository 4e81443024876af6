"""Member organisations of the alliance. Deactivated ones keep their history.

``create_organisation(db, actor=...)`` and its siblings commit a change with its audit
entry; the ``..._in(session, ...)`` forms make the change alone inside a transaction the
caller holds (and audits).
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass

import sqlalchemy as sa
import sqlalchemy.orm as so

from collab.domain import audit, names
from collab.store.db import Database
from collab.store.errors import NotFound, Refused
from collab.store.models import Organisation


@dataclass(frozen=True)
class OrganisationInfo:
    id: int
    name: str
    active: bool


def _info(o: Organisation) -> OrganisationInfo:
    return OrganisationInfo(o.id, o.name, o.active)


def closest_name(name: str, known: list[str]) -> str | None:
    """The known name most like ``name`` (case-insensitive), or None if none is close."""
    lowered = {k.lower(): k for k in known}
    match = difflib.get_close_matches(name.lower(), list(lowered), n=1, cutoff=0.5)
    return lowered[match[0]] if match else None


def _clean_name(name: str) -> str:
    name = names.clean(name, names.ORGANISATION)
    if not name:
        raise Refused("An organisation needs a name.")
    return name


def _refuse_look_alike(session: so.Session, name: str, *, other_than: int | None = None) -> None:
    """Refuse a name that another organisation has, ignoring capitals and letter forms."""
    key = names.same_name_key(name)
    query = sa.select(Organisation.name)
    if other_than is not None:
        query = query.where(Organisation.id != other_than)
    for existing in session.scalars(query):
        if names.same_name_key(existing) == key:
            raise Refused(f"An organisation called '{existing}' already exists.")


def _by_id(session: so.Session, organisation_id: int) -> Organisation:
    found = session.get(Organisation, organisation_id)
    if found is None:
        raise NotFound("That organisation no longer exists.")
    return found


def create_organisation_in(session: so.Session, *, name: str) -> OrganisationInfo:
    """Add an organisation in the caller's transaction (no audit entry)."""
    name = _clean_name(name)
    _refuse_look_alike(session, name)
    o = Organisation(name=name)
    session.add(o)
    session.flush()
    return _info(o)


def rename_organisation_in(
    session: so.Session, *, organisation_id: int, name: str
) -> OrganisationInfo:
    """Rename an organisation in the caller's transaction (no audit entry)."""
    name = _clean_name(name)
    o = _by_id(session, organisation_id)
    _refuse_look_alike(session, name, other_than=organisation_id)
    o.name = name
    return _info(o)


def set_organisation_active_in(
    session: so.Session, *, organisation_id: int, active: bool
) -> OrganisationInfo:
    """Deactivate or reactivate an organisation in the caller's transaction (no audit entry)."""
    o = _by_id(session, organisation_id)
    o.active = active
    return _info(o)


def create_organisation(db: Database, *, actor: str, name: str) -> OrganisationInfo:
    """Add an organisation and record ``organisation.create``."""
    with db.write() as session:
        info = create_organisation_in(session, name=name)
        audit.record(
            session,
            actor=actor,
            action="organisation.create",
            detail=f"Added organisation '{info.name}'.",
        )
    return info


def rename_organisation(
    db: Database, *, actor: str, organisation_id: int, name: str
) -> OrganisationInfo:
    """Rename an organisation (its history follows it) and record ``organisation.rename``."""
    with db.write() as session:
        old_name = _by_id(session, organisation_id).name
        info = rename_organisation_in(session, organisation_id=organisation_id, name=name)
        audit.record(
            session,
            actor=actor,
            action="organisation.rename",
            detail=f"Renamed organisation '{old_name}' to '{info.name}'.",
        )
    return info


def set_organisation_active(
    db: Database, *, actor: str, organisation_id: int, active: bool
) -> OrganisationInfo:
    """Deactivate or reactivate an organisation (history kept); record the change."""
    with db.write() as session:
        info = set_organisation_active_in(session, organisation_id=organisation_id, active=active)
        verb = "Reactivated" if active else "Deactivated"
        audit.record(
            session,
            actor=actor,
            action="organisation.reactivate" if active else "organisation.deactivate",
            detail=f"{verb} organisation '{info.name}'.",
        )
    return info


def list_organisations(db: Database, *, include_inactive: bool = True) -> list[OrganisationInfo]:
    """Organisations in alphabetical order."""
    query = sa.select(Organisation).order_by(Organisation.name)
    if not include_inactive:
        query = query.where(Organisation.active)
    with db.read() as session:
        return [_info(o) for o in session.scalars(query)]


def get_organisation(db: Database, name: str) -> OrganisationInfo:
    with db.read() as session:
        o = session.scalar(sa.select(Organisation).where(Organisation.name == name))
        if o is None and names.tidy(name) != name:
            o = session.scalar(sa.select(Organisation).where(Organisation.name == names.tidy(name)))
        if o is None:
            known = list(session.scalars(sa.select(Organisation.name)))
            hint = closest_name(name, known)
            raise NotFound(
                f"There is no organisation called '{name}'."
                + (f" Did you mean '{hint}'?" if hint else "")
            )
        return _info(o)

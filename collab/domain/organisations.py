"""Member organisations of the alliance. Deactivated ones keep their history."""

from __future__ import annotations

import difflib
from dataclasses import dataclass

import sqlalchemy as sa

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


def create_organisation(db: Database, *, name: str) -> OrganisationInfo:
    name = " ".join(name.split())
    if not name:
        raise Refused("An organisation needs a name.")
    with db.write() as session:
        if session.scalar(sa.select(Organisation.id).where(Organisation.name == name)):
            raise Refused(f"An organisation called '{name}' already exists.")
        o = Organisation(name=name)
        session.add(o)
        session.flush()
        return _info(o)


def rename_organisation(db: Database, *, organisation_id: int, name: str) -> OrganisationInfo:
    name = " ".join(name.split())
    if not name:
        raise Refused("An organisation needs a name.")
    with db.write() as session:
        o = session.get(Organisation, organisation_id)
        if o is None:
            raise NotFound("That organisation no longer exists.")
        clash = session.scalar(
            sa.select(Organisation.id).where(
                Organisation.name == name, Organisation.id != organisation_id
            )
        )
        if clash:
            raise Refused(f"An organisation called '{name}' already exists.")
        o.name = name
        return _info(o)


def set_organisation_active(
    db: Database, *, organisation_id: int, active: bool
) -> OrganisationInfo:
    with db.write() as session:
        o = session.get(Organisation, organisation_id)
        if o is None:
            raise NotFound("That organisation no longer exists.")
        o.active = active
        return _info(o)


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
        if o is None:
            known = list(session.scalars(sa.select(Organisation.name)))
            hint = closest_name(name, known)
            raise NotFound(
                f"There is no organisation called '{name}'."
                + (f" Did you mean '{hint}'?" if hint else "")
            )
        return _info(o)

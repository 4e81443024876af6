"""Committing imported responses: every row, with any rounds and organisations the file
needs, in one transaction with its audit entry, or nothing.

The file is read and checked in ``collab.files.imports``; what reaches this module is
plain data that has passed those checks. The SHA-256 of the file's bytes is kept for each
round it went into, in the same transaction, so the same file is never imported into a
round twice.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import sqlalchemy as sa
import sqlalchemy.exc as sa_exc
import sqlalchemy.orm as so

from collab.domain import audit, snapshots
from collab.domain import names as name_rules
from collab.domain.dates import long_time
from collab.domain.submissions import (
    AnswerInput,
    NewResponse,
    add_responses,
    revise_responses,
)
from collab.store.db import Database
from collab.store.errors import Refused, StorageUnavailable
from collab.store.models import ImportFile, Organisation, Round, utcnow

IMPORT_SOURCE = "import"
WRITE_CHUNK = 5000
FILE_NAME_LENGTH = 255


@dataclass(frozen=True)
class EarlierImport:
    """A file with the same bytes imported into ``round`` before."""

    round: str
    file_name: str
    imported_at: dt.datetime

    def message(self) -> str:
        """Why the file is refused, naming the earlier import."""
        name = f"'{self.file_name}'" if self.file_name else "a file with the same content"
        return (
            f"Nothing was imported: this file was already imported into round '{self.round}' "
            f"on {long_time(self.imported_at)} (as {name}). Importing it again "
            "would count its responses twice."
        )


def _earlier_imports(
    session: so.Session, *, sha256: str, round_ids: Sequence[int]
) -> list[EarlierImport]:
    rows = session.execute(
        sa.select(Round.name, ImportFile.file_name, ImportFile.imported_at)
        .join(Round, Round.id == ImportFile.round_id)
        .where(ImportFile.sha256 == sha256, ImportFile.round_id.in_(list(round_ids)))
        .order_by(ImportFile.imported_at, Round.name)
    ).all()
    return [EarlierImport(name, file_name, at) for name, file_name, at in rows]


def earlier_imports(
    db: Database, *, sha256: str, round_names: Sequence[str]
) -> list[EarlierImport]:
    """Earlier imports of a file with these bytes into any of the named rounds, oldest first."""
    with db.read() as session:
        round_ids = session.scalars(sa.select(Round.id).where(Round.name.in_(list(round_names))))
        return _earlier_imports(session, sha256=sha256, round_ids=list(round_ids))


@dataclass(frozen=True)
class ImportedResponse:
    """One checked row of an import: who answered, in which round, and the answers."""

    round: str
    organisation: str
    stakeholder_group: str
    reference: str | None
    answers: dict[str, AnswerInput]


def created_summary(*, rounds: Sequence[str], organisations: Sequence[str]) -> str:
    """The rounds and organisations an import creates, in words ("" when none)."""
    return "; ".join(
        f"{kind} {', '.join(names)}"
        for kind, names in (("rounds", rounds), ("organisations", organisations))
        if names
    )


def _ids(
    session: so.Session,
    model: type[Round] | type[Organisation],
    names: set[str],
    to_create: Sequence[str],
) -> dict[str, int]:
    """Ids of the named rounds or organisations, creating those the import creates."""
    found = dict(
        session.execute(sa.select(model.name, model.id).where(model.name.in_(names))).all()
    )
    missing = sorted(names - set(found))
    if set(missing) - set(to_create):
        raise Refused(
            "Nothing was imported: a round or organisation named in the file was renamed "
            "while the file was being checked. Check the file again."
        )
    kind = name_rules.ROUND if model is Round else name_rules.ORGANISATION
    for name in missing:
        if name_rules.clean(name, kind) != name:
            raise Refused(
                f"Nothing was imported: the {kind.label} '{name}' has extra spaces or "
                "letters not in the form names are stored in."
            )
    if missing:
        # A round the import creates holds answers, so it counts as opened (and closed).
        extra = {"opened_at": utcnow()} if model is Round else {}
        created = [model(name=name, **extra) for name in missing]
        session.add_all(created)
        session.flush()
        found.update((item.name, item.id) for item in created)
    return found


def import_responses_in(
    session: so.Session,
    *,
    responses: Sequence[ImportedResponse],
    rounds_to_create: Sequence[str] = (),
    organisations_to_create: Sequence[str] = (),
    progress: Callable[[int, int], None] | None = None,
    file_sha256: str | None = None,
    file_name: str = "",
    amend: bool = False,
    min_group_size: int | None = None,
) -> int:
    """Write the responses in the caller's transaction (no audit entry); return how many.

    Creates the named missing rounds (closed) and organisations first. In an amendment
    (``amend``) a row whose respondent already answered its round replaces that response
    with a new revision. Every round written to whose results can be seen is then
    published under the release rule (see ``collab.domain.snapshots``).
    ``progress(done, total)`` is called as responses are written. With ``file_sha256``
    (of the file's bytes) the file is recorded for each of its rounds, and Refused is
    raised, before anything is written, when one of them already has it.
    """
    total = len(responses)
    round_ids = _ids(session, Round, {r.round for r in responses}, rounds_to_create)
    if file_sha256 is not None:
        earlier = _earlier_imports(session, sha256=file_sha256, round_ids=list(round_ids.values()))
        if earlier:
            raise Refused(earlier[0].message())
        session.add_all(
            ImportFile(
                round_id=round_id,
                sha256=file_sha256,
                file_name=file_name[:FILE_NAME_LENGTH],
            )
            for round_id in sorted(round_ids.values())
        )
    organisation_ids = _ids(
        session, Organisation, {r.organisation for r in responses}, organisations_to_create
    )
    rows = [
        NewResponse(
            round_id=round_ids[r.round],
            organisation_id=organisation_ids[r.organisation],
            stakeholder_group=r.stakeholder_group,
            answers=r.answers,
            reference=r.reference,
        )
        for r in responses
    ]
    if progress:
        progress(0, total)
    if amend:
        rows = revise_responses(session, rows)
    for start in range(0, len(rows), WRITE_CHUNK):
        add_responses(session, rows[start : start + WRITE_CHUNK], source=IMPORT_SOURCE)
        if progress:
            progress(min(total - len(rows) + start + WRITE_CHUNK, total), total)
    k = min_group_size or snapshots.min_group_size_setting()
    for round_id in sorted(set(round_ids.values())):
        snapshots.publish_if_shown_in(session, round_id=round_id, min_group_size=k)
    return total


def import_responses(
    db: Database,
    *,
    actor: str,
    responses: Sequence[ImportedResponse],
    rounds_to_create: Sequence[str] = (),
    organisations_to_create: Sequence[str] = (),
    file_name: str = "",
    file_sha256: str | None = None,
    progress: Callable[[int, int], None] | None = None,
    amend: bool = False,
) -> int:
    """Write checked responses, all or nothing, with their ``responses.import`` entry
    (``responses.amend`` for an amendment of closed rounds).

    Returns the number written. Raises Refused (writing nothing) when the file
    (``file_sha256``, the SHA-256 of its bytes) was already imported into one of its
    rounds, or when the database changed since the check in a way that clashes with the
    file, and StorageUnavailable when the storage can't take the write.
    """
    try:
        with db.write() as session:
            count = import_responses_in(
                session,
                responses=responses,
                rounds_to_create=rounds_to_create,
                organisations_to_create=organisations_to_create,
                progress=progress,
                file_sha256=file_sha256,
                file_name=file_name,
                amend=amend,
            )
            source = f" from {file_name}" if file_name else ""
            created = created_summary(
                rounds=rounds_to_create, organisations=organisations_to_create
            )
            rounds = ", ".join(f"'{name}'" for name in sorted({r.round for r in responses}))
            verb = f"Amended round {rounds} with" if amend else "Imported"
            detail = f"{verb} {count} responses{source}" + (
                f", creating {created}." if created else "."
            )
            action = "responses.amend" if amend else "responses.import"
            audit.record(session, actor=actor, action=action, detail=detail)
    except sa_exc.IntegrityError as exc:
        raise Refused(
            "Nothing was imported: the database changed while the file was being checked "
            "(for example the same responses were imported at the same time). "
            "Check the file again."
        ) from exc
    except StorageUnavailable as exc:
        raise StorageUnavailable(
            "Nothing was imported: the server's storage is full or cannot be written to. "
            "Keep the file and try again once the storage has been sorted out."
        ) from exc
    return count

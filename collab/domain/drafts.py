"""Members' drafts: the answers of a form not sent yet, kept on the server as the member
goes, so that a reload, a dropped connection or a tab reopened from the browser's history
loses nothing.

A draft belongs to the code the form was opened with (an invite code, or a receipt code
when revising: only the code's hash is kept), to the round and to the device: a random
token the page keeps in its address (``?device=...``), so people sharing one code never
see each other's drafts. It is deleted when its answers are sent, when its round closes
and after ``KEEP_DAYS`` days without a change. A draft never counts in any result, so
its writes leave the results' data version alone.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from dataclasses import dataclass, field

import sqlalchemy as sa
import sqlalchemy.orm as so
from sqlalchemy.dialects import postgresql, sqlite

from collab.domain import submissions
from collab.domain.invite_codes import hash_code
from collab.domain.submissions import AnswerInput
from collab.store.db import Database
from collab.store.framework import Framework
from collab.store.models import Draft, Round, utcnow

# How long a draft nobody has touched is kept.
KEEP_DAYS = 14
# A device token: 32 lowercase hexadecimal digits (a random UUID's hex).
DEVICE_TOKEN = re.compile(r"[0-9a-f]{32}")
# Far beyond any comment the form lets through: a bound on what one draft can hold.
MAX_DRAFT_COMMENT_CHARS = 20_000


@dataclass(frozen=True)
class SavedDraft:
    """A draft as stored: every point's answer so far, the point the member was on (1 is
    the first learning point; one past the last is the check before sending) and when it
    was last saved (naive UTC)."""

    answers: dict[str, AnswerInput] = field(default_factory=dict)
    position: int = 1
    updated_at: dt.datetime | None = None


def is_device_token(text: str | None) -> bool:
    """Whether ``text`` is a device token as the page makes them."""
    return bool(text) and DEVICE_TOKEN.fullmatch(text or "") is not None


def _check_device(device: str) -> None:
    if not is_device_token(device):
        raise ValueError("a device token is 32 hexadecimal digits")


def _encoded(framework: Framework, answers: dict[str, AnswerInput]) -> str:
    """The answers of the framework's points as JSON text (JSON escapes every control
    character, so any comment typed can be kept as it stands until it is sent)."""
    scale = {point.value for point in framework.scale}
    kept = {}
    for point in framework.point_keys:
        answer = answers.get(point, AnswerInput())
        score = answer.score if answer.score in scale else None
        kept[point] = {
            "score": score,
            "dont_know": bool(answer.dont_know) and score is None,
            "comment": (answer.comment or "")[:MAX_DRAFT_COMMENT_CHARS],
        }
    return json.dumps(kept, separators=(",", ":"))


def _decoded(text: str) -> dict[str, AnswerInput]:
    stored = json.loads(text)
    return {
        point: AnswerInput(
            score=answer.get("score"),
            dont_know=bool(answer.get("dont_know")),
            comment=answer.get("comment") or "",
        )
        for point, answer in stored.items()
    }


def _this_draft(code: str, round_id: int, device: str) -> sa.ColumnElement[bool]:
    return Draft.of_form(hash_code(code), round_id, device)


def expiry(now: dt.datetime) -> dt.datetime:
    """The oldest last change a draft kept at ``now`` may have."""
    return now - dt.timedelta(days=KEEP_DAYS)


def purge_expired_in(session: so.Session, *, now: dt.datetime) -> int:
    """Delete, in the caller's transaction, every draft unchanged for ``KEEP_DAYS`` days."""
    result = session.execute(sa.delete(Draft).where(Draft.updated_at < expiry(now)))
    return int(getattr(result, "rowcount", 0) or 0)


def discard_in(session: so.Session, *, code: str, round_id: int, device: str) -> None:
    """Delete one form's draft in the caller's transaction (its answers were sent)."""
    session.execute(sa.delete(Draft).where(_this_draft(code, round_id, device)))


def discard_round_in(session: so.Session, *, round_id: int) -> int:
    """Delete every draft of a round in the caller's transaction (the round closed)."""
    result = session.execute(sa.delete(Draft).where(Draft.round_id == round_id))
    return int(getattr(result, "rowcount", 0) or 0)


def save_draft(
    db: Database,
    *,
    framework: Framework,
    code: str,
    round_id: int,
    device: str,
    answers: dict[str, AnswerInput],
    position: int,
    now: dt.datetime | None = None,
) -> bool:
    """Keep the form's answers so far and the point the member is on; True when kept.

    Nothing is kept (False) while the round is not open: a closed round's drafts are
    gone for good. Each save also deletes the drafts that have expired. A member's write:
    it waits at most ``MEMBER_WRITE_WAIT_SECONDS`` for the database and changes no results.
    """
    _check_device(device)
    now = now or utcnow()
    values = {
        "code_hash": hash_code(code),
        "round_id": round_id,
        "device": device,
        "position": max(1, int(position)),
        "answers": _encoded(framework, answers),
        "updated_at": now,
    }
    with db.write(
        wait_seconds=submissions.MEMBER_WRITE_WAIT_SECONDS, changes_results=False
    ) as session:
        if not session.scalar(sa.select(Round.is_open).where(Round.id == round_id)):
            return False
        purge_expired_in(session, now=now)
        insert = (
            postgresql.insert if session.get_bind().dialect.name == "postgresql" else sqlite.insert
        )
        statement = insert(Draft).values(**values)
        session.execute(
            statement.on_conflict_do_update(
                index_elements=["code_hash", "round_id", "device"],
                set_={
                    "position": statement.excluded.position,
                    "answers": statement.excluded.answers,
                    "updated_at": statement.excluded.updated_at,
                },
            )
        )
    return True


def find_draft(
    db: Database, *, code: str, round_id: int, device: str, now: dt.datetime | None = None
) -> SavedDraft | None:
    """The draft of this code, round and device, or None (also once it has expired)."""
    if not is_device_token(device):
        return None
    now = now or utcnow()
    with db.read() as session:
        row = session.scalar(
            sa.select(Draft).where(
                _this_draft(code, round_id, device), Draft.updated_at >= expiry(now)
            )
        )
        if row is None:
            return None
        return SavedDraft(_decoded(row.answers), row.position, row.updated_at)


def discard_draft(db: Database, *, code: str, round_id: int, device: str) -> None:
    """Delete one form's draft (a member's write: it changes no results)."""
    with db.write(
        wait_seconds=submissions.MEMBER_WRITE_WAIT_SECONDS, changes_results=False
    ) as session:
        discard_in(session, code=code, round_id=round_id, device=device)

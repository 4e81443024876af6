"""Published snapshots: the answers every results view of a round reads, and when they move.

A round's results are read from its published snapshot (the revision of each submission
that counted when it was published), never from the live answers. So two views of a
round taken at different times differ only by whole publications, and the release rule
makes every publication after the first change the answers of at least
``min_group_size`` people in each stakeholder group it touches (and, for a closed round,
in each organisation's part of that group), or of nobody: subtracting one published
view from another never isolates fewer people than a view itself may show.

A round is published when it closes, when an import writes into a round that is not
open, when live results are turned on, and after each member's answers while live
results are on. Changes that can't be published yet wait, and ``pending`` says how many
wait and why.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Hashable, Iterable, Mapping
from dataclasses import dataclass
from typing import TypeVar

import sqlalchemy as sa
import sqlalchemy.orm as so

from collab.store.config import get_settings
from collab.store.db import Database, mark_results_changed
from collab.store.models import (
    Answer,
    Organisation,
    PublishedSnapshot,
    Respondent,
    Revision,
    Round,
    SnapshotRevision,
    Submission,
    utcnow,
)

# A person, however a caller knows them (a submission id, an invite code and seat).
P = TypeVar("P", bound=Hashable)


@dataclass(frozen=True)
class Waiting:
    """Changed answers that can't be published yet: too few people in one place."""

    stakeholder_group: str
    organisation: str | None  # None: the whole stakeholder group
    people: int


@dataclass(frozen=True)
class Publication:
    """What a publication did (or, from ``pending``, would do) for one round."""

    round: str
    published: bool
    # People whose counted answers differ from the published snapshot (before this call).
    changed: int
    # People in the round's published snapshot after this call.
    people: int
    waiting: tuple[Waiting, ...] = ()
    min_group_size: int = 5

    def waiting_text(self, group_name=lambda key: key) -> str:
        """Why changes wait, in words ("" when nothing waits)."""
        if self.published or not self.changed:
            return ""
        places = "; ".join(
            f"{group_name(w.stakeholder_group)}"
            + (f" at {w.organisation}" if w.organisation else "")
            + f": {w.people}"
            for w in self.waiting
        )
        people = "person's answers wait" if self.changed == 1 else "people's answers wait"
        return (
            f"{self.changed} {people} to be published in round '{self.round}'. A change is "
            f"published once it involves at least {self.min_group_size} people in each group"
            f"{' and organisation' if any(w.organisation for w in self.waiting) else ''} "
            f"it touches, so nobody can be picked out by comparing views ({places})."
        )


def min_group_size_setting() -> int:
    """The configured privacy threshold (settings, then the framework file)."""
    return get_settings().min_group_size


def _counted_now(session: so.Session, round_id: int) -> dict[int, int]:
    """Submission id -> the id of the revision that counts now, for every submission."""
    rows = session.execute(
        sa.select(Submission.id, Revision.id)
        .join(
            Revision,
            sa.and_(
                Revision.submission_id == Submission.id,
                Revision.number == Submission.current_revision,
            ),
        )
        .where(Submission.round_id == round_id)
    )
    return {int(s): int(r) for s, r in rows}


def _published(session: so.Session, snapshot_id: int | None) -> dict[int, int]:
    """Submission id -> revision id, as the snapshot holds them."""
    if snapshot_id is None:
        return {}
    rows = session.execute(
        sa.select(Revision.submission_id, Revision.id)
        .join(SnapshotRevision, SnapshotRevision.revision_id == Revision.id)
        .where(SnapshotRevision.snapshot_id == snapshot_id)
    )
    return {int(s): int(r) for s, r in rows}


def _contents(session: so.Session, revision_ids: set[int]) -> dict[int, tuple]:
    """Each revision's answers, comparable: sorted (point, score, don't know, comment)."""
    found: dict[int, list] = {r: [] for r in revision_ids}
    ids = sorted(revision_ids)
    for start in range(0, len(ids), 2000):
        rows = session.execute(
            sa.select(
                Answer.revision_id,
                Answer.learning_point,
                Answer.score,
                Answer.dont_know,
                sa.func.coalesce(Answer.comment, ""),
            ).where(Answer.revision_id.in_(ids[start : start + 2000]))
        )
        for revision_id, *answer in rows:
            found[int(revision_id)].append(tuple(answer))
    return {r: tuple(sorted(a)) for r, a in found.items()}


def differing(now: Mapping[P, object], before: Mapping[P, object]) -> set[P]:
    """The people whose answers differ between two states, each a mapping from a person to
    their answers: added, removed, or holding different answers."""
    return (set(now) ^ set(before)) | {p for p in set(now) & set(before) if now[p] != before[p]}


def _changed_people(session: so.Session, now: dict[int, int], before: dict[int, int]) -> list[int]:
    """Submissions whose counted answers differ: added, removed, or revised to new answers."""
    changed = differing(now, before)
    revised = changed & set(now) & set(before)
    if revised:
        contents = _contents(session, {now[s] for s in revised} | {before[s] for s in revised})
        changed -= {s for s in revised if contents[now[s]] == contents[before[s]]}
    return sorted(changed)


def _places(session: so.Session, submission_ids: list[int]) -> list[tuple[str, str]]:
    """(stakeholder group, organisation name) of each submission."""
    places: list[tuple[str, str]] = []
    for start in range(0, len(submission_ids), 2000):
        places.extend(
            (str(g), str(o))
            for g, o in session.execute(
                sa.select(Respondent.stakeholder_group, Organisation.name)
                .select_from(Submission)
                .join(Respondent, Respondent.id == Submission.respondent_id)
                .join(Organisation, Organisation.id == Respondent.organisation_id)
                .where(Submission.id.in_(submission_ids[start : start + 2000]))
            )
        )
    return places


def held_back(places: Iterable[tuple[str, str]], *, k: int, by_organisation: bool) -> list[Waiting]:
    """The release rule: the places where changes must wait, given the (stakeholder group,
    organisation) of each person whose answers changed. A place waits when 1 to ``k - 1``
    of its people changed: a stakeholder group, and with ``by_organisation`` each
    organisation's part of a group too. A change may be published where nothing waits.
    """
    places = list(places)
    short = [
        Waiting(group, None, n)
        for group, n in sorted(Counter(g for g, _ in places).items())
        if 0 < n < k
    ]
    if by_organisation:
        short += [
            Waiting(group, organisation, n)
            for (group, organisation), n in sorted(Counter(places).items())
            if 0 < n < k
        ]
    return short


def _consider(session: so.Session, r: Round, k: int) -> tuple[Publication, dict[int, int]]:
    now = _counted_now(session, r.id)
    before = _published(session, r.published_snapshot_id)
    changed = _changed_people(session, now, before)
    first = r.published_snapshot_id is None
    short = (
        [] if first else held_back(_places(session, changed), k=k, by_organisation=not r.is_open)
    )
    publishable = bool(changed or first) and not short
    people = len(now) if publishable else len(before)
    publication = Publication(r.name, publishable, len(changed), people, tuple(short), k)
    return publication, now


def publish_in(session: so.Session, *, round_id: int, min_group_size: int) -> Publication:
    """Publish the round's counted answers in the caller's transaction, if the release
    rule allows it: the round's first publication always may; a later one only when, in
    every stakeholder group (and, once the round is closed, every organisation's part of
    a group), the people whose counted answers changed are none or at least
    ``min_group_size``. Otherwise the published snapshot stays as it is.
    """
    # FOR NO KEY UPDATE on PostgreSQL: it waits for another publication of the round, not
    # for the key-share lock every answer stored into the round holds on it until commit
    # (a FOR UPDATE would, and two submissions waiting for each other deadlock).
    r = session.execute(
        sa.select(Round).where(Round.id == round_id).with_for_update(key_share=True)
    ).scalar_one()
    publication, now = _consider(session, r, min_group_size)
    if not publication.published:
        return publication
    snapshot = PublishedSnapshot(round_id=r.id, published_at=utcnow(), people=len(now))
    session.add(snapshot)
    session.flush()
    if now:
        session.execute(
            sa.insert(SnapshotRevision),
            [{"snapshot_id": snapshot.id, "revision_id": rev} for rev in sorted(now.values())],
        )
    r.published_snapshot_id = snapshot.id
    mark_results_changed(session)
    return publication


def publish_if_shown_in(
    session: so.Session, *, round_id: int, min_group_size: int
) -> Publication | None:
    """Publish a round whose results can be seen (closed, or open with live results);
    None for an open round without live results, whose answers wait for it to close."""
    r = session.get(Round, round_id)
    if r is None or (r.is_open and not r.live_results):
        return None
    return publish_in(session, round_id=round_id, min_group_size=min_group_size)


def pending(db: Database, *, round_name: str, min_group_size: int) -> Publication:
    """What publishing the round now would do, without writing anything."""
    with db.read() as session:
        r = session.execute(sa.select(Round).where(Round.name == round_name)).scalar_one()
        return _consider(session, r, min_group_size)[0]

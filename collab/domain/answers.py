"""Read the published answers of rounds as pandas frames.

Every results view reads a round's published snapshot (see ``collab.domain.snapshots``),
never the live answers: a round with nothing published has no answers here.

``load_answers`` gives one row per answer, for exports and checks. The results views
need far less, and ``load_answer_counts`` reads it in one pass: how many answers each
score had (per round, organisation, stakeholder group and learning point), how many
people answered, and the comments.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
import sqlalchemy as sa

from collab.store.db import Database
from collab.store.framework import Framework
from collab.store.models import (
    Answer,
    InviteCode,
    Organisation,
    Respondent,
    Revision,
    Round,
    SnapshotRevision,
    Submission,
)

ANSWER_COLUMNS = [
    "round",
    "round_id",
    "organisation",
    "stakeholder_group",
    "respondent",
    "submission_id",
    "learning_point",
    "score",
    "dont_know",
    "comment",
]
COUNT_COLUMNS = [
    "round",
    "round_id",
    "organisation",
    "stakeholder_group",
    "learning_point",
    "score",
    "dont_know",
    "answers",
]
PARTICIPATION_COLUMNS = ["round", "round_id", "organisation", "stakeholder_group", "n"]
COMMENT_COLUMNS = [
    "round",
    "round_id",
    "organisation",
    "stakeholder_group",
    "learning_point",
    "comment",
]

# ``load_answer_counts`` packs each submission's answers into whole numbers, 4 bits per
# learning point and 15 points per number (60 bits: a signed 64-bit integer holds it).
# Scores are 1 to 9 (the answers table's check); 0 means no answer to the point.
_BITS = 4
_POINTS_PER_PATTERN = 15
_CODE_MASK = 2**_BITS - 1
_NEITHER_CODE = 14  # an answer row with neither a score nor don't know
_DONT_KNOW_CODE = 15
# Comments are read by submission, this many submissions a query.
_COMMENT_BATCH = 2000


def _current_answers_query() -> sa.Select:
    return (
        sa.select(
            Round.name.label("round"),
            Round.id.label("round_id"),
            Organisation.name.label("organisation"),
            Respondent.stakeholder_group,
            sa.func.coalesce(Respondent.reference, sa.cast(Respondent.id, sa.String)).label(
                "respondent"
            ),
            Submission.id.label("submission_id"),
            Answer.learning_point,
            Answer.score,
            Answer.dont_know,
            Answer.comment,
        )
        .select_from(Answer)
        .join(Revision, Revision.id == Answer.revision_id)
        .join(SnapshotRevision, SnapshotRevision.revision_id == Revision.id)
        .join(Submission, Submission.id == Revision.submission_id)
        .join(
            Round,
            sa.and_(
                Round.id == Submission.round_id,
                Round.published_snapshot_id == SnapshotRevision.snapshot_id,
            ),
        )
        .join(Respondent, Respondent.id == Submission.respondent_id)
        .join(Organisation, Organisation.id == Respondent.organisation_id)
    )


def load_answers(db: Database, *, round_ids: list[int] | None = None) -> pd.DataFrame:
    """One row per counted answer, with the columns of ``ANSWER_COLUMNS``.

    ``score`` is a nullable integer (missing for don't know); ``round_ids`` limits the
    rounds read (all rounds when None).
    """
    query = _current_answers_query().order_by(Submission.id, Answer.learning_point)
    if round_ids is not None:
        query = query.where(Submission.round_id.in_(round_ids))
    with db.engine.connect() as conn:
        frame = pd.DataFrame([tuple(row) for row in conn.execute(query)], columns=ANSWER_COLUMNS)
    frame["score"] = frame["score"].astype("Int64")
    frame["dont_know"] = frame["dont_know"].astype(bool)
    return frame


@dataclass(frozen=True)
class AnswerCounts:
    """The counted answers of some rounds, as every results view needs them.

    ``counts``: how many answers each score had, columns of ``COUNT_COLUMNS`` (one row
    per round, organisation, stakeholder group, learning point, score and don't know;
    ``answers`` is how many). A frame of one row per answer (``load_answers``) without
    the ``answers`` column is accepted too: each row then counts once.
    ``participation``: submissions per round, organisation and group (``n``), columns of
    ``PARTICIPATION_COLUMNS``. ``comments``: every comment that is not blank, columns of
    ``COMMENT_COLUMNS``.
    """

    counts: pd.DataFrame
    participation: pd.DataFrame
    comments: pd.DataFrame

    @classmethod
    def from_answers(cls, answers: pd.DataFrame) -> AnswerCounts:
        """The counts of an answers frame as ``load_answers`` returns it (one row each)."""
        participation = (
            answers.groupby(PARTICIPATION_COLUMNS[:-1], sort=False)["submission_id"]
            .nunique()
            .rename("n")
            .reset_index()
        )
        written = answers["comment"].fillna("").astype(str).str.strip().ne("")
        return cls(
            counts=answers,
            participation=participation[PARTICIPATION_COLUMNS],
            comments=answers.loc[written, COMMENT_COLUMNS],
        )


@functools.lru_cache(maxsize=8)
def _answers_query(point_keys: tuple[str, ...]) -> sa.Select:
    """One row per (round, organisation, stakeholder group) with submissions in the
    rounds of the ``round_ids`` parameter, in round, organisation and group order.

    Columns: round name and id, organisation name, group, ``n`` (submissions), then
    ``patterns``: each submission's answers as ``ceil(points / 15)`` whole numbers,
    written out and separated by spaces (submission after submission), and
    ``commented``: the ids of the submissions with a comment, or NULL.

    In a pattern, each answer adds ``code << 4 * position``; a revision has one answer
    per learning point, so the sum keeps the codes apart. Grouping the answers by
    submission follows the order they are read in, so the database sorts only
    submissions, not answers (on SQLite, sorting the answers is most of the cost of a
    GROUP BY on their scores), and a few hundred rows come back instead of one per
    answer.
    """
    code = sa.case(
        (Answer.dont_know, _DONT_KNOW_CODE),
        else_=sa.func.coalesce(Answer.score, _NEITHER_CODE),
    )
    numbers: list[sa.ColumnElement[str]] = []
    for start in range(0, len(point_keys), _POINTS_PER_PATTERN):
        chunk = point_keys[start : start + _POINTS_PER_PATTERN]
        place = sa.case(
            {key: sa.literal(1 << (_BITS * i), sa.BigInteger) for i, key in enumerate(chunk)},
            value=Answer.learning_point,
            else_=0,
        )
        numbers.append(sa.cast(sa.cast(sa.func.sum(place * code), sa.BigInteger), sa.String))
    pattern = numbers[0]
    for number in numbers[1:]:
        pattern = pattern + " " + number
    per_submission = (
        sa.select(
            Submission.id,
            Submission.round_id,
            Submission.respondent_id,
            sa.func.count(Answer.comment).label("comments"),
            pattern.label("pattern"),
        )
        .select_from(Round)
        .join(SnapshotRevision, SnapshotRevision.snapshot_id == Round.published_snapshot_id)
        .join(Revision, Revision.id == SnapshotRevision.revision_id)
        .join(Submission, Submission.id == Revision.submission_id)
        .join(Answer, Answer.revision_id == Revision.id)
        .where(Round.id.in_(sa.bindparam("round_ids", expanding=True)))
        .group_by(Submission.round_id, Submission.id)
        .subquery()
    )
    commented = sa.case(
        (per_submission.c.comments > 0, sa.cast(per_submission.c.id, sa.String)), else_=None
    )
    return (
        sa.select(
            Round.name,
            Round.id,
            Organisation.name,
            Respondent.stakeholder_group,
            sa.func.count().label("n"),
            sa.func.aggregate_strings(per_submission.c.pattern, " ").label("patterns"),
            sa.func.aggregate_strings(commented, " ").label("commented"),
        )
        .select_from(per_submission)
        .join(Respondent, Respondent.id == per_submission.c.respondent_id)
        .join(Organisation, Organisation.id == Respondent.organisation_id)
        .join(Round, Round.id == per_submission.c.round_id)
        .group_by(Round.id, Organisation.id, Respondent.stakeholder_group)
        .order_by(Round.id, Organisation.name, Respondent.stakeholder_group)
    )


def _empty(columns: list[str], dtypes: dict[str, str | type]) -> pd.DataFrame:
    frame = pd.DataFrame({c: pd.Series(dtype=object) for c in columns})
    return frame.astype(dtypes)


def _no_counts(comments: pd.DataFrame) -> AnswerCounts:
    return AnswerCounts(
        counts=_empty(
            COUNT_COLUMNS,
            {"round_id": "int64", "score": "Int64", "dont_know": bool, "answers": "int64"},
        ),
        participation=_empty(PARTICIPATION_COLUMNS, {"round_id": "int64", "n": "int64"}),
        comments=comments,
    )


def _tally(
    rows: Sequence[Sequence[Any]], point_keys: list[str], comments: pd.DataFrame
) -> AnswerCounts:
    """``AnswerCounts`` from the rows of ``_answers_query``."""
    who = pd.DataFrame([tuple(row[:5]) for row in rows], columns=PARTICIPATION_COLUMNS).astype(
        {"round_id": "int64", "n": "int64"}
    )
    n_points, n_codes = len(point_keys), _CODE_MASK + 1
    numbers = np.array(" ".join(row[5] for row in rows).split(), dtype=np.int64)
    packed = numbers.reshape(int(who["n"].sum()), -1)
    shifts = np.arange(_POINTS_PER_PATTERN, dtype=np.int64) * _BITS
    codes = ((packed[:, :, None] >> shifts) & _CODE_MASK).reshape(len(packed), -1)
    # Number every (round, organisation, group, point, code) and count the numbers.
    person = np.repeat(np.arange(len(who)), who["n"].to_numpy())
    cell = (person[:, None] * n_points + np.arange(n_points)) * n_codes + codes[:, :n_points]
    answers = np.bincount(cell.ravel(), minlength=len(who) * n_points * n_codes)
    cells = np.flatnonzero(answers)
    cells = cells[cells % n_codes != 0]
    code = cells % n_codes
    dont_know = code == _DONT_KNOW_CODE
    counts = who.iloc[cells // (n_codes * n_points), :4].reset_index(drop=True)
    counts["learning_point"] = np.array(point_keys, dtype=object)[(cells // n_codes) % n_points]
    counts["score"] = pd.Series(code, dtype="Int64").mask(dont_know | (code == _NEITHER_CODE))
    counts["dont_know"] = dont_know
    counts["answers"] = answers[cells].astype(np.int64)
    return AnswerCounts(counts=counts, participation=who, comments=comments)


def _comments(conn: sa.Connection, submission_ids: list[int]) -> pd.DataFrame:
    """The comments that are not blank of the given submissions' current revisions."""
    base = _current_answers_query()
    base = base.with_only_columns(
        *[c for c in base.selected_columns if c.name in COMMENT_COLUMNS]
    ).where(Answer.comment.is_not(None), sa.func.trim(Answer.comment) != "")
    rows: list[tuple[Any, ...]] = []
    for start in range(0, len(submission_ids), _COMMENT_BATCH):
        batch = submission_ids[start : start + _COMMENT_BATCH]
        query = base.where(Submission.id.in_(batch)).order_by(Answer.id)
        rows.extend(tuple(row) for row in conn.execute(query))
    return pd.DataFrame(rows, columns=COMMENT_COLUMNS)


def load_answer_counts(
    db: Database, *, framework: Framework, round_ids: list[int], comments: bool = True
) -> AnswerCounts:
    """The counted answers of the rounds ``round_ids``, read in one pass (see ``AnswerCounts``).

    ``counts`` has a row per (round, organisation, group, learning point, score, don't
    know) with answers, sorted; ``score`` is a nullable integer (missing for don't
    know). Only the framework's learning points are counted; ``participation`` counts
    every submission with an answer. ``comments=False`` leaves the comments out.
    """
    point_keys = list(framework.point_keys)
    if not round_ids or not point_keys:
        return _no_counts(pd.DataFrame(columns=COMMENT_COLUMNS))
    with db.engine.connect() as conn:
        query = _answers_query(tuple(point_keys))
        rows = conn.execute(query, {"round_ids": list(round_ids)}).all()
        commented = " ".join(row[6] for row in rows if row[6]).split() if comments else []
        found = _comments(conn, [int(id_) for id_ in commented])
    if not rows:
        return _no_counts(found)
    return _tally(rows, point_keys, found)


def participation(db: Database, *, round_id: int) -> pd.DataFrame:
    """Submissions in a round by organisation and stakeholder group (column ``n``), and
    how many of them came through shared invite codes (column ``shared``)."""
    shared = sa.case((InviteCode.personal.is_(False), 1), else_=0)
    query = (
        sa.select(
            Organisation.name.label("organisation"),
            Respondent.stakeholder_group,
            sa.func.count(Submission.id).label("n"),
            sa.func.coalesce(sa.func.sum(shared), 0).label("shared"),
        )
        .select_from(Submission)
        .join(Respondent, Respondent.id == Submission.respondent_id)
        .join(Organisation, Organisation.id == Respondent.organisation_id)
        .outerjoin(InviteCode, InviteCode.id == Respondent.invite_code_id)
        .where(Submission.round_id == round_id)
        .group_by(Organisation.name, Respondent.stakeholder_group)
        .order_by(Organisation.name, Respondent.stakeholder_group)
    )
    with db.engine.connect() as conn:
        frame = pd.DataFrame(
            conn.execute(query).all(), columns=["organisation", "stakeholder_group", "n", "shared"]
        )
    return frame.astype({"n": "int64", "shared": "int64"})


def live_participation(db: Database, *, round_ids: list[int]) -> pd.DataFrame:
    """Submissions stored so far, published or not, per round, organisation and group
    (columns of ``PARTICIPATION_COLUMNS``): who has taken part in an open round."""
    query = (
        sa.select(
            Round.name,
            Round.id,
            Organisation.name,
            Respondent.stakeholder_group,
            sa.func.count(Submission.id),
        )
        .select_from(Submission)
        .join(Round, Round.id == Submission.round_id)
        .join(Respondent, Respondent.id == Submission.respondent_id)
        .join(Organisation, Organisation.id == Respondent.organisation_id)
        .where(Submission.round_id.in_(round_ids))
        .group_by(Round.id, Organisation.name, Respondent.stakeholder_group)
        .order_by(Round.id, Organisation.name, Respondent.stakeholder_group)
    )
    with db.engine.connect() as conn:
        rows = [tuple(row) for row in conn.execute(query)]
    return pd.DataFrame(rows, columns=PARTICIPATION_COLUMNS).astype(
        {"round_id": "int64", "n": "int64"}
    )

"""Read the answers that count (each submission's current revision) as pandas frames."""

from __future__ import annotations

import pandas as pd
import sqlalchemy as sa

from collab.db import Database
from collab.models import Answer, Organisation, Respondent, Revision, Round, Submission

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
        .join(
            Submission,
            sa.and_(
                Submission.id == Revision.submission_id,
                Submission.current_revision == Revision.number,
            ),
        )
        .join(Respondent, Respondent.id == Submission.respondent_id)
        .join(Organisation, Organisation.id == Respondent.organisation_id)
        .join(Round, Round.id == Submission.round_id)
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
        frame = pd.DataFrame(conn.execute(query).all(), columns=ANSWER_COLUMNS)
    frame["score"] = frame["score"].astype("Int64")
    frame["dont_know"] = frame["dont_know"].astype(bool)
    return frame


def participation(db: Database, *, round_id: int) -> pd.DataFrame:
    """Submissions in a round by organisation and stakeholder group (column ``n``)."""
    query = (
        sa.select(
            Organisation.name.label("organisation"),
            Respondent.stakeholder_group,
            sa.func.count(Submission.id).label("n"),
        )
        .select_from(Submission)
        .join(Respondent, Respondent.id == Submission.respondent_id)
        .join(Organisation, Organisation.id == Respondent.organisation_id)
        .where(Submission.round_id == round_id)
        .group_by(Organisation.name, Respondent.stakeholder_group)
        .order_by(Organisation.name, Respondent.stakeholder_group)
    )
    with db.engine.connect() as conn:
        return pd.DataFrame(
            conn.execute(query).all(), columns=["organisation", "stakeholder_group", "n"]
        )

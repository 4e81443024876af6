"""Answers in the table form ``load_answers`` gives, written out by hand for the statistics."""

from __future__ import annotations

import pandas as pd

from collab.domain.answers import ANSWER_COLUMNS


def answer_row(
    *,
    group: str,
    submission: int,
    point: str,
    score: int | None,
    round_name: str = "R1",
    round_id: int = 1,
    organisation: str = "Org",
    comment: str | None = None,
) -> dict[str, object]:
    """One stored answer; ``submission`` numbers the respondent too, None is don't know."""
    return {
        "round": round_name,
        "round_id": round_id,
        "organisation": organisation,
        "stakeholder_group": group,
        "respondent": str(submission),
        "submission_id": submission,
        "learning_point": point,
        "score": score,
        "dont_know": score is None,
        "comment": comment,
    }


def answers_table(rows: list[dict[str, object]]) -> pd.DataFrame:
    """``rows`` as the answers table, scores a nullable integer column."""
    frame = pd.DataFrame(rows, columns=ANSWER_COLUMNS)
    frame["score"] = frame["score"].astype("Int64")
    return frame


def stored_answers(db) -> pd.DataFrame:
    """Every submission's current answers as stored now, published or not, with the
    columns of ``ANSWER_COLUMNS``, in submission and learning point order."""
    import sqlalchemy as sa

    from collab.store.models import Answer, Organisation, Respondent, Revision, Round, Submission

    query = (
        sa.select(
            Round.name,
            Round.id,
            Organisation.name,
            Respondent.stakeholder_group,
            sa.func.coalesce(Respondent.reference, sa.cast(Respondent.id, sa.String)),
            Submission.id,
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
        .order_by(Submission.id, Answer.learning_point)
    )
    with db.read() as session:
        rows = [tuple(row) for row in session.execute(query)]
    frame = pd.DataFrame(rows, columns=ANSWER_COLUMNS)
    frame["score"] = frame["score"].astype("Int64")
    return frame


def add_published(session, responses, *, source: str) -> int:
    """``add_responses``, then publish each round written to whose results can be seen,
    every change at once (as if each touched enough people), for tests of what is shown."""
    from collab.domain import snapshots
    from collab.domain.submissions import add_responses

    count = add_responses(session, responses, source=source)
    for round_id in sorted({r.round_id for r in responses}):
        snapshots.publish_if_shown_in(session, round_id=round_id, min_group_size=1)
    return count

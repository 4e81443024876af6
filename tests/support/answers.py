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

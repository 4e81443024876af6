"""Comments as a meeting reads them: each distinct text once, with how many people wrote it.

Two people who write the same words (after trimming and collapsing spaces) are one line,
"(2 people wrote this)"; the count is of people whose comment is already shown, so it
reveals nothing the list of comments did not.
"""

from __future__ import annotations

import pandas as pd

from collab.stats.privacy import COMMENT_COLUMNS

DISTINCT_COMMENT_COLUMNS = [*COMMENT_COLUMNS, "writers"]


def normalise_comment(text: object) -> str:
    """A comment's text with its ends trimmed and every run of whitespace one space."""
    return " ".join(str(text).split())


def distinct_comments(comments: pd.DataFrame) -> pd.DataFrame:
    """One row per distinct comment of a learning point and group, with ``writers``.

    ``comments`` has ``COMMENT_COLUMNS`` (as ``privacy.visible_comments`` returns them);
    the order of first appearance is kept, so the privacy order (by text) stays. Empty
    texts are dropped.
    """
    if comments.empty:
        return pd.DataFrame({c: pd.Series(dtype=object) for c in DISTINCT_COMMENT_COLUMNS})
    frame = comments[COMMENT_COLUMNS].assign(
        comment=[normalise_comment(c) for c in comments["comment"]]
    )
    frame = frame[frame["comment"] != ""]
    counted = frame.groupby(COMMENT_COLUMNS, sort=False).size().rename("writers").reset_index()
    counted["writers"] = counted["writers"].astype(int)
    return counted[DISTINCT_COMMENT_COLUMNS]


def comment_line(comment: str, writers: int) -> str:
    """A comment as shown: its text, then "(2 people wrote this)" when several wrote it."""
    return comment if writers <= 1 else f"{comment} ({writers} people wrote this)"


def comment_lines(comments: pd.DataFrame) -> list[str]:
    """The comments of a frame (``COMMENT_COLUMNS``) as lines, each distinct text once."""
    distinct = distinct_comments(comments)
    return [
        comment_line(c, w) for c, w in zip(distinct["comment"], distinct["writers"], strict=True)
    ]

"""Which of a learning point's comments the printed meeting pack holds.

On screen the pack shows every comment. In print each learning point has one A4 page,
so its comments are printed up to a budget: at most ``PRINTED_COMMENTS`` of them and
about ``PRINTED_CHARACTERS`` characters, taken in turn from each group (its first
comment, then each group's second, and so on) so that every group is heard. The first
comment of every group is always printed; a comment longer than ``LONGEST_PRINTED``
characters is cut short in print at a word, ending in an ellipsis. Under each group the
print then says how many more comments the pack's HTML file holds.
"""

from __future__ import annotations

from dataclasses import dataclass

PRINTED_COMMENTS = 9
PRINTED_CHARACTERS = 900
LONGEST_PRINTED = 300


@dataclass(frozen=True)
class Comment:
    """One comment: ``text``, then ``more`` on screen only (the part print cuts off, or "").
    ``in_print`` is False for a comment shown on screen only."""

    text: str
    more: str
    in_print: bool


@dataclass(frozen=True)
class GroupComments:
    """A group's comments on one learning point, and how many of them print leaves out."""

    group_name: str
    comments: list[Comment]
    left_out_of_print: int


def _cut(text: str) -> tuple[str, str]:
    """``text`` split where print stops: at the last word that ends within
    ``LONGEST_PRINTED`` characters, or nowhere when the text is short enough."""
    if len(text) <= LONGEST_PRINTED:
        return text, ""
    start = text[:LONGEST_PRINTED].rsplit(" ", 1)[0] or text[:LONGEST_PRINTED]
    return start, text[len(start) :]


def _printed_counts(groups: list[list[str]]) -> list[int]:
    """How many of each group's comments (first ones first) fit the print budget."""
    counts = [0] * len(groups)
    total = characters = 0
    waiting = [i for i, texts in enumerate(groups) if texts]
    while waiting:
        still = []
        for i in waiting:
            size = min(len(groups[i][counts[i]]), LONGEST_PRINTED)
            first = counts[i] == 0
            if not first and (total >= PRINTED_COMMENTS or characters + size > PRINTED_CHARACTERS):
                continue
            counts[i] += 1
            total += 1
            characters += size
            if counts[i] < len(groups[i]):
                still.append(i)
        waiting = still
    return counts


def printed_comments(comments: list[tuple[str, list[str]]]) -> list[GroupComments]:
    """``comments`` (each group's name and its comment lines, as ``PointPicture.comments``
    holds them) with what print shows of each and how many it leaves out per group."""
    counts = _printed_counts([texts for _, texts in comments])
    return [
        GroupComments(
            group_name=name,
            comments=[
                Comment(*_cut(text), in_print=True) if i < count else Comment(text, "", False)
                for i, text in enumerate(texts)
            ],
            left_out_of_print=len(texts) - count,
        )
        for (name, texts), count in zip(comments, counts, strict=True)
    ]

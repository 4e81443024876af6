"""The figures of a live check: who answered, where each group stands, and whether the
re-score brought the groups closer.

Pure functions on the answers of ``collab.domain.checks.check_answers``. Only published
answers make figures (``shown_as_of``): the first pass's as shown when the re-score
began ("before"), and everyone's latest as shown now ("after", or simply "now" before
the re-score). A group's figures on a point follow the app's rules everywhere else: its
mean with a 95% interval (``analysis.group_summary``), withheld below ``min_group_size``
scores (``privacy.suppress``), and the gap between the highest and lowest shown group
(``analysis.point_divergence``). The re-score compares gaps like for like, over the
groups shown both before and after. Counts of people who answered are exact and live.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from collab.domain.checks import FIRST_PASS, CheckAnswers, CheckInfo, shown_as_of
from collab.stats import readings
from collab.stats.analysis import displayed_gap, group_summary, point_divergence
from collab.stats.privacy import effective_min_group_size, suppress
from collab.store.framework import Framework

NOW = "now"
BEFORE = "before"
# Whether the groups came closer in the re-score, and how a table cell says it.
DIRECTIONS = {
    "not_moved": "Nothing moved yet",
    "closer": "Closer",
    "apart": "Further apart",
    "same": "As far apart",
    "not_compared": "Can't say",
}


@dataclass(frozen=True)
class GroupStanding:
    """One group on one learning point, as shown: its mean and 95% interval, or why not."""

    group: str
    name: str
    n: float
    mean: float
    low: float
    high: float
    shown: bool
    reason: str

    @property
    def text(self) -> str:
        """ "3.4 (2.8 to 4.0)", or a dash and the reason it is withheld."""
        if not self.shown:
            return f"— ({self.reason})"
        mean = readings.number_text(self.mean)
        if readings.is_missing(self.low) or readings.is_missing(self.high):
            return mean
        return f"{mean} ({readings.number_text(self.low)} to {readings.number_text(self.high)})"


@dataclass(frozen=True)
class PointStanding:
    """Where the groups stand on one learning point at one moment."""

    key: str
    title: str
    groups: tuple[GroupStanding, ...]
    gap: float
    status: str
    where: str  # who is highest and lowest, in words ("" without a gap)

    def group(self, key: str) -> GroupStanding:
        return next(g for g in self.groups if g.group == key)


@dataclass(frozen=True)
class PointChange:
    """A learning point before and after the re-score."""

    key: str
    title: str
    before: PointStanding
    after: PointStanding
    # The groups shown both before and after: the gaps below are over these.
    groups_compared: tuple[str, ...]
    gap_before: float
    gap_after: float
    direction: str  # a key of DIRECTIONS
    words: str

    @property
    def brief(self) -> str:
        """For a table cell: "Closer: 1.40 to 0.60", or "Can't say"."""
        label = DIRECTIONS[self.direction]
        if self.direction in ("not_compared", "not_moved"):
            return label
        if self.direction == "same":
            return f"{label}: {readings.gap_text(self.gap_after)}"
        gaps = f"{readings.gap_text(self.gap_before)} to {readings.gap_text(self.gap_after)}"
        return f"{label}: {gaps}"


@dataclass(frozen=True)
class CheckFigures:
    """What the check's published answers show: depends only on its publications."""

    now: tuple[PointStanding, ...]
    # Once the re-score began: each point before and after it; else empty.
    changes: tuple[PointChange, ...]
    min_group_size: int


def answered_by_group(
    answers: pd.DataFrame, *, framework: Framework, pass_number: int
) -> dict[str, int]:
    """People who answered ``pass_number``, by stakeholder group key (every group of the
    framework, 0 when nobody), published or not: counts of people are always shown."""
    in_pass = answers[answers["pass_number"] == pass_number]
    counts = in_pass.drop_duplicates("person")["stakeholder_group"].value_counts()
    found = {key: int(counts.get(key, 0)) for key in framework.group_keys}
    found.update({str(k): int(n) for k, n in counts.items() if k not in found})
    return found


def _summary(shown: pd.DataFrame, *, framework: Framework, label: str, k: int) -> pd.DataFrame:
    """The privacy-checked group summary of the answers shown, as one "round" ``label``."""
    frame = shown.assign(round=label)
    return suppress(group_summary(frame, framework=framework, rounds=[label]), min_group_size=k)


def _standings(
    summary: pd.DataFrame, *, framework: Framework, points: list[str]
) -> tuple[PointStanding, ...]:
    divergence = point_divergence(summary, framework=framework).set_index("learning_point")
    standings = []
    for key in points:
        rows = summary[summary["learning_point"] == key]
        groups = tuple(
            GroupStanding(
                group=str(row.group),
                name=framework.group_name(str(row.group)),
                n=float(row.n),
                mean=float(row.mean),
                low=float(row.mean_low),
                high=float(row.mean_high),
                shown=not bool(row.suppressed),
                reason=str(row.reason),
            )
            for row in rows.itertuples(index=False)
        )
        between = divergence.loc[key]
        standings.append(
            PointStanding(
                key=key,
                title=framework.point(key).title,
                groups=groups,
                gap=float(between["gap"]),
                status=str(between["status"]),
                where=readings.who_is_where(between, framework=framework),
            )
        )
    return tuple(standings)


def _compared_gap(
    summary: pd.DataFrame, groups: tuple[str, ...], *, framework: Framework, key: str
) -> pd.Series:
    """The point's between-group figures over ``groups`` only."""
    over = summary[(summary["learning_point"] == key) & summary["group"].isin(groups)]
    return point_divergence(over, framework=framework).set_index("learning_point").loc[key]


def gap_direction(
    gap_before: float, gap_after: float, *, groups_compared: int, moved: bool = True
) -> str:
    """``closer``, ``apart`` or ``same`` on the gaps as shown (two decimals);
    ``not_moved`` while no figure has moved since the re-score began, and
    ``not_compared`` with fewer than two groups compared."""
    if not moved:
        return "not_moved"
    if groups_compared < 2:
        return "not_compared"
    before, after = displayed_gap(gap_before), displayed_gap(gap_after)
    if after < before:
        return "closer"
    return "apart" if after > before else "same"


def change_words(
    gap_before: float,
    gap_after: float,
    *,
    groups_compared: tuple[str, ...],
    groups_shown: tuple[str, ...],
    where_after: str,
    framework: Framework,
    moved: bool = True,
    min_group_size: int = 5,
) -> str:
    """Whether the groups came closer, in words: the gap between the highest and the
    lowest group average before and after, compared as shown (two decimals), over the
    groups shown both times; while nothing has moved since the re-score began, that
    nothing has, and why."""
    direction = gap_direction(
        gap_before, gap_after, groups_compared=len(groups_compared), moved=moved
    )
    if direction == "not_moved":
        return (
            "Nothing has moved since the re-score began: a group's figures move once at "
            f"least {min_group_size} of its people have answered differently."
        )
    if direction == "not_compared":
        return (
            "Whether the groups came closer can't be said: fewer than two groups have "
            "figures shown both before and after the re-score."
        )
    before, after = readings.gap_text(gap_before), readings.gap_text(gap_after)
    span = "the gap between the highest and the lowest group average"
    if direction == "same":
        text = f"The groups stayed as far apart as before: {span} is {after} both times"
    else:
        opening = "came closer" if direction == "closer" else "moved apart"
        text = f"The groups {opening}: {span} went from {before} to {after}"
    text += f"; now {where_after}." if where_after else "."
    if set(groups_compared) != set(groups_shown):
        text += (
            f" Compared over {readings.groups_text(list(groups_compared), framework=framework)}"
            ", the groups shown both times."
        )
    return text


def _change(
    before: PointStanding,
    after: PointStanding,
    summaries: tuple[pd.DataFrame, pd.DataFrame],
    *,
    framework: Framework,
    moved: bool,
    k: int,
) -> PointChange:
    shown_before = {g.group for g in before.groups if g.shown}
    after_shown = tuple(g.group for g in after.groups if g.shown)
    compared = tuple(g for g in after_shown if g in shown_before)
    gaps = [
        _compared_gap(summary, compared, framework=framework, key=before.key)
        for summary in summaries
    ]
    return PointChange(
        key=before.key,
        title=before.title,
        before=before,
        after=after,
        groups_compared=compared,
        gap_before=float(gaps[0]["gap"]),
        gap_after=float(gaps[1]["gap"]),
        direction=gap_direction(
            float(gaps[0]["gap"]), float(gaps[1]["gap"]), groups_compared=len(compared), moved=moved
        ),
        words=change_words(
            float(gaps[0]["gap"]),
            float(gaps[1]["gap"]),
            groups_compared=compared,
            groups_shown=after_shown,
            where_after=readings.who_is_where(gaps[1], framework=framework),
            framework=framework,
            moved=moved,
            min_group_size=k,
        ),
    )


def check_figures(
    answers: pd.DataFrame, *, check: CheckInfo, framework: Framework, min_group_size: int
) -> CheckFigures:
    """Where each group stands on each of the check's points as published now and, once
    the re-score began, before it, with whether the groups came closer."""
    k = effective_min_group_size(min_group_size)
    points = check.points(framework)
    now_summary = _summary(
        shown_as_of(answers, check.published_seq), framework=framework, label=NOW, k=k
    )
    now = _standings(now_summary, framework=framework, points=points)
    if check.rescore_from is None:
        return CheckFigures(now, (), k)
    before_summary = _summary(
        shown_as_of(answers, check.rescore_from), framework=framework, label=BEFORE, k=k
    )
    before = _standings(before_summary, framework=framework, points=points)
    moved = check.published_seq > check.rescore_from
    changes = tuple(
        _change(b, a, (before_summary, now_summary), framework=framework, moved=moved, k=k)
        for b, a in zip(before, now, strict=True)
    )
    return CheckFigures(now, changes, k)


@dataclass(frozen=True)
class CheckPicture:
    """Everything the meeting screen and the pack show of a check."""

    check: CheckInfo
    subject: str
    # People who answered the first pass and, once it began, the re-score, by group.
    answered_first: dict[str, int]
    answered_rescore: dict[str, int] | None
    figures: CheckFigures

    @property
    def answered_now(self) -> dict[str, int]:
        """People who answered the pass taking answers (the re-score once it began)."""
        return self.answered_rescore if self.answered_rescore is not None else (self.answered_first)


def check_picture(
    data: CheckAnswers,
    *,
    framework: Framework,
    min_group_size: int,
    figures: CheckFigures | None = None,
) -> CheckPicture:
    """The picture of a check; ``figures`` when the caller already has them (they change
    only with a publication)."""
    check = data.check
    return CheckPicture(
        check=check,
        subject=check.subject(framework),
        answered_first=answered_by_group(data.answers, framework=framework, pass_number=FIRST_PASS),
        answered_rescore=(
            answered_by_group(data.answers, framework=framework, pass_number=check.passes)
            if check.rescoring
            else None
        ),
        figures=figures
        or check_figures(
            data.answers, check=check, framework=framework, min_group_size=min_group_size
        ),
    )


def people_text(counts: dict[str, int], *, framework: Framework) -> str:
    """ "12 commissioners, 9 service providers and 0 lived experience" (framework order)."""
    return readings.names_text(
        [f"{n} {readings.in_sentence(framework.group_name(g))}" for g, n in counts.items()]
    )


def reading(picture: CheckPicture) -> str:
    """A one-point check in a sentence: whether the re-score brought the groups closer,
    or before it the gap between them and who is where ("" for an all-points check, whose
    table says it point by point, and while fewer than two groups can be shown)."""
    if len(picture.figures.now) != 1:
        return ""
    if picture.figures.changes:
        return picture.figures.changes[0].words
    point = picture.figures.now[0]
    if readings.is_missing(point.gap):
        return ""
    return readings.gap_reading(point.gap, where=point.where)


def points_table(picture: CheckPicture, *, framework: Framework) -> pd.DataFrame:
    """A row per learning point: each group's figure (first pass, then the re-score after
    an arrow once it began) and the gap between the groups, or whether they came closer."""
    changes = {c.key: c for c in picture.figures.changes}
    rows = []
    for point in picture.figures.now:
        change = changes.get(point.key)
        row = {"Learning point": point.title}
        for group in framework.group_keys:
            now = point.group(group).text
            before = change.before.group(group).text if change else ""
            row[framework.group_name(group)] = f"{before} → {now}" if change else now
        row["Gap"] = change.brief if change else readings.gap_text(point.gap)
        rows.append(row)
    return pd.DataFrame(rows)


def standings_table(picture: CheckPicture, *, framework: Framework) -> pd.DataFrame:
    """The check as a table for the meeting pack. One learning point: a row per group,
    where it stood after the first pass and after the re-score (its mean and interval, or
    why it is withheld). Every point: ``points_table``."""
    if len(picture.figures.now) > 1:
        return points_table(picture, framework=framework)
    point = picture.figures.now[0]
    change = picture.figures.changes[0] if picture.figures.changes else None
    rows = []
    for standing in (change.before if change else point).groups:
        row = {"Group": standing.name, "First pass": standing.text}
        if change is not None:
            row["Re-score"] = change.after.group(standing.group).text
        rows.append(row)
    return pd.DataFrame(rows)

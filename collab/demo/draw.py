"""Drawing the demo's invented members and answers, and checking a draw shows the patterns.

Every random choice comes from the ``random.Random`` passed in, in a fixed order, so the
same seed always gives the same members, scores and comments.
"""

from __future__ import annotations

import functools
import math
import random
from collections import defaultdict
from dataclasses import dataclass

import numpy as np

from collab.demo.alliance import Alliance, DemoOrganisation
from collab.domain.submissions import AnswerInput
from collab.stats.analysis import consensus_from_counts
from collab.store.framework import DEFAULT_THRESHOLDS

SCALE = (1, 2, 3, 4, 5)
# The demo is designed against the framework file's default thresholds.
DESIGN_THRESHOLDS = DEFAULT_THRESHOLDS


@dataclass(frozen=True)
class Member:
    """One invented person, known by an index until references are shuffled out."""

    index: int
    organisation: DemoOrganisation


@dataclass(frozen=True)
class DemoResponse:
    round_index: int
    member: Member
    answers: dict[str, AnswerInput]


@functools.lru_cache(maxsize=256)
def _score_distribution(mean: float, spread: float) -> tuple[float, ...]:
    """Probabilities of the scores 1-5: a bell curve cut to the scale, averaging ``mean``."""

    def curve(centre: float) -> list[float]:
        weights = [math.exp(-((s - centre) ** 2) / (2 * spread**2)) for s in SCALE]
        total = sum(weights)
        return [w / total for w in weights]

    low, high = -5.0, 11.0
    for _ in range(60):
        centre = (low + high) / 2
        if sum(p * s for p, s in zip(curve(centre), SCALE, strict=True)) < mean:
            low = centre
        else:
            high = centre
    return tuple(curve((low + high) / 2))


def plan_members(rng: random.Random, alliance: Alliance) -> list[list[Member]]:
    """Who answers each round: most return, some leave, newcomers join."""
    by_round: list[list[Member]] = [[] for _ in alliance.rounds]
    count = 0
    for group in alliance.groups:
        organisations = [o for o in alliance.organisations if o.stakeholder_group == group]
        everyone: list[Member] = []
        previous: list[Member] = []
        for round_index, demo_round in enumerate(alliance.rounds):
            wanted = demo_round.respondents[group]
            returning = rng.sample(
                previous, min(len(previous), round(wanted * alliance.answers.returning_share))
            )
            # Someone who skipped a round may come back.
            lapsed = [m for m in everyone if m not in previous]
            if lapsed and len(returning) < wanted:
                returning.append(rng.choice(lapsed))
            members = list(returning)
            while len(members) < wanted:
                if len(everyone) < len(organisations):
                    organisation = organisations[len(everyone)]
                else:
                    weights = [o.weight for o in organisations]
                    organisation = rng.choices(organisations, weights=weights)[0]
                member = Member(count, organisation)
                count += 1
                everyone.append(member)
                members.append(member)
            by_round[round_index].extend(members)
            previous = members
    for members in by_round:
        rng.shuffle(members)
    return by_round


class _CommentPicker:
    """Comments for one round, each used once before any is repeated."""

    def __init__(self, rng: random.Random):
        self.rng = rng
        self.unused: dict[tuple[str, ...], list[str]] = {}

    def pick(self, key: tuple[str, ...], pool: tuple[str, ...]) -> str:
        if not self.unused.get(key):
            self.unused[key] = self.rng.sample(pool, len(pool))
        return self.unused[key].pop()


def _comment_for(
    rng: random.Random,
    alliance: Alliance,
    picker: _CommentPicker,
    point: str,
    group: str,
    score: int | None,
) -> str:
    model, comments = alliance.answers, alliance.comments
    if score is None:
        if rng.random() >= model.dont_know_comment_rate:
            return ""
        return picker.pick(("dont_know", group), comments.dont_know[group])
    if rng.random() >= model.comment_rate[group]:
        return ""
    tone = "low" if score <= 2 else "high" if score >= 4 else rng.choice(("low", "high"))
    return picker.pick((point, group, tone), comments.scored[point][group][tone])


def _stratified_counts(rng: random.Random, total: int, weights: tuple[float, ...]) -> list[int]:
    """How many of ``total`` scores fall on each scale point, in proportion to ``weights``.

    Each count is ``total * share`` rounded down; the scores left over go one each to
    scale points picked at random, weighted by the fractions rounded away.
    """
    exact = [total * w / sum(weights) for w in weights]
    counts = [math.floor(x) for x in exact]
    fractions = {i: x - counts[i] for i, x in enumerate(exact)}
    for _ in range(total - sum(counts)):
        candidates = [i for i, f in fractions.items() if f > 0]
        chosen = rng.choices(candidates, weights=[fractions[i] for i in candidates])[0]
        counts[chosen] += 1
        del fractions[chosen]
    return counts


def draw_answers(
    rng: random.Random,
    alliance: Alliance,
    members_by_round: list[list[Member]],
    point_keys: list[str],
) -> list[DemoResponse]:
    """One random draw of every member's answers in every round.

    Within a round and group, each learning point's scores follow the target
    distribution closely (a stratified draw); who gives which score is random.
    """
    model = alliance.answers
    responses: list[DemoResponse] = []
    for round_index, members in enumerate(members_by_round):
        picker = _CommentPicker(rng)
        answers: dict[int, dict[str, AnswerInput]] = {m.index: {} for m in members}
        for group in alliance.groups:
            in_group = [m for m in members if m.organisation.stakeholder_group == group]
            for point in point_keys:
                dont_know_rate = model.dont_know_rate_for(point, group)
                scoring = [m for m in in_group if rng.random() >= dont_know_rate]
                if (point, group) == model.split:
                    weights = model.split_distribution
                else:
                    weights = _score_distribution(
                        model.target_means[point][group][round_index], model.spread[group]
                    )
                counts = _stratified_counts(rng, len(scoring), weights)
                scores = [s for s, n in zip(SCALE, counts, strict=True) for _ in range(n)]
                rng.shuffle(scores)
                given = {m.index: s for m, s in zip(scoring, scores, strict=True)}
                for m in in_group:
                    score = given.get(m.index)
                    comment = _comment_for(rng, alliance, picker, point, group, score)
                    answers[m.index][point] = AnswerInput(score, score is None, comment)
        responses.extend(DemoResponse(round_index, m, answers[m.index]) for m in members)
    return responses


def _consensus(scores: list[int]) -> float:
    """Tastle and Wierman's consensus on the 1-5 scale (1 = everyone agrees)."""
    counts = np.asarray([scores.count(value) for value in SCALE])
    return float(consensus_from_counts(counts, scale_values=np.asarray(SCALE))[0])


def shows_the_patterns(alliance: Alliance, responses: list[DemoResponse]) -> bool:
    """True when this draw shows every pattern the demo promises, with the default thresholds.

    Groups with fewer scores than the minimum group size are left out of a gap, as the
    dashboard leaves them out.
    """
    t = DESIGN_THRESHOLDS
    patterns, groups, rounds = alliance.patterns, alliance.groups, alliance.rounds
    split = alliance.answers.split
    scores: dict[tuple[int, str, str], list[int]] = defaultdict(list)
    for r in responses:
        for point, answer in r.answers.items():
            if answer.score is not None:
                key = (r.round_index, point, r.member.organisation.stakeholder_group)
                scores[key].append(answer.score)

    def shown(round_index: int, point: str) -> dict[str, list[int]]:
        cells = {g: scores[(round_index, point, g)] for g in groups}
        return {g: s for g, s in cells.items() if len(s) >= t.min_group_size}

    def gap(round_index: int, point: str) -> float:
        means = [sum(s) / len(s) for s in shown(round_index, point).values()]
        return max(means) - min(means)

    closed = [i for i, r in enumerate(rounds) if not r.is_open]
    latest = closed[-1]
    split_point, split_group = split
    for i in closed:
        if any(gap(i, p) < t.divergent_gap for p in patterns.divergent):
            return False
        if any(gap(i, p) >= t.some_divergence_gap for p in patterns.shared):
            return False
        if _consensus(scores[(i, split_point, split_group)]) >= t.split_consensus:
            return False
    for point in alliance.answers.target_means:
        for i in (latest, len(rounds) - 1):
            if len(shown(i, point)) < len(groups):
                return False
        for group, group_scores in shown(latest, point).items():
            if (point, group) != split and _consensus(group_scores) < t.split_consensus:
                return False
    if not all(
        t.some_divergence_gap <= gap(latest, p) < t.divergent_gap for p in patterns.in_between
    ):
        return False
    converging = [gap(i, patterns.converging) for i in range(len(rounds))]
    return (
        all(a > b for a, b in zip(converging, converging[1:], strict=False))
        and converging[-1] < t.some_divergence_gap
    )

"""The demo alliance: an invented county homelessness alliance to explore the dashboard with.

Twelve fictional organisations answer three rounds (two closed, the last open). Their
answers are drawn at random from target score distributions chosen so that the
dashboard has something real to find: points where the groups diverge, points where
they agree, a group split within itself, a point on which the groups converge over
time, and a lived-experience group too small to show in the first round.

Everything comes from ``random.Random(seed)``: the same seed gives the same answers and
comments; another seed gives other answers with the same patterns.
"""

from __future__ import annotations

import datetime as dt
import functools
import math
import random
from collections import defaultdict
from dataclasses import dataclass

import sqlalchemy as sa
import sqlalchemy.orm as so

from collab.domain.invite_codes import hash_code, new_secret_code
from collab.domain.submissions import AnswerInput, NewResponse, add_responses
from collab.stats.analysis import consensus_from_counts
from collab.store.db import Database
from collab.store.errors import Refused
from collab.store.framework import ANALYSIS_DEFAULTS, Framework, Thresholds
from collab.store.models import (
    Action,
    AllianceSetting,
    ExpectedParticipation,
    InviteCode,
    Organisation,
    Round,
    Submission,
)

DEMO_LEADERSHIP_PASSCODE = "demo-leadership"
DEMO_ADMIN_PASSCODE = "demo-admin"
DEMO_SETTING_KEY = "demo"

COMMISSIONER = "commissioner"
PROVIDER = "provider"
LIVED_EXPERIENCE = "lived_experience"
GROUPS = (COMMISSIONER, PROVIDER, LIVED_EXPERIENCE)
SCALE = (1, 2, 3, 4, 5)


@dataclass(frozen=True)
class DemoSummary:
    """What ``build_demo`` wrote. The invite codes are shown here once and never again."""

    organisations: int
    rounds: list[str]  # oldest first
    respondents_by_round: dict[str, int]
    # (organisation, stakeholder group key, code), usable in the open round
    invite_codes: list[tuple[str, str, str]]


@dataclass(frozen=True)
class DemoOrganisation:
    name: str
    stakeholder_group: str
    # Relative share of the group's respondents who come from this organisation.
    weight: int


ORGANISATIONS = (
    DemoOrganisation("Calderholt County Council", COMMISSIONER, 4),
    DemoOrganisation("Brackenford District Council", COMMISSIONER, 2),
    DemoOrganisation("Hollin Vale District Council", COMMISSIONER, 2),
    DemoOrganisation("Calderholt Public Health Agency", COMMISSIONER, 2),
    DemoOrganisation("Lanternway Night Shelter", PROVIDER, 3),
    DemoOrganisation("Fernbank Housing Association", PROVIDER, 4),
    DemoOrganisation("Harebell Mental Health Charity", PROVIDER, 2),
    DemoOrganisation("Nightjar Street Outreach", PROVIDER, 3),
    DemoOrganisation("Millrace Recovery Service", PROVIDER, 2),
    DemoOrganisation("Tillhouse Youth Foyer", PROVIDER, 2),
    DemoOrganisation("Calderholt Lived Experience Panel", LIVED_EXPERIENCE, 3),
    DemoOrganisation("Waymark Peer Network", LIVED_EXPERIENCE, 2),
)


@dataclass(frozen=True)
class DemoRound:
    name: str
    opens_on: dt.date
    closes_on: dt.date
    is_open: bool
    # Respondents per stakeholder group.
    respondents: dict[str, int]


# The lived-experience group of the first round is one short of the minimum group size,
# so the dashboard has to withhold it; in the later rounds every group can be shown.
ROUNDS = (
    DemoRound(
        "Autumn 2025",
        dt.date(2025, 11, 3),
        dt.date(2025, 12, 5),
        False,
        {COMMISSIONER: 11, PROVIDER: 28, LIVED_EXPERIENCE: 4},
    ),
    DemoRound(
        "Spring 2026",
        dt.date(2026, 4, 13),
        dt.date(2026, 5, 15),
        False,
        {COMMISSIONER: 13, PROVIDER: 34, LIVED_EXPERIENCE: 9},
    ),
    DemoRound(
        "Autumn 2026",
        dt.date(2026, 11, 9),
        dt.date(2026, 12, 11),
        True,
        {COMMISSIONER: 10, PROVIDER: 26, LIVED_EXPERIENCE: 8},
    ),
)

# How many responses the coordinator expects from each organisation: the lived-experience
# organisations fall short, which the Participation page flags before results are read.
EXPECTED_RESPONSES = {
    "Calderholt County Council": 5,
    "Brackenford District Council": 3,
    "Hollin Vale District Council": 3,
    "Calderholt Public Health Agency": 3,
    "Lanternway Night Shelter": 6,
    "Fernbank Housing Association": 8,
    "Harebell Mental Health Charity": 4,
    "Nightjar Street Outreach": 6,
    "Millrace Recovery Service": 4,
    "Tillhouse Youth Foyer": 4,
    "Calderholt Lived Experience Panel": 8,
    "Waymark Peer Network": 6,
}


@dataclass(frozen=True)
class DemoAction:
    round_name: str
    learning_point: str
    description: str
    lead: str
    due_on: dt.date
    status: str


# Actions agreed in the meetings after the closed rounds, followed up in later meetings.
ACTIONS = (
    DemoAction(
        "Autumn 2025",
        "realistic",
        "Pick two small joint pieces of delivery for the winter and report back on both",
        "Fernbank Housing Association",
        dt.date(2026, 3, 31),
        "done",
    ),
    DemoAction(
        "Autumn 2025",
        "right_people",
        "Invite two lived-experience panel members to every leadership team meeting",
        "Calderholt County Council",
        dt.date(2026, 2, 28),
        "in_progress",
    ),
    DemoAction(
        "Spring 2026",
        "right_people",
        "Agree which decisions the leadership team can take without going back to each board",
        "Calderholt County Council",
        dt.date(2026, 9, 30),
        "agreed",
    ),
    DemoAction(
        "Spring 2026",
        "difference",
        "Hold a facilitated session where providers can raise disagreements with commissioners",
        "Nightjar Street Outreach",
        dt.date(2026, 7, 31),
        "done",
    ),
    DemoAction(
        "Spring 2026",
        "messiness",
        "Write down who decides what in the alliance, and name the grey areas openly",
        "Lanternway Night Shelter",
        dt.date(2026, 10, 31),
        "in_progress",
    ),
)

# Share of a round's respondents (per group) who also answered the round before.
RETURNING_SHARE = 0.7

# Target mean score of each group in each round (oldest first), by learning point.
# right_people and difference diverge; focus and assets are shared; realistic converges
# (a gap of about 1.8, then 1.0, then 0.3); upstream, messiness and impact sit between.
TARGET_MEANS: dict[str, dict[str, tuple[float, float, float]]] = {
    "upstream": {
        COMMISSIONER: (3.1, 3.45, 3.6),
        PROVIDER: (2.5, 2.8, 3.0),
        LIVED_EXPERIENCE: (2.3, 2.75, 2.9),
    },
    "right_people": {
        COMMISSIONER: (4.0, 4.0, 4.1),
        PROVIDER: (2.7, 3.0, 3.2),
        LIVED_EXPERIENCE: (2.0, 2.1, 2.4),
    },
    "realistic": {
        COMMISSIONER: (3.9, 3.6, 3.25),
        PROVIDER: (2.1, 2.6, 3.1),
        LIVED_EXPERIENCE: (2.6, 3.0, 3.15),
    },
    "difference": {
        COMMISSIONER: (3.7, 3.9, 3.9),
        PROVIDER: (2.4, 2.6, 2.9),
        LIVED_EXPERIENCE: (2.9, 3.1, 3.2),
    },
    "assets": {
        COMMISSIONER: (3.3, 3.5, 3.6),
        PROVIDER: (3.3, 3.5, 3.65),
        LIVED_EXPERIENCE: (3.2, 3.45, 3.6),
    },
    "messiness": {
        COMMISSIONER: (3.1, 3.45, 3.5),
        # Providers: see SPLIT_DISTRIBUTIONS.
        LIVED_EXPERIENCE: (2.5, 2.75, 2.85),
    },
    "focus": {
        COMMISSIONER: (3.6, 3.8, 3.9),
        PROVIDER: (3.6, 3.75, 3.9),
        LIVED_EXPERIENCE: (3.5, 3.7, 3.8),
    },
    "impact": {
        COMMISSIONER: (2.6, 2.75, 3.0),
        PROVIDER: (3.2, 3.5, 3.6),
        LIVED_EXPERIENCE: (2.9, 3.1, 3.3),
    },
}

# How widely a group's scores spread around its mean (standard deviation of the
# underlying curve, in scale points).
SPREAD = {COMMISSIONER: 0.75, PROVIDER: 0.85, LIVED_EXPERIENCE: 0.85}

# Providers are divided on messiness: those close to the leadership table see
# uncertainty named and worked through, frontline services mostly do not.
SPLIT_DISTRIBUTIONS: dict[tuple[str, str], tuple[float, ...]] = {
    ("messiness", PROVIDER): (0.28, 0.24, 0.05, 0.21, 0.22),
}

DONT_KNOW_RATE = 0.035
# People with lived experience more often can't judge how decisions are made.
DONT_KNOW_RATE_LIVED_ON_DECISIONS = 0.14
DECISION_POINTS = ("right_people", "messiness")
COMMENT_RATE = {COMMISSIONER: 0.15, PROVIDER: 0.18, LIVED_EXPERIENCE: 0.22}
DONT_KNOW_COMMENT_RATE = 0.4

DIVERGENT_POINTS = ("right_people", "difference")
SHARED_POINTS = ("focus", "assets")
IN_BETWEEN_POINTS = ("upstream", "messiness", "impact")
CONVERGING_POINT = "realistic"
SPLIT_GROUP = ("messiness", PROVIDER)
# The demo is designed against the framework file's default thresholds.
DESIGN_THRESHOLDS = Thresholds(**ANALYSIS_DEFAULTS)
MAX_DRAWS = 500

# Comments by learning point and group: "low" ones go with scores of 1-2, "high" ones
# with 4-5, and a score of 3 takes either.
COMMENTS: dict[str, dict[str, dict[str, tuple[str, ...]]]] = {
    "upstream": {
        COMMISSIONER: {
            "low": (
                "We went straight into the delivery plan before agreeing how we would "
                "behave with each other, and it shows whenever money gets tight.",
                "Lots of talk about culture change at board level, but our own sign-off "
                "processes are exactly as they were.",
            ),
            "high": (
                "The ways-of-working session at the start still gets quoted when meetings "
                "get tense.",
                "Each quarterly meeting now keeps time for how we are working together, "
                "not only what we are delivering.",
            ),
        },
        PROVIDER: {
            "low": (
                "It still feels like contract management with new words on top.",
                "We were asked to collaborate, but nobody talked about what that means for "
                "organisations that were bidding against each other last year.",
            ),
            "high": (
                "Staff who went to the ways-of-working workshop came back talking "
                "differently about our partners.",
                "We notice now when we slip back into old habits, and someone usually says so.",
            ),
        },
        LIVED_EXPERIENCE: {
            "low": (
                "Nobody asked how we wanted to be involved before the work started.",
                "The talk about changing mindsets happens in rooms we are not invited to.",
            ),
            "high": (
                "We helped write the ground rules for meetings, and that felt like a real change.",
                "People are more careful about how they talk about the people they support "
                "than they were a year ago.",
            ),
        },
    },
    "right_people": {
        COMMISSIONER: {
            "low": (
                "Some partners send someone different every time, so decisions slip to "
                "the next meeting.",
                "The senior people are there, but we talk around issues instead of settling them.",
            ),
            "high": (
                "The leadership group has budget holders and service leads together, and "
                "we reach decisions.",
                "Having finance colleagues in the room has made things move much faster.",
            ),
        },
        PROVIDER: {
            "low": (
                "The people who can sign things off are rarely at the table, so we agree "
                "things that then stall.",
                "Smaller providers get squeezed out when meetings are set up around the "
                "big organisations.",
            ),
            "high": (
                "Decisions now get made in the room rather than weeks later by email.",
                "Frontline managers are part of the conversation now, not only chief executives.",
            ),
        },
        LIVED_EXPERIENCE: {
            "low": (
                "We are invited, but the real decisions seem to be made before we arrive.",
                "It is hard to tell who in the room has the power to change anything.",
            ),
            "high": (
                "A commissioner agreed something with us on the spot last time, which had "
                "never happened before.",
                "Having two of us at every meeting instead of one makes it easier to speak up.",
            ),
        },
    },
    "realistic": {
        COMMISSIONER: {
            "low": (
                "The action plan has more priorities than we have staff to deliver.",
                "We keep adding workstreams without ever stopping one.",
            ),
            "high": (
                "Starting with one joint pilot gave us something concrete to build on.",
                "We cut the plan down to three priorities and people can actually name them.",
            ),
        },
        PROVIDER: {
            "low": (
                "Frontline teams are stretched to breaking point and the plan asks for "
                "more every month.",
                "We are working flat out on delivery while the list of requests keeps growing.",
            ),
            "high": (
                "The shared winter beds plan was small and practical, and it worked.",
                "The plan is more honest now about what our staffing can deliver.",
            ),
        },
        LIVED_EXPERIENCE: {
            "low": (
                "Big promises in the strategy, but little change that people on the "
                "street can see yet.",
                "It is hard to stay hopeful when the goals feel so far away.",
            ),
            "high": (
                "The move-on project is small, but people can see it working.",
                "We were asked which change would matter most to people, and that is what "
                "got done first.",
            ),
        },
    },
    "difference": {
        COMMISSIONER: {
            "low": (
                "A challenge still tends to land as criticism of one organisation.",
                "People are polite in the meeting and raise their concerns privately afterwards.",
            ),
            "high": (
                "We had a hard conversation about the accommodation budget and the "
                "relationships held.",
                "Providers challenge us openly now, and our decisions are better for it.",
            ),
        },
        PROVIDER: {
            "low": (
                "It feels risky to disagree with the people who fund you, so most "
                "providers stay quiet.",
                "When we raised concerns about the referral route, it felt like it "
                "counted against us.",
            ),
            "high": (
                "Disagreeing is starting to feel normal; the chair makes room for it.",
                "We could say that a target wasn't working, and it was changed.",
            ),
        },
        LIVED_EXPERIENCE: {
            "low": (
                "When I disagree I am thanked for my input and nothing changes.",
                "It takes a lot of nerve to challenge professionals in a room full of them.",
            ),
            "high": (
                "People listened when we said a waiting area felt unsafe, and asked what "
                "would help.",
                "Disagreement is treated with respect and nobody talks down to us.",
            ),
        },
    },
    "assets": {
        COMMISSIONER: {
            "low": (
                "Our reports still lead with what is going wrong.",
                "We have no shared picture of which services are working well.",
            ),
            "high": (
                "Mapping the services that already exist stopped us commissioning the "
                "same thing twice.",
                "Reviews now start by asking what is working and why.",
            ),
        },
        PROVIDER: {
            "low": (
                "Good practice in the smaller services goes unnoticed.",
                "Monitoring is all about gaps; strengths rarely come up.",
            ),
            "high": (
                "A peer mentoring scheme from one service is now being copied across the alliance.",
                "Partners share what works before asking for new money.",
            ),
        },
        LIVED_EXPERIENCE: {
            "low": (
                "What peers already do for each other isn't counted anywhere.",
                "Nobody asked what helped us when things were at their worst.",
            ),
            "high": (
                "The skills of peer supporters are recognised, and paid for, now.",
                "Staff ask what has helped people before suggesting something new.",
            ),
        },
    },
    "messiness": {
        COMMISSIONER: {
            "low": (
                "When it's unclear who decides, we tend to wait rather than ask.",
                "The overlap between the county and district boards still hasn't been dealt with.",
            ),
            "high": (
                "We keep a list of open questions about who decides what and go through "
                "it at every meeting.",
                "We admitted the funding position was uncertain and planned together for "
                "both outcomes.",
            ),
        },
        PROVIDER: {
            "low": (
                "Nobody will say who owns the decision on shared beds, so it keeps coming back.",
                "Uncertainty gets smoothed over in the papers instead of being discussed.",
                "From the frontline it feels like decisions appear from nowhere.",
            ),
            "high": (
                "When the contract terms were unclear, we named it and sorted it out together.",
                "Meetings have got better at saying 'we don't know yet' and agreeing the "
                "next step.",
                "It depends which meeting you are in, but the leadership group does face "
                "the awkward questions.",
            ),
        },
        LIVED_EXPERIENCE: {
            "low": (
                "Decisions change without explanation and we find out later.",
                "It is never clear who to go to when something goes wrong.",
            ),
            "high": (
                "We were told honestly that the funding was uncertain, which I respected.",
                "Unclear decisions get written up and someone is named to sort each one.",
            ),
        },
    },
    "focus": {
        COMMISSIONER: {
            "low": (
                "Our own organisation's targets still pull against the shared strategy.",
                "The strategy gets mentioned more often than it gets used.",
            ),
            "high": (
                "When priorities clash we go back to the strategy's goals, and that settles it.",
                "The shared purpose kept everyone at the table through the budget round.",
            ),
        },
        PROVIDER: {
            "low": (
                "Individual contracts still drive our work more than the shared goals do.",
                "The goals are clear, but day-to-day pressure crowds them out.",
            ),
            "high": (
                "Everyone can say what we are trying to achieve, which wasn't true before.",
                "Fewer people sleeping rough is the goal we keep coming back to.",
            ),
        },
        LIVED_EXPERIENCE: {
            "low": (
                "The purpose is right, but it gets lost in the paperwork.",
                "Each organisation still seems to have its own agenda.",
            ),
            "high": (
                "Everyone agrees what the point of all this is, and that holds it together.",
                "The aims are on every agenda and decisions get checked against them.",
            ),
        },
    },
    "impact": {
        COMMISSIONER: {
            "low": (
                "We are still asked to prove our own organisation's contribution on its own.",
                "Pressure for quick results pushes us back to counting outputs.",
            ),
            "high": (
                "Our reports now describe what partners achieved together, not who gets "
                "the credit.",
                "We accept that some of our work will show up in other services' figures.",
            ),
        },
        PROVIDER: {
            "low": (
                "Each funder wants its own numbers, so we count what is easy rather than "
                "what matters.",
                "We talk about contribution, but monitoring still asks for sole credit.",
            ),
            "high": (
                "We report shared stories of change now, not just our own figures.",
                "The knock-on effects on other services are noticed and talked about.",
            ),
        },
        LIVED_EXPERIENCE: {
            "low": (
                "The numbers don't show what actually changed in people's lives.",
                "Progress is measured by whatever is easiest to count.",
            ),
            "high": (
                "People's own accounts of what changed are part of the progress report now.",
                "It is recognised that a lot of what helps happens outside services.",
            ),
        },
    },
}

DONT_KNOW_COMMENTS = {
    COMMISSIONER: (
        "I am too new to the alliance to judge this yet.",
        "This mostly happens in groups I am not part of.",
    ),
    PROVIDER: (
        "Our service only joined recently.",
        "I am not close enough to the leadership meetings to say.",
    ),
    LIVED_EXPERIENCE: (
        "I don't know who makes these decisions, so I can't score it.",
        "I haven't been to enough meetings to say.",
        "Nobody has explained how this part works.",
    ),
}


@dataclass(frozen=True)
class _Member:
    """One invented person, known by an index until references are shuffled out."""

    index: int
    organisation: DemoOrganisation


@dataclass(frozen=True)
class _DemoResponse:
    round_index: int
    member: _Member
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


def _plan_members(rng: random.Random) -> list[list[_Member]]:
    """Who answers each round: most return, some leave, newcomers join."""
    by_round: list[list[_Member]] = [[] for _ in ROUNDS]
    count = 0
    for group in GROUPS:
        organisations = [o for o in ORGANISATIONS if o.stakeholder_group == group]
        everyone: list[_Member] = []
        previous: list[_Member] = []
        for round_index, demo_round in enumerate(ROUNDS):
            wanted = demo_round.respondents[group]
            returning = rng.sample(previous, min(len(previous), round(wanted * RETURNING_SHARE)))
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
                member = _Member(count, organisation)
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
    rng: random.Random, picker: _CommentPicker, point: str, group: str, score: int | None
) -> str:
    if score is None:
        if rng.random() >= DONT_KNOW_COMMENT_RATE:
            return ""
        return picker.pick(("dont_know", group), DONT_KNOW_COMMENTS[group])
    if rng.random() >= COMMENT_RATE[group]:
        return ""
    tone = "low" if score <= 2 else "high" if score >= 4 else rng.choice(("low", "high"))
    return picker.pick((point, group, tone), COMMENTS[point][group][tone])


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


def _draw_answers(
    rng: random.Random, members_by_round: list[list[_Member]], point_keys: list[str]
) -> list[_DemoResponse]:
    """One random draw of every member's answers in every round.

    Within a round and group, each learning point's scores follow the target
    distribution closely (a stratified draw); who gives which score is random.
    """
    responses = []
    for round_index, members in enumerate(members_by_round):
        picker = _CommentPicker(rng)
        answers: dict[int, dict[str, AnswerInput]] = {m.index: {} for m in members}
        for group in GROUPS:
            in_group = [m for m in members if m.organisation.stakeholder_group == group]
            for point in point_keys:
                dont_know_rate = (
                    DONT_KNOW_RATE_LIVED_ON_DECISIONS
                    if group == LIVED_EXPERIENCE and point in DECISION_POINTS
                    else DONT_KNOW_RATE
                )
                scoring = [m for m in in_group if rng.random() >= dont_know_rate]
                weights = SPLIT_DISTRIBUTIONS.get((point, group)) or _score_distribution(
                    TARGET_MEANS[point][group][round_index], SPREAD[group]
                )
                counts = _stratified_counts(rng, len(scoring), weights)
                scores = [s for s, n in zip(SCALE, counts, strict=True) for _ in range(n)]
                rng.shuffle(scores)
                given = {m.index: s for m, s in zip(scoring, scores, strict=True)}
                for m in in_group:
                    score = given.get(m.index)
                    comment = _comment_for(rng, picker, point, group, score)
                    answers[m.index][point] = AnswerInput(score, score is None, comment)
        responses.extend(_DemoResponse(round_index, m, answers[m.index]) for m in members)
    return responses


def _consensus(scores: list[int]) -> float:
    """Tastle and Wierman's consensus on the 1-5 scale (1 = everyone agrees)."""
    counts = [scores.count(value) for value in SCALE]
    return float(consensus_from_counts(counts, scale_values=SCALE)[0])


def _shows_the_patterns(responses: list[_DemoResponse]) -> bool:
    """True when this draw shows every pattern the demo promises, with the default thresholds.

    Groups with fewer scores than the minimum group size are left out of a gap, as the
    dashboard leaves them out.
    """
    t = DESIGN_THRESHOLDS
    scores: dict[tuple[int, str, str], list[int]] = defaultdict(list)
    for r in responses:
        for point, answer in r.answers.items():
            if answer.score is not None:
                key = (r.round_index, point, r.member.organisation.stakeholder_group)
                scores[key].append(answer.score)

    def shown(round_index: int, point: str) -> dict[str, list[int]]:
        cells = {g: scores[(round_index, point, g)] for g in GROUPS}
        return {g: s for g, s in cells.items() if len(s) >= t.min_group_size}

    def gap(round_index: int, point: str) -> float:
        means = [sum(s) / len(s) for s in shown(round_index, point).values()]
        return max(means) - min(means)

    closed = [i for i, r in enumerate(ROUNDS) if not r.is_open]
    latest = closed[-1]
    split_point, split_group = SPLIT_GROUP
    for i in closed:
        if any(gap(i, p) < t.divergent_gap for p in DIVERGENT_POINTS):
            return False
        if any(gap(i, p) >= t.some_divergence_gap for p in SHARED_POINTS):
            return False
        if _consensus(scores[(i, split_point, split_group)]) >= t.split_consensus:
            return False
    for point in TARGET_MEANS:
        for i in (latest, len(ROUNDS) - 1):
            if len(shown(i, point)) < len(GROUPS):
                return False
        for group, group_scores in shown(latest, point).items():
            if (point, group) != SPLIT_GROUP and _consensus(group_scores) < t.split_consensus:
                return False
    if not all(
        t.some_divergence_gap <= gap(latest, p) < t.divergent_gap for p in IN_BETWEEN_POINTS
    ):
        return False
    converging = [gap(i, CONVERGING_POINT) for i in range(len(ROUNDS))]
    return (
        all(a > b for a, b in zip(converging, converging[1:], strict=False))
        and converging[-1] < t.some_divergence_gap
    )


def _check_framework(framework: Framework) -> None:
    if (
        sorted(framework.point_keys) != sorted(TARGET_MEANS)
        or not set(GROUPS) <= set(framework.group_keys)
        or tuple(s.value for s in framework.scale) != SCALE
    ):
        raise Refused(
            "The demo alliance is written for the default framework (eight learning "
            "points, the three stakeholder groups and a 1 to 5 scale); this framework file "
            "is different, so the demo can't be loaded."
        )


def _holds_data(session: so.Session) -> bool:
    return any(
        session.scalar(sa.select(model.id).limit(1)) is not None
        for model in (Organisation, Round, Submission)
    )


def is_empty(db: Database) -> bool:
    """True when the database holds no organisations, rounds or submissions."""
    with db.read() as session:
        return not _holds_data(session)


def is_demo(db: Database) -> bool:
    """True when the database was filled by ``build_demo``."""
    with db.read() as session:
        setting = session.get(AllianceSetting, DEMO_SETTING_KEY)
        return setting is not None and setting.value == "true"


def build_demo(db: Database, *, framework: Framework, seed: int = 7) -> DemoSummary:
    """Fill an empty database with the demo alliance in one transaction; say what was written.

    Refused, writing nothing, when the database already holds organisations, rounds or
    submissions, or when the framework is not the default one the demo is written for.
    """
    _check_framework(framework)
    rng = random.Random(seed)
    members_by_round = _plan_members(rng)
    for _ in range(MAX_DRAWS):
        responses = _draw_answers(rng, members_by_round, framework.point_keys)
        if _shows_the_patterns(responses):
            break
    else:
        raise RuntimeError(
            f"No draw of the demo answers showed the intended patterns (seed {seed})"
        )

    everyone = sorted({m.index for members in members_by_round for m in members})
    numbers = rng.sample(range(1, len(everyone) + 1), len(everyone))
    references = {index: f"demo-{n:04d}" for index, n in zip(everyone, numbers, strict=True)}
    with_members = {m.organisation for members in members_by_round for m in members}
    codes = [
        (o.name, o.stakeholder_group, new_secret_code()) for o in ORGANISATIONS if o in with_members
    ]

    with db.write() as session:
        if _holds_data(session):
            raise Refused(
                "This database already holds an alliance's organisations, rounds or answers, "
                "so the demo was not loaded. Point DATABASE_URL at a new, empty database "
                "to try the demo."
            )
        session.add(AllianceSetting(key=DEMO_SETTING_KEY, value="true"))
        organisations = {o.name: Organisation(name=o.name) for o in ORGANISATIONS}
        rounds = [
            Round(name=r.name, opens_on=r.opens_on, closes_on=r.closes_on, is_open=r.is_open)
            for r in ROUNDS
        ]
        session.add_all([*organisations.values(), *rounds])
        session.flush()
        session.add_all(
            InviteCode(
                code_hash=hash_code(code),
                organisation_id=organisations[name].id,
                stakeholder_group=group,
            )
            for name, group, code in codes
        )
        add_responses(
            session,
            [
                NewResponse(
                    round_id=rounds[r.round_index].id,
                    organisation_id=organisations[r.member.organisation.name].id,
                    stakeholder_group=r.member.organisation.stakeholder_group,
                    answers=r.answers,
                    reference=references[r.member.index],
                )
                for r in responses
            ],
            source="demo",
        )
        session.add_all(
            ExpectedParticipation(
                organisation_id=organisations[o.name].id,
                stakeholder_group=o.stakeholder_group,
                expected=EXPECTED_RESPONSES[o.name],
            )
            for o in ORGANISATIONS
        )
        round_ids = {r.name: r.id for r in rounds}
        session.add_all(
            Action(
                round_id=round_ids[a.round_name],
                learning_point=a.learning_point,
                description=a.description,
                lead_organisation_id=organisations[a.lead].id,
                due_on=a.due_on,
                status=a.status,
            )
            for a in ACTIONS
        )

    return DemoSummary(
        organisations=len(ORGANISATIONS),
        rounds=[r.name for r in ROUNDS],
        respondents_by_round={r.name: sum(r.respondents.values()) for r in ROUNDS},
        invite_codes=codes,
    )

"""The demo alliance as data: read from ``alliance.toml`` and ``comments.toml`` beside this file.

The files ship with the package; reading them gives plain frozen values, and a file that
lacks an entry the builder needs fails here, naming the entry.
"""

from __future__ import annotations

import datetime as dt
import functools
import tomllib
from dataclasses import dataclass
from importlib import resources
from typing import Any


@dataclass(frozen=True)
class DemoOrganisation:
    name: str
    stakeholder_group: str
    # Relative share of the group's respondents who come from this organisation.
    weight: int
    # How many responses the coordinator expects from it.
    expected: int


@dataclass(frozen=True)
class DemoRound:
    name: str
    opens_on: dt.date
    closes_on: dt.date
    is_open: bool
    # Respondents per stakeholder group.
    respondents: dict[str, int]


@dataclass(frozen=True)
class DemoAction:
    round_name: str
    learning_point: str
    description: str
    lead: str
    due_on: dt.date
    status: str


@dataclass(frozen=True)
class AnswerModel:
    """How the demo's members answer: the targets their scores and comments are drawn from."""

    returning_share: float
    # Target mean of each learning point's scores, by group, one per round (oldest first).
    target_means: dict[str, dict[str, tuple[float, ...]]]
    spread: dict[str, float]
    dont_know_rate: float
    # A group that answers "don't know" more often on some points, and how often.
    more_dont_know_group: str
    more_dont_know_points: tuple[str, ...]
    more_dont_know_rate: float
    comment_rate: dict[str, float]
    dont_know_comment_rate: float
    # The group divided within itself on one point, and its score distribution there.
    split: tuple[str, str]
    split_distribution: tuple[float, ...]

    def dont_know_rate_for(self, point: str, group: str) -> float:
        if group == self.more_dont_know_group and point in self.more_dont_know_points:
            return self.more_dont_know_rate
        return self.dont_know_rate


@dataclass(frozen=True)
class Patterns:
    """Which learning points show which pattern; every kept draw shows them all."""

    divergent: tuple[str, ...]
    shared: tuple[str, ...]
    in_between: tuple[str, ...]
    converging: str


@dataclass(frozen=True)
class Comments:
    # By learning point, group and tone ("low" or "high").
    scored: dict[str, dict[str, dict[str, tuple[str, ...]]]]
    # By group, beside a "don't know".
    dont_know: dict[str, tuple[str, ...]]


@dataclass(frozen=True)
class Alliance:
    # Stakeholder groups in the order their members are invented and answers drawn.
    groups: tuple[str, ...]
    organisations: tuple[DemoOrganisation, ...]
    rounds: tuple[DemoRound, ...]  # oldest first
    actions: tuple[DemoAction, ...]
    answers: AnswerModel
    patterns: Patterns
    comments: Comments


def _read(name: str) -> dict[str, Any]:
    return tomllib.loads(resources.files(__package__).joinpath(name).read_text(encoding="utf-8"))


def _answer_model(table: dict[str, Any]) -> AnswerModel:
    more = table["more_dont_know"]
    split = table["split"]
    return AnswerModel(
        returning_share=table["returning_share"],
        target_means={
            point: {group: tuple(means) for group, means in by_group.items()}
            for point, by_group in table["target_means"].items()
        },
        spread=dict(table["spread"]),
        dont_know_rate=table["dont_know_rate"],
        more_dont_know_group=more["group"],
        more_dont_know_points=tuple(more["points"]),
        more_dont_know_rate=more["rate"],
        comment_rate=dict(table["comment_rate"]),
        dont_know_comment_rate=table["dont_know_comment_rate"],
        split=(split["point"], split["group"]),
        split_distribution=tuple(split["distribution"]),
    )


def _comments(table: dict[str, Any]) -> Comments:
    return Comments(
        scored={
            point: {
                group: {tone: tuple(texts) for tone, texts in tones.items()}
                for group, tones in by_group.items()
            }
            for point, by_group in table["scores"].items()
        },
        dont_know={group: tuple(texts) for group, texts in table["dont_know"].items()},
    )


@functools.cache
def load_alliance() -> Alliance:
    """The demo alliance as written in the package's data files, read once per process."""
    data = _read("alliance.toml")
    patterns = data["patterns"]
    return Alliance(
        groups=tuple(data["groups"]),
        organisations=tuple(
            DemoOrganisation(o["name"], o["group"], o["weight"], o["expected"])
            for o in data["organisations"]
        ),
        rounds=tuple(
            DemoRound(r["name"], r["opens_on"], r["closes_on"], r["is_open"], r["respondents"])
            for r in data["rounds"]
        ),
        actions=tuple(
            DemoAction(
                round_name=a["round"],
                learning_point=a["learning_point"],
                description=a["description"],
                lead=a["lead"],
                due_on=a["due_on"],
                status=a["status"],
            )
            for a in data["actions"]
        ),
        answers=_answer_model(data["answers"]),
        patterns=Patterns(
            divergent=tuple(patterns["divergent"]),
            shared=tuple(patterns["shared"]),
            in_between=tuple(patterns["in_between"]),
            converging=patterns["converging"],
        ),
        comments=_comments(_read("comments.toml")),
    )

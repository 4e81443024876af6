"""Counted answers: the one-pass read behind the results views gives what the answers give.

``load_answer_counts`` and ``results_from_counts`` must agree with ``load_answers`` and
``results_from_answers`` figure for figure, privacy rules included: on the demo alliance
(SQLite and PostgreSQL) and on random answers with a small group and organisation filters.
"""

from __future__ import annotations

import random
from pathlib import Path

import pandas as pd
import pytest

from collab.demo import build_demo
from collab.domain import answers as stored_answers
from collab.domain.answers import AnswerCounts, load_answer_counts, load_answers
from collab.domain.organisations import create_organisation
from collab.domain.rounds import RoundInfo, create_round, list_rounds
from collab.domain.submissions import AnswerInput, NewResponse
from collab.stats.results import (
    RoundResults,
    results_from_answers,
    results_from_counts,
    round_results,
)
from collab.store.framework import parse_framework
from tests.support.answers import add_published
from tests.support.answers import stored_answers as answers_as_stored

KEYS = ["round", "round_id", "organisation", "stakeholder_group", "learning_point", "score"]
FRAMES = ["summary", "divergence", "change", "gap_change", "comments", "participation"]


def counted_one_by_one(answers: pd.DataFrame) -> pd.DataFrame:
    """The counts frame computed the plain way from an answers frame."""
    counts = (
        answers.groupby([*KEYS, "dont_know"], dropna=False).size().rename("answers").reset_index()
    )
    return counts.sort_values([*KEYS, "dont_know"]).reset_index(drop=True)


def sorted_counts(counts: pd.DataFrame) -> pd.DataFrame:
    return counts.sort_values([*KEYS, "dont_know"]).reset_index(drop=True)


def assert_same_results(found: RoundResults, expected: RoundResults) -> None:
    assert (found.visibility, found.message) == (expected.visibility, expected.message)
    assert found.previous_round == expected.previous_round
    assert found.groups_shown == expected.groups_shown
    for name in FRAMES:
        pd.testing.assert_frame_equal(
            getattr(found, name).reset_index(drop=True),
            getattr(expected, name).reset_index(drop=True),
            check_dtype=False,
            obj=name,
        )


@pytest.fixture
def demo(db, framework):
    build_demo(db, framework=framework)
    return db


def test_counts_match_the_answers_counted_one_by_one(demo, framework):
    ids = [r.id for r in list_rounds(demo)]
    found = load_answer_counts(demo, framework=framework, round_ids=ids)
    expected = counted_one_by_one(load_answers(demo, round_ids=ids))
    pd.testing.assert_frame_equal(sorted_counts(found.counts), expected, check_dtype=False)


def test_participation_counts_each_submission_once(demo, framework):
    ids = [r.id for r in list_rounds(demo)]
    found = load_answer_counts(demo, framework=framework, round_ids=ids).participation
    answers = load_answers(demo, round_ids=ids)
    expected = answers.groupby(["round_id", "organisation", "stakeholder_group"])[
        "submission_id"
    ].nunique()
    assert found.set_index(["round_id", "organisation", "stakeholder_group"])["n"].to_dict() == (
        expected.to_dict()
    )


def test_comments_are_every_comment_that_is_not_blank(demo, framework, monkeypatch):
    monkeypatch.setattr(stored_answers, "_COMMENT_BATCH", 7)  # several queries' worth
    ids = [r.id for r in list_rounds(demo)]
    found = load_answer_counts(demo, framework=framework, round_ids=ids).comments
    answers = load_answers(demo, round_ids=ids)
    expected = answers[answers["comment"].fillna("").str.strip() != ""]
    assert len(found) > 7
    assert sorted(found.itertuples(index=False, name=None)) == sorted(
        expected[stored_answers.COMMENT_COLUMNS].itertuples(index=False, name=None)
    )


def test_comments_can_be_left_out(demo, framework):
    ids = [r.id for r in list_rounds(demo)]
    assert load_answer_counts(
        demo, framework=framework, round_ids=ids, comments=False
    ).comments.empty


def test_only_the_rounds_asked_for_are_counted(demo, framework):
    first = list_rounds(demo)[0]
    found = load_answer_counts(demo, framework=framework, round_ids=[first.id])
    assert set(found.counts["round"]) == {first.name}
    assert set(found.participation["round"]) == {first.name}


def test_no_rounds_give_empty_frames_with_their_columns(db, framework):
    found = load_answer_counts(db, framework=framework, round_ids=[])
    assert list(found.counts.columns) == stored_answers.COUNT_COLUMNS
    assert found.counts.empty and found.participation.empty and found.comments.empty


DEMO_VIEWS = [
    {},
    {"groups": ["lived_experience"]},
    {"organisations": ["Calderholt County Council"]},
    {"organisations": ["Waymark Peer Network"]},
    {"organisations": ["Fernbank Housing Association", "Lanternway Night Shelter"]},
    {
        "groups": ["provider"],
        "organisations": ["Fernbank Housing Association", "Nightjar Street Outreach"],
    },
]


def test_round_results_from_counts_match_the_answers_on_the_demo(demo, framework):
    every_round = list_rounds(demo)
    published, stored = load_answers(demo), answers_as_stored(demo)
    for view in DEMO_VIEWS:
        for position, info in enumerate(every_round):
            # An open round publishes nothing but who has taken part so far.
            expected = results_from_answers(
                published if info.results_visible else stored,
                framework=framework,
                round=info,
                previous=every_round[position - 1] if position else None,
                min_group_size=5,
                **view,
            )
            found = round_results(
                demo, framework=framework, round_name=info.name, min_group_size=5, **view
            )
            assert_same_results(found, expected)


def random_answers(framework, *, seed: int) -> pd.DataFrame:
    """Two rounds of random answers from organisations of every size, one group small."""
    rng = random.Random(seed)
    sizes = {
        ("commissioner", "Council"): 9,
        ("commissioner", "Health Trust"): 2,
        ("provider", "Shelter"): 12,
        ("provider", "Food Bank"): 4,
        ("provider", "Hostel"): 1,
        ("lived_experience", "Voices"): 4,
        ("lived_experience", "Peer Network"): 2,
    }
    rows = []
    submission = 0
    for round_id, round_name in ((1, "Autumn"), (2, "Spring")):
        for (group, organisation), size in sizes.items():
            for _ in range(size + rng.randrange(3)):
                submission += 1
                for point in framework.point_keys:
                    dont_know = rng.random() < 0.1
                    score = None if dont_know else rng.randint(1, 5)
                    comment = rng.choice([None, None, None, "", "  ", f"note {submission}"])
                    rows.append(
                        (
                            round_name,
                            round_id,
                            organisation,
                            group,
                            str(submission),
                            submission,
                            point,
                            score,
                            dont_know,
                            comment,
                        )
                    )
    frame = pd.DataFrame(rows, columns=stored_answers.ANSWER_COLUMNS)
    frame["score"] = frame["score"].astype("Int64")
    return frame


def counted(answers: pd.DataFrame) -> AnswerCounts:
    """``AnswerCounts`` whose counts frame has one row per distinct answer, with a count."""
    one_by_one = AnswerCounts.from_answers(answers)
    return AnswerCounts(
        counts=counted_one_by_one(answers),
        participation=one_by_one.participation,
        comments=one_by_one.comments,
    )


RANDOM_VIEWS = [
    {},
    {"groups": ["lived_experience"]},
    {"groups": ["provider", "lived_experience"]},
    {"organisations": ["Council"]},
    {"organisations": ["Health Trust"]},
    {"organisations": ["Shelter", "Food Bank"]},
    {"organisations": ["Shelter", "Hostel", "Voices"]},
    {"organisations": ["Council", "Shelter", "Voices", "Peer Network"]},
    {"groups": ["provider"], "organisations": ["Shelter"]},
]


@pytest.mark.parametrize(("seed", "k"), [(1, 3), (2, 5)])
def test_weighted_counts_give_the_same_results_as_single_answers(framework, seed, k):
    answers = random_answers(framework, seed=seed)
    autumn = RoundInfo(1, "Autumn", None, None, is_open=False, live_results=False)
    spring = RoundInfo(2, "Spring", None, None, is_open=False, live_results=False)
    counts = counted(answers)
    seen = set()
    for view in RANDOM_VIEWS:
        settings = {
            "framework": framework,
            "round": spring,
            "previous": autumn,
            "min_group_size": k,
            **view,
        }
        found = results_from_counts(counts, **settings)
        assert_same_results(found, results_from_answers(answers, **settings))
        seen.add(found.visibility)
        seen.update(found.summary["reason"])
    # The views cover shown and withheld cells, and whole views withheld.
    assert {"results", "withheld", ""} < seen


def test_more_learning_points_than_one_packed_number_holds(db, tmp_path):
    text = (Path(__file__).resolve().parents[2] / "data" / "framework.toml").read_text()
    extra = "".join(
        f'\n[[learning_points]]\nkey = "extra_{i:02d}"\ntitle = "Extra {i}"\n'
        f'statement = "Statement {i}."\nhelp = "Help {i}."\n'
        for i in range(14)
    )
    framework = parse_framework(text + extra, tmp_path / "framework.toml")
    assert len(framework.point_keys) > stored_answers._POINTS_PER_PATTERN
    council = create_organisation(db, name="County Council", actor="admin")
    spring = create_round(db, name="Spring", actor="admin")
    rng = random.Random(5)
    choices = [*range(1, 6), "dk"]
    people = [
        NewResponse(
            round_id=spring.id,
            organisation_id=council.id,
            stakeholder_group=rng.choice(framework.group_keys),
            answers={
                point: AnswerInput(score=None, dont_know=True)
                if (choice := rng.choice(choices)) == "dk"
                else AnswerInput(score=choice)
                for point in framework.point_keys
            },
        )
        for _ in range(30)
    ]
    with db.write() as session:
        add_published(session, people, source="test")
    found = load_answer_counts(db, framework=framework, round_ids=[spring.id])
    expected = counted_one_by_one(load_answers(db, round_ids=[spring.id]))
    pd.testing.assert_frame_equal(sorted_counts(found.counts), expected, check_dtype=False)

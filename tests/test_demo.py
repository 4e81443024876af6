"""The demo alliance: its shape, the patterns it promises, determinism and its guard rails.

Statistics are computed here directly with pandas from ``stored_answers`` (everything
stored, published or not), so these tests say what the demo data holds independently of
the analysis module.
"""

from __future__ import annotations

import dataclasses
import math

import pandas as pd
import pytest

from collab.demo import DemoSummary, build_demo, is_demo, is_empty
from collab.demo.alliance import load_alliance
from collab.domain.actions import STATUSES, list_actions
from collab.domain.invite_codes import find_invite_code
from collab.domain.organisations import create_organisation, list_organisations
from collab.domain.rounds import create_round, list_rounds
from collab.domain.submissions import AnswerInput, submit
from collab.stats.participation import round_participation
from collab.store.db import Database
from collab.store.errors import Refused
from tests.support.answers import stored_answers
from tests.support.databases import make_sqlite_database

ROUND_NAMES = ["Autumn 2025", "Spring 2026", "Autumn 2026"]
FIRST_CLOSED, LATEST_CLOSED, OPEN = ROUND_NAMES
GROUPS = ["commissioner", "provider", "lived_experience"]


@pytest.fixture
def summary(db, framework) -> DemoSummary:
    return build_demo(db, framework=framework)


@pytest.fixture
def answers(db, summary) -> pd.DataFrame:
    return stored_answers(db)


@pytest.fixture
def second_db(tmp_path) -> Database:
    """Another empty database, to build the demo twice."""
    database = make_sqlite_database(tmp_path / "second")
    yield database
    database.dispose()


def respondents(answers: pd.DataFrame, round_name: str, group: str | None = None) -> set[str]:
    rows = answers[answers["round"] == round_name]
    if group is not None:
        rows = rows[rows["stakeholder_group"] == group]
    return set(rows["respondent"])


def shown_group_means(answers: pd.DataFrame, round_name: str, point: str, min_size: int):
    """Mean score per group, for the groups with enough scores to be shown."""
    scores = answers[
        (answers["round"] == round_name) & (answers["learning_point"] == point)
    ].dropna(subset=["score"])
    by_group = scores.groupby("stakeholder_group")["score"].agg(["count", "mean"])
    return by_group.loc[by_group["count"] >= min_size, "mean"]


def gap(answers: pd.DataFrame, round_name: str, point: str, min_size: int = 5) -> float:
    means = shown_group_means(answers, round_name, point, min_size)
    return float(means.max() - means.min())


def consensus(scores: pd.Series, width: int = 4) -> float:
    """Tastle and Wierman: Cns = 1 + sum p_i log2(1 - |X_i - mu| / width)."""
    shares = scores.astype(int).value_counts(normalize=True)
    mu = float(scores.astype(float).mean())
    return 1 + sum(p * math.log2(1 - abs(x - mu) / width) for x, p in shares.items())


def comparable(answers: pd.DataFrame) -> pd.DataFrame:
    """The answers without database ids, in a stable order."""
    return (
        answers.drop(columns=["round_id", "submission_id"])
        .sort_values(["round", "respondent", "learning_point"])
        .reset_index(drop=True)
    )


def test_demo_has_twelve_organisations_and_three_rounds_of_which_only_the_last_is_open(db, summary):
    rounds = list_rounds(db)
    assert summary.organisations == 12
    assert len(list_organisations(db)) == 12
    assert summary.rounds == [r.name for r in rounds] == ROUND_NAMES
    assert [r.status for r in rounds] == ["closed", "closed", "open"]
    assert all(r.opens_on < r.closes_on for r in rounds)


def test_every_round_has_between_40_and_80_respondents(summary, answers):
    counts = answers.groupby("round")["respondent"].nunique().to_dict()
    assert counts == summary.respondents_by_round
    assert all(40 <= n <= 80 for n in counts.values())


def test_first_closed_round_has_four_lived_experience_respondents(answers):
    assert len(respondents(answers, FIRST_CLOSED, "lived_experience")) == 4


def test_latest_closed_round_has_at_least_six_respondents_in_every_group(answers):
    assert all(len(respondents(answers, LATEST_CLOSED, g)) >= 6 for g in GROUPS)


def test_people_answer_several_rounds_while_some_join_and_some_leave(answers):
    first, latest, current = (respondents(answers, r) for r in ROUND_NAMES)
    assert first & latest and latest & current
    assert latest - first, "nobody joined"
    assert (first | latest) - current, "nobody left"


def test_right_people_and_difference_diverge_in_latest_closed_round(answers):
    assert gap(answers, LATEST_CLOSED, "right_people") >= 1.0
    assert gap(answers, LATEST_CLOSED, "difference") >= 1.0


def test_commissioners_rate_right_people_above_lived_experience(answers):
    means = shown_group_means(answers, LATEST_CLOSED, "right_people", 5)
    assert means["commissioner"] - means["lived_experience"] >= 1.0


def test_groups_agree_on_focus_and_assets_in_latest_closed_round(answers):
    assert gap(answers, LATEST_CLOSED, "focus") < 0.5
    assert gap(answers, LATEST_CLOSED, "assets") < 0.5


def test_providers_are_split_on_messiness_in_latest_closed_round(answers):
    scores = answers[
        (answers["round"] == LATEST_CLOSED)
        & (answers["learning_point"] == "messiness")
        & (answers["stakeholder_group"] == "provider")
    ]["score"].dropna()
    assert consensus(scores) < 0.5


def test_realistic_gap_shrinks_round_over_round(answers):
    gaps = [gap(answers, r, "realistic") for r in ROUND_NAMES]
    assert gaps[0] > gaps[1] > gaps[2]
    assert gaps[2] < 0.5


def test_between_two_and_eight_percent_of_answers_are_dont_know(answers):
    assert 0.02 <= answers["dont_know"].mean() <= 0.08
    assert answers.loc[answers["dont_know"], "score"].isna().all()


def test_lived_experience_say_dont_know_more_often_on_decision_making(answers):
    decisions = answers["learning_point"].isin(["right_people", "messiness"])
    lived = answers["stakeholder_group"] == "lived_experience"
    assert answers[decisions & lived]["dont_know"].mean() > answers[~lived]["dont_know"].mean()


def test_about_a_fifth_of_answers_carry_a_comment(answers):
    commented = answers["comment"].fillna("").str.len() > 0
    assert 0.15 <= commented.mean() <= 0.25
    assert answers.loc[commented, "comment"].nunique() >= 40


def test_same_seed_gives_the_same_answers(db, framework, second_db):
    build_demo(db, framework=framework, seed=3)
    build_demo(second_db, framework=framework, seed=3)
    pd.testing.assert_frame_equal(
        comparable(stored_answers(db)), comparable(stored_answers(second_db))
    )


def test_another_seed_gives_other_answers_with_the_same_patterns(db, framework, second_db):
    build_demo(db, framework=framework, seed=7)
    build_demo(second_db, framework=framework, seed=8)
    first, second = comparable(stored_answers(db)), comparable(stored_answers(second_db))
    assert not first.equals(second)
    assert gap(second, LATEST_CLOSED, "right_people") >= 1.0
    assert gap(second, LATEST_CLOSED, "focus") < 0.5


def test_building_on_a_database_with_data_is_refused_and_writes_nothing(db, framework):
    create_organisation(db, name="Existing Alliance Member", actor="admin")
    with pytest.raises(Refused):
        build_demo(db, framework=framework)
    assert [o.name for o in list_organisations(db)] == ["Existing Alliance Member"]
    assert list_rounds(db) == []
    assert not is_demo(db)


def test_a_framework_other_than_the_default_is_refused(db, framework):
    fewer_points = dataclasses.replace(framework, learning_points=framework.learning_points[:-1])
    with pytest.raises(Refused):
        build_demo(db, framework=fewer_points)
    assert is_empty(db)


def test_database_is_marked_as_demo_only_after_building(db, framework):
    assert not is_demo(db)
    build_demo(db, framework=framework)
    assert is_demo(db)


def test_database_is_empty_until_an_organisation_or_round_exists(db, second_db):
    assert is_empty(db) and is_empty(second_db)
    create_organisation(db, name="First Member", actor="admin")
    create_round(second_db, name="Spring 2027", actor="admin")
    assert not is_empty(db)
    assert not is_empty(second_db)


def test_returned_invite_codes_cover_each_organisation_and_are_accepted(db, summary):
    assert len(summary.invite_codes) == 12
    for organisation, group, code in summary.invite_codes:
        invite = find_invite_code(db, code)
        assert (invite.organisation, invite.stakeholder_group) == (organisation, group)


def test_a_returned_invite_code_submits_into_the_open_round(db, framework, summary):
    code = summary.invite_codes[0][2]
    before = summary.respondents_by_round[OPEN]
    receipt = submit(
        db,
        framework=framework,
        code=code,
        answers={key: AnswerInput(score=3) for key in framework.point_keys},
    )
    assert receipt.round == OPEN
    after = stored_answers(db)
    assert len(respondents(after, OPEN)) == before + 1


def test_lived_experience_falls_short_of_its_expected_numbers(db, framework, summary):
    by_group = round_participation(
        db, framework=framework, round_name="Spring 2026", min_group_size=5
    ).by_group.set_index("stakeholder_group")
    assert by_group.loc["lived_experience", "expected"] == 14
    assert bool(by_group.loc["lived_experience", "below_expected"])
    assert not bool(by_group.loc["lived_experience", "below_minimum"])


def test_actions_agreed_in_closed_rounds_are_there_to_follow_up(db, summary):
    agreed = list_actions(db, up_to_round="Spring 2026")
    assert set(agreed["round"]) == {"Autumn 2025", "Spring 2026"}
    assert {"done", "in_progress", "agreed"} <= set(agreed["status"])


def test_demo_data_files_refer_only_to_what_they_and_the_framework_define(framework):
    alliance = load_alliance()
    names = {o.name for o in alliance.organisations}
    assert {o.stakeholder_group for o in alliance.organisations} == set(alliance.groups)
    assert set(alliance.groups) <= set(framework.group_keys)
    for demo_round in alliance.rounds:
        assert set(demo_round.respondents) == set(alliance.groups)
        assert demo_round.opens_on < demo_round.closes_on
    round_names = [r.name for r in alliance.rounds]
    for action in alliance.actions:
        assert action.lead in names
        assert action.round_name in round_names
        assert action.learning_point in framework.point_keys
        assert action.status in STATUSES
    model = alliance.answers
    for point in framework.point_keys:
        for group in alliance.groups:
            if (point, group) != model.split:
                assert len(model.target_means[point][group]) == len(alliance.rounds)
            for tone in ("low", "high"):
                assert alliance.comments.scored[point][group][tone], (point, group, tone)
    assert set(alliance.comments.dont_know) == set(alliance.groups)
    patterns = alliance.patterns
    named = {*patterns.divergent, *patterns.shared, *patterns.in_between, patterns.converging}
    assert named <= set(framework.point_keys)

"""Trends across rounds: each group's mean per round through the privacy rules, withheld
rounds left as gaps, the gap's direction between the first and last round, and which
rounds a trend may include."""

from __future__ import annotations

import itertools

import pytest

from collab.domain import organisations, rounds
from collab.domain.rounds import RoundInfo
from collab.domain.submissions import AnswerInput, NewResponse
from collab.stats import trends
from collab.stats.results import results_from_answers
from tests.support.answers import add_published, answer_row, answers_table

K = 5
AUTUMN = RoundInfo(1, "Autumn 2025", None, None, False, False)
SPRING = RoundInfo(2, "Spring 2026", None, None, False, False)
AUTUMN_2026 = RoundInfo(3, "Autumn 2026", None, None, False, False)


def answers_frame(framework, cells: dict[tuple[RoundInfo, str], dict[str, list[int]]]):
    """Answers as ``load_answers`` returns them: one respondent per score in each list.

    ``cells`` maps (round, group) to {learning point: scores}; points not named get the
    scores of the key ``"*"``.
    """
    rows = []
    submission = itertools.count(1)
    for (info, group), by_point in cells.items():
        people = len(by_point["*"])
        for person in range(people):
            sid = next(submission)
            for point in framework.point_keys:
                score = by_point.get(point, by_point["*"])[person]
                rows.append(
                    answer_row(
                        round_name=info.name,
                        round_id=info.id,
                        group=group,
                        submission=sid,
                        point=point,
                        score=score,
                    )
                )
    return answers_table(rows)


def test_each_group_round_value_equals_that_rounds_summary_mean(framework):
    answers = answers_frame(
        framework,
        {
            (AUTUMN, "commissioner"): {"*": [4, 4, 5, 3, 4]},
            (AUTUMN, "provider"): {"*": [2, 3, 3, 2, 2, 3]},
            (SPRING, "commissioner"): {"*": [4, 5, 5, 4, 4]},
            (SPRING, "provider"): {"*": [3, 3, 4, 3, 2]},
        },
    )
    found = trends.trends_from_answers(
        answers, framework=framework, rounds=[AUTUMN, SPRING], min_group_size=K
    )
    for info in (AUTUMN, SPRING):
        summary = results_from_answers(
            answers, framework=framework, round=info, previous=None, min_group_size=K
        ).summary
        for row in summary.itertuples(index=False):
            if row.group == "lived_experience":
                continue
            position = found.rounds.index(info.name)
            assert found.series(row.learning_point, row.group)[position] == pytest.approx(row.mean)
    assert found.series("upstream", "commissioner") == pytest.approx([4.0, 4.4])


def test_a_withheld_group_round_is_a_gap_never_zero(framework):
    answers = answers_frame(
        framework,
        {
            (AUTUMN, "commissioner"): {"*": [4, 4, 5, 3, 4]},
            (AUTUMN, "lived_experience"): {"*": [1, 1, 2, 1]},
            (SPRING, "commissioner"): {"*": [4, 4, 5, 3, 4]},
            (SPRING, "lived_experience"): {"*": [2, 2, 3, 2, 2]},
        },
    )
    found = trends.trends_from_answers(
        answers, framework=framework, rounds=[AUTUMN, SPRING], min_group_size=K
    )
    assert found.series("upstream", "lived_experience") == [None, pytest.approx(2.2)]
    withheld = found.means[
        (found.means["round"] == AUTUMN.name) & (found.means["group"] == "lived_experience")
    ]
    assert withheld["mean"].map(lambda v: v is None).all()
    assert withheld["n"].map(lambda v: v is None).all()
    assert withheld["withheld"].all()
    assert set(withheld["reason"]) == {"fewer than 5 scores"}
    assert withheld["mean_low"].map(lambda v: v is None).all()
    assert withheld["mean_high"].map(lambda v: v is None).all()


def test_each_group_round_carries_the_interval_of_its_summary(framework):
    answers = answers_frame(
        framework,
        {
            (AUTUMN, "commissioner"): {"*": [4, 4, 5, 3, 4]},
            (AUTUMN, "provider"): {"*": [2, 3, 3, 2, 2, 3]},
        },
    )
    found = trends.trends_from_answers(
        answers, framework=framework, rounds=[AUTUMN], min_group_size=K
    )
    summary = results_from_answers(
        answers, framework=framework, round=AUTUMN, previous=None, min_group_size=K
    ).summary.set_index(["learning_point", "group"])
    for row in found.means.itertuples(index=False):
        cell = summary.loc[(row.learning_point, row.group)]
        if row.group == "lived_experience":
            continue
        assert (row.mean_low, row.mean_high) == pytest.approx((cell["mean_low"], cell["mean_high"]))
    # commissioners 4, 4, 5, 3, 4: mean 4.0, sd 0.707, t(0.975, 4) = 2.776
    upstream = found.means[
        (found.means["learning_point"] == "upstream") & (found.means["group"] == "commissioner")
    ].iloc[0]
    half_width = 2.7764451 * 0.70710678 / 5**0.5
    assert (upstream["mean_low"], upstream["mean_high"]) == pytest.approx(
        (4.0 - half_width, 4.0 + half_width)
    )


def test_a_round_with_only_one_group_shown_has_no_gap(framework):
    answers = answers_frame(
        framework,
        {
            (AUTUMN, "commissioner"): {"*": [4, 4, 5, 3, 4]},
            (AUTUMN, "provider"): {"*": [2, 2, 2]},
        },
    )
    found = trends.trends_from_answers(
        answers, framework=framework, rounds=[AUTUMN], min_group_size=K
    )
    assert found.gaps["gap"].map(lambda v: v is None).all()
    assert set(found.gap_trend["direction"]) == {trends.NOT_ENOUGH_ROUNDS}


def test_the_gap_is_labelled_by_comparing_the_first_and_last_rounds_that_have_one(framework):
    high, middle, low = [5] * 5, [4] * 5, [3] * 5
    answers = answers_frame(
        framework,
        {
            # upstream: gap 2.0, then no gap (one group), then 1.0: converging.
            # impact: gap 0.0, then no gap, then 1.0: diverging.
            (AUTUMN, "commissioner"): {"*": high, "impact": low},
            (AUTUMN, "provider"): {"*": low},
            (SPRING, "commissioner"): {"*": high},
            (AUTUMN_2026, "commissioner"): {"*": high},
            (AUTUMN_2026, "provider"): {"*": middle},
        },
    )
    found = trends.trends_from_answers(
        answers, framework=framework, rounds=[AUTUMN, SPRING, AUTUMN_2026], min_group_size=K
    )
    by_point = found.gap_trend.set_index("learning_point")
    assert by_point.loc["upstream", "direction"] == "converging"
    assert (by_point.loc["upstream", "first_gap"], by_point.loc["upstream", "last_gap"]) == (
        pytest.approx(2.0),
        pytest.approx(1.0),
    )
    assert by_point.loc["impact", "direction"] == "diverging"
    assert by_point.loc["impact", "first_round"] == AUTUMN.name
    assert by_point.loc["impact", "last_round"] == AUTUMN_2026.name


def test_a_small_gap_change_is_about_the_same_not_a_trend(framework):
    answers = answers_frame(
        framework,
        {
            (AUTUMN, "commissioner"): {"*": [4, 4, 4, 4, 4]},
            (AUTUMN, "provider"): {"*": [3, 3, 3, 3, 3]},
            # 20 scores averaging 3.05 against 4.0: a gap of 0.95, 0.05 less than 1.0.
            (SPRING, "commissioner"): {"*": [4] * 5},
            (SPRING, "provider"): {"*": [3] * 19 + [4]},
        },
    )
    found = trends.trends_from_answers(
        answers, framework=framework, rounds=[AUTUMN, SPRING], min_group_size=K
    )
    row = found.gap_trend.set_index("learning_point").loc["upstream"]
    assert row["gap_change"] == pytest.approx(-0.05)
    assert row["gap_change_low"] <= 0 <= row["gap_change_high"]
    assert row["direction"] == "about_the_same"


def test_an_open_round_is_left_out_unless_its_live_results_are_on(framework):
    cells = {
        (AUTUMN, "commissioner"): {"*": [4, 4, 5, 3, 4]},
        (AUTUMN, "provider"): {"*": [2, 3, 3, 2, 2]},
    }
    open_round = RoundInfo(2, "Spring 2026", None, None, True, False)
    live_round = RoundInfo(2, "Spring 2026", None, None, True, True)
    answers = answers_frame(
        framework,
        cells
        | {
            (open_round, "commissioner"): {"*": [3, 3, 3, 3, 3]},
            (open_round, "provider"): {"*": [3, 3, 3, 3, 3]},
        },
    )
    hidden = trends.trends_from_answers(
        answers, framework=framework, rounds=[AUTUMN, open_round], min_group_size=K
    )
    assert hidden.rounds == [AUTUMN.name]
    assert set(hidden.means["round"]) == {AUTUMN.name}
    assert list(hidden.left_out) == [open_round.name]
    live = trends.trends_from_answers(
        answers, framework=framework, rounds=[AUTUMN, live_round], min_group_size=K
    )
    assert live.rounds == [AUTUMN.name, live_round.name]


def test_the_alliance_trends_read_from_the_database_follow_the_open_rounds_live_setting(
    db, framework
):
    council = organisations.create_organisation(db, name="Council", actor="admin")
    shelter = organisations.create_organisation(db, name="Shelter", actor="admin")
    for name in ("Autumn 2025", "Spring 2026"):
        rounds.create_round(db, name=name, actor="admin")
    rounds.open_round(db, name="Spring 2026", actor="admin")
    by_name = {r.name: r for r in rounds.list_rounds(db)}
    responses = [
        NewResponse(
            round_id=by_name[round_name].id,
            organisation_id=organisation.id,
            stakeholder_group=group,
            answers={p: AnswerInput(score=score) for p in framework.point_keys},
        )
        for round_name in by_name
        for organisation, group, score in ((council, "commissioner", 4), (shelter, "provider", 2))
        for _ in range(5)
    ]
    with db.write() as session:
        add_published(session, responses, source="import")

    closed_only = trends.alliance_trends(db, framework=framework, min_group_size=K)
    assert closed_only.rounds == ["Autumn 2025"]
    rounds.set_live_results(db, name="Spring 2026", on=True, actor="admin")
    with_live = trends.alliance_trends(db, framework=framework, min_group_size=K)
    assert with_live.rounds == ["Autumn 2025", "Spring 2026"]
    assert with_live.series("upstream", "provider") == [2.0, 2.0]
    up_to_first = trends.alliance_trends(
        db, framework=framework, min_group_size=K, up_to_round="Autumn 2025"
    )
    assert up_to_first.rounds == ["Autumn 2025"]

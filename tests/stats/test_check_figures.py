"""The figures of a live check, from answers written out by hand: a group's mean and
interval as the app computes them elsewhere, withheld below the minimum group size, only
published answers counted, and whether the re-score brought the groups closer, compared
over the groups shown both times."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest

from collab.domain.checks import ANSWER_COLUMNS, CheckAnswers, CheckInfo
from collab.stats import analysis
from collab.stats.checks import (
    answered_by_group,
    change_words,
    check_figures,
    check_picture,
    reading,
    standings_table,
)

K = 5
POINT = "difference"


def info(*, published: int, rescore_from: int | None = None, point: str | None = POINT):
    return CheckInfo(
        id=1,
        round_id=1,
        round="Spring 2027",
        learning_point=point,
        short_code="K7PX",
        passes=1 if rescore_from is None else 2,
        is_open=True,
        published_seq=published,
        rescore_from=rescore_from,
        opened_at=dt.datetime(2027, 3, 5, 10),
        closed_at=None,
    )


def answers(rows: list[tuple]) -> pd.DataFrame:
    """(person, group, pass, score or None for don't know, published_in) on POINT."""
    frame = pd.DataFrame(
        [
            (i, person, group, POINT, pass_number, score, score is None, published)
            for i, (person, group, pass_number, score, published) in enumerate(rows)
        ],
        columns=ANSWER_COLUMNS,
    )
    frame["score"] = frame["score"].astype("Int64")
    frame["published_in"] = frame["published_in"].astype("Int64")
    return frame


def group_rows(group: str, scores: list, *, pass_number: int = 1, published=1, first=0):
    return [
        (f"{group}-{i}", group, pass_number, score, published)
        for i, score in enumerate(scores, start=first)
    ]


def test_a_groups_mean_and_interval_are_the_apps_own(framework):
    scores = [1, 2, 4, 4, 5, 3]
    frame = answers(group_rows("provider", scores))
    standing = check_figures(frame, check=info(published=1), framework=framework, min_group_size=K)
    provider = standing.now[0].group("provider")
    low, high = analysis.mean_interval(
        np.mean(scores), np.std(scores, ddof=1), len(scores), low=1.0, high=5.0
    )
    assert provider.shown
    assert (provider.n, provider.mean) == (6, pytest.approx(19 / 6))
    assert (provider.low, provider.high) == (pytest.approx(low), pytest.approx(high))
    assert provider.text == f"3.2 ({low:.1f} to {high:.1f})"


def test_a_group_with_fewer_than_k_scores_is_withheld_and_dont_know_is_no_score(framework):
    frame = answers(group_rows("lived_experience", [2, 3, 3, 4, None]))
    standing = check_figures(frame, check=info(published=1), framework=framework, min_group_size=K)
    lived = standing.now[0].group("lived_experience")
    assert not lived.shown
    assert np.isnan(lived.mean)
    assert lived.text == "— (fewer than 5 scores)"


def test_only_published_answers_make_figures(framework):
    frame = answers(
        group_rows("provider", [3] * 5) + group_rows("provider", [5, 5, 5], published=None, first=5)
    )
    standing = check_figures(frame, check=info(published=1), framework=framework, min_group_size=K)
    assert standing.now[0].group("provider").mean == pytest.approx(3.0)


def test_people_who_answered_are_counted_live_by_group_in_each_pass(framework):
    frame = answers(
        group_rows("provider", [3] * 5)
        + group_rows("provider", [4, 4], pass_number=2, published=None)
        + group_rows("commissioner", [2], published=None)
    )
    assert answered_by_group(frame, framework=framework, pass_number=1) == {
        "commissioner": 1,
        "provider": 5,
        "lived_experience": 0,
    }
    assert answered_by_group(frame, framework=framework, pass_number=2)["provider"] == 2


def test_the_rescore_compares_the_gap_before_and_after(framework):
    before = group_rows("provider", [2] * 5) + group_rows("commissioner", [5] * 5)
    after = group_rows("provider", [4] * 5, pass_number=2, published=2)
    frame = answers(before + after)
    figures = check_figures(
        frame, check=info(published=2, rescore_from=1), framework=framework, min_group_size=K
    )
    change = figures.changes[0]
    assert change.before.group("provider").mean == pytest.approx(2.0)
    assert change.after.group("provider").mean == pytest.approx(4.0)
    assert change.words == (
        "The groups came closer: the gap between the highest and the lowest group average "
        "went from 3.00 to 1.00; now commissioners highest (5.00), service providers lowest "
        "(4.00)."
    )


def test_a_group_shown_only_after_the_rescore_is_left_out_of_the_comparison(framework):
    before = group_rows("provider", [2] * 5) + group_rows("commissioner", [4] * 5)
    after = group_rows("lived_experience", [1] * 5, pass_number=2, published=2)
    frame = answers(before + after)
    change = check_figures(
        frame, check=info(published=2, rescore_from=1), framework=framework, min_group_size=K
    ).changes[0]
    assert change.groups_compared == ("commissioner", "provider")
    assert (change.gap_before, change.gap_after) == (pytest.approx(2.0), pytest.approx(2.0))
    assert change.words.startswith("The groups stayed as far apart as before")
    assert change.words.endswith(
        "Compared over commissioners and service providers, the groups shown both times."
    )


@pytest.mark.parametrize(
    ("before", "after", "opening"),
    [
        (
            0.6,
            1.1,
            "The groups moved apart: the gap between the highest and the lowest group "
            "average went from 0.60 to 1.10.",
        ),
        (
            0.804,
            0.796,
            "The groups stayed as far apart as before: the gap between the highest "
            "and the lowest group average is 0.80 both times.",
        ),
    ],
)
def test_whether_the_groups_came_closer_is_read_on_the_gaps_as_shown(
    framework, before, after, opening
):
    words = change_words(
        before,
        after,
        groups_compared=("commissioner", "provider"),
        groups_shown=("commissioner", "provider"),
        where_after="",
        framework=framework,
    )
    assert words == opening


def test_with_fewer_than_two_groups_shown_both_times_nothing_is_compared(framework):
    words = change_words(
        float("nan"),
        float("nan"),
        groups_compared=("provider",),
        groups_shown=("provider", "commissioner"),
        where_after="",
        framework=framework,
    )
    assert words.startswith("Whether the groups came closer can't be said")


def test_the_packs_table_has_a_row_per_group_with_both_passes(framework):
    before = group_rows("provider", [2] * 5) + group_rows("commissioner", [5] * 5)
    after = group_rows("provider", [4] * 5, pass_number=2, published=2)
    data = CheckAnswers(info(published=2, rescore_from=1), answers(before + after))
    picture = check_picture(data, framework=framework, min_group_size=K)
    table = standings_table(picture, framework=framework)
    assert list(table.columns) == ["Group", "First pass", "Re-score"]
    assert table.to_dict("records")[1] == {
        "Group": "Service providers",
        "First pass": "2.0 (2.0 to 2.0)",
        "Re-score": "4.0 (4.0 to 4.0)",
    }
    assert picture.answered_first["provider"] == 5
    assert picture.answered_rescore == {"commissioner": 0, "provider": 5, "lived_experience": 0}


def test_while_nothing_moved_since_the_rescore_began_the_words_say_so(framework):
    frame = answers(group_rows("provider", [2] * 5) + group_rows("commissioner", [5] * 5))
    change = check_figures(
        frame, check=info(published=1, rescore_from=1), framework=framework, min_group_size=K
    ).changes[0]
    assert (change.direction, change.brief) == ("not_moved", "Nothing moved yet")
    assert change.words == (
        "Nothing has moved since the re-score began: a group's figures move once at least 5 "
        "of its people have answered differently."
    )


def test_before_a_rescore_a_one_point_check_reads_its_gap_and_who_is_where(framework):
    frame = answers(group_rows("provider", [2] * 5) + group_rows("commissioner", [4] * 5))
    picture = check_picture(
        CheckAnswers(info(published=1), frame), framework=framework, min_group_size=K
    )
    assert reading(picture) == (
        "A gap of 2.00 points: commissioners highest (4.00), service providers lowest (2.00)"
    )
    everything = CheckAnswers(info(published=1, point=None), frame)
    assert reading(check_picture(everything, framework=framework, min_group_size=K)) == ""

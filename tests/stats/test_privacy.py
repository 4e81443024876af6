"""Nobody is identifiable: small groups, filters, comments and open rounds.

Pure tests on answers frames built in memory. The main alliance has 10 commissioners,
6 providers and 4 people with lived experience, so with the default threshold of 5 the
lived-experience group must leave no trace in any figure.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from collab.domain.rounds import RoundInfo
from collab.stats import privacy
from collab.stats.results import divergence_export_frame, results_from_answers, summary_export_frame
from tests.support.answers import answer_row, answers_table

CLOSED = RoundInfo(1, "Spring", None, None, is_open=False, live_results=False)
OPEN = RoundInfo(1, "Spring", None, None, is_open=True, live_results=False)
OPEN_LIVE = RoundInfo(1, "Spring", None, None, is_open=True, live_results=True)
SECRET = "only the lived experience group wrote this"


def answers_frame(framework, people: list[tuple[str, str, int | None, str | None]]):
    """One row per learning point for each (group, organisation, score, comment) person.

    A score of None means don't know on every point.
    """
    rows = []
    for number, (group, organisation, score, comment) in enumerate(people, start=1):
        for point in framework.point_keys:
            rows.append(
                answer_row(
                    round_name="Spring",
                    organisation=organisation,
                    group=group,
                    submission=number,
                    point=point,
                    score=score,
                    comment=comment,
                )
            )
    return answers_table(rows)


def crowd(group: str, organisation: str, scores: list[int | None], comment=None):
    return [(group, organisation, s, comment) for s in scores]


@pytest.fixture
def alliance(framework):
    return answers_frame(
        framework,
        crowd("commissioner", "County Council", [1, 2, 3, 4, 5, 3])
        + crowd("commissioner", "Health Trust", [2, 3, 4, 4], "we need clearer decisions")
        + crowd("provider", "Shelter Trust", [4, 4, 3, 5, 4, 2], "good progress")
        + crowd("lived_experience", "Voices", [5, 5, 5, 5], SECRET),
    )


def results(answers, framework, *, round_info=CLOSED, min_group_size=5, **filters):
    return results_from_answers(
        answers,
        framework=framework,
        round=round_info,
        previous=None,
        min_group_size=min_group_size,
        **filters,
    )


def rows_of(frame: pd.DataFrame, group: str) -> pd.DataFrame:
    return frame[frame["group"] == group]


def test_small_group_cells_are_suppressed_with_every_figure_empty(alliance, framework):
    summary = results(alliance, framework).summary
    hidden = rows_of(summary, "lived_experience")
    numeric = [c for c in summary.columns if c not in ("round", "learning_point", "group")]
    numeric = [c for c in numeric if c not in ("suppressed", "reason")]
    assert len(hidden) == len(framework.point_keys)
    assert hidden["suppressed"].all()
    assert hidden[numeric].isna().all().all()
    assert set(hidden["reason"]) == {"fewer than 5 scores"}


def test_suppressed_cells_are_nan_never_zero(alliance, framework):
    hidden = rows_of(results(alliance, framework).summary, "lived_experience").iloc[0]
    for column in ("n", "n_dont_know", "count_1", "count_2", "count_3", "count_4", "count_5"):
        assert math.isnan(hidden[column]), column


def test_shown_groups_keep_their_figures(alliance, framework):
    summary = results(alliance, framework).summary
    shown = summary[summary["group"] != "lived_experience"]
    assert not shown["suppressed"].any()
    assert list(rows_of(summary, "commissioner")["n"].unique()) == [10]


def test_small_group_takes_no_part_in_between_group_figures(alliance, framework):
    divergence = results(alliance, framework).divergence
    assert all(g == ["commissioner", "provider"] for g in divergence["groups_shown"])
    assert set(divergence["n_shown"]) == {16}
    assert all("lived_experience" not in s for s in divergence["split_within"])


def test_all_respondents_mean_covers_shown_groups_only(alliance, framework):
    divergence = results(alliance, framework).divergence
    shown_scores = [1, 2, 3, 4, 5, 3, 2, 3, 4, 4] + [4, 4, 3, 5, 4, 2]
    assert divergence["all_mean"].to_numpy() == pytest.approx(np.mean(shown_scores))


def test_hidden_group_sum_cannot_be_recovered_by_subtraction(alliance, framework):
    outcome = results(alliance, framework)
    shown = outcome.summary[~outcome.summary["suppressed"]]
    shown_sums = (shown["mean"] * shown["n"]).groupby(shown["learning_point"]).sum()
    published = outcome.divergence.set_index("learning_point")
    remainder = published["all_mean"] * published["n_shown"] - shown_sums
    assert remainder.to_numpy() == pytest.approx(0.0, abs=1e-9)


def test_small_group_comments_are_absent(alliance, framework):
    comments = results(alliance, framework).comments
    assert SECRET not in set(comments["comment"])
    assert "lived_experience" not in set(comments["stakeholder_group"])
    assert set(comments["comment"]) == {"we need clearer decisions", "good progress"}


def test_export_frames_carry_no_figure_of_the_small_group(alliance, framework):
    outcome = results(alliance, framework)
    summary = summary_export_frame(outcome)
    hidden = rows_of(summary, "lived_experience")
    figures = ["n", "mean", "median", "sd", "pct_established", "consensus"]
    assert hidden[figures].isna().all().all()
    assert hidden["suppressed"].all()
    divergence = divergence_export_frame(outcome)
    assert not divergence["split_within"].str.contains("lived_experience").any()


def test_participation_counts_are_shown_even_for_a_small_group(alliance, framework):
    participation = results(alliance, framework).participation.set_index("stakeholder_group")
    assert participation["respondents"].to_dict() == {
        "commissioner": 10,
        "provider": 6,
        "lived_experience": 4,
    }


def test_threshold_of_three_shows_a_group_of_four(alliance, framework):
    outcome = results(alliance, framework, min_group_size=3)
    hidden = rows_of(outcome.summary, "lived_experience")
    assert not hidden["suppressed"].any()
    assert set(hidden["mean"]) == {5.0}
    assert all(len(g) == 3 for g in outcome.divergence["groups_shown"])


def test_threshold_is_never_below_three():
    assert privacy.effective_min_group_size(2) == 3
    assert privacy.cell_is_shown(n=2, min_group_size=1) is False


@pytest.mark.parametrize(
    ("n", "complement_n", "shown"),
    [
        (4, 0, False),
        (5, 0, True),
        (5, 4, False),
        (5, 5, True),
        (9, 1, False),
        (float("nan"), 0, False),
    ],
)
def test_cell_is_shown_needs_k_scores_and_a_rest_of_none_or_k(n, complement_n, shown):
    assert privacy.cell_is_shown(n=n, complement_n=complement_n, min_group_size=5) is shown


def test_organisation_filter_isolating_fewer_than_k_people_is_withheld(alliance, framework):
    outcome = results(alliance, framework, organisations=["Health Trust"])
    assert outcome.visibility == "withheld"
    assert outcome.message == (
        "Showing only Health Trust would reveal the answers of fewer than 5 people, "
        "so nothing is shown."
    )
    assert outcome.summary.empty
    assert outcome.divergence.empty
    assert outcome.comments.empty


def test_filter_covering_all_but_three_of_a_group_is_withheld(framework):
    answers = answers_frame(
        framework,
        crowd("commissioner", "County Council", [1, 2, 3, 4, 5, 3, 4])
        + crowd("commissioner", "Health Trust", [2, 3, 4]),
    )
    outcome = results(answers, framework, organisations=["County Council"])
    assert outcome.visibility == "withheld"


def test_filter_shows_a_cell_when_the_filtered_part_and_the_rest_are_both_large(framework):
    answers = answers_frame(
        framework,
        crowd("commissioner", "County Council", [1, 2, 3, 4, 5, 3])
        + crowd("commissioner", "Health Trust", [2, 3, 4, 4, 4]),
    )
    outcome = results(answers, framework, organisations=["County Council"])
    assert outcome.visibility == "results"
    commissioners = rows_of(outcome.summary, "commissioner")
    assert not commissioners["suppressed"].any()
    assert set(commissioners["n"]) == {6}
    assert set(commissioners["mean"]) == {3.0}


def test_separate_filters_cannot_be_combined_to_isolate_small_organisations(framework):
    # Whole group minus County Council minus Health Trust would leave the 3 others.
    answers = answers_frame(
        framework,
        crowd("commissioner", "County Council", [1, 2, 3, 4, 5, 3])
        + crowd("commissioner", "Health Trust", [2, 3, 4, 4, 4, 5, 1])
        + crowd("commissioner", "Police", [5, 5])
        + crowd("commissioner", "Fire Service", [1]),
    )
    for organisation in ("County Council", "Health Trust"):
        outcome = results(answers, framework, organisations=[organisation])
        assert outcome.visibility == "withheld", organisation


def test_filter_selecting_every_organisation_of_a_group_shows_the_whole_group(framework):
    answers = answers_frame(
        framework,
        crowd("lived_experience", "Voices", [5, 4, 5, 4])
        + crowd("lived_experience", "Hope House", [2, 3, 2])
        + crowd("provider", "Shelter Trust", [4, 4, 3, 5, 4, 2]),
    )
    outcome = results(answers, framework, organisations=["Voices", "Hope House"])
    assert outcome.visibility == "results"
    lived = rows_of(outcome.summary, "lived_experience")
    assert not lived["suppressed"].any()
    assert set(lived["n"]) == {7}


def test_dont_know_answers_of_a_few_people_elsewhere_block_a_filter(framework):
    answers = answers_frame(
        framework,
        crowd("commissioner", "County Council", [1, 2, 3, 4, 5])
        + crowd("commissioner", "Health Trust", [None, None]),
    )
    outcome = results(answers, framework, organisations=["County Council"])
    assert outcome.visibility == "withheld"


def test_group_filter_showing_only_a_small_group_is_withheld(alliance, framework):
    outcome = results(alliance, framework, groups=["lived_experience"])
    assert outcome.visibility == "withheld"
    assert outcome.message.startswith("Showing only Lived experience would reveal")
    assert outcome.groups_shown == ["lived_experience"]


def test_group_filter_limits_rows_to_the_groups_chosen(alliance, framework):
    outcome = results(alliance, framework, groups=["provider", "commissioner"])
    assert outcome.groups_shown == ["commissioner", "provider"]
    assert set(outcome.summary["group"]) == {"commissioner", "provider"}


def test_open_round_shows_participation_counts_only(alliance, framework):
    outcome = results(alliance, framework, round_info=OPEN)
    assert outcome.visibility == "counts_only"
    assert outcome.message == (
        "This round is still open. Results appear when it closes; until then only the "
        "number of responses is shown."
    )
    for frame in (outcome.summary, outcome.divergence, outcome.comments, outcome.change):
        assert frame.empty
    assert list(outcome.participation["respondents"]) == [10, 6, 4]


def test_live_results_show_figures_while_the_round_is_open(alliance, framework):
    outcome = results(alliance, framework, round_info=OPEN_LIVE)
    assert outcome.visibility == "results"
    assert not rows_of(outcome.summary, "commissioner")["suppressed"].any()


def test_comments_carry_no_names_and_are_ordered_by_text(framework):
    answers = answers_frame(
        framework,
        [("provider", "Shelter Trust", 4, text) for text in ["zebra", "apple", "mango"]]
        + crowd("provider", "Shelter Trust", [3, 3]),
    )
    comments = results(answers, framework).comments
    assert list(comments.columns) == ["learning_point", "stakeholder_group", "comment"]
    first_point = comments[comments["learning_point"] == framework.point_keys[0]]
    assert list(first_point["comment"]) == ["apple", "mango", "zebra"]
    assert list(comments["learning_point"].unique()) == framework.point_keys


def withheld_reasons(answers, framework, organisations):
    summary = results(answers, framework, organisations=organisations).summary
    return set(summary.loc[summary["suppressed"].astype(bool), "reason"])


def test_a_filtered_view_gives_one_reason_whatever_people_outside_it_answered(framework):
    at_voices = (
        crowd("commissioner", "Voices", [1, 2, 3, 4, 5])
        + crowd("provider", "Voices", [2, 2, 3, 3, 4])
        + crowd("lived_experience", "Voices", [4, 4])
    )
    elsewhere = crowd("commissioner", "County Council", [3, 3, 3, 3, 3]) + crowd(
        "provider", "Shelter Trust", [4, 4, 3, 5, 4]
    )
    without_dont_know = answers_frame(framework, at_voices + elsewhere)
    with_dont_know = answers_frame(
        framework, at_voices + elsewhere + crowd("commissioner", "Health Trust", [None])
    )
    reasons = withheld_reasons(without_dont_know, framework, ["Voices"])
    assert reasons == withheld_reasons(with_dont_know, framework, ["Voices"])
    assert reasons == {privacy.would_reveal_reason(5)}


def test_the_whole_alliance_still_says_a_group_has_too_few_scores(alliance, framework):
    assert withheld_reasons(alliance, framework, None) == {privacy.too_few_reason(5)}


def participation_of(answers, framework, organisations=None):
    outcome = results(answers, framework, organisations=organisations)
    counts = outcome.participation.set_index("stakeholder_group")["respondents_text"]
    return {**counts.to_dict(), "total": outcome.people_text}


def test_a_filter_on_one_organisation_does_not_reveal_its_group_of_one(framework):
    answers = answers_frame(
        framework,
        crowd("provider", "Shelter Trust", [4, 4, 3, 5, 4])
        + crowd("provider", "Tiny Org", [3, 3, 4, 4, 5])
        + crowd("lived_experience", "Voices", [5, 5, 5, 5, 4])
        + crowd("lived_experience", "Tiny Org", [2]),
    )
    assert participation_of(answers, framework, ["Tiny Org"]) == {
        "commissioner": "0",
        "provider": "5",
        "lived_experience": "fewer than 5",
        "total": "not shown",
    }
    # Voices' five would give Tiny Org's one away by subtraction from the group's six.
    assert participation_of(answers, framework, ["Voices"])["lived_experience"] == "not shown"
    assert participation_of(answers, framework, ["Voices", "Tiny Org"])["lived_experience"] == "6"
    assert participation_of(answers, framework) == {
        "commissioner": "0",
        "provider": "10",
        "lived_experience": "6",
        "total": "16",
    }
    masked = results(answers, framework, organisations=["Tiny Org"]).participation
    assert masked["respondents"].isna().tolist() == [False, False, True]

"""A round's results read from the database: rounds, change since last time, exports.

Every test runs on SQLite and PostgreSQL (``db`` fixture).
"""

from __future__ import annotations

import math

import pytest

from collab.domain.organisations import create_organisation
from collab.domain.rounds import create_round, open_round
from collab.domain.submissions import AnswerInput, NewResponse
from collab.stats.results import (
    DIVERGENCE_EXPORT_COLUMNS,
    SUMMARY_EXPORT_COLUMNS,
    divergence_export_frame,
    round_results,
    summary_export_frame,
)
from tests.support.answers import add_published


def add_people(db, framework, *, round_id, organisation_id, group, scores, comment=""):
    """One respondent per score, giving that score on every learning point."""
    responses = [
        NewResponse(
            round_id=round_id,
            organisation_id=organisation_id,
            stakeholder_group=group,
            answers={p: AnswerInput(score=s, comment=comment) for p in framework.point_keys},
        )
        for s in scores
    ]
    with db.write() as session:
        add_published(session, responses, source="test")


@pytest.fixture
def two_rounds(db, framework):
    """Autumn then Spring, both closed: commissioners converge on the providers."""
    council = create_organisation(db, name="County Council", actor="admin")
    shelter = create_organisation(db, name="Shelter Trust", actor="admin")
    voices = create_organisation(db, name="Voices", actor="admin")
    autumn = create_round(db, name="Autumn 2026", actor="admin")
    spring = create_round(db, name="Spring 2027", actor="admin")
    for info, commissioner, provider in (
        (autumn, [3, 3, 3, 3, 3], [4, 4, 4, 4, 4]),
        (spring, [4, 4, 4, 4, 4], [4, 4, 4, 4, 5]),
    ):
        add_people(
            db,
            framework,
            round_id=info.id,
            organisation_id=council.id,
            group="commissioner",
            scores=commissioner,
        )
        add_people(
            db,
            framework,
            round_id=info.id,
            organisation_id=shelter.id,
            group="provider",
            scores=provider,
        )
    add_people(
        db,
        framework,
        round_id=spring.id,
        organisation_id=voices.id,
        group="lived_experience",
        scores=[1, 1, 2],
        comment="hard to say this out loud",
    )
    return db


def results_of(db, framework, name, **filters):
    return round_results(db, framework=framework, round_name=name, min_group_size=5, **filters)


def test_previous_round_is_the_one_created_before(two_rounds, framework):
    assert results_of(two_rounds, framework, "Spring 2027").previous_round == "Autumn 2026"
    assert results_of(two_rounds, framework, "Autumn 2026").previous_round is None


def test_round_figures_come_from_the_database(two_rounds, framework):
    outcome = results_of(two_rounds, framework, "Spring 2027")
    assert outcome.visibility == "results"
    assert outcome.message == ""
    assert outcome.round.name == "Spring 2027"
    providers = outcome.summary[outcome.summary["group"] == "provider"]
    assert set(providers["n"]) == {5}
    assert providers["mean"].to_numpy() == pytest.approx(4.2)
    assert list(outcome.participation["respondents"]) == [5, 5, 3]


def test_change_in_each_group_mean_since_the_previous_round(two_rounds, framework):
    change = results_of(two_rounds, framework, "Spring 2027").change
    assert len(change) == 2 * len(framework.point_keys)
    by_group = change.groupby("group")["mean_change"].unique()
    # Commissioners 3 -> 4, providers 4 -> 4.2; the lived-experience group is hidden.
    assert by_group["commissioner"] == pytest.approx([1.0])
    assert by_group["provider"] == pytest.approx([0.2])


def test_change_in_gap_since_the_previous_round(two_rounds, framework):
    gap_change = results_of(two_rounds, framework, "Spring 2027").gap_change
    assert list(gap_change["learning_point"]) == framework.point_keys
    # Gap 4 - 3 = 1.0 in the autumn, 4.2 - 4 = 0.2 in the spring.
    assert gap_change["previous_gap"].to_numpy() == pytest.approx(1.0)
    assert gap_change["gap"].to_numpy() == pytest.approx(0.2)
    assert gap_change["gap_change"].to_numpy() == pytest.approx(-0.8)
    assert set(gap_change["direction"]) == {"converging"}


def test_first_round_has_no_change(two_rounds, framework):
    outcome = results_of(two_rounds, framework, "Autumn 2026")
    assert outcome.change.empty
    assert outcome.gap_change.empty


def test_small_group_comments_stay_out_of_results(two_rounds, framework):
    outcome = results_of(two_rounds, framework, "Spring 2027")
    assert outcome.comments.empty


def test_empty_database_says_to_close_a_round(db, framework):
    outcome = results_of(db, framework, "Spring 2027")
    assert outcome.visibility == "no_round"
    assert outcome.message == "No closed round yet: close a round to see results."
    assert outcome.round is None
    assert outcome.summary.empty


def test_unknown_round_is_named_in_the_message(two_rounds, framework):
    outcome = results_of(two_rounds, framework, "Winter 2030")
    assert outcome.visibility == "no_round"
    assert outcome.message == "There is no round called 'Winter 2030'."


def test_no_round_name_means_the_latest_closed_round(two_rounds, framework):
    create_round(two_rounds, name="Summer 2027", actor="admin")
    open_round(two_rounds, name="Summer 2027", actor="admin")
    assert results_of(two_rounds, framework, None).round.name == "Spring 2027"


def test_a_round_not_yet_opened_says_so_and_shows_no_counts(two_rounds, framework):
    create_round(two_rounds, name="Summer 2027", actor="admin")
    assert results_of(two_rounds, framework, None).round.name == "Spring 2027"
    outcome = results_of(two_rounds, framework, "Summer 2027")
    assert outcome.visibility == "not_opened"
    assert outcome.message.startswith("Round 'Summer 2027' has not opened yet")
    assert "Nobody" not in outcome.message
    assert outcome.summary.empty


def test_round_without_submissions_has_no_data(two_rounds, framework):
    create_round(two_rounds, name="Summer 2027", actor="admin")
    open_round(two_rounds, name="Summer 2027", actor="admin")
    outcome = results_of(two_rounds, framework, "Summer 2027")
    assert outcome.visibility == "no_data"
    assert "Summer 2027" in outcome.message
    assert outcome.summary.empty
    assert list(outcome.participation["respondents"]) == [0, 0, 0]


def test_open_round_shows_counts_only(two_rounds, framework):
    summer = create_round(two_rounds, name="Summer 2027", actor="admin")
    open_round(two_rounds, name="Summer 2027", actor="admin")
    shelter = create_organisation(two_rounds, name="Night Shelter", actor="admin")
    add_people(
        two_rounds,
        framework,
        round_id=summer.id,
        organisation_id=shelter.id,
        group="provider",
        scores=[3] * 6,
    )
    outcome = results_of(two_rounds, framework, "Summer 2027")
    assert outcome.visibility == "counts_only"
    assert outcome.summary.empty
    assert list(outcome.participation["respondents"]) == [0, 6, 0]


def test_summary_export_has_the_design_columns_and_empty_suppressed_cells(two_rounds, framework):
    frame = summary_export_frame(results_of(two_rounds, framework, "Spring 2027"))
    assert list(frame.columns) == SUMMARY_EXPORT_COLUMNS
    assert SUMMARY_EXPORT_COLUMNS == [
        "round", "learning_point", "group", "n", "mean", "median", "sd",
        "pct_established", "consensus", "suppressed", "mean_low", "mean_high",
    ]  # fmt: skip
    hidden = frame[frame["group"] == "lived_experience"]
    assert hidden["suppressed"].all()
    assert hidden["n"].isna().all()
    figures = ["mean", "median", "sd", "pct_established", "consensus", "mean_low", "mean_high"]
    assert hidden[figures].isna().all().all()
    assert not (hidden["n"].fillna(-1) == 0).any()
    csv_rows = frame.to_csv(index=False).splitlines()
    hidden_line = next(line for line in csv_rows if ",lived_experience," in line)
    assert hidden_line.endswith(",lived_experience,,,,,,,True,,")


def test_divergence_export_has_the_design_columns_and_joined_groups(two_rounds, framework):
    frame = divergence_export_frame(results_of(two_rounds, framework, "Spring 2027"))
    assert list(frame.columns) == DIVERGENCE_EXPORT_COLUMNS
    assert DIVERGENCE_EXPORT_COLUMNS == [
        "round", "learning_point", "gap", "kruskal_h", "p_value", "p_method", "epsilon_sq",
        "cross_group_consensus", "status", "split_within", "groups_withheld",
        "highest_group", "lowest_group", "level_band", "groups_compared", "previous_gap",
        "gap_change", "gap_change_low", "gap_change_high", "direction",
    ]  # fmt: skip
    assert set(frame["status"]) == {"shared"}
    for column in ("split_within", "groups_withheld", "groups_compared"):
        assert all(isinstance(v, str) for v in frame[column])
    # Lived experience (3 people) is withheld; the change compares the two shown groups.
    assert set(frame["groups_withheld"]) == {"lived_experience"}
    assert set(frame["groups_compared"]) == {"commissioner;provider"}
    assert set(frame["direction"]) == {"converging"}
    assert set(frame["highest_group"]) == {"provider"}
    assert set(frame["lowest_group"]) == {"commissioner"}


def test_export_frames_are_empty_when_results_are_not_shown(db, framework):
    outcome = results_of(db, framework, "Spring 2027")
    assert summary_export_frame(outcome).empty
    assert list(divergence_export_frame(outcome).columns) == DIVERGENCE_EXPORT_COLUMNS


def test_identical_scores_give_empty_kruskal_wallis_in_the_export(db, framework):
    council = create_organisation(db, name="County Council", actor="admin")
    autumn = create_round(db, name="Autumn 2026", actor="admin")
    for group in ("commissioner", "provider"):
        add_people(
            db,
            framework,
            round_id=autumn.id,
            organisation_id=council.id,
            group=group,
            scores=[3] * 5,
        )
    frame = divergence_export_frame(results_of(db, framework, "Autumn 2026"))
    assert frame["kruskal_h"].isna().all()
    assert all(math.isnan(v) for v in frame["epsilon_sq"])

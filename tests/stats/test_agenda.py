"""The agenda (order of discussion) and a group's own view, worked by hand."""

from __future__ import annotations

import pandas as pd
import pytest

from collab.stats import agenda, analysis, privacy

NAN = float("nan")


def divergence_rows(rows: list[tuple]) -> pd.DataFrame:
    """(point, status, band, level, gap) rows as ``point_divergence`` would give them."""
    return pd.DataFrame(
        [
            {
                "learning_point": point,
                "status": status,
                "level_band": band,
                "all_mean": level,
                "gap": gap,
                "highest_group": "commissioner" if status != "insufficient" else "",
                "lowest_group": "provider" if status != "insufficient" else "",
                "groups_withheld": [],
            }
            for point, status, band, level, gap in rows
        ]
    )


def test_low_and_divergent_points_come_first(framework):
    divergence = divergence_rows(
        [
            ("upstream", "shared", "strength", 4.3, 0.2),
            ("right_people", "divergent", "developing", 3.4, 1.2),
            ("realistic", "divergent", "concern", 2.5, 1.1),
            ("difference", "divergent", "concern", 2.8, 1.6),
            ("assets", "some_divergence", "concern", 2.2, 0.6),
            ("messiness", "insufficient", "developing", 3.5, NAN),
            ("focus", "shared", "concern", 2.1, 0.3),
            ("impact", "some_divergence", "strength", 4.2, 0.9),
        ]
    )
    found = agenda.agenda(divergence, framework=framework)
    assert list(found.columns) == agenda.AGENDA_COLUMNS
    assert list(found["order"]) == list(range(1, 9))
    assert list(found["learning_point"]) == [
        "difference",  # divergent, concern, gap 1.6
        "realistic",  # divergent, concern, gap 1.1
        "right_people",  # divergent, developing
        "assets",  # some divergence, concern
        "impact",  # some divergence, strength
        "focus",  # shared, concern
        "upstream",  # shared, strength
        "messiness",  # not enough groups: last
    ]


def test_ties_in_the_agenda_fall_back_to_lower_level_then_framework_order(framework):
    divergence = divergence_rows(
        [
            ("upstream", "divergent", "concern", 2.9, 1.2),
            ("right_people", "divergent", "concern", 2.1, 1.2),
            ("realistic", "divergent", "concern", 2.1, 1.2),
        ]
    )
    found = agenda.agenda(divergence, framework=framework)
    assert list(found["learning_point"]) == ["right_people", "realistic", "upstream"]


def summary_of(framework, scores: dict[str, dict[str, list[int]]]) -> pd.DataFrame:
    """Visible summary (K = 5): point -> group -> scores."""
    rows = [
        {"round": "R", "learning_point": point, "stakeholder_group": group, "score": v,
         "dont_know": False}
        for point, groups in scores.items()
        for group, values in groups.items()
        for v in values
    ]  # fmt: skip
    answers = pd.DataFrame(rows)
    answers["score"] = answers["score"].astype("Int64")
    summary = analysis.group_summary(answers, framework=framework, rounds=["R"])
    return privacy.suppress(summary, min_group_size=5)


def test_a_groups_own_view_ranks_points_by_distance_from_the_others(framework):
    summary = summary_of(
        framework,
        {
            # Commissioners 4.0 against providers 3.0 and lived experience 2.0 (5 each):
            # others pooled 2.5, difference +1.5.
            "upstream": {"commissioner": [4] * 5, "provider": [3] * 5, "lived_experience": [2] * 5},
            # Commissioners 3.0 against providers 3.4 (5 scores; lived experience withheld).
            "focus": {
                "commissioner": [3] * 5,
                "provider": [3, 3, 4, 3, 4],
                "lived_experience": [1],
            },
            # Commissioners withheld: no row.
            "impact": {"commissioner": [5, 5], "provider": [3] * 5},
            # Nobody else shown: no row.
            "assets": {"commissioner": [4] * 6, "provider": [1, 1]},
        },
    )
    view = agenda.group_view(summary, group="commissioner", framework=framework)
    assert list(view.columns) == agenda.GROUP_VIEW_COLUMNS
    assert list(view["learning_point"]) == ["upstream", "focus"]
    assert list(view["rank"]) == [1, 2]
    upstream = view.iloc[0]
    assert (upstream["group_mean"], upstream["others_mean"]) == pytest.approx((4.0, 2.5))
    assert (upstream["group_n"], upstream["others_n"]) == (5, 10)
    assert upstream["difference"] == pytest.approx(1.5)
    assert view.iloc[1]["difference"] == pytest.approx(-0.4)
    assert view.iloc[1]["others_n"] == 5


def test_a_groups_own_view_is_empty_when_the_group_is_withheld(framework):
    summary = summary_of(framework, {"upstream": {"commissioner": [4, 4], "provider": [3] * 5}})
    view = agenda.group_view(summary, group="commissioner", framework=framework)
    assert view.empty
    assert list(view.columns) == agenda.GROUP_VIEW_COLUMNS


def test_a_groups_own_view_names_the_other_groups_it_is_compared_with(framework):
    summary = summary_of(
        framework,
        {
            "upstream": {"commissioner": [4] * 5, "provider": [3] * 5, "lived_experience": [2] * 5},
            "focus": {"commissioner": [3] * 5, "provider": [3] * 5, "lived_experience": [1]},
        },
    )
    view = agenda.group_view(summary, group="commissioner", framework=framework)
    assert list(view["other_groups"]) == [["provider", "lived_experience"], ["provider"]]


def full_divergence_rows() -> pd.DataFrame:
    frame = divergence_rows(
        [
            ("upstream", "shared", "strength", 4.3, 0.2),
            ("realistic", "divergent", "concern", 2.5, 1.1),
            ("messiness", "insufficient", "developing", 3.5, NAN),
        ]
    )
    frame["highest_mean"] = [4.4, 3.0, NAN]
    frame["lowest_mean"] = [4.2, 1.9, NAN]
    frame["groups_shown"] = [["commissioner", "provider"]] * 2 + [["commissioner"]]
    frame["groups_withheld"] = [["lived_experience"], [], ["provider"]]
    return frame


def test_the_agenda_table_says_the_order_status_level_gap_and_who_is_where(framework):
    table = agenda.agenda_table(full_divergence_rows(), framework=framework)
    assert list(table.columns) == agenda.AGENDA_TABLE_COLUMNS
    assert table.to_dict("records") == [
        {
            "Order": 1,
            "Learning point": "Be realistic",
            "Status": "Groups diverge",
            "Level": "A concern (2.5)",
            "Gap": "1.10",
            "Who is where": "commissioners highest (3.00), service providers lowest (1.90)",
        },
        {
            "Order": 2,
            "Learning point": "Start 'upstream'",
            "Status": "Shared view between commissioners and service providers; "
            "lived experience withheld",
            "Level": "A strength (4.3)",
            "Gap": "0.20",
            "Who is where": "commissioners highest (4.40), service providers lowest (4.20)",
        },
        {
            "Order": 3,
            "Learning point": "Learn in the messiness",
            "Status": "Not enough groups to compare: service providers withheld",
            "Level": "Developing (3.5)",
            "Gap": "—",
            "Who is where": "—",
        },
    ]


def test_a_point_of_a_groups_own_view_reads_as_a_sentence(framework):
    row = {
        "learning_point": "upstream",
        "group_mean": 4.0,
        "others_mean": 2.5,
        "difference": 1.5,
        "other_groups": ["provider", "lived_experience"],
    }
    assert agenda.group_view_reading(row, group="commissioner", framework=framework) == (
        "Start 'upstream': commissioners average 4.00, 1.50 points above the other groups "
        "shown (service providers and lived experience, 2.50)"
    )
    one_point = {**row, "group_mean": 3.5, "difference": 1.0}
    assert "1.00 point above" in agenda.group_view_reading(
        one_point, group="commissioner", framework=framework
    )


def test_a_withheld_groups_own_view_says_why_it_is_empty(framework):
    summary = summary_of(
        framework,
        {"upstream": {"commissioner": [4, 4], "provider": [3] * 5, "lived_experience": [2] * 5}},
    )
    view = agenda.group_view(summary, group="commissioner", framework=framework)
    assert agenda.group_view_missing(
        summary, view, group="commissioner", framework=framework, k=5
    ) == (
        "Nothing to show for commissioners in this round: on every learning point fewer "
        "than 5 of them gave a score, so their average is withheld."
    )


def test_a_groups_own_view_names_the_points_it_leaves_out(framework):
    summary = summary_of(
        framework,
        {
            "upstream": {"commissioner": [4] * 5, "provider": [3] * 5},
            "focus": {"commissioner": [3, 3], "provider": [3] * 5},
            "impact": {"commissioner": [3] * 5, "provider": [1]},
        },
    )
    view = agenda.group_view(summary, group="commissioner", framework=framework)
    missing = agenda.group_view_missing(
        summary, view, group="commissioner", framework=framework, k=5
    )
    assert missing == (
        "Not shown for commissioners (fewer than 5 of them gave a score): Get the right "
        "people in the room, Be realistic, Recognise difference, Focus on assets, Learn in "
        "the messiness, Stay focused. No other group shown to compare with: Rethink 'impact'."
    )


def test_a_level_keeps_enough_decimals_to_stay_in_its_band(framework):
    # 2.996 is a concern (below 3.0): "3.0" beside "A concern" would contradict it.
    assert agenda.level_text("concern", 2.996, framework=framework) == "A concern (2.996)"
    assert agenda.level_text("concern", 2.96, framework=framework) == "A concern (2.96)"
    assert agenda.level_text("developing", 3.04, framework=framework) == "Developing (3.0)"
    assert agenda.level_text("strength", 4.25, framework=framework) == "A strength (4.2)"
    assert agenda.level_text("", NAN, framework=framework) == "No level to show"

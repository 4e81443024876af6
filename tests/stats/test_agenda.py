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

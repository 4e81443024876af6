"""Meeting mode's logic: the order of the learning points, the discussion prompts, and the
tables of agreed actions."""

from __future__ import annotations

import datetime as dt

import pandas as pd

from collab.stats import meeting


def test_learning_points_are_ordered_by_gap_with_insufficient_ones_last(framework):
    divergence = pd.DataFrame(
        {
            "learning_point": framework.point_keys,
            "gap": [0.2, 1.5, float("nan"), 0.9, 1.5, 0.1, 0.3, 0.0],
            "status": ["shared", "divergent", "insufficient", "some_divergence",
                       "divergent", "shared", "shared", "shared"],
        }
    )  # fmt: skip
    assert meeting.learning_point_order(divergence, framework=framework, by="gap") == [
        "right_people", "assets", "difference", "focus", "upstream", "messiness",
        "impact", "realistic",
    ]  # fmt: skip
    assert (
        meeting.learning_point_order(divergence, framework=framework, by="framework")
        == framework.point_keys
    )


def test_discussion_prompts_fit_the_status_and_always_ask_about_peoples_lives():
    divergent = meeting.discussion_prompts(status="divergent", position=0)
    missing = meeting.discussion_prompts(status="insufficient", position=1)
    assert len(divergent) == 3
    assert "see this point very differently" in divergent[0]
    assert "voice is missing" in missing[0]
    assert all("change the lives" in prompts[1] for prompts in (divergent, missing))
    assert divergent[2] != missing[2]


def agreed_actions() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "id": [3, 7, 9],
            "round": ["Autumn 2025", "Spring 2026", "Spring 2026"],
            "learning_point": ["right_people", "assets", "retired_point"],
            "description": ["Invite a budget holder", "Map what works", "Old business"],
            "lead_organisation": ["Calderholt County Council", None, None],
            "due_on": [None, None, None],
            "status": ["agreed", "in_progress", "done"],
        }
    )


def test_actions_are_shown_under_headings_with_their_status_names(framework):
    table = meeting.actions_table(agreed_actions(), framework=framework, with_point=True)
    assert list(table.columns) == ["Learning point", "Round", "Action", "Lead", "Due", "Status"]
    assert table["Status"].tolist() == ["Agreed", "In progress", "Done"]
    assert table["Learning point"].tolist() == [
        "Get the right people in the room",
        "Focus on assets",
        "retired_point",
    ]
    without = meeting.actions_table(agreed_actions(), framework=framework, with_point=False)
    assert list(without.columns) == ["Round", "Action", "Lead", "Due", "Status"]


def test_an_actions_due_date_reads_in_words_and_stays_empty_when_not_set(framework):
    agreed = agreed_actions().assign(due_on=[dt.date(2027, 3, 5), None, None])
    table = meeting.actions_table(agreed, framework=framework, with_point=False)
    assert table["Due"].tolist() == ["5 March 2027", "", ""]


def test_only_the_statuses_changed_in_the_editor_are_saved():
    agreed = agreed_actions()
    assert meeting.status_changes(agreed, ["Agreed", "In progress", "Done"]) == []
    assert meeting.status_changes(agreed, ["Done", "In progress", "Dropped"]) == [
        (3, "done"),
        (9, "dropped"),
    ]

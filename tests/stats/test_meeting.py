"""Meeting mode's logic: the order of the learning points, the discussion prompts, the line
on who is missing from a round, the tables of agreed actions and the round's one-page
summary."""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace

import pandas as pd

from collab.domain.rounds import RoundInfo
from collab.stats import meeting
from collab.stats.participation import BY_GROUP_COLUMNS, RoundParticipation


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


def _divergence_row(point, status, gap, high, low, *, withheld=(), split=()):
    """A divergence row: the highest and lowest group as (key, mean) pairs."""
    shown = [g for g in ("commissioner", "provider", "lived_experience") if g not in withheld]
    return {
        "learning_point": point, "status": status, "gap": gap,
        "highest_group": high[0], "highest_mean": high[1],
        "lowest_group": low[0], "lowest_mean": low[1],
        "groups_shown": shown, "groups_withheld": list(withheld), "split_within": list(split),
    }  # fmt: skip


def test_the_summary_has_a_short_row_per_point_in_the_agendas_order(framework):
    everyone = ["commissioner", "provider", "lived_experience"]
    two = ["commissioner", "provider"]
    results = SimpleNamespace(
        previous_round="Autumn 2025",
        divergence=pd.DataFrame(
            [
                _divergence_row("focus", "shared", 0.21, ("provider", 3.76),
                                ("commissioner", 3.55)),
                _divergence_row("right_people", "divergent", 2.09, ("commissioner", 3.92),
                                ("lived_experience", 1.83), split=["provider"]),
                _divergence_row("assets", "shared", 0.3, ("commissioner", 3.6), ("provider", 3.3),
                                withheld=["lived_experience"]),
            ]
        ),
        gap_change=pd.DataFrame(
            {
                "learning_point": ["right_people", "focus", "assets"],
                "groups_shown": [everyone, everyone, two],
                "groups_compared": [two, everyone, two],
                "previous_gap": [1.39, 0.5, 0.1],
                "gap": [0.92, 0.21, 0.3],
                "gap_change": [-0.47, -0.29, 0.2],
                "direction": ["about_the_same", "converging", "not_comparable"],
            }
        ),
    )  # fmt: skip
    summary = meeting.summary_table(
        results, framework=framework, order=["right_people", "focus", "assets"]
    )
    assert list(summary.table.columns) == [
        "Learning point", "Status", "Gap", "Highest", "Lowest", "Since Autumn 2025",
        "Split within",
    ]  # fmt: skip
    assert summary.table.values.tolist() == [
        ["1. Get the right people in the room", "Groups diverge", "2.09", "Commissioners (3.92)",
         "Lived experience (1.83)", "1.39 to 0.92, about the same*", "Service providers"],
        ["2. Stay focused", "Shared view", "0.21", "Service providers (3.76)",
         "Commissioners (3.55)", "0.50 to 0.21, converging", ""],
        ["3. Focus on assets", "Shared view†", "0.30", "Commissioners (3.60)",
         "Service providers (3.30)", "not comparable", ""],
    ]  # fmt: skip
    assert summary.notes[:2] == [
        "† Between commissioners and service providers; lived experience withheld.",
        "* Over commissioners and service providers only, the groups shown in both rounds.",
    ]
    assert "more than chance could easily give" in summary.notes[2]
    first_round = meeting.summary_table(
        SimpleNamespace(
            previous_round=None, divergence=results.divergence, gap_change=pd.DataFrame()
        ),
        framework=framework,
        order=["focus", "right_people", "assets"],
    )
    assert list(first_round.table.columns) == [
        "Learning point", "Status", "Gap", "Highest", "Lowest", "Split within",
    ]  # fmt: skip
    assert first_round.table["Learning point"].tolist() == [
        "1. Stay focused", "2. Get the right people in the room", "3. Focus on assets",
    ]  # fmt: skip
    assert first_round.notes == [
        "† Between commissioners and service providers; lived experience withheld."
    ]


def taking_part(rows: list[tuple[str, int, int | None]], *, is_open: bool = False):
    """A round's participation by group from (group name, responses, expected) rows."""
    by_group = pd.DataFrame(
        {
            "stakeholder_group": [name.lower() for name, _, _ in rows],
            "group_name": [name for name, _, _ in rows],
            "responses": [n for _, n, _ in rows],
            "expected": pd.array([e for _, _, e in rows], dtype="Int64"),
        }
    )
    by_group["response_rate"] = [n / e if e else float("nan") for _, n, e in rows]
    by_group["below_expected"] = [e is not None and n < e for _, n, e in rows]
    by_group["below_minimum"] = by_group["responses"] < 5
    by_group["flag"] = ""
    by_group["response_rate_text"] = ""
    by_group["through_shared_codes"] = 0
    info = RoundInfo(0, "Spring 2026", None, None, is_open, False, True)
    return RoundParticipation(
        round=info,
        min_group_size=5,
        by_group=by_group[BY_GROUP_COLUMNS],
        by_organisation=pd.DataFrame(),
        exact_counts=False,
    )


def test_the_participation_note_is_silent_when_every_group_is_near_its_number():
    near = taking_part([("Commissioners", 13, 14), ("Providers", 30, None), ("Lived", 11, 14)])
    assert meeting.participation_note(near) == ""


def test_the_participation_note_names_a_group_well_below_its_number_only():
    note = meeting.participation_note(
        taking_part([("Commissioners", 13, 14), ("Providers", 30, 30), ("Lived", 9, 14)])
    )
    assert note == "Taking part: Lived 9 of the 14 expected."


def test_the_participation_note_names_a_group_too_small_to_show_first_by_its_rule():
    closed = taking_part([("Commissioners", 2, 14), ("Lived", 1, None), ("Providers", 7, 20)])
    assert meeting.participation_note(closed) == (
        "Taking part: Commissioners 2 responses, fewer than 5, so its results are withheld; "
        "Lived 1 response, fewer than 5, so its results are withheld; "
        "Providers 7 of the 20 expected."
    )
    still_open = taking_part([("Lived", 3, None)], is_open=True)
    assert "so its results will be withheld" in meeting.participation_note(still_open)

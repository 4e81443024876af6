"""Agreed actions: recording, status changes, listing across rounds, validation and export."""

from __future__ import annotations

import datetime as dt
import io

import openpyxl
import pytest

from collab.domain import actions, organisations, rounds
from collab.files.exports import write_frame
from collab.store.errors import NotFound, Refused

COUNCIL = "Calderholt County Council"


@pytest.fixture
def alliance(db):
    organisations.create_organisation(db, name=COUNCIL, actor="admin")
    rounds.create_round(db, name="Autumn 2025", actor="admin")
    return db


def test_a_recorded_action_is_agreed_and_listed_with_its_lead_and_due_date(alliance, framework):
    recorded = actions.record_action(
        alliance,
        round_name="Autumn 2025",
        learning_point="right_people",
        description="  Invite a   budget holder from each council  ",
        lead_organisation=COUNCIL,
        due_on=dt.date(2026, 1, 31),
        framework=framework,
        actor="admin",
    )
    assert recorded.status == "agreed"
    assert recorded.description == "Invite a budget holder from each council"
    listed = actions.list_actions(alliance)
    assert listed.to_dict("records")[0] | {"created_at": None, "updated_at": None} == {
        "id": recorded.id,
        "round": "Autumn 2025",
        "learning_point": "right_people",
        "description": "Invite a budget holder from each council",
        "lead_organisation": COUNCIL,
        "due_on": dt.date(2026, 1, 31),
        "status": "agreed",
        "created_at": None,
        "updated_at": None,
    }


def test_an_action_without_lead_or_due_date_lists_them_as_none(alliance, framework):
    actions.record_action(
        alliance,
        round_name="Autumn 2025",
        learning_point="assets",
        description="Map what already works",
        framework=framework,
        actor="admin",
    )
    row = actions.list_actions(alliance).iloc[0]
    assert row["lead_organisation"] is None
    assert row["due_on"] is None


def test_updating_the_status_changes_it_and_the_update_time(alliance, framework):
    recorded = actions.record_action(
        alliance,
        round_name="Autumn 2025",
        learning_point="focus",
        description="Agree three priorities",
        framework=framework,
        actor="admin",
    )
    updated = actions.update_action_status(
        alliance, action_id=recorded.id, status="in_progress", actor="admin"
    )
    assert updated.status == "in_progress"
    assert updated.updated_at >= recorded.updated_at
    assert list(actions.list_actions(alliance)["status"]) == ["in_progress"]


def test_actions_of_an_earlier_round_show_in_the_next_rounds_meeting_with_their_status(
    alliance, framework
):
    first = actions.record_action(
        alliance,
        round_name="Autumn 2025",
        learning_point="right_people",
        description="Invite a budget holder",
        framework=framework,
        actor="admin",
    )
    actions.update_action_status(alliance, action_id=first.id, status="done", actor="admin")
    rounds.create_round(alliance, name="Spring 2026", actor="admin")
    rounds.open_round(alliance, name="Spring 2026", actor="admin")
    actions.record_action(
        alliance,
        round_name="Spring 2026",
        learning_point="right_people",
        description="Review who attends",
        framework=framework,
        actor="admin",
    )
    rounds.create_round(alliance, name="Autumn 2026", actor="admin")
    actions.record_action(
        alliance,
        round_name="Autumn 2026",
        learning_point="right_people",
        description="Not yet discussed in spring",
        framework=framework,
        actor="admin",
    )

    meeting = actions.list_actions(
        alliance, up_to_round="Spring 2026", learning_point="right_people"
    )
    assert list(zip(meeting["round"], meeting["description"], meeting["status"], strict=True)) == [
        ("Autumn 2025", "Invite a budget holder", "done"),
        ("Spring 2026", "Review who attends", "agreed"),
    ]


def test_listing_for_one_learning_point_leaves_out_the_others(alliance, framework):
    for point in ("upstream", "impact"):
        actions.record_action(
            alliance,
            round_name="Autumn 2025",
            learning_point=point,
            description=f"Something on {point}",
            framework=framework,
            actor="admin",
        )
    listed = actions.list_actions(alliance, learning_point="impact")
    assert list(listed["learning_point"]) == ["impact"]


@pytest.mark.parametrize(
    ("change", "error", "message"),
    [
        ({"learning_point": "teamwork"}, NotFound, "no learning point called 'teamwork'"),
        ({"description": "   "}, Refused, "Describe the action"),
        ({"description": "x" * 501}, Refused, "at most 500 characters"),
        ({"lead_organisation": "Calderholt Council"}, NotFound, "Did you mean"),
        ({"round_name": "Winter 2030"}, NotFound, "no round called 'Winter 2030'"),
    ],
)
def test_an_invalid_action_is_refused_and_nothing_is_stored(
    alliance, framework, change, error, message
):
    values = {
        "round_name": "Autumn 2025",
        "learning_point": "upstream",
        "description": "Talk about behaviours first",
    }
    with pytest.raises(error, match=message):
        actions.record_action(alliance, framework=framework, **(values | change), actor="admin")
    assert actions.list_actions(alliance).empty


def test_a_description_of_exactly_500_characters_is_accepted(alliance, framework):
    recorded = actions.record_action(
        alliance,
        round_name="Autumn 2025",
        learning_point="upstream",
        description="y" * 500,
        framework=framework,
        actor="admin",
    )
    assert len(recorded.description) == 500


def test_an_unknown_status_or_action_is_refused(alliance, framework):
    recorded = actions.record_action(
        alliance,
        round_name="Autumn 2025",
        learning_point="upstream",
        description="Talk about behaviours first",
        framework=framework,
        actor="admin",
    )
    with pytest.raises(Refused, match="not an action status"):
        actions.update_action_status(
            alliance, action_id=recorded.id, status="finished", actor="admin"
        )
    with pytest.raises(NotFound, match="no longer exists"):
        actions.update_action_status(
            alliance, action_id=recorded.id + 99, status="done", actor="admin"
        )
    assert list(actions.list_actions(alliance)["status"]) == ["agreed"]


def test_the_export_frame_names_the_point_and_status_in_words(alliance, framework):
    actions.record_action(
        alliance,
        round_name="Autumn 2025",
        learning_point="messiness",
        description="Name who decides on the shared budget",
        lead_organisation=COUNCIL,
        framework=framework,
        actor="admin",
    )
    frame = actions.actions_frame_for_export(alliance, framework=framework)
    assert list(frame.columns) == actions.EXPORT_COLUMNS
    row = frame.iloc[0]
    assert (row["learning_point_title"], row["status"]) == ("Learn in the messiness", "Agreed")


def test_exported_actions_are_neutralised_against_formula_injection(alliance, framework):
    actions.record_action(
        alliance,
        round_name="Autumn 2025",
        learning_point="upstream",
        description='=HYPERLINK("http://example.org","click")',
        framework=framework,
        actor="admin",
    )
    frame = actions.actions_frame_for_export(alliance, framework=framework)
    csv_text = write_frame(frame, fmt="csv").decode("utf-8-sig")
    assert "'=HYPERLINK" in csv_text
    sheet = openpyxl.load_workbook(io.BytesIO(write_frame(frame, fmt="xlsx"))).active
    descriptions = [row[3] for row in sheet.iter_rows(min_row=2, values_only=True)]
    assert descriptions == ['\'=HYPERLINK("http://example.org","click")']

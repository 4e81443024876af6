"""Meeting mode, trends and participation pages through Streamlit's AppTest.

The demo alliance is built once for the module and copied for each test; each test points
the app at its own SQLite file and, where the page writes, checks the database itself.
"""

from __future__ import annotations

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from collab.domain import actions, rounds
from collab.present import pack
from collab.stats import participation
from collab.store.framework import load_framework
from tests.support.app import chart, open_page, texts

MEETING = "pages/meeting.py"
TRENDS = "pages/trends.py"
PARTICIPATION = "pages/participation.py"
PAGES = [MEETING, TRENDS, PARTICIPATION]
FIRST_ROUND, SECOND_ROUND, OPEN_ROUND = "Autumn 2025", "Spring 2026", "Autumn 2026"


def shown_point(at: AppTest) -> str:
    return at.title[0].value.replace("\\", "")


def open_comments_and_actions(at: AppTest) -> AppTest:
    """The second view of the point shown: its comments and actions."""
    return at.button(key="meeting_view_comments").click().run()


@pytest.mark.parametrize("role", ["leadership", "admin"])
@pytest.mark.parametrize("page", PAGES)
def test_every_page_runs_on_the_demo_alliance(demo_db, page, role):
    at = open_page(page, role)
    assert not at.exception


@pytest.mark.parametrize(
    ("page", "advice"),
    [
        (MEETING, "There is no round to discuss yet"),
        (TRENDS, "No round has results to compare yet"),
        (PARTICIPATION, "No round yet"),
    ],
)
def test_an_empty_database_says_what_to_do_next(app_db, page, advice):
    at = open_page(page, "admin")
    assert not at.exception
    assert advice in at.info[0].value
    assert at.get("plotly_chart") == []


def test_meeting_mode_refuses_a_member(demo_db):
    at = open_page(MEETING, "member")
    assert "for the leadership team" in at.warning[0].value
    assert at.get("plotly_chart") == []


def test_meeting_starts_with_the_largest_gap_of_the_latest_closed_round(demo_db, framework):
    at = open_page(MEETING)
    assert at.selectbox(key="meeting_round").value == SECOND_ROUND
    assert shown_point(at) == "Get the right people in the room"
    assert "the largest this round" in texts(at.subheader)
    positions = chart(at, "meeting_group_positions")
    assert [t["name"] for t in positions["data"]] == [g.name for g in framework.groups]


def test_meeting_mode_skips_a_round_not_yet_opened_and_says_so_when_chosen(demo_db):
    rounds.create_round(demo_db, name="Spring 2027", actor="admin")
    at = open_page(MEETING)
    assert at.selectbox(key="meeting_round").value == SECOND_ROUND
    assert "Spring 2027 (not yet opened)" in at.selectbox(key="meeting_round").options
    at.selectbox(key="meeting_round").set_value("Spring 2027").run()
    assert not at.exception
    assert "Round 'Spring 2027' has not opened yet" in texts(at.info)
    assert at.warning == []
    assert at.get("plotly_chart") == []


def test_next_and_previous_move_through_the_learning_points(demo_db):
    at = open_page(MEETING)
    first = shown_point(at)
    assert at.button(key="meeting_previous").disabled
    at.button(key="meeting_next").click().run()
    second = shown_point(at)
    assert second != first
    assert "Learning point 2 of 8" in at.get("progress")[0].proto.text
    at.button(key="meeting_previous").click().run()
    assert shown_point(at) == first


def test_the_last_learning_point_cannot_go_further(demo_db, framework):
    at = open_page(MEETING)
    for _ in range(len(framework.learning_points) - 1):
        at.button(key="meeting_next").click().run()
    assert "Learning point 8 of 8" in at.get("progress")[0].proto.text
    assert at.button(key="meeting_next").disabled


def test_framework_order_starts_from_the_first_learning_point(demo_db, framework):
    at = open_page(MEETING)
    at.button(key="meeting_next").click().run()
    at.radio(key="meeting_order").set_value("framework").run()
    assert "Learning point 1 of 8" in at.get("progress")[0].proto.text
    assert shown_point(at) == framework.learning_points[0].title


def test_the_picture_shows_the_prompts_and_the_second_view_the_comments_as_plain_text(demo_db):
    at = open_page(MEETING)
    assert "To discuss" in texts(at.subheader)
    assert "most potential to change the lives" in texts(at.markdown)
    assert len(at.text) == 0
    open_comments_and_actions(at)
    assert len(at.text) > 0
    assert "What people wrote" in texts(at.subheader)
    assert "To discuss" not in texts(at.subheader)


def test_a_withheld_group_is_flagged_and_its_comments_are_not_shown(demo_db):
    at = open_page(MEETING)
    at.selectbox(key="meeting_round").set_value(FIRST_ROUND).run()
    assert not at.exception
    assert (
        "Taking part: Lived experience 4 responses, fewer than 5, so its results are withheld."
        in texts(at.markdown)
    )
    positions = chart(at, "meeting_group_positions")
    assert "Lived experience" not in [t["name"] for t in positions["data"]]
    assert "Too few scores from lived experience on this point to show" in texts(at.markdown)
    open_comments_and_actions(at)
    comment_boxes = [m.value for m in at.markdown if m.value.startswith("**")]
    assert "**Lived experience**" not in comment_boxes


def test_an_open_round_shows_counts_only_in_meeting_mode(demo_db):
    at = open_page(MEETING)
    at.selectbox(key="meeting_round").set_value(OPEN_ROUND).run()
    assert "This round is still open" in at.info[0].value
    assert at.get("plotly_chart") == []


def test_recording_an_action_in_meeting_mode_stores_it_for_the_point_shown(demo_db):
    earlier = len(actions.list_actions(demo_db))
    at = open_page(MEETING)
    at.button(key="meeting_next").click().run()
    point_title = shown_point(at)
    open_comments_and_actions(at)
    at.text_area(key="meeting_action_description").input("Ask each council to send a budget holder")
    at.selectbox(key="meeting_action_lead").set_value("Calderholt County Council")
    at.button(key="meeting_action_submit").click().run()
    assert not at.exception
    assert "Action recorded." in texts(at.success)
    stored = actions.list_actions(demo_db)
    assert len(stored) == earlier + 1
    stored = stored[stored["description"] == "Ask each council to send a budget holder"]
    assert stored[["round", "description", "lead_organisation", "status"]].values.tolist() == [
        [SECOND_ROUND, "Ask each council to send a budget holder", "Calderholt County Council",
         "agreed"]
    ]  # fmt: skip
    assert load_framework().point(stored.iloc[0]["learning_point"]).title == point_title
    assert (
        "Ask each council to send a budget holder"
        in at.data_editor[0].value["description"].tolist()
    )


def test_an_empty_action_is_refused_and_nothing_is_stored(demo_db):
    earlier = actions.list_actions(demo_db)
    at = open_comments_and_actions(open_page(MEETING))
    at.button(key="meeting_action_submit").click().run()
    assert "Describe the action" in texts(at.error)
    assert actions.list_actions(demo_db).equals(earlier)


def test_an_earlier_rounds_action_shows_in_the_next_meeting_and_its_status_can_change(
    demo_db, framework
):
    recorded = actions.record_action(
        demo_db,
        round_name=FIRST_ROUND,
        learning_point="right_people",
        description="Invite a decision-maker from each council",
        framework=framework,
        actor="admin",
    )
    at = open_comments_and_actions(open_page(MEETING))
    editor = at.data_editor(key="meeting_actions_right_people").value
    ours = editor.index[editor["description"] == "Invite a decision-maker from each council"]
    assert editor.loc[ours, ["round", "status"]].values.tolist() == [[FIRST_ROUND, "Agreed"]]
    at.session_state["meeting_actions_right_people"] = {
        "edited_rows": {int(ours[0]): {"status": "Done"}},
        "added_rows": [],
        "deleted_rows": [],
    }
    at.run()
    at.button(key="meeting_actions_save").click().run()
    assert not at.exception
    assert actions.list_actions(demo_db).set_index("id").loc[recorded.id, "status"] == "done"


def test_meeting_offers_the_pack_and_workbook_for_download(demo_db):
    at = open_page(MEETING)
    labels = [b.label for b in at.get("download_button")]
    assert labels == ["Meeting pack (HTML)", "Figures (Excel)"]


def test_the_pack_and_workbook_are_built_only_when_downloaded(demo_db, monkeypatch):
    built = []
    for name in ("build_meeting_pack", "build_meeting_workbook"):
        monkeypatch.setattr(pack, name, lambda *args, name=name, **kwargs: built.append(name))
    at = open_page(MEETING)
    at.button(key="meeting_next").click().run()
    assert not at.exception
    assert len(at.get("download_button")) == 2
    assert built == []


def test_trends_show_eight_small_charts_with_the_withheld_round_as_a_gap(demo_db, framework):
    at = open_page(TRENDS)
    figure = chart(at, "trends_small_multiples")
    titles = [a["text"] for a in figure["layout"]["annotations"]]
    for point in framework.learning_points:
        assert any(point.title.split()[0] in t for t in titles)
    lived = [t for t in figure["data"] if t["name"] == "Lived experience"]
    assert len(lived) == len(framework.learning_points)
    assert all(t["y"][0] is None for t in lived)  # Autumn 2025: four people, withheld
    assert all(t["connectgaps"] is False for t in lived)
    assert "Autumn 2026 (still open" in texts(at.caption)


def test_participation_flags_a_small_group_before_the_results(demo_db):
    at = open_page(PARTICIPATION)
    at.selectbox(key="participation_round").set_value(FIRST_ROUND).run()
    assert "Lived experience: Fewer than 5 responses: results for this group are withheld" in texts(
        at.warning
    )
    assert {m.label: m.value for m in at.metric}["Lived experience"] == "4"


def _by_organisation(at) -> pd.DataFrame:
    return next(d.value for d in at.dataframe if "organisation" in d.value.columns)


def test_the_leadership_participation_page_never_shows_an_organisations_count_below_k(demo_db):
    at = open_page(PARTICIPATION)
    at.selectbox(key="participation_round").set_value(FIRST_ROUND).run()
    table = _by_organisation(at)
    lived = table[table["group_name"] == "Lived experience"]
    assert (lived["responses_text"] == "fewer than 5").any()
    for responses, rate in zip(table["responses_text"], table["response_rate_text"], strict=True):
        if responses in ("fewer than 5", "not shown"):
            assert rate in ("below the minimum", "not shown")
        else:
            assert int(responses) >= 5
    # The group's total stays exact.
    assert {m.label: m.value for m in at.metric}["Lived experience"] == "4"


def test_the_admin_sees_every_organisations_exact_count_on_the_participation_page(demo_db):
    at = open_page(PARTICIPATION, "admin")
    at.selectbox(key="participation_round").set_value(FIRST_ROUND).run()
    table = _by_organisation(at)
    lived = table[table["group_name"] == "Lived experience"]
    assert lived["responses_text"].str.fullmatch(r"\d+").all()
    assert sum(int(n) for n in lived["responses_text"]) == 4


def test_the_expected_numbers_editor_is_for_the_admin_only(demo_db):
    leadership = open_page(PARTICIPATION, "leadership")
    assert len(leadership.data_editor) == 0
    assert "participation_expected_save" not in [b.key for b in leadership.button]
    admin = open_page(PARTICIPATION, "admin")
    assert admin.data_editor(key="participation_expected_editor") is not None


def test_the_admin_sets_an_expected_number_and_a_shortfall_is_flagged(demo_db, framework):
    at = open_page(PARTICIPATION, "admin")
    table = at.data_editor(key="participation_expected_editor").value
    row = table.index[table["organisation"] == "Calderholt Lived Experience Panel"][0]
    at.session_state["participation_expected_editor"] = {
        "edited_rows": {int(row): {"expected": 20}},
        "added_rows": [],
        "deleted_rows": [],
    }
    at.run()
    at.button(key="participation_expected_save").click().run()
    assert not at.exception
    expected = participation.expected_participation(demo_db).set_index("organisation")
    assert expected.loc["Calderholt Lived Experience Panel", "expected"] == 20
    assert expected.loc["Fernbank Housing Association", "expected"] == 8
    assert "Below the expected number" in texts(at.warning)


def test_live_results_bring_the_open_round_into_the_trends(demo_db):
    rounds.set_live_results(demo_db, name=OPEN_ROUND, on=True, actor="admin")
    at = open_page(TRENDS)
    figure = chart(at, "trends_small_multiples")
    assert len(figure["data"][0]["x"]) == 3


def test_trends_drop_an_open_round_at_once_when_live_results_are_turned_off_elsewhere(demo_db):
    rounds.set_live_results(demo_db, name=OPEN_ROUND, on=True, actor="admin")
    at = open_page(TRENDS)
    assert len(chart(at, "trends_small_multiples")["data"][0]["x"]) == 3
    # As the command line does it: straight on the database, no cache cleared.
    rounds.set_live_results(demo_db, actor="command line", name=OPEN_ROUND, on=False)
    at.run()
    assert not at.exception
    assert len(chart(at, "trends_small_multiples")["data"][0]["x"]) == 2
    assert OPEN_ROUND not in texts(at.caption).split("not shown")[0]

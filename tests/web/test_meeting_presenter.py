"""Meeting mode as a presenter, through AppTest over a copy of the demo alliance: the step
bar's keyboard shortcuts, the two views of a point, the point and view in the address,
and the one line on participation.

(Spring 2026, the round meeting mode opens on: commissioners 13 of the 14 expected,
lived experience 9 of 14; Autumn 2025: lived experience 4 people, fewer than 5.)
"""

from __future__ import annotations

from streamlit.testing.v1 import AppTest

from tests.support.app import PROJECT_DIR, TIMEOUT_SECONDS, open_page, start_app, texts

MEETING = "pages/meeting.py"
MEETING_FILE = PROJECT_DIR / MEETING


def shown_point(at: AppTest) -> str:
    return at.title[0].value.replace("\\", "")


def reloaded(at: AppTest) -> AppTest:
    """A new session of the meeting page at the address ``at`` shows now (a reload)."""
    again = AppTest.from_file(MEETING_FILE, default_timeout=TIMEOUT_SECONDS)
    again.session_state["role"] = "leadership"
    again.query_params.update(at.query_params)
    return again.run()


def test_each_button_of_the_step_bar_has_its_keyboard_shortcut(demo_db):
    at = open_page(MEETING)
    keys = ("meeting_previous", "meeting_next", "meeting_view_picture", "meeting_view_comments")
    assert {key: at.button(key=key).proto.shortcut for key in keys} == {
        "meeting_previous": "left",
        "meeting_next": "right",
        "meeting_view_picture": "p",
        "meeting_view_comments": "a",
    }


def test_the_point_and_view_shown_are_written_in_the_address(demo_db):
    at = open_page(MEETING)
    assert (at.query_params["point"], at.query_params["view"]) == ("right_people", "picture")
    at.button(key="meeting_next").click().run()
    at.button(key="meeting_view_comments").click().run()
    assert at.query_params["round"] == "Spring 2026"
    assert at.query_params["view"] == "comments"
    assert at.query_params["point"] != "right_people"


def test_a_reload_opens_the_same_point_and_view(demo_db):
    at = open_page(MEETING)
    for _ in range(3):
        at.button(key="meeting_next").click().run()
    at.button(key="meeting_view_comments").click().run()
    title = shown_point(at)
    again = reloaded(at)
    assert not again.exception
    assert shown_point(again) == title
    assert "What people wrote" in texts(again.subheader)
    assert "Learning point 4 of 8" in again.get("progress")[0].proto.text


def test_a_reload_keeps_the_order_chosen(demo_db, framework):
    at = open_page(MEETING)
    at.radio(key="meeting_order").set_value("framework").run()
    at.button(key="meeting_next").click().run()
    assert at.query_params["order"] == "framework"
    again = reloaded(at)
    assert again.radio(key="meeting_order").value == "framework"
    assert shown_point(again) == framework.learning_points[1].title


def test_next_opens_the_picture_of_the_next_point(demo_db):
    at = open_page(MEETING)
    at.button(key="meeting_view_comments").click().run()
    at.button(key="meeting_next").click().run()
    assert at.query_params["view"] == "picture"
    assert "To discuss" in texts(at.subheader)


def test_a_new_round_starts_at_its_first_point_whatever_the_address_said(demo_db):
    at = open_page(MEETING)
    at.button(key="meeting_next").click().run()
    at.selectbox(key="meeting_round").set_value("Autumn 2025").run()
    assert "Learning point 1 of 8" in at.get("progress")[0].proto.text
    assert at.query_params["round"] == "Autumn 2025"


def test_an_address_naming_no_learning_point_opens_the_first(demo_db):
    at = AppTest.from_file(MEETING_FILE, default_timeout=TIMEOUT_SECONDS)
    at.session_state["role"] = "leadership"
    at.query_params.update({"point": "no_such_point", "view": "elsewhere"})
    at.run()
    assert not at.exception
    assert "Learning point 1 of 8" in at.get("progress")[0].proto.text
    assert (at.query_params["point"], at.query_params["view"]) == ("right_people", "picture")


def test_participation_is_one_line_naming_only_a_group_well_below_its_number(demo_db):
    at = open_page(MEETING)
    assert at.warning == []
    lines = [texts([m]) for m in at.markdown if ":material/group_off:" in m.value]
    assert lines == [
        ":orange[:material/group_off:] Taking part: Lived experience 9 of the 14 expected."
    ]


def test_meeting_mode_links_to_a_live_check_on_the_point_shown(demo_db):
    at = start_app("leadership", MEETING)
    links = [link for link in at.get("page_link") if "live_check" in link.proto.page]
    assert len(links) == 1
    link = links[0].proto
    assert link.label == "Live check on this point"
    assert "round=Spring+2026" in link.query_string or "round=Spring%202026" in link.query_string
    assert "point=" in link.query_string

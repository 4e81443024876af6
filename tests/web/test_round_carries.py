"""The round carries across the leadership pages, in the session and in the address, and
a round not yet opened is never the one a page opens on by itself.

Through AppTest on app.py over a copy of the demo alliance: rounds Autumn 2025 and
Spring 2026 closed, Autumn 2026 open (counts only).
"""

from __future__ import annotations

from streamlit.testing.v1 import AppTest

from collab.domain import rounds
from tests.support.app import APP, TIMEOUT_SECONDS, start_app, texts

DIVERGENCE = "pages/divergence.py"
LEARNING_POINT = "pages/learning_point.py"
MEETING = "pages/meeting.py"
TRENDS = "pages/trends.py"
PARTICIPATION = "pages/participation.py"
FIRST_ROUND, SECOND_ROUND, OPEN_ROUND = "Autumn 2025", "Spring 2026", "Autumn 2026"
NOT_OPENED = "Spring 2027"
SELECTOR = {
    DIVERGENCE: "leadership_round",
    LEARNING_POINT: "leadership_round",
    MEETING: "meeting_round",
    PARTICIPATION: "participation_round",
}


def round_on(at: AppTest, page: str) -> str:
    """The round ``page`` shows after switching to it."""
    at.switch_page(page).run()
    assert not at.exception
    return at.selectbox(key=SELECTOR[page]).value


def test_a_round_chosen_on_the_overview_is_the_round_of_every_leadership_page(demo_db):
    at = start_app("leadership", DIVERGENCE)
    at.selectbox(key="leadership_round").set_value(FIRST_ROUND).run()
    assert round_on(at, MEETING) == FIRST_ROUND
    assert round_on(at, PARTICIPATION) == FIRST_ROUND
    assert round_on(at, LEARNING_POINT) == FIRST_ROUND


def test_a_round_chosen_in_meeting_mode_carries_back_through_trends_to_the_overview(demo_db):
    at = start_app("leadership", MEETING)
    at.selectbox(key="meeting_round").set_value(FIRST_ROUND).run()
    at.switch_page(TRENDS).run()
    assert round_on(at, DIVERGENCE) == FIRST_ROUND


def test_the_round_shown_is_written_in_the_address(demo_db):
    at = start_app("leadership", DIVERGENCE)
    assert at.query_params["round"] == SECOND_ROUND
    at.selectbox(key="leadership_round").set_value(FIRST_ROUND).run()
    assert at.query_params["round"] == FIRST_ROUND


def test_an_address_naming_a_round_opens_each_page_on_it(demo_db):
    for page in (DIVERGENCE, MEETING, PARTICIPATION):
        at = AppTest.from_file(APP, default_timeout=TIMEOUT_SECONDS)
        at.session_state["role"] = "leadership"
        at.query_params["round"] = FIRST_ROUND
        at.run().switch_page(page)
        at.query_params["round"] = FIRST_ROUND  # a reload: the address keeps its round
        at.run()
        assert at.selectbox(key=SELECTOR[page]).value == FIRST_ROUND, page


def test_an_address_naming_no_round_says_so_and_shows_the_default(demo_db):
    at = AppTest.from_file(APP, default_timeout=TIMEOUT_SECONDS)
    at.session_state["role"] = "leadership"
    at.run().switch_page(DIVERGENCE)
    at.query_params["round"] = "Winter 1999"
    at.run()
    assert not at.exception
    assert at.selectbox(key="leadership_round").value == SECOND_ROUND
    assert "No round is called “Winter 1999”: showing Spring 2026 instead." in texts(at.caption)
    assert at.query_params["round"] == SECOND_ROUND


def test_participation_opens_on_the_open_round(demo_db):
    at = start_app("leadership", PARTICIPATION)
    assert at.selectbox(key="participation_round").value == OPEN_ROUND


def test_participation_never_opens_on_a_round_not_yet_opened(demo_db):
    rounds.close_round(demo_db, name=OPEN_ROUND, actor="admin")
    rounds.create_round(demo_db, name=NOT_OPENED, actor="admin")
    at = start_app("leadership", PARTICIPATION)
    assert not at.exception
    assert at.selectbox(key="participation_round").value == OPEN_ROUND
    assert "Spring 2027 (not yet opened)" in at.selectbox(key="participation_round").options


def test_no_leadership_page_opens_on_a_round_not_yet_opened(demo_db):
    rounds.create_round(demo_db, name=NOT_OPENED, actor="admin")
    at = start_app("leadership")
    for page in (DIVERGENCE, MEETING, PARTICIPATION):
        assert round_on(at, page) != NOT_OPENED, page


def test_a_round_not_yet_opened_named_in_the_address_is_shown_as_not_yet_opened(demo_db):
    rounds.create_round(demo_db, name=NOT_OPENED, actor="admin")
    at = AppTest.from_file(APP, default_timeout=TIMEOUT_SECONDS)
    at.session_state["role"] = "leadership"
    at.run().switch_page(MEETING)
    at.query_params["round"] = NOT_OPENED
    at.run()
    assert not at.exception
    assert at.selectbox(key="meeting_round").value == NOT_OPENED
    assert "Round 'Spring 2027' has not opened yet" in texts(at.info)

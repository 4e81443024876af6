"""The live check's pages through Streamlit's AppTest: the leadership team's screen (start a
check, the QR and short code, who answered and where each group stands, the re-score and
its before and after) and the member's page (the codes, the question, one answer a pass).

Each test points the app at its own SQLite file and checks the database, not only the page.
"""

from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest

from collab.domain import audit, checks
from collab.domain.checks import FIRST_PASS, RESCORE_PASS
from tests.support.app import PROJECT_DIR, TIMEOUT_SECONDS, open_page, page_text, start_app, texts
from tests.support.checks import ROUND, CheckRoom, stored_answers

SCREEN = "pages/live_check.py"
PHONE = "pages/check.py"
POINT = "difference"


class Alliance(CheckRoom):
    """The room, with a shared code that takes two phones a pass."""

    def __init__(self, db, framework):
        super().__init__(db, framework, per_group=10, shared_cap=2)

    def open_check(self, point: str | None = POINT) -> checks.CheckInfo:
        return super().open_check(point)

    def answer(self, check, group: str, scores: list[int], *, pass_number=FIRST_PASS):
        self.answer_group(check, group, scores, pass_number=pass_number)


@pytest.fixture
def alliance(app_db, framework) -> Alliance:
    return Alliance(app_db, framework)


def screen(**params: str) -> AppTest:
    at = AppTest.from_file(PROJECT_DIR / SCREEN, default_timeout=TIMEOUT_SECONDS)
    at.session_state["role"] = "leadership"
    for name, value in params.items():
        at.query_params[name] = value
    return at.run()


def phone(**params: str) -> AppTest:
    at = AppTest.from_file(PROJECT_DIR / PHONE, default_timeout=TIMEOUT_SECONDS)
    for name, value in params.items():
        at.query_params[name] = value
    return at.run()


def shown(at: AppTest) -> str:
    """What the page shows, as read (without Markdown's escaping backslashes)."""
    return page_text(at).replace("\\", "")


# --- the meeting screen ----------------------------------------------------------------------


def test_the_screen_says_a_round_must_open_first(app_db):
    at = open_page(SCREEN)
    assert not at.exception
    assert "opens a round on the Administration page first" in page_text(at)


def test_starting_a_check_shows_its_qr_and_short_code_and_records_it(alliance):
    at = screen()
    at.selectbox(key="live_check_point").set_value(POINT)
    at.button(key="live_check_open").click().run()
    assert not at.exception
    [opened] = checks.list_checks(alliance.db, round_name=ROUND)
    assert (opened.learning_point, opened.is_open, opened.passes) == (POINT, True, 1)
    assert texts(at.title) == "Recognise difference"
    assert opened.short_code in [h.value for h in at.header]
    assert at.get("image"), "the QR code is on the screen"
    assert audit.recent_entries(alliance.db)["action"][0] == "check.open"


def test_a_link_from_meeting_mode_chooses_the_round_and_the_point(alliance):
    at = screen(round=ROUND, point="assets")
    assert at.selectbox(key="live_check_round").value == ROUND
    assert at.selectbox(key="live_check_point").value == "assets"


def test_the_screen_counts_who_answered_and_shows_a_group_from_k_answers(alliance):
    check = alliance.open_check()
    alliance.answer(check, "provider", [2, 3, 3, 4, 3])
    alliance.answer(check, "commissioner", [5, 4])
    at = screen()
    text = shown(at)
    assert "7 people have answered" in text
    assert "**5** answered" in text and "**2** answered" in text
    provider = at.container(key="live_check_group_provider")  # the mean, its 95% interval
    assert [h.value for h in provider.subheader] == ["3.0"]
    assert provider.caption[0].value == "95% interval 2.1 to 3.9"
    commissioner = at.container(key="live_check_group_commissioner")
    assert "— withheld: fewer than 5 scores" in shown(commissioner)


def test_the_rescore_shows_each_group_before_and_after_and_whether_they_came_closer(alliance):
    check = alliance.open_check()
    alliance.answer(check, "provider", [2, 2, 2, 2, 2])
    alliance.answer(check, "commissioner", [5, 5, 5, 5, 5])
    at = screen()
    at.button(key="live_check_rescore").click().run()
    assert checks.get_check(alliance.db, check.id).passes == RESCORE_PASS
    alliance.answer(check, "provider", [4, 4, 4, 4, 4], pass_number=RESCORE_PASS)
    at.run()
    text = shown(at)
    assert "5 people have re-scored" in text
    provider = at.container(key="live_check_group_provider")
    assert [m.value for m in provider.markdown][-2:] == ["Before", "**After**"]
    assert [h.value for h in provider.subheader] == ["2.0", "4.0"]
    assert "The groups came closer" in text and "went from 3.00 to 1.00" in text


def test_an_all_points_check_shows_a_row_per_learning_point(alliance, framework):
    check = alliance.open_check(point=None)
    alliance.answer(check, "provider", [3, 3, 3, 3, 3])
    at = screen()
    rows = at.table[0].value
    assert list(rows["Learning point"]) == [p.title for p in framework.learning_points]
    assert set(rows["Service providers"]) == {"3.0 (3.0 to 3.0)"}


def test_closing_the_check_stops_answers_and_keeps_it(alliance):
    check = alliance.open_check()
    at = screen()
    at.button(key="live_check_close").click().run()
    assert not checks.get_check(alliance.db, check.id).is_open
    assert "This check has closed" in page_text(at)
    assert not at.get("image"), "no QR code for a check that takes no answers"


# --- the member's phone ----------------------------------------------------------------------


def test_a_member_with_a_link_answers_in_two_taps_and_is_thanked(alliance):
    check = alliance.open_check()
    at = phone(check=check.short_code, code=alliance.personal["lived_experience"][0])
    assert "You are answering as lived experience, Voices" in page_text(at)
    at.radio(key=f"check_answer_{POINT}").set_value(4)
    at.button(key="check_send").click().run()
    assert not at.exception
    assert stored_answers(alliance.db) == [(1, POINT, 4)]
    assert "your answer is in" in page_text(at)
    assert not at.radio


def test_a_member_without_codes_is_asked_for_the_screens_code_then_their_own(alliance):
    check = alliance.open_check()
    at = phone()
    at.text_input(key="check_short_code_typed").input(check.short_code.lower())
    at.button(key="check_short_code_continue").click().run()
    assert not at.radio
    at.text_input(key="check_invite_code_typed").input(alliance.personal["provider"][1])
    at.button(key="check_invite_code_continue").click().run()
    at.radio(key=f"check_answer_{POINT}").set_value("dont_know")
    at.button(key="check_send").click().run()
    assert stored_answers(alliance.db) == [(1, POINT, None)]


def test_the_code_typed_on_the_submit_page_is_used(alliance):
    check = alliance.open_check()
    at = start_app()
    at.session_state["submit_last_code"] = alliance.personal["commissioner"][0]
    at.query_params["check"] = check.short_code
    at.switch_page(PHONE).run()
    assert "You are answering as commissioners" in page_text(at)


def test_a_personal_code_answers_once_then_again_in_the_rescore(alliance):
    check = alliance.open_check()
    code = alliance.personal["provider"][0]
    at = phone(check=check.short_code, code=code)
    at.radio(key=f"check_answer_{POINT}").set_value(2)
    at.button(key="check_send").click().run()
    again = phone(check=check.short_code, code=code)  # another tab: still one person
    assert "your answer is in" in page_text(again) and not again.radio
    checks.start_rescore(alliance.db, actor="leadership", check_id=check.id)
    at.run()
    assert "Re-score" in page_text(at)
    at.radio(key=f"check_answer_{POINT}").set_value(3)
    at.button(key="check_send").click().run()
    assert stored_answers(alliance.db) == [(1, POINT, 2), (2, POINT, 3)]


def test_a_shared_code_counts_each_phone_and_refuses_past_its_cap(alliance):
    check = alliance.open_check()
    for score in (2, 3):
        at = phone(check=check.short_code, code=alliance.shared)
        assert at.query_params["seat"], "the phone's seat is kept in its address"
        at.radio(key=f"check_answer_{POINT}").set_value(score)
        at.button(key="check_send").click().run()
    third = phone(check=check.short_code, code=alliance.shared)
    third.radio(key=f"check_answer_{POINT}").set_value(5)
    third.button(key="check_send").click().run()
    assert "the 2 people it takes" in texts(third.error)
    assert third.radio[0].value == 5, "the answer stays on the phone"
    assert [score for _, _, score in stored_answers(alliance.db)] == [2, 3]


def test_an_unknown_code_is_told_kindly(alliance):
    check = alliance.open_check()
    at = phone(check="ZZZZ" if check.short_code != "ZZZZ" else "YYYY")
    assert "code on the meeting screen" in texts(at.error)
    at = phone(check=check.short_code, code="NOT-A-REAL-CODE")
    assert "We don't recognise that code" in texts(at.error)
    assert not at.exception


def test_a_closed_check_thanks_the_member_and_asks_nothing(alliance):
    check = alliance.open_check()
    checks.close_check(alliance.db, actor="leadership", check_id=check.id)
    at = phone(check=check.short_code, code=alliance.personal["provider"][0])
    assert "This live check has closed" in page_text(at)
    assert not at.radio

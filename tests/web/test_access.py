"""Signing in: the passcode comparison, the pause after wrong passcodes, and the sign-in
and sign-out pages through Streamlit's AppTest."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from collab.domain.access import (
    FIRST_WAIT_SECONDS,
    LONGEST_WAIT_SECONDS,
    SignInAttempts,
    check_passcode,
)
from tests.support.app import open_page

APP = Path(__file__).resolve().parents[2] / "app.py"
LEADERSHIP_PASSCODE = "river-lantern-orchard"
ADMIN_PASSCODE = "copper-heron-meadow"


def test_matching_passcode_is_accepted():
    assert check_passcode("river-lantern-orchard", "river-lantern-orchard")


def test_other_passcode_is_refused():
    assert not check_passcode("river-lantern-orchar", "river-lantern-orchard")
    assert not check_passcode("RIVER-LANTERN-ORCHARD", "river-lantern-orchard")


def test_passcode_with_accents_is_compared_as_text():
    assert check_passcode("café-crème", "café-crème")
    assert not check_passcode("cafe-creme", "café-crème")


@pytest.mark.parametrize("expected", [None, ""])
def test_nothing_matches_a_passcode_that_is_not_set(expected):
    assert not check_passcode("", expected)
    assert not check_passcode("anything", expected)


def test_first_five_wrong_passcodes_need_no_wait_until_the_fifth():
    attempts = SignInAttempts()
    for _ in range(4):
        attempts.register_failure(now=100.0)
        assert attempts.seconds_to_wait(100.0) == 0
    attempts.register_failure(now=100.0)
    assert attempts.seconds_to_wait(100.0) == FIRST_WAIT_SECONDS == 30


def test_wait_counts_down_and_ends():
    attempts = SignInAttempts()
    for _ in range(5):
        attempts.register_failure(now=100.0)
    assert attempts.seconds_to_wait(110.5) == 20  # rounded up
    assert attempts.seconds_to_wait(130.0) == 0


def test_each_further_wrong_passcode_doubles_the_wait_up_to_an_hour():
    attempts = SignInAttempts()
    now = 0.0
    waits = []
    for _ in range(12):
        attempts.register_failure(now)
        waits.append(attempts.seconds_to_wait(now))
        now += waits[-1]
    assert waits[4:9] == [30, 60, 120, 240, 480]
    assert max(waits) == LONGEST_WAIT_SECONDS


def test_reset_forgets_wrong_passcodes():
    attempts = SignInAttempts()
    for _ in range(6):
        attempts.register_failure(now=0.0)
    attempts.reset()
    assert attempts == SignInAttempts()
    assert attempts.seconds_to_wait(0.0) == 0


@pytest.fixture
def passcodes(app_db, monkeypatch) -> None:
    monkeypatch.setenv("COLLAB_LEADERSHIP_PASSCODE", LEADERSHIP_PASSCODE)
    monkeypatch.setenv("COLLAB_ADMIN_PASSCODE", ADMIN_PASSCODE)


def sign_in_page() -> AppTest:
    at = AppTest.from_file(APP, default_timeout=30).run()
    return at.switch_page("pages/sign_in.py").run()


def try_passcode(at: AppTest, role: str, passcode: str) -> AppTest:
    at.radio(key="sign_in_role").set_value(role)
    at.text_input(key="sign_in_passcode").input(passcode)
    return at.button(key="sign_in_button").click().run()


def messages(at: AppTest) -> str:
    return "\n".join(str(e.value) for e in at.error)


def test_wrong_passcode_is_refused_with_a_message(passcodes):
    at = try_passcode(sign_in_page(), "leadership", "not-the-passcode")
    assert not at.exception
    assert "That passcode is not right" in messages(at)
    assert at.session_state["role"] == "member"


def test_sixth_try_in_a_row_is_held_back_with_the_wait_shown(passcodes):
    at = sign_in_page()
    for _ in range(5):
        try_passcode(at, "leadership", "guess")
    at = try_passcode(at, "leadership", LEADERSHIP_PASSCODE)
    assert "Please wait 30 seconds" in messages(at)
    assert at.session_state["role"] == "member"


@pytest.mark.parametrize(
    ("role", "setting"),
    [("leadership", "COLLAB_LEADERSHIP_PASSCODE"), ("admin", "COLLAB_ADMIN_PASSCODE")],
)
def test_sign_in_without_a_configured_passcode_is_refused_with_how_to_set_one(
    app_db, role, setting
):
    at = try_passcode(sign_in_page(), role, "")
    assert not at.exception
    assert setting in messages(at)
    assert ".streamlit/secrets.toml" in messages(at)
    assert at.session_state["role"] == "member"


def test_correct_passcode_sets_the_role_and_opens_more_pages(passcodes):
    at = sign_in_page()
    with pytest.raises(ValueError):
        at.switch_page("pages/sign_out.py")
    at = try_passcode(at, "leadership", LEADERSHIP_PASSCODE)
    assert not at.exception
    assert at.session_state["role"] == "leadership"
    at.switch_page("pages/sign_out.py").run()
    assert not at.exception


def test_admin_passcode_does_not_open_leadership_and_vice_versa(passcodes):
    at = try_passcode(sign_in_page(), "admin", LEADERSHIP_PASSCODE)
    assert "That passcode is not right" in messages(at)
    assert at.session_state["role"] == "member"
    at = try_passcode(at, "admin", ADMIN_PASSCODE)
    assert at.session_state["role"] == "admin"


def test_sign_out_returns_to_the_member_view(passcodes):
    at = try_passcode(sign_in_page(), "leadership", LEADERSHIP_PASSCODE)
    at.switch_page("pages/sign_out.py").run()
    at.button(key="sign_out_button").click().run()
    assert not at.exception
    assert at.session_state["role"] == "member"
    at.switch_page("pages/sign_in.py").run()
    assert not at.exception


LEADERSHIP_PAGE_FILES = [
    "pages/divergence.py",
    "pages/learning_point.py",
    "pages/meeting.py",
    "pages/trends.py",
    "pages/participation.py",
]


@pytest.mark.parametrize("page_file", LEADERSHIP_PAGE_FILES)
def test_a_leadership_page_run_directly_by_a_member_shows_nothing_but_a_sign_in_hint(
    demo_db, page_file
):
    # Streamlit can run a page file without the menu (the first request after a start
    # lists the files of pages/), so each leadership page checks the role itself.
    at = open_page(page_file, role="member")
    at.run()
    assert not at.exception
    assert [w.value for w in at.warning] and "Sign in" in at.warning[0].value
    assert not at.get("plotly_chart") and not at.dataframe and not at.selectbox

"""Signing in: the passcode comparison, the pause after wrong passcodes, and the sign-in
and sign-out pages through Streamlit's AppTest."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from collab.domain import audit, sign_in
from collab.domain.access import (
    FIRST_WAIT_SECONDS,
    LONGEST_WAIT_SECONDS,
    check_passcode,
    lock_seconds,
)
from collab.store.db import Database
from collab.web import cache
from tests.support.app import open_page, start_app

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


def test_first_four_wrong_passcodes_need_no_wait_and_the_fifth_locks_for_30_seconds():
    assert [lock_seconds(n) for n in range(1, 6)] == [0, 0, 0, 0, FIRST_WAIT_SECONDS]
    assert FIRST_WAIT_SECONDS == 30


def test_each_further_wrong_passcode_doubles_the_wait_up_to_an_hour():
    waits = [lock_seconds(n) for n in range(1, 13)]
    assert waits[4:9] == [30, 60, 120, 240, 480]
    assert max(waits) == LONGEST_WAIT_SECONDS
    assert lock_seconds(10_000) == LONGEST_WAIT_SECONDS


class Clock:
    """The time the sign-in counters read, moved on by hand."""

    def __init__(self) -> None:
        self.now = dt.datetime(2027, 3, 5, 14, 30)

    def __call__(self) -> dt.datetime:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += dt.timedelta(seconds=seconds)


@pytest.fixture
def clock(monkeypatch) -> Clock:
    frozen = Clock()
    monkeypatch.setattr(sign_in, "utcnow", frozen)
    return frozen


@pytest.fixture
def passcodes(app_db, monkeypatch, clock) -> Database:
    monkeypatch.setenv("COLLAB_LEADERSHIP_PASSCODE", LEADERSHIP_PASSCODE)
    monkeypatch.setenv("COLLAB_ADMIN_PASSCODE", ADMIN_PASSCODE)
    return app_db


@pytest.fixture(params=["sqlite", "postgresql"])
def passcodes_on_each_database(request, app_url, monkeypatch, clock) -> Iterator[Database]:
    """Passcodes set, and the app's database on SQLite or on PostgreSQL."""
    monkeypatch.setenv("COLLAB_LEADERSHIP_PASSCODE", LEADERSHIP_PASSCODE)
    monkeypatch.setenv("COLLAB_ADMIN_PASSCODE", ADMIN_PASSCODE)
    if request.param == "sqlite":
        yield request.getfixturevalue("app_db")
        return
    with request.getfixturevalue("postgres_schema")(migrated=True) as url:
        monkeypatch.setenv("DATABASE_URL", url)
        database = Database.from_url(url)
        yield database
        database.dispose()
        cache.reset()


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


def test_five_wrong_passcodes_from_five_sessions_lock_the_role(passcodes_on_each_database):
    for _ in range(5):
        try_passcode(sign_in_page(), "leadership", "guess")
    at = try_passcode(sign_in_page(), "leadership", LEADERSHIP_PASSCODE)
    assert not at.exception
    assert "Please wait 30 seconds" in messages(at)
    assert at.session_state["role"] == "member"


def test_a_reload_or_cleared_caches_do_not_lift_the_lock(passcodes):
    at = sign_in_page()
    for _ in range(5):
        try_passcode(at, "admin", "guess")
    st.cache_data.clear()  # what an anonymous clear-cache message does
    st.cache_resource.clear()
    reloaded = try_passcode(sign_in_page(), "admin", ADMIN_PASSCODE)
    assert "Please wait 30 seconds" in messages(reloaded)
    assert reloaded.session_state["role"] == "member"


def test_while_locked_the_right_passcode_gets_the_same_refusal_as_a_wrong_one(passcodes):
    for _ in range(5):
        try_passcode(sign_in_page(), "leadership", "guess")
    wrong = messages(try_passcode(sign_in_page(), "leadership", "another-guess"))
    right = try_passcode(sign_in_page(), "leadership", LEADERSHIP_PASSCODE)
    assert messages(right) == wrong
    assert "That passcode is not right" in wrong
    assert right.session_state["role"] == "member"


def test_the_lock_ends_after_its_wait(passcodes, clock):
    for _ in range(5):
        try_passcode(sign_in_page(), "leadership", "guess")
    clock.advance(30)
    at = try_passcode(sign_in_page(), "leadership", LEADERSHIP_PASSCODE)
    assert at.session_state["role"] == "leadership"


def test_every_wrong_passcode_is_in_the_audit_log_without_the_passcode(
    passcodes_on_each_database,
):
    for guess in ("guess-1", "guess-2", "guess-3"):
        try_passcode(sign_in_page(), "admin", guess)
    entries = audit.recent_entries(passcodes_on_each_database)
    failed = entries[entries["action"] == "sign_in.failed"]
    assert list(failed["actor"]) == ["unknown"] * 3
    assert all("Administrator" in detail for detail in failed["detail"])
    assert not any("guess" in detail for detail in entries["detail"])


def test_signing_in_resets_the_count_of_wrong_passcodes(passcodes):
    for _ in range(4):
        try_passcode(sign_in_page(), "leadership", "guess")
    at = try_passcode(sign_in_page(), "leadership", LEADERSHIP_PASSCODE)
    assert at.session_state["role"] == "leadership"
    for _ in range(4):
        at = try_passcode(sign_in_page(), "leadership", "guess")
        assert "Please wait" not in messages(at)
    # Counted afresh: the fifth wrong one since the sign-in locks for the first wait, not
    # for the ninth in a row.
    at = try_passcode(sign_in_page(), "leadership", "guess")
    assert "Please wait 30 seconds" in messages(at)


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
    "pages/live_check.py",
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


def reloaded_as_member(at: AppTest) -> AppTest:
    """``at`` as a new browser session at the same address: signed out, the page and its
    query parameters kept (a reload, or a bookmark opened later)."""
    at.session_state["role"] = "member"
    return at.run()


def test_signing_in_on_the_sign_in_page_opens_the_divergence_overview(passcodes):
    at = try_passcode(sign_in_page(), "leadership", LEADERSHIP_PASSCODE)
    assert not at.exception
    assert at.title[0].value == "Where do we diverge?"


def test_the_administrator_lands_on_the_rounds_page(passcodes):
    at = try_passcode(sign_in_page(), "admin", ADMIN_PASSCODE)
    assert not at.exception
    assert at.title[0].value == "Rounds"


@pytest.mark.parametrize(
    ("page_file", "title"),
    [
        ("pages/divergence.py", "Divergence overview"),
        ("pages/meeting.py", "Meeting mode"),
        ("pages/participation.py", "Participation"),
    ],
)
def test_a_leadership_page_reloaded_signed_out_offers_a_sign_in_naming_it(
    passcodes, page_file, title
):
    at = reloaded_as_member(start_app("leadership", page_file))
    assert not at.exception
    assert at.title[0].value == title
    assert f"{title} is for the leadership team. Sign in to open it" in at.warning[0].value
    assert at.radio(key="sign_in_role").value == "leadership"
    assert not at.get("plotly_chart") and not at.selectbox and not at.dataframe


def test_signing_in_where_a_page_was_reloaded_opens_that_page_on_the_same_round(
    demo_db, monkeypatch
):
    monkeypatch.setenv("COLLAB_LEADERSHIP_PASSCODE", LEADERSHIP_PASSCODE)
    at = start_app("leadership", "pages/meeting.py")
    at.selectbox(key="meeting_round").set_value("Autumn 2025").run()
    at.button(key="meeting_next").click().run()
    point = at.query_params["point"]
    at = try_passcode(reloaded_as_member(at), "leadership", LEADERSHIP_PASSCODE)
    assert not at.exception
    assert at.selectbox(key="meeting_round").value == "Autumn 2025"
    assert at.query_params["point"] == point
    assert "Learning point 2 of 8" in at.get("progress")[0].proto.text


def test_an_administration_page_offers_the_leadership_team_an_administrator_sign_in(passcodes):
    at = start_app("admin", "pages/admin_rounds.py")
    at.session_state["role"] = "leadership"
    at.run()
    assert not at.exception
    assert at.title[0].value == "Rounds"
    assert "for the alliance's administrator" in at.warning[0].value
    assert at.radio(key="sign_in_role").value == "admin"
    at = try_passcode(at, "admin", ADMIN_PASSCODE)
    assert at.session_state["role"] == "admin"
    assert at.title[0].value == "Rounds"
    assert at.text_input(key="admin_round_name") is not None

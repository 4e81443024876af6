"""Results given back to members: nothing on Home before the administrator shares a closed
round, then its agenda and a group's own view under the same privacy rules."""

from __future__ import annotations

import pytest

from collab.domain import rounds
from collab.store.errors import Refused
from tests.support.app import page_text, start_app

HOME = "pages/home.py"
FIRST_ROUND, SECOND_ROUND, OPEN_ROUND = "Autumn 2025", "Spring 2026", "Autumn 2026"


def home_as_member():
    at = start_app("member")
    assert not at.exception
    return at


def test_nothing_is_given_back_before_the_administrator_shares_a_round(demo_db):
    at = home_as_member()
    assert "What we found" not in page_text(at)
    assert at.get("plotly_chart") == []


def test_a_shared_round_shows_its_agenda_and_a_groups_own_view_to_members(demo_db, framework):
    rounds.set_results_shared(demo_db, actor="admin", name=SECOND_ROUND, shared=True)
    at = home_as_member()
    text = page_text(at)
    assert f"What we found in {SECOND_ROUND}" in text
    assert "The learning points, in the order to discuss them" in text
    assert "A group's view against the others" in text
    # Every learning point, with its status in words, in cards a phone can read.
    for point in framework.learning_points:
        assert f". {point.title}" in text
    assert at.get("plotly_chart") == []
    rounds.set_results_shared(demo_db, actor="admin", name=SECOND_ROUND, shared=False)
    assert "What we found" not in page_text(home_as_member())


def test_a_group_below_the_threshold_is_never_shown_to_members(demo_db):
    # In Autumn 2025 four lived-experience people answered: fewer than five.
    rounds.set_results_shared(demo_db, actor="admin", name=FIRST_ROUND, shared=True)
    at = home_as_member()
    assert f"What we found in {FIRST_ROUND}" in page_text(at)
    at.selectbox(key="home_own_view_group").set_value("lived_experience").run()
    assert "fewer than 5" in " ".join(str(i.value) for i in at.info)
    assert not [m for m in at.markdown if str(m.value).startswith("- ")]  # no reading of them
    shown = page_text(at).split("The learning points, in the order to discuss them")[1]
    assert "lived experience average" not in shown.lower()


def test_only_a_closed_round_can_be_shared(demo_db):
    with pytest.raises(Refused, match="once it has closed"):
        rounds.set_results_shared(demo_db, actor="admin", name=OPEN_ROUND, shared=True)
    assert rounds.shared_rounds(demo_db) == []

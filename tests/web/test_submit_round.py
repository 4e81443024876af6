"""The submit page keeps a form to the round it showed: answers for a round that closed
while the member was filling in the form are never stored in another round."""

from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest

from collab.domain import invite_codes, organisations, rounds
from collab.store.models import Submission
from tests.support.app import every_point_on_one_page, open_submit_page, texts
from tests.support.databases import count_rows

ORGANISATION = "Riverside Housing Trust"
SHOWN = "Spring 2027"
NEXT = "Autumn 2027"


@pytest.fixture
def code(app_db, framework) -> str:
    organisations.create_organisation(app_db, name=ORGANISATION, actor="admin")
    rounds.create_round(app_db, name=SHOWN, actor="admin")
    rounds.open_round(app_db, name=SHOWN, actor="admin")
    _, code = invite_codes.create_invite_code(
        app_db,
        framework=framework,
        organisation=ORGANISATION,
        stakeholder_group="provider",
        response_cap=10_000,
        actor="admin",
    )
    return code


def fill_in(at: AppTest, framework) -> dict[str, object]:
    """Answer every point, on the form's one-page view, and comment on one; return what
    the form holds."""
    every_point_on_one_page(at)
    chosen: dict[str, object] = {}
    for number, point in enumerate(framework.point_keys):
        choice = "dont_know" if number == 0 else 1 + number % 5
        at.radio(key=f"answer_{point}").set_value(choice)
        chosen[f"answer_{point}"] = choice
    at.text_area(key="comment_focus").input("We meet monthly now.")
    chosen["comment_focus"] = "We meet monthly now."
    return chosen


def in_form(at: AppTest, framework) -> dict[str, object]:
    held: dict[str, object] = {
        f"answer_{p}": at.radio(key=f"answer_{p}").value for p in framework.point_keys
    }
    held["comment_focus"] = at.text_area(key="comment_focus").value
    return held


def send(at: AppTest) -> AppTest:
    return at.button(key="submit_send").click().run()


def test_a_form_shown_for_a_round_closed_meanwhile_is_not_stored_in_the_next_round(
    app_db, framework, code
):
    at = open_submit_page(code)
    assert f"Round: **{SHOWN}**" in texts(at.info)
    chosen = fill_in(at, framework)
    rounds.close_round(app_db, name=SHOWN, actor="admin")
    rounds.create_round(app_db, name=NEXT, actor="admin")
    rounds.open_round(app_db, name=NEXT, actor="admin")

    send(at)

    assert not at.exception
    assert count_rows(app_db, Submission) == 0
    shown = texts(at.error)
    assert f"Round '{SHOWN}' closed while you were filling in the form" in shown
    assert "your answers were not stored" in shown
    assert f"Round '{NEXT}' is open now" in shown
    assert in_form(at, framework) == chosen
    # The page now shows the round open now; sending again is a choice made knowingly.
    assert f"Round: **{NEXT}**" in texts(at.info)
    send(at)
    assert not at.exception
    with app_db.read() as session:
        stored = session.query(Submission).one()
        assert stored.round.name == NEXT


def test_a_form_for_a_round_closed_meanwhile_keeps_its_answers_when_no_round_is_open(
    app_db, framework, code
):
    at = open_submit_page(code)
    chosen = fill_in(at, framework)
    rounds.close_round(app_db, name=SHOWN, actor="admin")

    send(at)

    assert not at.exception
    assert count_rows(app_db, Submission) == 0
    assert f"Round '{SHOWN}' closed while you were filling in the form" in texts(at.error)
    assert "No round is open now" in texts(at.error)
    assert in_form(at, framework) == chosen
    send(at)  # sending again stores nothing either
    assert count_rows(app_db, Submission) == 0
    assert in_form(at, framework) == chosen

"""The answer form one learning point at a time: progress, Back and Next, the check of
every answer before sending, errors only where something is still missing after a send,
and the one-page view for those who prefer it."""

from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest

from collab.store.models import Submission
from tests.support.alliances import open_alliance
from tests.support.app import every_point_on_one_page, open_submit_page, page_text, receipt_code
from tests.support.databases import count_rows


@pytest.fixture
def code(app_db, framework) -> str:
    return open_alliance(app_db, framework, groups=["provider"]).codes[0]


def shown_points(at: AppTest) -> list[str]:
    """The learning points whose radio the page shows."""
    return [radio.key.removeprefix("answer_") for radio in at.radio]


def progress_text(at: AppTest) -> str:
    return " ".join(bar.proto.text for bar in at.get("progress"))


def buttons(at: AppTest) -> list[str]:
    return [button.key for button in at.button if button.key.startswith("submit_")]


def tap(at: AppTest, key: str) -> AppTest:
    return at.button(key=key).click().run()


def answer_and_go_on(at: AppTest, step: int, point: str, choice: int | str) -> AppTest:
    at.radio(key=f"answer_{point}").set_value(choice)
    return tap(at, f"submit_next_{step}")


def test_the_form_opens_on_the_first_point_with_its_progress(code, framework):
    at = open_submit_page(code)
    assert shown_points(at) == [framework.point_keys[0]]
    assert progress_text(at) == "Point 1 of 8"
    assert framework.learning_points[0].statement in page_text(at)
    assert framework.learning_points[0].help in page_text(at)
    assert [a.key for a in at.text_area] == [f"comment_{framework.point_keys[0]}"]
    # Nothing to go back to, nothing to send yet.
    assert buttons(at) == ["submit_next_1"]


def test_next_and_back_move_one_point_and_keep_what_was_chosen(code, framework):
    first, second = framework.point_keys[:2]
    at = open_submit_page(code)
    at.text_area(key=f"comment_{first}").input("We talk about it every meeting.")
    answer_and_go_on(at, 1, first, 4)
    assert shown_points(at) == [second]
    assert progress_text(at) == "Point 2 of 8"
    assert buttons(at) == ["submit_back_2", "submit_next_2"]
    at.radio(key=f"answer_{second}").set_value("dont_know").run()

    tap(at, "submit_back_2")

    assert shown_points(at) == [first]
    assert at.radio(key=f"answer_{first}").value == 4
    assert at.text_area(key=f"comment_{first}").value == "We talk about it every meeting."
    tap(at, "submit_next_1")
    assert at.radio(key=f"answer_{second}").value == "dont_know"


def test_a_second_tap_on_next_moves_one_point_not_two(code, framework):
    at = open_submit_page(code)
    next_button = at.button(key="submit_next_1")
    next_button.click().run()
    next_button.click().run()  # the same button again, as a double tap sends it
    assert progress_text(at) == "Point 2 of 8"


def test_the_last_point_leads_to_a_check_of_every_answer(code, framework):
    at = open_submit_page(code)
    for step, point in enumerate(framework.point_keys, start=1):
        if step == 2:
            at.text_area(key=f"comment_{point}").input("Decisions *wait* for [the] board.")
        answer_and_go_on(at, step, point, "dont_know" if step == 5 else step % 5 + 1)

    assert not at.radio
    assert progress_text(at) == "Check your answers before sending"
    shown = page_text(at)
    for number, point in enumerate(framework.learning_points, start=1):
        assert f"{number}. {point.title}" in shown
    assert ":material/check_circle: 2 \\- Starting to happen" in shown
    assert ":material/check_circle: Don't know" in shown
    assert "Your comment: Decisions \\*wait\\* for \\[the\\] board\\." in shown
    assert "Not answered yet" not in shown
    assert buttons(at) == [
        *(f"submit_change_{point}" for point in framework.point_keys),
        "submit_send",
        "submit_back_9",
    ]


def test_change_on_the_check_goes_back_to_that_point(code, framework):
    at = open_submit_page(code)
    for step, point in enumerate(framework.point_keys, start=1):
        answer_and_go_on(at, step, point, 3)
    tap(at, f"submit_change_{framework.point_keys[2]}")
    assert shown_points(at) == [framework.point_keys[2]]
    assert progress_text(at) == "Point 3 of 8"
    assert at.radio(key=f"answer_{framework.point_keys[2]}").value == 3


def test_a_failed_send_goes_to_the_first_point_missing_and_marks_only_those_still_missing(
    code, framework, app_db
):
    keys = framework.point_keys
    missing = {keys[2], keys[5]}
    at = open_submit_page(code)
    for step, point in enumerate(keys, start=1):
        if point in missing:
            tap(at, f"submit_next_{step}")
        else:
            answer_and_go_on(at, step, point, 2)
    assert "Not answered yet" in page_text(at)
    assert not at.error  # nothing is wrong until the member tries to send

    tap(at, "submit_send")

    assert count_rows(app_db, Submission) == 0
    assert shown_points(at) == [keys[2]]
    errors = [str(e.value) for e in at.error]
    assert errors[0].startswith("Some answers need attention before they can be sent: ")
    assert framework.point(keys[2]).title in errors[0]
    assert framework.point(keys[5]).title in errors[0]
    assert errors[1] == "Choose a score or don't know."

    at.radio(key=f"answer_{keys[2]}").set_value(5).run()
    assert not at.error  # answered now: its errors go at once
    tap(at, "submit_next_3")
    assert not at.error  # a point with nothing missing shows none
    tap(at, "submit_next_4")
    tap(at, "submit_next_5")
    assert [str(e.value) for e in at.error] == [
        "Some answers need attention before they can be sent: "
        f"{framework.point(keys[5]).title}. Everything else you chose is kept.",
        "Choose a score or don't know.",
    ]


def test_sending_from_the_check_stores_once_and_shows_the_receipt(code, framework, app_db):
    at = open_submit_page(code)
    for step, point in enumerate(framework.point_keys, start=1):
        answer_and_go_on(at, step, point, 4)
    send = at.button(key="submit_send")
    send.click().run()
    first = receipt_code(at)
    send.click().run()  # a double tap: the same form sent again

    assert first is not None
    assert receipt_code(at) == first
    assert count_rows(app_db, Submission) == 1
    assert "Thank you: your answers are saved." in page_text(at)


def test_every_point_on_one_page_shows_the_whole_form_with_its_send_button(code, framework):
    at = every_point_on_one_page(open_submit_page(code))
    assert shown_points(at) == framework.point_keys
    assert not at.get("progress")
    assert buttons(at) == ["submit_send"]
    assert f"1. {framework.learning_points[0].title}" in page_text(at)


def test_the_one_page_view_keeps_the_answers_given_point_by_point(code, framework):
    first = framework.point_keys[0]
    at = open_submit_page(code)
    answer_and_go_on(at, 1, first, 2)
    every_point_on_one_page(at)
    assert at.radio(key=f"answer_{first}").value == 2
    at.toggle(key="submit_one_page").set_value(False).run()
    assert progress_text(at) == "Point 2 of 8"

"""Nothing lost on the submit page: answers kept as a draft on the server as the member
goes, found again from the page's address after a reload or a reconnect, and a form
already sent showing its receipt again however it comes back."""

from __future__ import annotations

import uuid

import pytest
from streamlit.testing.v1 import AppTest

from collab.domain import drafts, invite_codes, rounds, submissions
from collab.store.errors import DatabaseBusy
from collab.store.models import Draft, Submission
from tests.support.alliances import ORGANISATION, ROUND, open_alliance
from tests.support.app import open_submit_page, page_text, receipt_code, start_app
from tests.support.databases import count_rows


@pytest.fixture
def alliance(app_db, framework):
    return open_alliance(app_db, framework, groups=["provider"])


def address(at: AppTest) -> dict[str, str]:
    """What the page's address holds now (as a reload or the browser's history keeps it)."""
    return {name: str(at.query_params[name]) for name in ("code", "form", "device")}


def reopen(kept: dict[str, str]) -> AppTest:
    """A new session opened at the address ``kept``: a reload, or a tab from history."""
    at = start_app()
    for name, value in kept.items():
        at.query_params[name] = value
    return at.switch_page("pages/submit.py").run()


def answer_three_points(at: AppTest, framework) -> None:
    keys = framework.point_keys
    for step, (point, choice) in enumerate(zip(keys[:3], [2, "dont_know", 5], strict=True), 1):
        at.radio(key=f"answer_{point}").set_value(choice)
        if step == 2:
            at.text_area(key=f"comment_{point}").input("Some are missing.")
        at.button(key=f"submit_next_{step}").click().run()


def revise_with(at: AppTest, code: str) -> AppTest:
    at.text_input(key="revise_receipt").input(code)
    return at.button(key="revise_load").click().run()


def sent_form(alliance, framework) -> tuple[AppTest, str]:
    """A form answered point by point and sent; the page and its receipt code."""
    at = open_submit_page(alliance.codes[0])
    for step, point in enumerate(framework.point_keys, start=1):
        at.radio(key=f"answer_{point}").set_value(3)
        at.button(key=f"submit_next_{step}").click().run()
    at.button(key="submit_send").click().run()
    return at, receipt_code(at) or ""


def test_each_answer_is_kept_on_the_server_as_the_member_goes(alliance, framework, app_db):
    at = open_submit_page(alliance.codes[0])
    at.radio(key=f"answer_{framework.point_keys[0]}").set_value(4).run()
    kept = address(at)
    assert drafts.is_device_token(kept["device"])

    draft = drafts.find_draft(
        app_db, code=alliance.codes[0], round_id=alliance.round_id, device=kept["device"]
    )
    assert draft is not None
    assert draft.answers[framework.point_keys[0]].score == 4
    assert draft.position == 1


def test_a_step_with_a_new_answer_writes_the_draft_once(alliance, framework, app_db):
    at = open_submit_page(alliance.codes[0])
    writes_before, _ = app_db.data_versions()
    point = framework.point_keys[0]
    at.radio(key=f"answer_{point}").set_value(4)
    at.text_area(key=f"comment_{point}").input("Slowly.")
    at.button(key="submit_next_1").click().run()

    writes_after, _ = app_db.data_versions()
    assert writes_after - writes_before == 1
    draft = drafts.find_draft(
        app_db, code=alliance.codes[0], round_id=alliance.round_id, device=address(at)["device"]
    )
    assert draft is not None
    assert (draft.answers[point].score, draft.answers[point].comment) == (4, "Slowly.")
    assert draft.position == 2


def test_a_fresh_invite_link_looks_up_no_receipt_or_draft_until_one_can_exist(
    alliance, framework, monkeypatch
):
    looked_up: list[str] = []
    real_receipt, real_draft = submissions.receipt_for_form, drafts.find_draft

    def receipt_for_form(*args, **kwargs):
        looked_up.append("receipt")
        return real_receipt(*args, **kwargs)

    def find_draft(*args, **kwargs):
        looked_up.append("draft")
        return real_draft(*args, **kwargs)

    monkeypatch.setattr(submissions, "receipt_for_form", receipt_for_form)
    monkeypatch.setattr(drafts, "find_draft", find_draft)
    # No form or device token in the address: the page makes both, so nothing can be
    # stored under them yet.
    at = open_submit_page(alliance.codes[0])
    at.radio(key=f"answer_{framework.point_keys[0]}").set_value(4).run()
    assert looked_up == []

    # The same address opened again (a reload) finds the draft kept under it.
    again = reopen(address(at))
    assert looked_up == ["receipt", "draft"]
    assert again.radio(key=f"answer_{framework.point_keys[0]}").value == 4


def test_a_reload_comes_back_to_the_point_reached_with_every_answer(alliance, framework):
    at = open_submit_page(alliance.codes[0])
    answer_three_points(at, framework)
    keys = framework.point_keys

    again = reopen(address(at))

    assert [radio.key for radio in again.radio] == [f"answer_{keys[3]}"]
    assert "Point 4 of 8" in [bar.proto.text for bar in again.get("progress")]
    assert "the answers you hadn't sent yet are here" in page_text(again)
    again.button(key="submit_back_4").click().run()
    assert again.radio(key=f"answer_{keys[2]}").value == 5
    again.button(key="submit_back_3").click().run()
    assert again.radio(key=f"answer_{keys[1]}").value == "dont_know"
    assert again.text_area(key=f"comment_{keys[1]}").value == "Some are missing."


def test_another_device_with_the_same_code_starts_afresh(alliance, framework):
    at = open_submit_page(alliance.codes[0])
    answer_three_points(at, framework)
    elsewhere = {**address(at), "device": uuid.uuid4().hex, "form": uuid.uuid4().hex}

    again = reopen(elsewhere)

    assert [radio.key for radio in again.radio] == [f"answer_{framework.point_keys[0]}"]
    assert again.radio(key=f"answer_{framework.point_keys[0]}").value is None
    assert "hadn't sent yet" not in page_text(again)


def test_sending_deletes_the_draft_and_a_reload_shows_the_receipt_again(
    alliance, framework, app_db
):
    at, shown = sent_form(alliance, framework)
    assert shown
    assert count_rows(app_db, Draft) == 0

    again = reopen(address(at))

    assert receipt_code(again) == shown
    assert not again.radio
    assert count_rows(app_db, Submission) == 1


def test_a_personal_codes_receipt_is_the_code_itself(app_db, framework, alliance):
    _, personal = invite_codes.create_invite_code(
        app_db,
        framework=framework,
        organisation=ORGANISATION,
        stakeholder_group="provider",
        personal=True,
        actor="admin",
    )
    at = open_submit_page(personal)
    for step, point in enumerate(framework.point_keys, start=1):
        at.radio(key=f"answer_{point}").set_value(2)
        at.button(key=f"submit_next_{step}").click().run()
    send = at.button(key="submit_send")
    send.click().run()
    send.click().run()  # a double tap

    assert "**Your invite code is your receipt**" in [m.value for m in at.markdown]
    assert [c.value for c in at.code] == [personal]
    assert "Thank you: your answers are saved." in page_text(at)
    assert count_rows(app_db, Submission) == 1


def test_changes_to_a_revision_are_kept_under_the_receipt_code(alliance, framework, app_db):
    at, code = sent_form(alliance, framework)
    at.button(key="submit_another").click().run()
    revise_with(at, code)
    at.radio(key=f"answer_{framework.point_keys[0]}").set_value(1).run()

    again = revise_with(reopen({"device": address(at)["device"]}), code)

    assert again.radio(key=f"answer_{framework.point_keys[0]}").value == 1
    assert count_rows(app_db, Draft) == 1
    with app_db.read() as session:
        assert code not in session.query(Draft).one().code_hash


def test_a_draft_that_cant_be_kept_leaves_the_answer_on_the_page_and_says_so(
    alliance, framework, monkeypatch
):
    def busy(*_args, **_kwargs):
        raise DatabaseBusy()

    at = open_submit_page(alliance.codes[0])
    monkeypatch.setattr(drafts, "save_draft", busy)
    at.radio(key=f"answer_{framework.point_keys[0]}").set_value(4).run()

    assert not at.exception
    assert at.radio(key=f"answer_{framework.point_keys[0]}").value == 4
    assert any("couldn't be kept as a draft" in str(w.value) for w in at.warning)


def test_a_round_closing_drops_the_drafts_so_a_reload_starts_afresh(alliance, framework, app_db):
    at = open_submit_page(alliance.codes[0])
    answer_three_points(at, framework)
    rounds.close_round(app_db, name=ROUND, actor="admin")
    rounds.create_round(app_db, name="Autumn 2027", actor="admin")
    rounds.open_round(app_db, name="Autumn 2027", actor="admin")

    again = reopen(address(at))

    assert count_rows(app_db, Draft) == 0
    assert again.radio(key=f"answer_{framework.point_keys[0]}").value is None


def test_a_reload_after_saving_a_revision_says_the_receipt_code_stays_the_same(alliance, framework):
    at, code = sent_form(alliance, framework)
    at.button(key="submit_another").click().run()
    revise_with(at, code)
    for step in range(1, 9):
        at.button(key=f"submit_next_{step}").click().run()
    at.button(key="submit_send").click().run()
    assert receipt_code(at) == code

    again = reopen({"device": address(at)["device"], "form": address(at)["form"]})

    assert "Your changes are saved (version 2 of your answers)." in page_text(again)
    assert "Your receipt code is the one you typed to change these answers" in page_text(again)
    assert not again.radio


def test_starting_again_without_a_revision_drops_the_changes_kept_for_it(
    alliance, framework, app_db
):
    at, code = sent_form(alliance, framework)
    at.button(key="submit_another").click().run()
    revise_with(at, code)
    at.radio(key=f"answer_{framework.point_keys[0]}").set_value(1).run()
    assert count_rows(app_db, Draft) == 1

    at.button(key="submit_cancel").click().run()

    assert count_rows(app_db, Draft) == 0
    assert revise_with(at, code).radio(key=f"answer_{framework.point_keys[0]}").value == 3

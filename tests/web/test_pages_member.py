"""The member-facing pages through Streamlit's AppTest: the navigation of each role, the
home page, and the submit page from invite code to receipt and revision (mostly in the
form's one-page view; tests/web/test_submit_wizard.py follows it point by point).

Each test points the app at its own SQLite file and checks what was stored in the
database, not only what the page says.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
import sqlalchemy as sa
from streamlit.testing.v1 import AppTest

from collab import demo
from collab.domain import invite_codes, organisations, rounds, submissions
from collab.store.framework import Framework
from collab.store.models import AllianceSetting, Answer, Revision, Submission
from tests.support.app import (
    every_point_on_one_page,
    open_submit_page,
    page_text,
    start_app,
)
from tests.support.app import receipt_code as receipt_code_shown
from tests.support.databases import count_rows

PROJECT_DIR = Path(__file__).resolve().parents[2]
PAGES = sorted(p.relative_to(PROJECT_DIR).as_posix() for p in (PROJECT_DIR / "pages").glob("*.py"))
MEMBER_PAGES = {"pages/home.py", "pages/submit.py", "pages/check.py", "pages/sign_in.py"}
ORGANISATION = "Riverside Housing Trust"
ROUND = "Spring 2027"


@pytest.fixture
def alliance(app_db, framework) -> dict[str, str]:
    """One organisation, an open round and invite codes: provider, lived experience, revoked."""
    organisations.create_organisation(app_db, name=ORGANISATION, actor="admin")
    rounds.create_round(app_db, name=ROUND, closes_on=dt.date(2027, 4, 30), actor="admin")
    rounds.open_round(app_db, name=ROUND, actor="admin")
    codes = {}
    for group in ("provider", "lived_experience", "commissioner"):
        info, codes[group] = invite_codes.create_invite_code(
            app_db,
            framework=framework,
            organisation=ORGANISATION,
            stakeholder_group=group,
            response_cap=10_000,
            actor="admin",
        )
    invite_codes.revoke_invite_code(app_db, code_id=info.id, actor="admin")
    codes["revoked"] = codes.pop("commissioner")
    return codes


def choose(at: AppTest, answers: dict[str, int | str]) -> None:
    """Answer on the one-page view of the form."""
    if not at.toggle(key="submit_one_page").value:
        every_point_on_one_page(at)
    for point, choice in answers.items():
        at.radio(key=f"answer_{point}").set_value(choice)


def all_answered(framework: Framework, score: int = 4) -> dict[str, int | str]:
    answers: dict[str, int | str] = dict.fromkeys(framework.point_keys, score)
    answers[framework.point_keys[-1]] = "dont_know"
    return answers


def send(at: AppTest) -> AppTest:
    return at.button(key="submit_send").click().run()


def revise_page(receipt_code: str) -> AppTest:
    at = open_submit_page()
    at.text_input(key="revise_receipt").input(receipt_code)
    return at.button(key="revise_load").click().run()


def shown_receipt(at: AppTest) -> str | None:
    """The receipt code the page shows, or None."""
    return receipt_code_shown(at)


def has_button(at: AppTest, key: str) -> bool:
    return any(button.key == key for button in at.button)


@pytest.mark.parametrize("role", ["member", "leadership", "admin"])
def test_every_page_in_a_roles_navigation_renders_without_exception(alliance, role):
    at = start_app(role)
    rendered = []
    for page in PAGES:
        try:
            at.switch_page(page)
        except ValueError:
            continue  # not in this role's navigation
        at.run()
        assert not at.exception, f"{page} as {role}: {at.exception}"
        rendered.append(page)
    assert {"pages/home.py", "pages/submit.py"} <= set(rendered)


def test_member_navigation_holds_only_the_member_pages(alliance):
    at = start_app("member")
    routable = set()
    for page in PAGES:
        try:
            at.switch_page(page)
        except ValueError:
            continue
        routable.add(page)
    assert routable == MEMBER_PAGES


def nav_links(at: AppTest) -> list[tuple[str, str]]:
    """The app's own links (label, address) at the top of the page."""
    return [(link.proto.label, link.proto.page) for link in at.get("page_link")]


def test_members_get_the_apps_own_links_to_their_pages_above_the_page(alliance):
    at = start_app("member")
    # The menu's hidden sign-in pages (known only by their address) get no link.
    assert nav_links(at)[:4] == [
        ("Home", ""),
        ("Submit answers", "submit"),
        ("Live check", "check"),
        ("Sign in", "sign-in"),
    ]
    assert ("Home", "") not in nav_links(at)[4:]


@pytest.mark.parametrize("role", ["leadership", "admin"])
def test_the_team_keeps_streamlits_menu_and_gets_no_member_links(alliance, role):
    at = start_app(role)
    assert ("Home", "") not in nav_links(at)


def test_signed_in_roles_can_open_sign_out_but_not_sign_in(alliance):
    for role in ("leadership", "admin"):
        at = start_app(role)
        at.switch_page("pages/sign_out.py")
        with pytest.raises(ValueError):
            at.switch_page("pages/sign_in.py")


def test_empty_database_home_says_what_to_do_first(app_db):
    at = start_app()
    assert "an administrator needs to create a round and invite codes" in page_text(at)
    assert "make run" in page_text(at)
    assert not at.exception


def test_home_counts_everyone_by_group_and_lists_groups_with_nobody(alliance, framework):
    at = start_app()
    counts = {metric.label: metric.value for metric in at.metric}
    assert counts == {framework.group_name(key): "0" for key in framework.group_keys}
    assert ROUND in page_text(at)
    assert "30 April 2027" in page_text(at)


def test_home_counts_a_submission_made_in_the_app_at_once(alliance, framework):
    at = start_app()  # reads (and caches) the counts before anyone has answered
    at.query_params["code"] = alliance["lived_experience"]
    at.switch_page("pages/submit.py").run()
    choose(at, all_answered(framework))
    send(at)
    at.switch_page("pages/home.py").run()
    counts = {metric.label: metric.value for metric in at.metric}
    assert counts[framework.group_name("lived_experience")] == "1"


def test_home_counts_answers_stored_elsewhere_as_soon_as_they_arrive(alliance, app_db, framework):
    at = start_app()  # reads (and caches) the counts before anyone has answered
    submissions.submit(
        app_db,
        framework=framework,
        code=alliance["provider"],
        answers={key: submissions.AnswerInput(score=4) for key in framework.point_keys},
    )
    at.run()
    counts = {metric.label: metric.value for metric in at.metric}
    assert counts[framework.group_name("provider")] == "1"


def test_home_says_no_round_is_open_when_every_round_is_closed(alliance, app_db):
    rounds.close_round(app_db, name=ROUND, actor="admin")
    at = start_app()
    assert "No round is open" in page_text(at)


def test_home_names_a_round_set_up_but_not_yet_opened(alliance, app_db):
    rounds.close_round(app_db, name=ROUND, actor="admin")
    rounds.create_round(app_db, name="Autumn 2027", actor="admin")
    at = start_app()
    assert "No round is open at the moment: Autumn 2027 is set up but not yet opened." in (
        page_text(at)
    )


def test_demo_database_is_marked_on_the_member_pages(app_db):
    with app_db.write() as session:
        session.add(AllianceSetting(key=demo.DEMO_SETTING_KEY, value="true"))
    at = start_app()
    assert "Demo alliance: invented organisations and answers" in page_text(at)
    at.switch_page("pages/submit.py").run()
    assert "Demo alliance: invented organisations and answers" in page_text(at)


def test_invite_link_shows_organisation_group_and_open_round(alliance):
    at = open_submit_page(alliance["provider"])
    assert not at.exception
    shown = page_text(at)
    assert ORGANISATION in shown
    assert "Service providers" in shown
    assert ROUND in shown
    # One learning point at a time, the first one first.
    assert [radio.key for radio in at.radio] == ["answer_upstream"]


def test_nothing_is_preselected_on_the_answer_form(alliance, framework):
    at = every_point_on_one_page(open_submit_page(alliance["provider"]))
    assert [at.radio(key=f"answer_{p}").value for p in framework.point_keys] == [None] * 8


def test_typed_invite_code_opens_the_form(alliance):
    at = open_submit_page()
    assert not at.radio
    at.text_input(key="submit_code").input(alliance["provider"].lower()).run()
    assert ORGANISATION in page_text(at)
    assert [radio.key for radio in at.radio] == ["answer_upstream"]


def test_invite_code_is_kept_when_the_member_comes_back_to_the_page(alliance):
    at = open_submit_page(alliance["provider"])
    at.query_params.clear()
    at.switch_page("pages/home.py").run()
    at.switch_page("pages/submit.py").run()
    assert at.text_input(key="submit_code").value == alliance["provider"]
    assert ORGANISATION in page_text(at)


def test_unknown_code_gets_a_friendly_message_and_no_form(alliance):
    at = open_submit_page("ZZZZ-ZZZZ-ZZZZ")
    assert not at.exception
    assert "We don't recognise that code" in page_text(at)
    assert not at.radio


def test_revoked_code_gets_a_friendly_message_and_no_form(alliance):
    at = open_submit_page(alliance["revoked"])
    assert not at.exception
    assert "This code is no longer in use" in page_text(at)
    assert not at.radio


def test_valid_code_with_no_open_round_gets_a_friendly_message(alliance, app_db):
    rounds.close_round(app_db, name=ROUND, actor="admin")
    at = open_submit_page(alliance["provider"])
    assert not at.exception
    assert "No round is open" in page_text(at)
    assert not at.radio


def test_missing_answers_are_named_and_chosen_answers_kept(alliance, framework, app_db):
    at = open_submit_page(alliance["provider"])
    given = {"upstream": 2, "right_people": "dont_know", "realistic": 5}
    choose(at, given)
    send(at)
    summary = at.error[0].value
    missing = [p for p in framework.learning_points if p.key not in given]
    assert all(point.title in summary for point in missing)
    assert not any(framework.point(key).title in summary for key in given)
    # The summary at the top and by the button, and a note by each missing point.
    assert [e.value for e in at.error].count(summary) == 2
    assert len(at.error) == 2 + len(missing)
    assert {key: at.radio(key=f"answer_{key}").value for key in given} == given
    assert count_rows(app_db, Submission) == 0


def test_comments_survive_a_rejected_form(alliance, app_db):
    at = every_point_on_one_page(open_submit_page(alliance["provider"]))
    at.text_area(key="comment_focus").input("We lose sight of the strategy in budget talks")
    send(at)
    assert (
        at.text_area(key="comment_focus").value == "We lose sight of the strategy in budget talks"
    )


def test_successful_submit_shows_a_receipt_code_that_finds_the_answers(alliance, framework, app_db):
    at = open_submit_page(alliance["lived_experience"])
    choose(at, all_answered(framework, score=3))
    send(at)
    assert not at.exception
    receipt_code = shown_receipt(at)
    stored = submissions.find_submission(app_db, receipt_code=receipt_code)
    assert stored.organisation == ORGANISATION
    assert stored.stakeholder_group == "lived_experience"
    assert stored.answers["upstream"] == submissions.AnswerInput(3, False, "")
    assert stored.answers["impact"] == submissions.AnswerInput(None, True, "")
    assert "keep this code" in page_text(at).lower()


def test_after_success_the_same_form_is_not_offered_again(alliance, framework):
    at = open_submit_page(alliance["provider"])
    choose(at, all_answered(framework))
    send(at)
    assert not has_button(at, "submit_send")
    assert not at.radio


def test_double_submit_of_one_form_stores_once_and_keeps_the_receipt(alliance, framework, app_db):
    at = open_submit_page(alliance["provider"])
    choose(at, all_answered(framework))
    button = at.button(key="submit_send")
    button.click().run()
    first_receipt = shown_receipt(at)
    button.click().run()  # the same form sent again, as a double click does
    assert count_rows(app_db, Submission) == 1
    assert shown_receipt(at) == first_receipt


def test_comment_is_stored_as_typed_and_comes_back_as_plain_text(alliance, framework, app_db):
    comment = "<b>bold</b> [link](https://example.org) **stars**"
    at = open_submit_page(alliance["provider"])
    choose(at, all_answered(framework))
    at.text_area(key="comment_difference").input(comment)
    send(at)
    receipt_code = shown_receipt(at)
    stored = submissions.find_submission(app_db, receipt_code=receipt_code)
    assert stored.answers["difference"].comment == comment
    at = every_point_on_one_page(revise_page(receipt_code))
    assert at.text_area(key="comment_difference").value == comment
    assert "bold" not in page_text(at)


def test_receipt_code_loads_the_current_answers_into_the_form(alliance, framework):
    at = open_submit_page(alliance["provider"])
    choose(at, all_answered(framework, score=2))
    at.text_area(key="comment_assets").input("Strengths get lost")
    send(at)
    at = every_point_on_one_page(revise_page(shown_receipt(at)))
    assert not at.exception
    assert at.radio(key="answer_upstream").value == 2
    assert at.radio(key="answer_impact").value == "dont_know"
    assert at.text_area(key="comment_assets").value == "Strengths get lost"
    assert ORGANISATION in page_text(at)


def test_revision_through_the_receipt_changes_the_stored_answers(alliance, framework, app_db):
    at = open_submit_page(alliance["provider"])
    choose(at, all_answered(framework, score=2))
    send(at)
    receipt_code = shown_receipt(at)
    at = revise_page(receipt_code)
    choose(at, {"upstream": 5, "impact": 1})
    send(at)
    assert not at.exception
    assert shown_receipt(at) == receipt_code
    stored = submissions.find_submission(app_db, receipt_code=receipt_code)
    assert stored.revision == 2
    assert stored.answers["upstream"].score == 5
    assert stored.answers["impact"] == submissions.AnswerInput(1, False, "")
    assert stored.answers["right_people"].score == 2
    assert count_rows(app_db, Submission) == 1


def test_unknown_receipt_code_gets_a_friendly_message(alliance):
    at = revise_page("AAAA-BBBB-CCCC")
    assert not at.exception
    assert "We don't recognise that receipt code" in page_text(at)
    assert not at.radio


def test_receipt_of_a_closed_round_cannot_be_loaded(alliance, framework, app_db):
    at = open_submit_page(alliance["provider"])
    choose(at, all_answered(framework))
    send(at)
    receipt_code = shown_receipt(at)
    rounds.close_round(app_db, name=ROUND, actor="admin")
    at = revise_page(receipt_code)
    assert not at.exception
    assert "has closed" in page_text(at)
    assert not at.radio


def test_round_closing_while_the_form_is_open_stores_nothing(alliance, framework, app_db):
    at = open_submit_page(alliance["provider"])
    choose(at, all_answered(framework))
    rounds.close_round(app_db, name=ROUND, actor="admin")
    send(at)
    assert not at.exception
    assert "No round is open" in page_text(at)
    assert shown_receipt(at) is None
    assert count_rows(app_db, Submission) == 0


def test_round_closing_during_a_revision_keeps_the_stored_answers(alliance, framework, app_db):
    at = open_submit_page(alliance["provider"])
    choose(at, all_answered(framework, score=2))
    send(at)
    receipt_code = shown_receipt(at)
    at = revise_page(receipt_code)
    choose(at, {"upstream": 5})
    rounds.close_round(app_db, name=ROUND, actor="admin")
    send(at)
    assert "has closed" in page_text(at)
    with app_db.read() as session:
        assert session.scalar(sa.select(sa.func.count(Revision.id))) == 1
        assert session.scalar(sa.select(sa.func.count(Answer.id)).where(Answer.score == 5)) == 0

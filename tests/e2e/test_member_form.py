"""A member's form on a phone (390 x 844): one learning point per screen with its top in
view, a reload that loses nothing, a double tap on Send that keeps the receipt, answer
options a thumb can hit, and every member page free of serious accessibility problems
under axe-core's WCAG 2.2 AA rules.

Pictures of a point, the check before sending, the receipt and Home with a round's
results shared, and the accessibility results of every member page, are kept in
``test-artifacts/member/``.
"""

from __future__ import annotations

import json
import os
import time

import pytest
import sqlalchemy as sa

from collab.domain import drafts, rounds, submissions
from collab.store.models import Submission
from collab.web import form

from .served_app import PROJECT_DIR, Alliance
from .test_browser import (
    FIRST_LOAD_MS,
    RECEIPT_CODE,
    add_earlier_responses,
    choose_on_point,
    go_next,
    new_invite_code,
    open_app,
    open_invite_link,
    open_new_round,
    receipt_shown,
)

try:
    from axe_playwright_python.sync_playwright import Axe
    from playwright.sync_api import Page, expect
except ImportError:
    if os.environ.get("CI", "").lower() == "true":
        raise
    pytest.skip(
        "Browser tests skipped: playwright or axe-playwright-python is not installed",
        allow_module_level=True,
    )

SCREENS_DIR = PROJECT_DIR / "test-artifacts" / "member"
COMMENT = "We talk about it, then slip back into old habits."
# The WCAG 2.2 AA rules of axe-core; serious and critical problems fail the test.
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
FAILING_IMPACTS = {"serious", "critical"}
# Streamlit fades a page's new elements in after its script has run.
SETTLE_SECONDS = 1.0
TAP_TARGET_PX = 44


def settled(page: Page) -> Page:
    """Wait until the page's script has run and what it drew has faded in."""
    app = page.get_by_test_id("stApp")
    expect(app).to_have_attribute("data-test-script-state", "notRunning", timeout=FIRST_LOAD_MS)
    expect(page.locator("[data-stale='true']")).to_have_count(0)
    time.sleep(SETTLE_SECONDS)
    return page


def open_form(page: Page, alliance: Alliance, code: str) -> None:
    """Open the app's Home, then the invite link, as a member would from a message.

    Home first: until a server has run the app's entry page once, Streamlit runs a page
    reached by its own address on its own, without the app's menu.
    """
    open_app(page, alliance.base_url, page.get_by_role("heading", name=alliance.framework.title))
    open_invite_link(page, alliance, code)


def screenshot(page: Page, name: str) -> None:
    SCREENS_DIR.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENS_DIR / f"wizard-{name}.png"))


def fill_in_to_the_check(page: Page, alliance: Alliance, choices: dict[str, str]) -> None:
    """From the first point, choose each point's option and go on to the check."""
    for step, point in enumerate(alliance.framework.point_keys, start=1):
        choose_on_point(page, point, choices[point])
        go_next(page, step)
    expect(page.get_by_text("Check your answers before sending")).to_be_visible()


def labels(alliance: Alliance, option: int | str) -> dict[str, str]:
    """The same option's label for every learning point."""
    label = form.scale_option_label(alliance.framework, option)
    return dict.fromkeys(alliance.framework.point_keys, label)


def submissions_in(alliance: Alliance, round_id: int) -> int:
    with alliance.db.read() as session:
        return session.scalar(
            sa.select(sa.func.count(Submission.id)).where(Submission.round_id == round_id)
        )


def test_member_goes_point_by_point_checks_changes_and_sends(phone_page, alliance):
    round_info = open_new_round(alliance, "Wizard round 2027")
    code = new_invite_code(alliance, "provider")
    framework = alliance.framework
    options = form.scale_options(framework)
    chosen = {
        point: options[number % len(options)] for number, point in enumerate(framework.point_keys)
    }

    open_form(phone_page, alliance, code)
    for step, point in enumerate(framework.point_keys, start=1):
        expect(phone_page.get_by_test_id("stProgress")).to_contain_text(f"Point {step} of 8")
        # One point per screen, its top in view (not where the last Next was tapped).
        expect(phone_page.locator("[class*='st-key-answer_']")).to_have_count(1)
        heading = phone_page.get_by_role("heading", name=framework.point(point).title)
        expect(heading).to_be_in_viewport()
        if step > 1:  # and a screen reader starts reading there
            expect(heading).to_be_focused()
        choose_on_point(phone_page, point, form.scale_option_label(framework, chosen[point]))
        if step == 1:
            phone_page.locator(f".st-key-comment_{point} textarea").fill(COMMENT)
            # Typing shows no hint to submit a form: there is none to submit by a key.
            hint = phone_page.locator(f".st-key-comment_{point}").get_by_test_id(
                "InputInstructions"
            )
            expect(hint).to_be_visible()
            expect(hint).not_to_contain_text("submit form")
        if step == 3:
            screenshot(settled(phone_page), "point")
        go_next(phone_page, step)
    expect(phone_page.get_by_text("Check your answers before sending")).to_be_visible()
    screenshot(settled(phone_page), "summary")

    phone_page.get_by_role("button", name="Change point 2").tap()
    expect(phone_page.get_by_test_id("stProgress")).to_contain_text("Point 2 of 8")
    second = framework.point_keys[1]
    chosen[second] = 5
    choose_on_point(phone_page, second, form.scale_option_label(framework, 5))
    for step in range(2, 9):
        go_next(phone_page, step)
    expect(phone_page.get_by_text("5 - Embedded in how we work")).to_be_visible()
    phone_page.get_by_role("button", name="Send my answers").tap()

    receipt = receipt_shown(phone_page)
    assert RECEIPT_CODE.match(receipt)
    screenshot(settled(phone_page), "receipt")
    stored = submissions.find_submission(alliance.db, receipt_code=receipt)
    assert stored.round == round_info.name
    assert {
        point: form.DONT_KNOW if answer.dont_know else answer.score
        for point, answer in stored.answers.items()
    } == chosen
    assert stored.answers[framework.point_keys[0]].comment == COMMENT


def test_a_reload_comes_back_to_the_point_reached_with_the_answers_kept(phone_page, alliance):
    round_info = open_new_round(alliance, "Reload round 2027")
    code = new_invite_code(alliance, "commissioner")
    framework = alliance.framework
    keys = framework.point_keys
    picked = {keys[0]: 2, keys[1]: form.DONT_KNOW, keys[2]: 4}

    open_form(phone_page, alliance, code)
    for step, point in enumerate(keys[:3], start=1):
        choose_on_point(phone_page, point, form.scale_option_label(framework, picked[point]))
        go_next(phone_page, step)
    expect(phone_page.get_by_test_id("stProgress")).to_contain_text("Point 4 of 8")
    settled(phone_page)

    phone_page.reload()

    expect(phone_page.get_by_test_id("stProgress")).to_contain_text(
        "Point 4 of 8", timeout=FIRST_LOAD_MS
    )
    expect(phone_page.get_by_text("the answers you hadn't sent yet are here")).to_be_visible()
    for step in (4, 3, 2):
        phone_page.locator(f".st-key-submit_back_{step}").get_by_role("button").tap()
        point = keys[step - 2]
        label = form.scale_option_label(framework, picked[point])
        expect(
            phone_page.locator(f".st-key-answer_{point}").get_by_role("radio", name=label)
        ).to_be_checked()
    device = phone_page.evaluate("new URLSearchParams(location.search).get('device')")
    kept = drafts.find_draft(alliance.db, code=code, round_id=round_info.id, device=device)
    assert kept is not None and kept.answers[keys[2]].score == 4


def test_a_double_tap_on_send_keeps_the_receipt_and_stores_once(phone_page, alliance):
    round_info = open_new_round(alliance, "Double tap round 2027")
    code = new_invite_code(alliance, "lived_experience")

    open_form(phone_page, alliance, code)
    fill_in_to_the_check(phone_page, alliance, labels(alliance, 3))
    settled(phone_page)
    phone_page.get_by_role("button", name="Send my answers").dblclick()

    receipt = receipt_shown(phone_page)
    assert RECEIPT_CODE.match(receipt)
    expect(phone_page.get_by_text("Thank you: your answers are saved.")).to_be_visible()
    settled(phone_page)
    assert receipt_shown(phone_page) == receipt
    assert submissions_in(alliance, round_info.id) == 1
    # A reconnect (here a reload) after sending shows the same receipt.
    phone_page.reload()
    expect(phone_page.locator(".st-key-submit_receipt_code code")).to_have_text(
        receipt, timeout=FIRST_LOAD_MS
    )
    assert submissions_in(alliance, round_info.id) == 1


def test_every_answer_option_and_button_is_a_thumb_sized_tap_target(phone_page, alliance):
    open_new_round(alliance, "Tap round 2027")
    code = new_invite_code(alliance, "provider")
    point = alliance.framework.point_keys[0]

    open_form(phone_page, alliance, code)
    choose_on_point(phone_page, point, form.scale_option_label(alliance.framework, 1))
    go_next(phone_page, 1)
    settled(phone_page)

    second = alliance.framework.point_keys[1]
    options = phone_page.locator(f".st-key-answer_{second} [data-testid='stRadioOption']")
    expect(options).to_have_count(len(form.scale_options(alliance.framework)))
    heights = [options.nth(i).bounding_box()["height"] for i in range(options.count())]
    assert min(heights) >= TAP_TARGET_PX, heights
    for key in ("submit_back_2", "submit_next_2"):
        box = phone_page.locator(f".st-key-{key}").get_by_role("button").bounding_box()
        assert box["height"] >= TAP_TARGET_PX, (key, box)
    links = phone_page.locator(".st-key-member_nav a")
    expect(links).to_have_count(4)  # Home, Submit answers, Live check, Sign in
    heights = [links.nth(i).bounding_box()["height"] for i in range(4)]
    assert min(heights) >= TAP_TARGET_PX, heights


def serious_problems(page: Page) -> dict[str, int]:
    """axe-core's serious and critical WCAG 2.2 AA violations on the page, by rule."""
    results = Axe().run(page, options={"runOnly": {"type": "tag", "values": WCAG_TAGS}})
    return {
        violation["id"]: len(violation["nodes"])
        for violation in results.response["violations"]
        if violation["impact"] in FAILING_IMPACTS
    }


def test_a_failed_send_goes_to_the_first_point_still_unanswered(phone_page, alliance):
    open_new_round(alliance, "Missing round 2027")
    code = new_invite_code(alliance, "commissioner")
    framework = alliance.framework
    second = framework.point_keys[1]

    open_form(phone_page, alliance, code)
    for step, point in enumerate(framework.point_keys, start=1):
        if point != second:
            choose_on_point(phone_page, point, framework.dont_know_label)
        go_next(phone_page, step)
    phone_page.get_by_role("button", name="Send my answers").tap()

    expect(phone_page.get_by_test_id("stProgress")).to_contain_text("Point 2 of 8")
    expect(
        phone_page.get_by_role("heading", name=framework.point(second).title)
    ).to_be_in_viewport()
    expect(phone_page.get_by_text("Choose a score or don't know.")).to_be_visible()
    choose_on_point(phone_page, second, framework.dont_know_label)
    expect(phone_page.get_by_test_id("stAlertContentError")).to_have_count(0)


def test_no_member_page_has_a_serious_accessibility_problem(phone_page, alliance):
    # Home shows what the alliance found in a closed round whose results are shared.
    shared = open_new_round(alliance, "Shared round 2026")
    add_earlier_responses(alliance, shared, per_group=alliance.min_group_size)
    rounds.close_round(alliance.db, name=shared.name, actor="admin")
    rounds.set_results_shared(alliance.db, name=shared.name, shared=True, actor="admin")
    open_new_round(alliance, "Accessible round 2027")
    code = new_invite_code(alliance, "provider")
    framework = alliance.framework
    found: dict[str, dict[str, int]] = {}

    open_app(phone_page, alliance.base_url, phone_page.get_by_role("heading", name=framework.title))
    expect(
        phone_page.get_by_role("heading", name="What we found in Shared round 2026")
    ).to_be_attached()
    found["home"] = serious_problems(settled(phone_page))
    SCREENS_DIR.mkdir(parents=True, exist_ok=True)
    for part, heading in (
        ("findings", "What we found in Shared round 2026"),
        ("own-group", "A group's view against the others"),
    ):
        phone_page.get_by_role("heading", name=heading).evaluate("e => e.scrollIntoView()")
        phone_page.screenshot(path=str(SCREENS_DIR / f"home-shared-results-{part}.png"))
    open_invite_link(phone_page, alliance, code)
    for step, point in enumerate(framework.point_keys, start=1):
        found[f"point {step}"] = serious_problems(settled(phone_page))
        choose_on_point(phone_page, point, framework.dont_know_label)
        go_next(phone_page, step)
    found["check"] = serious_problems(settled(phone_page))
    phone_page.get_by_role("button", name="Send my answers").tap()
    receipt = receipt_shown(phone_page)
    found["receipt"] = serious_problems(settled(phone_page))

    revision = phone_page.context.new_page()
    open_app(revision, f"{alliance.base_url}/submit", revision.get_by_text("Change answers"))
    revision.get_by_text("Change answers I already gave").click()
    revision.locator(".st-key-revise_receipt input").fill(receipt)
    revision.get_by_role("button", name="Load my answers").click()
    expect(revision.get_by_text("You are changing the answers")).to_be_visible()
    found["revision"] = serious_problems(settled(revision))
    for step in range(1, 9):
        go_next(revision, step)
    expect(revision.get_by_role("button", name="Save my changes")).to_be_visible()
    found["revision, check"] = serious_problems(settled(revision))

    SCREENS_DIR.mkdir(parents=True, exist_ok=True)
    (SCREENS_DIR / "axe-member-pages.json").write_text(json.dumps(found, indent=1))
    assert {name: problems for name, problems in found.items() if problems} == {}

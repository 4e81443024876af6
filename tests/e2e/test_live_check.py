"""The live check in a real browser: the leadership team starts a check on the meeting
screen, a member answers on a phone, and the screen counts the answer by itself, without
anyone touching it; then the room re-scores and the screen shows before and after.

Pictures of the meeting screen at 1920x1080, before and after a re-score, and of the
phone are kept in ``test-artifacts/live-check/``.
"""

from __future__ import annotations

import os
import time
from urllib.parse import urlencode

import pytest

from collab.domain import checks, invite_codes
from collab.domain.checks import RESCORE_PASS
from tests.support.checks import give_answers

from .served_app import LEADERSHIP_PASSCODE, ORGANISATION_OF_GROUP, PROJECT_DIR, Alliance
from .test_browser import open_app, open_new_round
from .test_member_form import serious_problems, settled

try:
    from playwright.sync_api import Page, expect
except ImportError:
    if os.environ.get("CI", "").lower() == "true":
        raise
    pytest.skip(
        "Browser tests skipped: the playwright package is not installed", allow_module_level=True
    )

SCREENS_DIR = PROJECT_DIR / "test-artifacts" / "live-check"
LARGE_SCREEN = {"width": 1920, "height": 1080}
POINT = "difference"
# The screen looks for news every few seconds (SCREEN_REFRESH_SECONDS); it must show an
# answer well within this.
NO_CLICK_MS = 10_000


def personal_codes(alliance: Alliance, group: str, count: int) -> list[str]:
    made = invite_codes.create_invite_codes(
        alliance.db,
        actor="admin",
        framework=alliance.framework,
        organisation=ORGANISATION_OF_GROUP[group],
        stakeholder_group=group,
        personal=True,
        count=count,
    )
    return [code for _, code in made]


def open_screen(page: Page, alliance: Alliance, round_name: str) -> checks.CheckInfo:
    """Open the live check screen at the address a link from meeting mode gives, for
    ``round_name`` and POINT, sign in there as the leadership team and start the check;
    return it."""
    page.set_viewport_size(LARGE_SCREEN)
    open_app(page, alliance.base_url, page.get_by_role("heading", name=alliance.framework.title))
    page.goto(f"{alliance.base_url}/live_check?{urlencode({'round': round_name, 'point': POINT})}")
    expect(page.get_by_text("Live check screen is for the leadership team")).to_be_visible()
    page.locator(".st-key-sign_in_passcode input").fill(LEADERSHIP_PASSCODE)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_text(f"No live check in {round_name} yet")).to_be_visible()
    page.get_by_role("button", name="Start a live check").click()
    title = alliance.framework.point(POINT).title
    expect(page.get_by_role("heading", name=title)).to_be_visible()
    [check] = [c for c in checks.list_checks(alliance.db, round_name=round_name) if c.is_open]
    expect(page.get_by_role("heading", name=check.short_code)).to_be_visible()
    return check


def answer_on_phone(
    phone: Page, alliance: Alliance, check: checks.CheckInfo, code: str
) -> dict[str, dict[str, int]]:
    """Open the check's link with an invite code on the phone, tap an answer, send;
    return axe-core's serious problems on the question and on the thanks."""
    link = f"{checks.check_link(alliance.base_url, check.short_code)}&code={code}"
    open_app(phone, link, phone.get_by_text(alliance.framework.point(POINT).statement))
    found = {"question": serious_problems(settled(phone))}
    option = phone.locator("label[data-testid=stRadioOption]").filter(
        has_text="4 · Happening most of the time"
    )
    box = option.bounding_box()
    assert box is not None and box["height"] >= 44, "a target a thumb can hit"
    option.tap()
    screenshot(phone, "phone-question")
    phone.get_by_role("button", name="Send my answer").tap()
    expect(phone.get_by_text("Thank you: your answer is in.")).to_be_visible()
    found["thanks"] = serious_problems(settled(phone))
    return found


def answer_in_bulk(alliance: Alliance, check, codes: dict[str, list[str]], scores, *, pass_number):
    for group, group_codes in codes.items():
        give_answers(
            alliance.db,
            alliance.framework,
            check,
            group_codes,
            scores[group],
            pass_number=pass_number,
            min_group_size=alliance.min_group_size,
        )


def screenshot(page: Page, name: str) -> None:
    SCREENS_DIR.mkdir(parents=True, exist_ok=True)
    time.sleep(1.0)  # let the last refresh settle
    page.screenshot(path=str(SCREENS_DIR / f"{name}.png"))


def test_a_phones_answer_shows_on_the_meeting_screen_without_a_click(page, phone_page, alliance):
    open_new_round(alliance, "Live check round 2027")
    code = personal_codes(alliance, "provider", 1)[0]
    # A member who opens Live check from the menu is asked for the screen's code.
    open_app(
        phone_page, f"{alliance.base_url}/check", phone_page.get_by_text("The code on the meeting")
    )
    asked = {"asked for the code": serious_problems(settled(phone_page))}
    check = open_screen(page, alliance, "Live check round 2027")
    live = page.locator(".st-key-live_check_screen")
    expect(live).to_contain_text("0 people have answered")
    screenshot(page, "waiting-1920x1080")

    found = asked | answer_on_phone(phone_page, alliance, check, code)
    screenshot(phone_page, "phone-thanks")
    # Nobody touches the meeting screen: it finds the answer by itself.
    expect(live).to_contain_text("1 person has answered", timeout=NO_CLICK_MS)
    expect(page.locator(".st-key-live_check_group_provider")).to_contain_text("1 answered")

    # The phone waiting for the re-score asks again by itself once the team starts it.
    page.get_by_role("button", name="Start the re-score").click()
    expect(phone_page.get_by_text("Re-score: after the discussion")).to_be_visible(
        timeout=NO_CLICK_MS
    )
    found["re-score"] = serious_problems(settled(phone_page))
    # The member's Live check page passes axe-core's WCAG 2.2 AA rules at every stage.
    assert {stage: problems for stage, problems in found.items() if problems} == {}


def test_the_meeting_screen_before_and_after_a_rescore(page, alliance):
    open_new_round(alliance, "Re-score round 2027")
    codes = {group: personal_codes(alliance, group, 7) for group in alliance.framework.group_keys}
    check = open_screen(page, alliance, "Re-score round 2027")
    first = {"commissioner": [4, 5, 4, 4, 5, 4], "provider": [3, 3, 2, 4, 3, 3, 2]}
    first["lived_experience"] = [1, 2, 2, 1, 3, 2]
    answer_in_bulk(alliance, check, codes, first, pass_number=1)
    group_card = page.locator(".st-key-live_check_group_lived_experience")
    expect(group_card).to_contain_text("6 answered", timeout=NO_CLICK_MS)
    expect(group_card.get_by_role("heading", name="1.8")).to_be_visible()
    screenshot(page, "first-pass-1920x1080")

    page.get_by_role("button", name="Start the re-score").click()
    live = page.locator(".st-key-live_check_screen")
    expect(live).to_contain_text("0 people have re-scored")
    after = {"commissioner": [4, 4, 4, 3, 4, 4], "provider": [3, 3, 3, 4, 3, 3, 3]}
    after["lived_experience"] = [3, 3, 3, 3, 2, 3]
    answer_in_bulk(alliance, check, codes, after, pass_number=RESCORE_PASS)
    expect(live).to_contain_text("The groups came closer", timeout=NO_CLICK_MS)
    expect(group_card.get_by_role("heading", name="2.8")).to_be_visible()
    screenshot(page, "rescore-1920x1080")

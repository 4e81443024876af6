"""The app in a real browser: a member answers on a phone, the administrator closes a round
and imports paper forms, and the leadership team sees a new answer counted.

Each test prepares what it needs (its own round, invite code, earlier responses) through
the domain functions, drives the pages as a person would, and checks the database.
"""

from __future__ import annotations

import os
import re

import pytest

from collab.domain import invite_codes, organisations, rounds, submissions
from collab.domain.answers import load_answers
from collab.domain.rounds import RoundInfo
from collab.domain.submissions import AnswerInput, NewResponse
from collab.web import form
from tests.support.answers import add_published, stored_answers

from .served_app import ADMIN_PASSCODE, LEADERSHIP_PASSCODE, ORGANISATION_OF_GROUP, Alliance

try:
    from playwright.sync_api import Locator, Page, expect
except ImportError:
    if os.environ.get("CI", "").lower() == "true":
        raise
    pytest.skip(
        "Browser tests skipped: the playwright package is not installed", allow_module_level=True
    )

# The first page of a fresh server imports the whole app before it draws anything.
FIRST_LOAD_MS = 40_000
RECEIPT_CODE = re.compile(r"^[A-Z0-9]{4}(-[A-Z0-9]{4})+$")
COMMENT = "Meetings now end with agreed actions & named owners."


# What a person does on the pages.


def open_app(page: Page, url: str, ready: Locator, *, attempts: int = 3) -> None:
    """Go to ``url`` until ``ready`` shows (a fresh server may first say "Page not found")."""
    for attempt in range(1, attempts + 1):
        page.goto(url)
        try:
            expect(ready).to_be_visible(timeout=FIRST_LOAD_MS)
            return
        except AssertionError:
            if attempt == attempts:
                raise


def open_from_member_links(page: Page, link: str, *, title: str) -> None:
    """Follow one of the links members get across the top of their pages."""
    page.locator(".st-key-member_nav").get_by_role("link", name=link).click()
    expect(page.get_by_role("heading", name=title, exact=True)).to_be_visible()


def open_from_sidebar(page: Page, link: str, *, title: str) -> None:
    """Follow a sidebar link and wait for the page's title."""
    page.get_by_test_id("stSidebarNav").get_by_role("link", name=link).click()
    expect(page.get_by_role("heading", name=title, exact=True)).to_be_visible()


# Where each role lands after signing in on the Sign in page, by its page's heading.
LANDING_TITLES = {"Leadership team": "Where do we diverge?", "Administrator": "Rounds"}


def sign_in(page: Page, alliance: Alliance, *, role: str, passcode: str) -> None:
    """From the home page: Sign in, choose ``role``, type the passcode, land where the
    role's work starts."""
    home_title = page.get_by_role("heading", name=alliance.framework.title)
    open_app(page, alliance.base_url, home_title)
    open_from_member_links(page, "Sign in", title="Sign in")
    page.locator(".st-key-sign_in_role").get_by_text(role, exact=True).click()
    page.locator(".st-key-sign_in_passcode input").fill(passcode)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", name=LANDING_TITLES[role], exact=True)).to_be_visible()
    expect(page.get_by_test_id("stSidebarNav").get_by_role("link", name="Sign out")).to_be_visible()


def choose(page: Page, widget_key: str, option: str) -> None:
    """Pick ``option`` in the select box keyed ``widget_key``."""
    box = select_box(page, widget_key)
    box.click()
    page.get_by_role("option", name=option, exact=True).click()
    expect(box).to_have_value(option)


def select_box(page: Page, widget_key: str) -> Locator:
    return page.locator(f".st-key-{widget_key}").get_by_role("combobox")


def metric_value(page: Page, label: str) -> Locator:
    """The value shown by the metric labelled ``label``."""
    label_element = page.get_by_test_id("stMetricLabel").get_by_text(label, exact=True)
    return page.get_by_test_id("stMetric").filter(has=label_element).get_by_test_id("stMetricValue")


def open_invite_link(page: Page, alliance: Alliance, code: str) -> None:
    link = invite_codes.invite_link(alliance.base_url, code)
    open_app(page, link, page.get_by_text("You are answering for"))


def answer_every_point(page: Page, alliance: Alliance, *, comment: str) -> dict[str, int | str]:
    """On the open form, answer the learning points one screen at a time (each scale
    value, then don't know, then round again), comment on the first, check and send;
    return the options chosen."""
    framework = alliance.framework
    options = form.scale_options(framework)
    chosen = {}
    for number, point in enumerate(framework.point_keys):
        option = options[number % len(options)]
        choose_on_point(page, point, form.scale_option_label(framework, option))
        if number == 0:
            page.locator(f".st-key-comment_{point} textarea").fill(comment)
        go_next(page, number + 1)
        chosen[point] = option
    expect(page.get_by_text("Check your answers before sending")).to_be_visible()
    page.get_by_role("button", name="Send my answers").tap()
    expect(page.get_by_text("Thank you: your answers are saved.")).to_be_visible()
    return chosen


def choose_on_point(page: Page, point: str, label: str) -> None:
    """Tap ``label`` among the options of the learning point shown, and see it chosen."""
    options = page.locator(f".st-key-answer_{point}:not([data-stale='true'])")
    tap_when_drawn(page, options.get_by_text(label, exact=True))
    expect(options.get_by_role("radio", name=label)).to_be_checked()


def go_next(page: Page, step: int) -> None:
    """Tap Next (Check my answers on the last point) under the point at ``step``."""
    tap_when_drawn(page, page.locator(f".st-key-submit_next_{step}").get_by_role("button"))


def tap_when_drawn(page: Page, target: Locator) -> None:
    """Tap ``target`` once the page's run has ended, as a person would: a new step scrolls
    its top into view as it is drawn, which would move a tap aimed a moment before."""
    expect(target).to_be_visible()
    expect(page.get_by_test_id("stApp")).to_have_attribute("data-test-script-state", "notRunning")
    target.tap()


def receipt_shown(page: Page) -> str:
    """The receipt code the page shows, with its copy button."""
    code = page.locator(".st-key-submit_receipt_code code")
    expect(code).to_be_visible()
    return code.inner_text().strip()


def open_import_page(page: Page, alliance: Alliance) -> Locator:
    """Sign in as the administrator and open the Import page; return its main area."""
    sign_in(page, alliance, role="Administrator", passcode=ADMIN_PASSCODE)
    open_from_sidebar(page, "Import", title="Import")
    main = page.get_by_test_id("stMain")
    expect(main.get_by_text("Response file (CSV)")).to_be_visible()
    return main


def upload(area: Locator, name: str, data: bytes) -> None:
    area.locator(".st-key-admin_import_file input[type=file]").set_input_files(
        {"name": name, "mimeType": "text/csv", "buffer": data}
    )


def table_rows(table: Locator) -> Locator:
    """The body rows of a data frame: its grid is drawn on a canvas, and these rows are
    the accessible copy of the cells the grid keeps in the page."""
    return table.locator("tbody tr")


# What the tests prepare in the database.


def open_new_round(alliance: Alliance, name: str) -> RoundInfo:
    """Close every open round, then create round ``name`` and open it."""
    for earlier in rounds.list_rounds(alliance.db):
        if earlier.is_open:
            rounds.close_round(alliance.db, name=earlier.name, actor="admin")
    rounds.create_round(alliance.db, name=name, actor="admin")
    return rounds.open_round(alliance.db, name=name, actor="admin")


def new_invite_code(alliance: Alliance, group: str) -> str:
    _, code = invite_codes.create_invite_code(
        alliance.db,
        framework=alliance.framework,
        organisation=ORGANISATION_OF_GROUP[group],
        stakeholder_group=group,
        response_cap=10_000,
        actor="admin",
    )
    return code


def add_earlier_responses(alliance: Alliance, round_info: RoundInfo, *, per_group: int) -> None:
    """``per_group`` responses from each group's organisation, scoring every point 3."""
    ids = {o.name: o.id for o in organisations.list_organisations(alliance.db)}
    answers = {point: AnswerInput(score=3) for point in alliance.framework.point_keys}
    with alliance.db.write() as session:
        add_published(
            session,
            [
                NewResponse(round_info.id, ids[ORGANISATION_OF_GROUP[group]], group, answers)
                for group in alliance.framework.group_keys
                for _ in range(per_group)
            ],
            source="test",
        )


def response_csv(
    alliance: Alliance, round_name: str, rows: list[tuple[str, str, str, str | list[str]]]
) -> bytes:
    """A response file; each row is (organisation, group, respondent, answers): the answers
    are one value per learning point, or a single value given to every point."""
    points = alliance.framework.point_keys
    lines = [",".join(["round", "organisation", "group", "respondent", *points])]
    for organisation, group, respondent, answers in rows:
        values = [answers] * len(points) if isinstance(answers, str) else answers
        lines.append(",".join([round_name, organisation, group, respondent, *values]))
    return ("\n".join(lines) + "\n").encode("utf-8")


# The stories.


def test_member_answers_every_point_on_a_phone_and_gets_a_receipt(phone_page, alliance):
    round_info = open_new_round(alliance, "Phone round 2027")
    code = new_invite_code(alliance, "lived_experience")
    organisation = ORGANISATION_OF_GROUP["lived_experience"]

    open_invite_link(phone_page, alliance, code)
    expect(phone_page.get_by_text("You are answering for")).to_contain_text(
        f"You are answering for {organisation} as part of the Lived experience group."
    )
    chosen = answer_every_point(phone_page, alliance, comment=COMMENT)

    receipt = receipt_shown(phone_page)
    assert RECEIPT_CODE.match(receipt)
    page_width = phone_page.evaluate("document.documentElement.scrollWidth")
    assert page_width <= phone_page.viewport_size["width"]  # nothing to scroll sideways
    stored = stored_answers(alliance.db)
    stored = stored[stored["round_id"] == round_info.id].set_index("learning_point")
    assert stored["submission_id"].nunique() == 1
    assert set(stored["organisation"]) == {organisation}
    assert set(stored["stakeholder_group"]) == {"lived_experience"}
    assert {
        point: form.DONT_KNOW if row.dont_know else int(row.score)
        for point, row in stored.iterrows()
    } == chosen
    assert stored.loc[alliance.framework.point_keys[0], "comment"] == COMMENT
    by_receipt = submissions.find_submission(alliance.db, receipt_code=receipt)
    assert by_receipt.submission_id == stored["submission_id"].iloc[0]


def test_administrator_closes_the_round_on_the_rounds_page(page, alliance):
    open_new_round(alliance, "Closing round 2027")

    sign_in(page, alliance, role="Administrator", passcode=ADMIN_PASSCODE)
    open_from_sidebar(page, "Rounds", title="Rounds")
    choose(page, "admin_round_pick", "Closing round 2027")
    close = page.locator(".st-key-admin_round_close").get_by_role("button")
    expect(close).to_be_disabled()
    page.get_by_text("Yes, close round 'Closing round 2027'").click()
    expect(close).to_be_enabled()
    close.click()

    expect(
        page.get_by_text("Round 'Closing round 2027' is closed; its results can now be seen.")
    ).to_be_visible()
    # Closed means frozen: it can't be opened again.
    expect(page.locator(".st-key-admin_round_open").get_by_role("button")).to_be_disabled()
    is_open = {r.name: r.is_open for r in rounds.list_rounds(alliance.db)}
    assert is_open["Closing round 2027"] is False


def test_leadership_sees_a_new_answer_counted_once_the_round_closes(page, phone_page, alliance):
    per_group = alliance.min_group_size
    round_info = open_new_round(alliance, "Counted round 2027")
    add_earlier_responses(alliance, round_info, per_group=per_group)
    code = new_invite_code(alliance, "provider")

    sign_in(page, alliance, role="Leadership team", passcode=LEADERSHIP_PASSCODE)
    open_from_sidebar(page, "Divergence overview", title="Where do we diverge?")
    choose(page, "leadership_round", "Counted round 2027 (open: counts only)")
    expect(metric_value(page, "Service providers")).to_have_text(str(per_group))

    # Sending answers clears the app's cached reads, so the leadership page reads afresh.
    open_invite_link(phone_page, alliance, code)
    answer_every_point(phone_page, alliance, comment="")
    rounds.close_round(alliance.db, name="Counted round 2027", actor="admin")
    open_from_sidebar(page, "Home", title=alliance.framework.title)
    open_from_sidebar(page, "Divergence overview", title="Where do we diverge?")

    expect(select_box(page, "leadership_round")).to_have_value("Counted round 2027 (closed)")
    expect(page.get_by_text("Counted round 2027 (closed) ·")).to_be_visible()  # results shown
    expect(metric_value(page, "Service providers")).to_have_text(str(per_group + 1))
    expect(metric_value(page, "Commissioners")).to_have_text(str(per_group))
    expect(metric_value(page, "People who answered")).to_have_text(
        str(per_group * len(alliance.framework.group_keys) + 1)
    )


def test_administrator_imports_paper_forms_from_an_uploaded_csv(page, alliance):
    paper = rounds.create_round(alliance.db, name="Paper forms 2026", actor="admin")
    shelter, council = ORGANISATION_OF_GROUP["provider"], ORGANISATION_OF_GROUP["commissioner"]
    data = response_csv(
        alliance,
        "Paper forms 2026",
        [
            (shelter, "provider", "paper-1", "4"),
            (shelter, "provider", "paper-2", "DK"),
            (council, "commissioner", "paper-3", "2"),
        ],
    )

    area = open_import_page(page, alliance)
    upload(area, "paper-forms.csv", data)
    expect(area.get_by_text("The first rows of 3 in the file:")).to_be_visible()
    preview = area.get_by_test_id("stDataFrame")
    expect(table_rows(preview)).to_have_count(3)
    expect(table_rows(preview).nth(2)).to_contain_text("paper-3")
    area.get_by_role("button", name="Import 3 responses").click()

    expect(area.get_by_text("Imported 3 responses.")).to_be_visible()
    stored = load_answers(alliance.db, round_ids=[paper.id])
    points = len(alliance.framework.point_keys)
    assert stored.groupby("respondent")["score"].sum().to_dict() == {
        "paper-1": 4 * points,
        "paper-2": 0,
        "paper-3": 2 * points,
    }
    assert stored.groupby("respondent")["dont_know"].sum().to_dict() == {
        "paper-1": 0,
        "paper-2": points,
        "paper-3": 0,
    }


def test_an_invalid_csv_shows_its_row_errors_and_imports_nothing(page, alliance):
    rejected = rounds.create_round(alliance.db, name="Rejected forms 2026", actor="admin")
    shelter = ORGANISATION_OF_GROUP["provider"]
    points = len(alliance.framework.point_keys)
    data = response_csv(
        alliance,
        "Rejected forms 2026",
        [
            (shelter, "provider", "typed-1", "4"),
            (shelter, "provider", "typed-2", ["7"] + ["4"] * (points - 1)),
            ("Nowhere House", "provider", "typed-3", "4"),
        ],
    )

    area = open_import_page(page, alliance)
    upload(area, "typed-up.csv", data)

    expect(
        area.get_by_text("Nothing can be imported yet: the file has 2 problems.", exact=False)
    ).to_be_visible()
    problems = area.get_by_test_id("stTable").filter(has=page.locator("th", has_text="Problem"))
    expect(table_rows(problems).nth(0).locator("td")).to_have_text(
        ["3", alliance.framework.point_keys[0], re.compile("^7 is outside the scale")]
    )
    expect(table_rows(problems).nth(1).locator("td")).to_have_text(
        ["4", "organisation", re.compile("no organisation called 'Nowhere House'")]
    )
    expect(area.get_by_role("button", name=re.compile("^Import"))).to_have_count(0)
    assert load_answers(alliance.db, round_ids=[rejected.id]).empty
    names = [o.name for o in organisations.list_organisations(alliance.db)]
    assert "Nowhere House" not in names

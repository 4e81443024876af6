"""What the pages, the meeting pack and the workbook say on the demo alliance: statuses
that name the groups they cover, gaps that name who is highest and lowest, changes read
like for like, statistics jargon behind "For analysts", one vocabulary (people and scores)
and identical comments listed once.

Demo facts these tests rest on: lived experience is withheld in Autumn 2025 (four
people) and shown in Spring 2026. On "Get the right people in the room" the gap over
commissioners and service providers went from 1.39 to 0.92, while the gap over all three
groups in Spring 2026 is 2.09 (commissioners 3.92 highest, lived experience 1.83 lowest,
from 6 scores); four service providers wrote the same comment on "Rethink 'impact'".
"""

from __future__ import annotations

import io
import re

import openpyxl
import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from collab.domain import organisations, rounds
from collab.domain.submissions import AnswerInput, NewResponse
from collab.present import pack as meeting_pack
from collab.stats.change import DIRECTIONS
from collab.store.db import Database
from collab.store.framework import Framework
from tests.support.answers import add_published
from tests.support.app import chart, open_page, start_app, texts

DIVERGENCE = "pages/divergence.py"
LEARNING_POINT = "pages/learning_point.py"
MEETING = "pages/meeting.py"
TRENDS = "pages/trends.py"
FIRST_ROUND, SECOND_ROUND = "Autumn 2025", "Spring 2026"
RIGHT_PEOPLE = "Get the right people in the room"
LIKE_FOR_LIKE = (
    "Over commissioners and service providers only, the groups shown in both rounds, the gap "
    f"went from 1.39 to 0.92 since {FIRST_ROUND}: about the same"
)
WHO_IS_WHERE = "commissioners highest (3.92), lived experience lowest (1.83)"
REPEATED_COMMENT = "We report shared stories of change now, not just our own figures."
ANALYSTS = "For analysts"
# Statistics jargon that belongs behind "For analysts" only.
JARGON = re.compile(r"H = |p = |p < |ε²|epsilon|0-1|\(n\)|n \(scores\)|permutation|chi2|Kruskal")


def learning_point(at: AppTest, point: str, round_name: str = SECOND_ROUND) -> AppTest:
    at.selectbox(key="leadership_round").set_value(round_name).run()
    at.selectbox(key="leadership_learning_point").set_value(point).run()
    assert not at.exception
    return at


def meeting_at(at: AppTest, point: str, framework: Framework) -> AppTest:
    """Meeting mode moved to ``point`` in framework order."""
    at.radio(key="meeting_order").set_value("framework").run()
    for _ in range(framework.point_keys.index(point)):
        at.button(key="meeting_next").click().run()
    assert not at.exception
    return at


def comments_and_actions(at: AppTest) -> AppTest:
    """Meeting mode's second view of the point shown: comments, actions, figures."""
    return at.button(key="meeting_view_comments").click().run()


def badges(at: AppTest) -> list[str]:
    return [m.value.replace("\\", "") for m in at.markdown if "-badge[" in m.value]


def table_text(frame: pd.DataFrame) -> str:
    return " ".join([*map(str, frame.columns), *map(str, frame.to_numpy().ravel())])


def analysts_expander(at: AppTest):
    found = [e for e in at.expander if e.label.startswith(ANALYSTS)]
    assert len(found) == 1
    return found[0]


def outside_analysts(at: AppTest) -> str:
    """Every table and line of text on the page, except what is inside "For analysts"."""
    inside = [t.value for t in analysts_expander(at).table]
    tables = [t.value for t in at.table if not any(t.value.equals(i) for i in inside)]
    assert len(tables) == len(at.table) - len(inside)
    parts = [table_text(t) for t in tables]
    parts += [texts(at.markdown), texts(at.subheader), texts(at.info), texts(at.caption)]
    return " ".join(parts)


@pytest.fixture(scope="module")
def demo_pack_and_workbook(tmp_path_factory, demo_file, framework):
    """The demo's Spring 2026 meeting pack and workbook, built once for the module."""
    database = Database.from_url(f"sqlite:///{demo_file}")
    try:
        options = {"framework": framework, "round_name": SECOND_ROUND, "min_group_size": 5}
        return (
            meeting_pack.build_meeting_pack(database, **options),
            meeting_pack.build_meeting_workbook(database, **options),
        )
    finally:
        database.dispose()


# Change since last time, like for like


def test_right_people_change_reads_over_commissioners_and_providers_only(demo_db, framework):
    at = learning_point(start_app("leadership", LEARNING_POINT), "right_people")
    shown = texts(at.markdown)
    assert LIKE_FOR_LIKE in shown
    assert "widened by 0.70" not in shown and "diverging" not in shown

    at = meeting_at(open_page(MEETING), "right_people", framework)
    shown = texts(at.markdown)
    assert LIKE_FOR_LIKE in shown
    assert "widened" not in shown and "diverging" not in shown


def test_the_overview_since_table_names_the_groups_compared(demo_db):
    at = start_app("leadership", DIVERGENCE)
    changes = at.table[0].value.set_index("Learning point")
    row = changes.loc[RIGHT_PEOPLE]
    assert row["Groups compared"] == "commissioners and service providers"
    assert (row[f"Gap in {FIRST_ROUND}"], row[f"Gap in {SECOND_ROUND}"]) == ("1.39", "0.92")
    assert row["What changed"].startswith("went from 1.39 to 0.92: about the same")
    assert "over commissioners and service providers only" in row["What changed"]


def test_trends_read_the_gap_like_for_like_with_two_decimals(demo_db):
    at = open_page(TRENDS)
    assert not at.exception
    table = at.table[0].value.set_index("Learning point")
    row = table.loc[RIGHT_PEOPLE]
    assert (row["Gap then"], row["Gap now"]) == ("1.39", "0.92")
    assert row["Groups compared"] == "commissioners and service providers"
    assert row["Direction"] == "About the same: a change chance could easily give"
    assert "0.05" not in texts(at.caption)
    titles = [a["text"] for a in chart(at, "trends_small_multiples")["layout"]["annotations"]]
    title = next(t for t in titles if "right people" in t)
    assert "gap 1.39 → 0.92*: about the same" in title
    assert (
        "* Over commissioners and service providers only, the groups shown in both rounds "
        "compared: every learning point."
    ) in texts(at.caption)


def test_a_group_mean_is_called_up_only_when_its_interval_excludes_0(demo_db):
    at = learning_point(start_app("leadership", LEARNING_POINT), "realistic")
    shown = texts(at.markdown)
    # Providers on "Be realistic": 2.08 -> 2.56, Welch interval 0.05 to 0.92.
    assert f"Service providers: up 0.49 since {FIRST_ROUND}" in shown
    assert f"Commissioners: about the same as in {FIRST_ROUND}" in shown


# Statuses and who is where


def test_autumn_statuses_name_lived_experience_as_withheld(demo_db, framework):
    at = start_app("leadership", DIVERGENCE)
    at.selectbox(key="leadership_round").set_value(FIRST_ROUND).run()
    lines = [m.value.replace("\\", "") for m in at.markdown]
    scope = next(i for i, line in enumerate(lines) if "These statuses compare only" in line)
    assert "lived experience is withheld on every learning point" in lines[scope]
    first_badge = next(i for i, line in enumerate(lines) if "-badge[" in line)
    assert scope < first_badge
    shared = next(line for line in badges(at) if "Shared view" in line)
    assert "Stay focused (gap 0.10; lived experience withheld)" in shared

    at = learning_point(start_app("leadership", LEARNING_POINT), "focus", FIRST_ROUND)
    assert any(
        "Shared view between commissioners and service providers; lived experience withheld" in b
        for b in badges(at)
    )

    at = open_page(MEETING)
    at.selectbox(key="meeting_round").set_value(FIRST_ROUND).run()
    at = meeting_at(at, "focus", framework)
    assert any(
        "Shared view between commissioners and service providers; lived experience withheld" in b
        for b in badges(at)
    )
    assert not [b for b in badges(at) if b.endswith("Shared view]")]


def test_every_gap_reading_names_the_highest_and_lowest_group(demo_db, framework):
    at = learning_point(start_app("leadership", LEARNING_POINT), "right_people")
    assert f"A gap of 2.09 points, the largest this round: {WHO_IS_WHERE}" in texts(at.markdown)
    between = at.table[1].value.set_index("Figure")
    assert (
        WHO_IS_WHERE in between.loc["Gap between highest and lowest group average", "What it means"]
    )

    at = open_page(MEETING)
    assert "A gap of 2.09 points: the largest this round" in texts(at.subheader)
    assert f"**{WHO_IS_WHERE[0].upper()}{WHO_IS_WHERE[1:]}**" in texts(at.markdown)


# Statistics jargon, small groups


def test_jargon_is_inside_the_for_analysts_expander(demo_db, framework):
    at = learning_point(start_app("leadership", LEARNING_POINT), "right_people")
    assert not JARGON.search(outside_analysts(at))
    inside = " ".join(table_text(t.value) for t in analysts_expander(at).table)
    for jargon in ("H = ", "p < 0.001", "ε²", "Consensus (0-1)", "n (scores)", "permutation"):
        assert jargon in inside
    # Small groups: the p-value is labelled as a hint, in front and behind the expander.
    assert "Only a hint" in outside_analysts(at) and "a hint, not evidence" in inside

    at = open_page(MEETING)
    picture = [texts(at.markdown), texts(at.subheader), texts(at.info), texts(at.caption)]
    assert not JARGON.search(" ".join(picture))
    at = comments_and_actions(at)
    assert not JARGON.search(outside_analysts(at))
    inside = " ".join(table_text(t.value) for t in analysts_expander(at).table)
    assert "H = " in inside and "permutation" in inside


def test_meeting_says_a_small_groups_likely_range_in_words(demo_db):
    at = open_page(MEETING)
    assert (
        "Lived experience: average 1.8 from 6 scores; with so few, the true average could "
        "lie anywhere from 1.0 to 2.6"
    ) in texts(at.markdown)
    # Groups of 10 or more scores need no such caution.
    assert "Service providers: average" not in texts(at.markdown)


def test_the_group_grid_says_a_small_groups_interval_in_words(demo_db):
    at = learning_point(start_app("leadership", LEARNING_POINT), "right_people")
    grid = at.table[0].value.set_index("Figure")
    assert grid.loc["Likely range of the average", "Lived experience"] == (
        "1.0 to 2.6: with 6 scores, the true average could lie anywhere here"
    )


# Comments


def test_identical_comments_are_listed_once_with_a_count(
    demo_db, framework, demo_pack_and_workbook
):
    at = learning_point(start_app("leadership", LEARNING_POINT), "impact")
    lines = [t.value for t in at.text]
    assert lines.count(f"{REPEATED_COMMENT} (4 people wrote this)") == 1
    assert REPEATED_COMMENT not in lines

    at = comments_and_actions(meeting_at(open_page(MEETING), "impact", framework))
    lines = [t.value for t in at.text]
    assert lines.count(f"{REPEATED_COMMENT} (4 people wrote this)") == 1
    assert REPEATED_COMMENT not in lines

    pack, _ = demo_pack_and_workbook
    assert pack.count(REPEATED_COMMENT) == 1
    assert f"{REPEATED_COMMENT} (4 people wrote this)" in pack


# The pack and the workbook


def test_the_pack_reads_the_change_like_for_like_and_names_who_is_where(demo_pack_and_workbook):
    pack, _ = demo_pack_and_workbook
    assert LIKE_FOR_LIKE in pack
    assert "widened by" not in pack and "narrowed by" not in pack
    assert f"A gap of 2.09 points, the largest this round: {WHO_IS_WHERE}" in pack
    assert "For analysts" in pack


def test_the_workbook_carries_the_new_columns_and_directions(demo_pack_and_workbook):
    _, workbook_bytes = demo_pack_and_workbook
    sheet = openpyxl.load_workbook(io.BytesIO(workbook_bytes))["divergence"]
    rows = list(sheet.iter_rows(values_only=True))
    frame = pd.DataFrame(rows[1:], columns=rows[0]).set_index("learning_point")
    assert set(frame["direction"]) <= set(DIRECTIONS)
    right = frame.loc["right_people"]
    assert right["groups_compared"] == "commissioner;provider"
    assert (round(right["previous_gap"], 2), round(right["gap_change"], 2)) == (1.39, -0.46)
    assert right["direction"] == "about_the_same"
    assert (right["highest_group"], right["lowest_group"]) == ("commissioner", "lived_experience")
    assert "steady" not in {str(v) for v in frame.to_numpy().ravel()}


def add_dont_know_round(db: Database, framework: Framework) -> None:
    """One closed round: 8 commissioners who all answered "don't know" on "Get the right
    people in the room" (and 3 elsewhere), 6 providers and 6 lived-experience members."""
    info = rounds.create_round(db, name="R2", actor="admin")
    organisation = organisations.create_organisation(db, name="Harbour Council", actor="admin")

    def person(group: str, dont_know_on_right_people: bool) -> NewResponse:
        answers = {p: AnswerInput(score=3) for p in framework.point_keys}
        if dont_know_on_right_people:
            answers["right_people"] = AnswerInput(dont_know=True)
        return NewResponse(info.id, organisation.id, group, answers)

    people = [person("commissioner", True) for _ in range(8)]
    people += [person(g, False) for g in ("provider", "lived_experience") for _ in range(6)]
    with db.write() as session:
        add_published(session, people, source="import")


def test_pack_says_scores_not_responses_for_dont_know(sqlite_db, framework):
    add_dont_know_round(sqlite_db, framework)
    pack = meeting_pack.build_meeting_pack(
        sqlite_db, framework=framework, round_name="R2", min_group_size=5
    )
    assert "Too few responses" not in pack
    assert (
        "Too few scores from commissioners on this point to show: fewer than 5 of the 8 people "
        "who took part gave a score (the others answered &#39;don&#39;t know&#39; or left it "
        "blank)"
    ) in pack
    assert "Every group has enough people taking part" in pack
    assert "fewer than 5 of its people gave a score there" in pack

"""What one run of a page reads: the settings once, its view's cache key once, and each
chart and group's own view only when the view or the answers change.

Through AppTest on app.py over a copy of the demo alliance, like the leadership page
tests; calls are counted by wrapping the function the web layer calls.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from collab import demo
from collab.domain import organisations, rounds
from collab.domain.submissions import AnswerInput, NewResponse
from collab.present import charts
from collab.stats import agenda
from collab.store import config
from collab.store.db import Database
from collab.store.framework import Framework
from collab.web import cache
from tests.support.answers import add_published

PROJECT_DIR = Path(__file__).resolve().parents[2]
APP = PROJECT_DIR / "app.py"
DIVERGENCE = "pages/divergence.py"
LEARNING_POINT = "pages/learning_point.py"
SHOWN_ROUND = "Spring 2026"


def open_page(page: str) -> AppTest:
    """The app, signed in as the leadership team, on ``page``."""
    at = AppTest.from_file(APP, default_timeout=30)
    at.session_state["role"] = "leadership"
    at.run()
    at.switch_page(page)
    return at.run()


def count_calls(monkeypatch, owner, name: str) -> list[tuple]:
    """Wrap ``owner.name`` so that each call is listed (with its arguments) in the result."""
    calls: list[tuple] = []
    original = getattr(owner, name)

    def counted(*args, **kwargs):
        calls.append(args)
        return original(*args, **kwargs)

    monkeypatch.setattr(owner, name, counted)
    return calls


def add_answers(db: Database, framework: Framework, round_name: str) -> None:
    """Five more commissioners' answers (all 1) in ``round_name``, stored as an import is."""
    round_id = rounds.get_round(db, round_name).id
    organisation = organisations.create_organisation(db, name="Late Answers Council", actor="admin")
    scores = {point: AnswerInput(score=1) for point in framework.point_keys}
    people = [NewResponse(round_id, organisation.id, "commissioner", scores) for _ in range(5)]
    with db.write() as session:
        add_published(session, people, source="test")


def people_who_answered(at: AppTest) -> int:
    return int(next(m.value for m in at.metric if m.label == "People who answered"))


@pytest.mark.parametrize("page", [DIVERGENCE, LEARNING_POINT])
def test_a_leadership_page_run_reads_the_settings_once(demo_db, monkeypatch, page):
    at = open_page(page)
    calls = count_calls(monkeypatch, config, "get_settings")
    at.run()
    assert len(calls) == 1
    at.selectbox(key="leadership_round").set_value("Autumn 2025").run()
    assert len(calls) == 2


def test_a_run_through_the_entry_script_and_a_page_reads_the_settings_once(demo_db, monkeypatch):
    calls = count_calls(monkeypatch, config, "get_settings")
    at = AppTest.from_file(APP, default_timeout=30)
    at.session_state["role"] = "leadership"
    at.run()
    assert not at.exception
    assert len(calls) == 1


def test_settings_changed_between_runs_apply_on_the_next_run(demo_db, monkeypatch):
    at = open_page(DIVERGENCE)
    assert "fewer than 5 scores there" in " ".join(c.value for c in at.caption)
    monkeypatch.setenv("COLLAB_MIN_GROUP_SIZE", "7")
    at.run()
    assert "fewer than 7 scores there" in " ".join(c.value for c in at.caption)


@pytest.mark.parametrize("page", [DIVERGENCE, LEARNING_POINT])
def test_a_leadership_page_run_works_out_its_views_cache_key_once(demo_db, monkeypatch, page):
    at = open_page(page)
    calls = count_calls(monkeypatch, Database, "data_versions")
    at.run()
    assert len(calls) == 1
    at.multiselect(key="leadership_groups").set_value(["commissioner", "provider"]).run()
    assert len(calls) == 2


def test_a_chart_is_built_once_per_view_and_again_when_answers_arrive(
    demo_db, framework, monkeypatch
):
    at = open_page(DIVERGENCE)
    builds = count_calls(monkeypatch, charts, "gap_ranking")
    counted_before = people_who_answered(at)
    at.run()
    assert builds == []
    add_answers(demo_db, framework, SHOWN_ROUND)
    at.run()
    assert len(builds) == 1
    assert people_who_answered(at) == counted_before + 5


def test_a_groups_own_view_is_worked_out_once_per_view_and_again_when_answers_arrive(
    demo_db, framework, monkeypatch
):
    at = open_page(DIVERGENCE)
    worked_out = count_calls(monkeypatch, agenda, "group_view")
    at.run()
    assert worked_out == []
    add_answers(demo_db, framework, SHOWN_ROUND)
    at.run()
    # Once for the chart and the sentences beside it.
    assert len(worked_out) == 1


def test_whether_the_alliance_is_the_demo_is_not_read_again_after_members_answer(
    demo_db, monkeypatch
):
    at = open_page(DIVERGENCE)
    reads = count_calls(monkeypatch, demo, "is_demo")
    with demo_db.write(changes_results=False):
        pass  # what a member's answers move: the data version, not the results version
    at.run()
    assert not at.exception
    assert reads == []


def test_the_same_figure_is_handed_out_until_the_cached_reads_are_cleared(demo_db):
    view = cache.ResultsView(
        SHOWN_ROUND,
        ("commissioner", "provider", "lived_experience"),
        (),
        f"{SHOWN_ROUND} (closed)",
    )
    first = cache.chart(view, "gap_ranking")
    assert cache.chart(view, "gap_ranking") is first
    cache.clear()
    assert cache.chart(view, "gap_ranking") is not first
    assert cache.chart(view, "gap_ranking").to_dict() == first.to_dict()


def test_streamlit_clear_cache_message_costs_the_leadership_pages_nothing(demo_db):
    view = cache.ResultsView(
        SHOWN_ROUND,
        ("commissioner", "provider", "lived_experience"),
        (),
        f"{SHOWN_ROUND} (closed)",
    )
    first = cache.chart(view, "gap_ranking")
    results = cache.round_results(view)
    database = cache.database()
    # What any browser can make the server do, signed in or not.
    st.cache_data.clear()
    st.cache_resource.clear()
    assert cache.chart(view, "gap_ranking") is first
    assert cache.database() is database
    assert cache.round_results(view).summary.equals(results.summary)


def test_every_page_starts_its_run_before_anything_else():
    for path in sorted((PROJECT_DIR / "pages").glob("*.py")):
        body = ast.parse(path.read_text(encoding="utf-8")).body
        statements = [
            node
            for node in body
            if not isinstance(node, (ast.Import, ast.ImportFrom))
            and not (isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant))
        ]
        assert ast.unparse(statements[0]) == "session.start_run()", path.name

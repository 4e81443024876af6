"""The leadership pages (Divergence overview, Learning point detail) through AppTest on app.py.

The demo alliance is built once for the module and copied for each test; each test
points the app at its own SQLite file. Figures are checked in the chart specs the pages
send to the browser, so a withheld group is seen to carry no value there.
"""

from __future__ import annotations

import json

import pytest
from streamlit.testing.v1 import AppTest

from collab.domain import organisations, rounds, submissions
from collab.domain.submissions import AnswerInput, NewResponse
from collab.stats import agenda
from collab.store.db import Database
from collab.store.framework import Framework
from collab.web import cache
from tests.support.alliances import ROUND, answers, open_alliance
from tests.support.answers import add_published
from tests.support.app import chart, page_text, start_app, texts

DIVERGENCE = "pages/divergence.py"
LEARNING_POINT = "pages/learning_point.py"
FIRST_ROUND, SECOND_ROUND, OPEN_ROUND = "Autumn 2025", "Spring 2026", "Autumn 2026"


def chart_titles(at: AppTest) -> list[str]:
    return [json.loads(e.proto.spec)["layout"]["title"]["text"] for e in at.get("plotly_chart")]


def metrics(at: AppTest) -> dict[str, str]:
    return {m.label: m.value for m in at.metric}


# Divergence overview


def test_overview_shows_the_latest_closed_round_by_default(demo_db):
    at = start_app("leadership", DIVERGENCE)
    assert not at.exception
    assert at.selectbox(key="leadership_round").value == SECOND_ROUND
    assert chart_titles(at) == [
        f"Where the groups see things differently, largest gap first: {SECOND_ROUND}",
        f"Average score of each group on each learning point: {SECOND_ROUND}",
        f"Where to start: each learning point by level and gap: {SECOND_ROUND}",
        f"Where commissioners stand apart from the other groups: {SECOND_ROUND}",
    ]


def test_overview_names_every_learning_point_under_a_status_badge(demo_db, framework):
    at = start_app("leadership", DIVERGENCE)
    lines = [m.value.replace("\\", "") for m in at.markdown if "-badge[" in m.value]
    assert lines[0].startswith(":orange-badge[:material/call_split: Groups diverge]")
    for point in framework.learning_points:
        assert sum(point.title in line for line in lines) == 1


def test_overview_shows_participation_counts_per_group(demo_db):
    at = start_app("leadership", DIVERGENCE)
    assert metrics(at) == {
        "People who answered": "56",
        "Commissioners": "13",
        "Service providers": "34",
        "Lived experience": "9",
    }


def test_overview_gap_ranking_puts_the_largest_gap_first(demo_db):
    at = start_app("leadership", DIVERGENCE)
    ranking = chart(at, "divergence_gap_ranking")
    rows = ranking["layout"]["yaxis"]["ticktext"]  # each point's title, gap and status
    gaps = [float(row.split("gap ")[1].split("<")[0]) for row in rows]
    assert len(gaps) == 8
    assert gaps == sorted(gaps, reverse=True)


def test_overview_gap_ranking_draws_each_groups_interval(demo_db):
    at = start_app("leadership", DIVERGENCE)
    ranking = chart(at, "divergence_gap_ranking")
    found = cache.round_results(
        cache.ResultsView(
            SECOND_ROUND,
            ("commissioner", "provider", "lived_experience"),
            (),
            f"{SECOND_ROUND} (closed)",
        )
    )
    cells = found.summary.set_index(["learning_point", "group"])
    points = ranking["layout"]["meta"]["ranked_points"]
    for trace in ranking["data"][1:]:
        group = trace["meta"]["group"]
        for point, x, plus, minus in zip(
            points,
            trace["x"],
            trace["error_x"]["array"],
            trace["error_x"]["arrayminus"],
            strict=True,
        ):
            cell = cells.loc[(point, group)]
            assert x - minus == pytest.approx(cell["mean_low"])
            assert x + plus == pytest.approx(cell["mean_high"])


def test_overview_shows_the_agenda_low_and_divergent_first(demo_db, framework):
    at = start_app("leadership", DIVERGENCE)
    assert "Agenda: where to start" in texts(at.subheader)
    agenda_map = chart(at, "leadership_agenda_map")
    order = agenda_map["layout"]["meta"]["agenda_points"]
    table = at.table[-1].value
    assert list(table["Order"]) == list(range(1, 9))
    assert list(table["Learning point"]) == [framework.point(p).title for p in order]
    statuses = list(table["Status"])
    assert statuses[0].startswith("Groups diverge")
    assert statuses[-1].startswith(("Shared view", "Not enough groups"))
    assert "highest" in table["Who is where"].iloc[0]


def test_overview_shows_a_groups_own_view_with_sentences(demo_db, framework):
    at = start_app("leadership", DIVERGENCE)
    assert at.selectbox(key="leadership_own_view_group").value == "commissioner"
    bars = chart(at, "leadership_own_view")["data"][0]
    sizes = [abs(x) for x in bars["x"]]
    assert sizes == sorted(sizes, reverse=True)
    first = framework.point(bars["meta"]["points"][0]).title
    assert f"{first}: commissioners average" in texts(at.markdown)
    at.selectbox(key="leadership_own_view_group").set_value("provider").run()
    title = chart(at, "leadership_own_view")["layout"]["title"]["text"]
    assert title.startswith("Where service providers stand apart")


def test_own_view_of_a_withheld_group_shows_nothing_and_says_why(demo_db):
    at = start_app("leadership", DIVERGENCE)
    at.selectbox(key="leadership_round").set_value(FIRST_ROUND).run()
    at.selectbox(key="leadership_own_view_group").set_value("lived_experience").run()
    assert not at.exception
    assert all("leadership_own_view" not in e.proto.id for e in at.get("plotly_chart"))
    assert "Nothing to show for lived experience in this round" in texts(at.info)


def test_first_demo_round_shows_lived_experience_as_withheld(demo_db):
    at = start_app("leadership", DIVERGENCE)
    at.selectbox(key="leadership_round").set_value(FIRST_ROUND).run()
    levels = chart(at, "divergence_score_levels")
    means, withheld = levels["data"]
    assert means["x"][2] == "Lived experience"
    assert [row[2] for row in means["z"]] == [None] * 8
    assert "withheld" in withheld["text"][0][2]
    assert "Too few scores from lived experience to show (fewer than 5)" in texts(at.markdown)


def test_dropping_a_group_removes_it_from_what_is_shown(demo_db):
    at = start_app("leadership", DIVERGENCE)
    at.multiselect(key="leadership_groups").set_value(["commissioner", "provider"]).run()
    assert not at.exception
    assert "Lived experience" not in metrics(at)
    assert chart(at, "divergence_score_levels")["data"][0]["x"] == [
        "Commissioners",
        "Service providers",
    ]
    ranking = chart(at, "divergence_gap_ranking")
    assert [t["name"] for t in ranking["data"][1:]] == ["Commissioners", "Service providers"]


def test_organisation_filter_narrows_the_counts_and_says_so(demo_db):
    at = start_app("leadership", DIVERGENCE)
    at.multiselect(key="leadership_organisations").set_value(
        ["Calderholt County Council", "Fernbank Housing Association"]
    ).run()
    assert not at.exception
    counts = metrics(at)
    assert int(counts["People who answered"]) < 56
    assert "Calderholt County Council, Fernbank Housing Association" in texts(at.caption)


def test_open_round_shows_participation_counts_only(demo_db):
    at = start_app("leadership", DIVERGENCE)
    at.selectbox(key="leadership_round").set_value(OPEN_ROUND).run()
    assert "This round is still open" in at.info[0].value
    assert at.get("plotly_chart") == []
    assert int(metrics(at)["People who answered"]) > 0


def test_live_results_turned_off_elsewhere_hide_at_once_despite_the_cache(demo_db):
    rounds.set_live_results(demo_db, name=OPEN_ROUND, on=True, actor="admin")
    at = start_app("leadership", DIVERGENCE)
    at.selectbox(key="leadership_round").set_value(OPEN_ROUND).run()
    assert at.get("plotly_chart")  # the open round's published results, now cached
    rounds.set_live_results(demo_db, name=OPEN_ROUND, on=False, actor="admin")
    at.run()
    assert "This round is still open" in at.info[0].value
    assert at.get("plotly_chart") == []


def test_closing_a_round_elsewhere_shows_its_results_on_the_next_run(demo_db):
    at = start_app("leadership", DIVERGENCE)
    at.selectbox(key="leadership_round").set_value(OPEN_ROUND).run()
    assert at.get("plotly_chart") == []
    rounds.close_round(demo_db, name=OPEN_ROUND, actor="admin")
    at.run()
    assert len(at.get("plotly_chart")) == 4


def test_choosing_no_group_asks_for_one(demo_db):
    at = start_app("leadership", DIVERGENCE)
    at.multiselect(key="leadership_groups").set_value([]).run()
    assert "Choose at least one stakeholder group" in at.info[0].value
    assert at.get("plotly_chart") == []


@pytest.mark.parametrize("page", [DIVERGENCE, LEARNING_POINT])
def test_empty_database_says_there_is_no_round_yet(app_db, page):
    at = start_app("leadership", page)
    assert not at.exception
    assert "No closed round yet" in at.info[0].value
    assert at.get("plotly_chart") == []


def test_a_round_without_answers_says_nobody_has_answered(app_db):
    rounds.create_round(app_db, name="Spring 2027", actor="admin")
    rounds.open_round(app_db, name="Spring 2027", actor="admin")
    rounds.close_round(app_db, name="Spring 2027", actor="admin")
    at = start_app("leadership", DIVERGENCE)
    assert "Nobody has answered round 'Spring 2027' yet" in at.info[0].value


def test_a_round_not_yet_opened_says_so_and_is_not_shown_first(demo_db):
    rounds.create_round(demo_db, name="Spring 2027", actor="admin")
    at = start_app("leadership", DIVERGENCE)
    assert at.selectbox(key="leadership_round").value == SECOND_ROUND
    at.selectbox(key="leadership_round").set_value("Spring 2027").run()
    assert not at.exception
    assert texts(at.info) == (
        "Round 'Spring 2027' has not opened yet, so nobody has been able to answer it. "
        "An administrator opens it on the Administration page."
    )
    assert at.metric == [] and at.warning == []
    assert at.get("plotly_chart") == []


# Learning point detail


def test_learning_point_page_shows_distribution_statistics_and_comments(demo_db, framework):
    at = start_app("leadership", LEARNING_POINT)
    assert not at.exception
    assert at.selectbox(key="leadership_learning_point").value == framework.point_keys[0]
    bars = chart(at, "learning_point_distribution")
    assert [t["name"] for t in bars["data"]][0] == "1 · Not yet happening"
    groups, between, analyst_between, analyst_groups = at.table
    assert list(groups.value.columns) == [
        "Figure", "Commissioners", "Service providers", "Lived experience",
    ]  # fmt: skip
    assert at.text  # comments, as plain text
    assert "Could chance explain the difference? (supporting evidence only)" in list(
        between.value["Figure"]
    )
    assert "Kruskal-Wallis test (supporting evidence only)" in list(analyst_between.value["Figure"])
    assert list(analyst_groups.value.columns) == list(groups.value.columns)


def test_choosing_a_learning_point_shows_that_point(demo_db, framework):
    at = start_app("leadership", LEARNING_POINT)
    at.selectbox(key="leadership_learning_point").set_value("focus").run()
    assert at.header[0].value == "Stay focused"
    assert "“Stay focused”" in chart(at, "learning_point_distribution")["layout"]["title"]["text"]


def test_learning_point_page_says_in_words_when_a_group_is_withheld(demo_db):
    at = start_app("leadership", LEARNING_POINT)
    at.selectbox(key="leadership_round").set_value(FIRST_ROUND).run()
    assert "Too few scores from lived experience on this point to show (fewer than 5)" in texts(
        at.info
    )
    bars = chart(at, "learning_point_distribution")
    assert all(len(trace["x"]) == 2 for trace in bars["data"])
    assert list(at.table[0].value["Lived experience"])[1:] == ["—"] * 6


def test_learning_point_page_shows_change_since_the_previous_round(demo_db):
    at = start_app("leadership", LEARNING_POINT)
    shown = texts(at.markdown)
    assert f"since {FIRST_ROUND}" in shown
    # Up or down only when the Welch interval excludes 0; the demo's change here is noise.
    assert "Commissioners: about the same as in" in shown
    assert "steady" not in shown


def test_learning_point_page_of_an_open_round_shows_counts_only(demo_db):
    at = start_app("leadership", LEARNING_POINT)
    at.selectbox(key="leadership_round").set_value(OPEN_ROUND).run()
    assert "This round is still open" in at.info[0].value
    assert at.table == [] and at.text == []


def add_round_with_comment(db: Database, framework: Framework, comment: str) -> None:
    rounds.create_round(db, name="Spring 2027", actor="admin")
    round_id = rounds.get_round(db, "Spring 2027").id
    organisation = organisations.create_organisation(
        db, name="Riverside Housing Trust", actor="admin"
    )
    answers = {p: AnswerInput(score=3, comment=comment) for p in framework.point_keys}
    people = [
        NewResponse(round_id, organisation.id, group, answers)
        for group in ("commissioner", "provider")
        for _ in range(5)
    ]
    with db.write() as session:
        add_published(session, people, source="test")


def test_comments_show_as_typed_without_markdown_or_html(app_db, framework):
    comment = "**Not bold** <b>no html</b> [no link](https://example.org)"
    add_round_with_comment(app_db, framework, comment)
    at = start_app("leadership", LEARNING_POINT)
    assert not at.exception
    # Five people in each of two groups wrote it: one line per group, with the count.
    assert [t.value for t in at.text] == [f"{comment} (5 people wrote this)"] * 2
    assert all("<b>" not in m.value for m in at.markdown)


def test_overview_shows_how_each_gap_changed_since_the_previous_round(demo_db, framework):
    at = start_app("leadership", DIVERGENCE)
    changes = at.table[0].value
    assert list(changes.columns) == [
        "Learning point", "Groups compared", f"Gap in {FIRST_ROUND}", f"Gap in {SECOND_ROUND}",
        "What changed",
    ]  # fmt: skip
    assert len(changes) == len(framework.learning_points)


def test_overview_of_the_first_round_has_nothing_to_compare_with(demo_db):
    at = start_app("leadership", DIVERGENCE)
    at.selectbox(key="leadership_round").set_value(FIRST_ROUND).run()
    assert not [s for s in at.subheader if s.value.startswith("Since")]
    assert [list(t.value.columns) for t in at.table] == [agenda.AGENDA_TABLE_COLUMNS]


def test_a_filter_that_would_expose_a_small_group_shows_no_figures(demo_db):
    at = start_app("leadership", DIVERGENCE)
    at.selectbox(key="leadership_round").set_value(FIRST_ROUND).run()
    at.multiselect(key="leadership_groups").set_value(["lived_experience"]).run()
    assert not at.exception
    assert "fewer than 5 people, so nothing is shown" in at.info[0].value
    assert at.get("plotly_chart") == []


def test_a_single_group_is_shown_without_a_comparison(demo_db):
    at = start_app("leadership", DIVERGENCE)
    at.multiselect(key="leadership_groups").set_value(["provider"]).run()
    assert not at.exception
    lines = [m.value for m in at.markdown if "-badge[" in m.value]
    assert len(lines) == 1 and "Not enough groups to compare" in lines[0]


@pytest.mark.parametrize("page", [DIVERGENCE, LEARNING_POINT])
def test_the_administrator_sees_the_leadership_pages_too(demo_db, page):
    at = start_app("admin", page)
    assert not at.exception
    assert len(at.get("plotly_chart")) >= 1


def test_the_overview_offers_its_figures_for_download_with_withheld_cells_empty(demo_db):
    at = start_app("leadership", DIVERGENCE)
    at.selectbox(key="leadership_round").set_value(FIRST_ROUND).run()
    labels = [b.label for b in at.get("download_button")]
    assert labels == [
        "Summary (CSV)",
        "Summary (Excel)",
        "Summary (JSON)",
        "Divergence (CSV)",
        "Divergence (Excel)",
        "Divergence (JSON)",
    ]
    view = cache.ResultsView(
        FIRST_ROUND,
        ("commissioner", "provider", "lived_experience"),
        (),
        f"{FIRST_ROUND} (closed)",
    )
    summary = json.loads(cache.export_bytes(view, "summary", "json"))
    lived = [row for row in summary if row["group"] == "lived_experience"]
    assert len(lived) == 8
    assert all(row["suppressed"] and row["mean"] is None and row["n"] is None for row in lived)


def test_the_overview_writes_its_download_files_only_when_clicked(demo_db, monkeypatch):
    written = []
    monkeypatch.setattr(
        "collab.files.exports.write_frame", lambda *args, **kwargs: written.append(kwargs)
    )
    at = start_app("leadership", DIVERGENCE)
    assert not at.exception
    buttons = at.get("download_button")
    assert len(buttons) == 6
    # A deferred download: the file is made by a callable when the button is clicked.
    assert all(b.proto.HasField("deferred_file_id") for b in buttons)
    assert written == []


TINY = "Tiny Org"


def alliance_with_a_group_of_one(db: Database, framework: Framework) -> None:
    """A closed round: five people in every group of two organisations, and at Tiny Org
    five service providers and a single lived-experience member."""
    names = ["Riverside Housing Trust", "Hope House", TINY]
    codes = dict(zip(
        [(o, g) for o in names for g in framework.group_keys],
        open_alliance(db, framework, organisation_names=names).codes,
        strict=True,
    ))  # fmt: skip
    people = {(o, g): 5 for o in names[:2] for g in framework.group_keys}
    people |= {(TINY, "provider"): 5, (TINY, "lived_experience"): 1}
    for (organisation, group), count in people.items():
        for _ in range(count):
            submissions.submit(
                db, framework=framework, code=codes[organisation, group], answers=answers(framework)
            )
    rounds.close_round(db, name=ROUND, actor="admin")


def test_filter_on_one_organisation_does_not_show_its_group_of_one(app_db, framework):
    alliance_with_a_group_of_one(app_db, framework)
    at = start_app("leadership", DIVERGENCE)
    at.multiselect(key="leadership_organisations").set_value([TINY]).run()
    assert not at.exception
    assert metrics(at) == {
        "People who answered": "not shown",
        "Commissioners": "0",
        "Service providers": "5",
        "Lived experience": "fewer than 5",
    }
    assert "1" not in metrics(at).values()


def test_learning_point_under_a_filter_names_no_count_of_a_withheld_group(app_db, framework):
    alliance_with_a_group_of_one(app_db, framework)
    at = start_app("leadership", LEARNING_POINT)
    at.multiselect(key="leadership_organisations").set_value([TINY]).run()
    assert not at.exception
    withheld = [i.value.replace("\\", "") for i in at.info if "lived experience" in i.value]
    assert withheld == [
        "Not shown for lived experience: showing it would reveal the answers of fewer than 5 people"
    ]
    assert "people who took part" not in page_text(at)


def test_whole_alliance_shows_exact_group_totals_beside_a_group_of_one(app_db, framework):
    alliance_with_a_group_of_one(app_db, framework)
    at = start_app("leadership", DIVERGENCE)
    assert metrics(at) == {
        "People who answered": "36",
        "Commissioners": "10",
        "Service providers": "15",
        "Lived experience": "11",
    }

"""The Participation page's response rates: whole percents, and words for more responses
than expected."""

from __future__ import annotations

from collab.domain import expected, organisations, rounds
from collab.domain.submissions import AnswerInput, NewResponse, add_responses
from tests.support.app import open_page

PARTICIPATION = "pages/participation.py"
COUNCIL = "Brackenford District Council"
SHELTER = "Lanternway Night Shelter"


def test_more_responses_than_expected_read_in_words_and_rates_are_whole_percents(app_db, framework):
    rounds.create_round(app_db, actor="admin", name="Autumn 2026")
    rounds.open_round(app_db, actor="admin", name="Autumn 2026")
    round_id = rounds.get_round(app_db, "Autumn 2026").id
    answers = {p: AnswerInput(score=3) for p in framework.point_keys}
    for name, group, people, number in (
        (COUNCIL, "commissioner", 4, 3),
        (SHELTER, "provider", 2, 3),
    ):
        organisation = organisations.create_organisation(app_db, actor="admin", name=name)
        with app_db.write() as session:
            add_responses(
                session,
                [NewResponse(round_id, organisation.id, group, answers) for _ in range(people)],
                source="import",
            )
        expected.set_expected_participation(
            app_db,
            actor="admin",
            framework=framework,
            organisation=name,
            stakeholder_group=group,
            expected=number,
        )
    at = open_page(PARTICIPATION, "admin")
    assert not at.exception
    table = next(d.value for d in at.dataframe if "response_rate_text" in d.value.columns)
    rates = dict(zip(table["organisation"], table["response_rate_text"], strict=True))
    assert rates == {COUNCIL: "more than expected (4 of 3)", SHELTER: "67%"}

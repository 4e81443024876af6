"""Participation: responses per round by group and organisation, the expected numbers the
coordinator sets, and the flags for groups below their number or below the minimum size."""

from __future__ import annotations

import pandas as pd
import pytest

from collab.domain import audit, expected, organisations, rounds
from collab.domain.submissions import AnswerInput, NewResponse
from collab.stats import meeting, participation
from collab.store.errors import NotFound, Refused
from tests.support.answers import add_published

K = 5
COUNCIL = "Calderholt County Council"
SHELTER = "Lanternway Night Shelter"
PANEL = "Lived Experience Panel"


def add(db, framework, round_name: str, organisation: str, group: str, people: int) -> None:
    info = rounds.get_round(db, round_name)
    organisation_id = organisations.get_organisation(db, organisation).id
    answers = {p: AnswerInput(score=3) for p in framework.point_keys}
    with db.write() as session:
        add_published(
            session,
            [NewResponse(info.id, organisation_id, group, answers) for _ in range(people)],
            source="import",
        )


@pytest.fixture
def alliance(db, framework):
    for name in (COUNCIL, SHELTER, PANEL):
        organisations.create_organisation(db, name=name, actor="admin")
    rounds.create_round(db, name="Autumn 2025", actor="admin")
    rounds.create_round(db, name="Spring 2026", actor="admin")
    rounds.open_round(db, name="Spring 2026", actor="admin")
    add(db, framework, "Autumn 2025", COUNCIL, "commissioner", 6)
    add(db, framework, "Autumn 2025", SHELTER, "provider", 7)
    add(db, framework, "Autumn 2025", PANEL, "lived_experience", 3)
    add(db, framework, "Spring 2026", SHELTER, "provider", 2)
    return db


def test_responses_are_counted_by_group_in_framework_order_with_zeros(alliance, framework):
    found = participation.round_participation(
        alliance, framework=framework, round_name="Spring 2026", min_group_size=K
    )
    assert list(
        zip(found.by_group["stakeholder_group"], found.by_group["responses"], strict=True)
    ) == [
        ("commissioner", 0),
        ("provider", 2),
        ("lived_experience", 0),
    ]
    assert found.total_responses == 2


def test_responses_are_counted_by_organisation_and_group(alliance, framework):
    found = participation.round_participation(
        alliance,
        framework=framework,
        round_name="Autumn 2025",
        min_group_size=K,
        exact_counts=True,
    )
    rows = found.by_organisation[["organisation", "stakeholder_group", "responses"]]
    assert rows.to_records(index=False).tolist() == [
        (COUNCIL, "commissioner", 6),
        (SHELTER, "provider", 7),
        (PANEL, "lived_experience", 3),
    ]


def test_responses_are_counted_for_every_round(alliance, framework):
    over = participation.participation_over_rounds(alliance, framework=framework)
    assert over[["round", "stakeholder_group", "responses"]].to_records(index=False).tolist() == [
        ("Autumn 2025", "commissioner", 6),
        ("Autumn 2025", "provider", 7),
        ("Autumn 2025", "lived_experience", 3),
        ("Spring 2026", "commissioner", 0),
        ("Spring 2026", "provider", 2),
        ("Spring 2026", "lived_experience", 0),
    ]


def test_expected_numbers_are_stored_read_back_changed_and_removed(alliance, framework):
    expected.set_expected_participation(
        alliance,
        framework=framework,
        organisation=COUNCIL,
        stakeholder_group="commissioner",
        expected=8,
        actor="admin",
    )
    expected.set_expected_participation(
        alliance,
        framework=framework,
        organisation=PANEL,
        stakeholder_group="lived_experience",
        expected=6,
        actor="admin",
    )
    expected.set_expected_participation(
        alliance,
        framework=framework,
        organisation=COUNCIL,
        stakeholder_group="commissioner",
        expected=10,
        actor="admin",
    )
    assert participation.expected_participation(alliance).to_records(index=False).tolist() == [
        (COUNCIL, "commissioner", 10),
        (PANEL, "lived_experience", 6),
    ]
    expected.set_expected_participation(
        alliance,
        framework=framework,
        organisation=PANEL,
        stakeholder_group="lived_experience",
        expected=None,
        actor="admin",
    )
    assert participation.expected_participation(alliance)["organisation"].tolist() == [COUNCIL]


def test_saving_the_edited_table_changes_only_what_changed_and_is_audited(alliance, framework):
    table = participation.expected_table(alliance, framework=framework)
    table.loc[table["organisation"] == SHELTER, "expected"] = 12
    assert (
        expected.save_expected_participation(
            alliance, framework=framework, table=table, actor="admin"
        )
        == 1
    )
    assert (
        expected.save_expected_participation(
            alliance, framework=framework, table=table, actor="admin"
        )
        == 0
    )
    entry = audit.recent_entries(alliance).iloc[0]
    assert (entry["actor"], entry["action"]) == ("admin", "participation.expected")
    assert f"{SHELTER}, Service providers: 12" in entry["detail"]


def test_the_expected_table_lists_the_groups_each_organisation_answers_for(alliance, framework):
    organisations.create_organisation(alliance, name="New Partner", actor="admin")
    table = participation.expected_table(alliance, framework=framework)
    groups = table.groupby("organisation")["stakeholder_group"].apply(list).to_dict()
    assert groups[COUNCIL] == ["commissioner"]
    assert groups[PANEL] == ["lived_experience"]
    assert groups["New Partner"] == framework.group_keys
    assert table["expected"].isna().all()


@pytest.mark.parametrize(
    ("organisation", "group", "number", "error"),
    [
        (COUNCIL, "commissioner", -1, Refused),
        (COUNCIL, "commissioner", 2.5, Refused),
        (COUNCIL, "commissioner", "many", Refused),
        ("Nobody Ltd", "commissioner", 3, NotFound),
        (COUNCIL, "funders", 3, NotFound),
    ],
)
def test_an_invalid_expected_number_stores_nothing(
    alliance, framework, organisation, group, number, error
):
    table = pd.DataFrame(
        [(SHELTER, "provider", 9), (organisation, group, number)],
        columns=expected.EXPECTED_COLUMNS,
    )
    with pytest.raises(error):
        expected.save_expected_participation(
            alliance, framework=framework, table=table, actor="admin"
        )
    assert participation.expected_participation(alliance).empty


def test_a_group_below_its_expected_number_is_flagged(alliance, framework):
    for organisation, group, number in ((COUNCIL, "commissioner", 8), (SHELTER, "provider", 7)):
        expected.set_expected_participation(
            alliance,
            framework=framework,
            organisation=organisation,
            stakeholder_group=group,
            expected=number,
            actor="admin",
        )
    found = participation.round_participation(
        alliance, framework=framework, round_name="Autumn 2025", min_group_size=K
    )
    by_group = found.by_group.set_index("stakeholder_group")
    assert by_group.loc["commissioner", "below_expected"]
    assert by_group.loc["commissioner", "response_rate"] == pytest.approx(0.75)
    assert by_group.loc["commissioner", "flag"] == "Below the expected number: 6 of 8"
    assert not by_group.loc["provider", "below_expected"]
    assert by_group.loc["provider", "flag"] == ""
    by_organisation = found.by_organisation.set_index("organisation")
    assert by_organisation.loc[COUNCIL, "below_expected"]
    assert not by_organisation.loc[SHELTER, "below_expected"]


def test_a_group_without_an_expected_number_has_no_rate_and_no_expected_flag(alliance, framework):
    found = participation.round_participation(
        alliance, framework=framework, round_name="Autumn 2025", min_group_size=K
    )
    provider = found.by_group.set_index("stakeholder_group").loc["provider"]
    assert pd.isna(provider["expected"])
    assert pd.isna(provider["response_rate"])
    assert not provider["below_expected"]


def test_a_group_below_the_minimum_size_is_flagged_as_withheld(alliance, framework):
    closed = participation.round_participation(
        alliance, framework=framework, round_name="Autumn 2025", min_group_size=K
    )
    lived = closed.by_group.set_index("stakeholder_group").loc["lived_experience"]
    assert lived["below_minimum"]
    assert lived["flag"] == "Fewer than 5 responses: results for this group are withheld"
    assert list(closed.flagged_groups["stakeholder_group"]) == ["lived_experience"]

    still_open = participation.round_participation(
        alliance, framework=framework, round_name="Spring 2026", min_group_size=K
    )
    flags = still_open.by_group.set_index("stakeholder_group")["flag"]
    assert flags["provider"] == "Fewer than 5 responses: results for this group will be withheld"


def test_the_minimum_size_flag_follows_the_threshold_given(alliance, framework):
    found = participation.round_participation(
        alliance, framework=framework, round_name="Autumn 2025", min_group_size=3
    )
    assert not found.by_group["below_minimum"].any()


def test_an_unknown_round_is_not_found(alliance, framework):
    with pytest.raises(NotFound, match="no round called"):
        participation.round_participation(
            alliance, framework=framework, round_name="Winter 2030", min_group_size=K
        )


def test_an_organisations_count_below_the_minimum_reads_fewer_than_k(alliance, framework):
    expected.set_expected_participation(
        alliance,
        framework=framework,
        organisation=PANEL,
        stakeholder_group="lived_experience",
        expected=4,
        actor="admin",
    )
    found = participation.round_participation(
        alliance, framework=framework, round_name="Autumn 2025", min_group_size=K
    )
    panel = found.by_organisation.set_index("organisation").loc[PANEL]
    assert panel["withheld"]
    assert panel["responses_text"] == "fewer than 5"
    assert pd.isna(panel["responses"])
    assert pd.isna(panel["response_rate"])
    assert panel["response_rate_text"] == "below the minimum"
    assert pd.isna(panel["below_expected"])
    assert not found.by_organisation["responses_text"].isin(["0", "1", "2", "3", "4"]).any()


def test_group_totals_stay_exact_when_organisations_counts_are_masked(alliance, framework):
    found = participation.round_participation(
        alliance, framework=framework, round_name="Autumn 2025", min_group_size=K
    )
    totals = dict(
        zip(found.by_group["stakeholder_group"], found.by_group["responses"], strict=True)
    )
    assert totals == {"commissioner": 6, "provider": 7, "lived_experience": 3}
    assert found.total_responses == 16
    shown = found.by_organisation.set_index("organisation")
    assert shown.loc[COUNCIL, "responses_text"] == "6"
    assert shown.loc[SHELTER, "responses_text"] == "7"


def test_a_count_that_the_total_would_give_away_is_not_shown(alliance, framework):
    # Lived experience: the panel has 6 and the shelter 1; the group's total (7) minus the
    # panel's exact count would give the shelter's 1 away, so the panel's is withheld too.
    add(alliance, framework, "Autumn 2025", SHELTER, "lived_experience", 1)
    add(alliance, framework, "Autumn 2025", PANEL, "lived_experience", 3)
    found = participation.round_participation(
        alliance, framework=framework, round_name="Autumn 2025", min_group_size=K
    )
    lived = found.by_organisation[found.by_organisation["stakeholder_group"] == "lived_experience"]
    assert dict(zip(lived["organisation"], lived["responses_text"], strict=True)) == {
        PANEL: "not shown",
        SHELTER: "fewer than 5",
    }
    assert lived["responses"].isna().all()
    by_group = found.by_group.set_index("stakeholder_group")
    assert by_group.loc["lived_experience", "responses"] == 7


def test_the_administrator_sees_every_organisations_exact_count(alliance, framework):
    found = participation.round_participation(
        alliance,
        framework=framework,
        round_name="Autumn 2025",
        min_group_size=K,
        exact_counts=True,
    )
    panel = found.by_organisation.set_index("organisation").loc[PANEL]
    assert not panel["withheld"]
    assert panel["responses"] == 3
    assert panel["responses_text"] == "3"


@pytest.mark.parametrize(
    ("responses", "expected_number", "reads"),
    [
        (3, 4, "75%"),
        (2, 3, "67%"),
        (9, 9, "100%"),
        (0, 5, "0%"),
        # Never rounded up to the number expected, nor down to nobody.
        (199, 200, "99%"),
        (1, 300, "1%"),
        (12, 9, "more than expected (12 of 9)"),
        (3, 0, "more than expected (3 of 0)"),
        (0, 0, ""),
        (4, None, ""),
        (4, pd.NA, ""),
    ],
)
def test_a_response_rate_reads_as_a_whole_percent_or_more_than_expected(
    responses, expected_number, reads
):
    assert participation.response_rate_text(responses, expected_number) == reads


def test_more_responses_than_expected_read_so_for_groups_and_organisations(alliance, framework):
    for organisation, group, number in ((COUNCIL, "commissioner", 4), (SHELTER, "provider", 7)):
        expected.set_expected_participation(
            alliance,
            framework=framework,
            organisation=organisation,
            stakeholder_group=group,
            expected=number,
            actor="admin",
        )
    found = participation.round_participation(
        alliance, framework=framework, round_name="Autumn 2025", min_group_size=K
    )
    by_group = found.by_group.set_index("stakeholder_group")["response_rate_text"]
    assert by_group.to_dict() == {
        "commissioner": "more than expected (6 of 4)",
        "provider": "100%",
        "lived_experience": "",
    }
    by_organisation = found.by_organisation.set_index("organisation")["response_rate_text"]
    assert by_organisation[COUNCIL] == "more than expected (6 of 4)"
    assert by_organisation[SHELTER] == "100%"
    assert by_organisation[PANEL] == "below the minimum"
    assert found.by_group.set_index("stakeholder_group").loc["commissioner", "flag"] == ""


def test_the_meeting_packs_participation_table_reads_rates_the_same_way(alliance, framework):
    expected.set_expected_participation(
        alliance,
        framework=framework,
        organisation=COUNCIL,
        stakeholder_group="commissioner",
        expected=4,
        actor="admin",
    )
    found = participation.round_participation(
        alliance, framework=framework, round_name="Autumn 2025", min_group_size=K
    )
    table = meeting.group_participation_table(found).set_index("Group")
    assert table.loc["Commissioners", "Response rate"] == "more than expected (6 of 4)"
    assert table.loc["Service providers", "Response rate"] == ""

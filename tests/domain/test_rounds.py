"""Rounds and organisations: create, open one at a time, close, live results, rename."""

import datetime as dt

import pytest
import sqlalchemy as sa

from collab.domain import audit, organisations, rounds
from collab.store.db import Database
from collab.store.errors import NotFound, Refused
from collab.store.models import Round


def opened_at(db: Database, name: str) -> dt.datetime | None:
    with db.read() as session:
        return session.scalar(sa.select(Round.opened_at).where(Round.name == name))


def test_a_new_round_is_closed_and_opening_it_makes_it_current(db):
    created = rounds.create_round(
        db,
        name="Spring 2027",
        opens_on=dt.date(2027, 3, 1),
        closes_on=dt.date(2027, 3, 31),
        actor="admin",
    )
    assert (created.is_open, created.live_results) == (False, False)
    assert rounds.current_round(db) is None
    rounds.open_round(db, name="Spring 2027", actor="admin")
    current = rounds.current_round(db)
    assert current.name == "Spring 2027"
    assert current.closes_on == dt.date(2027, 3, 31)
    assert current.results_visible is False


def test_a_new_round_is_not_yet_opened_and_opening_it_sets_opened_at_once(db):
    created = rounds.create_round(db, name="Spring 2027", actor="admin")
    assert (created.opened, created.status, created.status_text) == (
        False,
        "not_opened",
        "not yet opened",
    )
    assert opened_at(db, "Spring 2027") is None
    before = dt.datetime.now(dt.UTC).replace(tzinfo=None)
    opened = rounds.open_round(db, name="Spring 2027", actor="admin")
    assert (opened.opened, opened.status) == (True, "open")
    first = opened_at(db, "Spring 2027")
    assert first is not None and first >= before - dt.timedelta(seconds=1)
    closed = rounds.close_round(db, name="Spring 2027", actor="admin")
    assert (closed.status, closed.status_text) == ("closed", "closed")
    assert opened_at(db, "Spring 2027") == first


def test_a_closed_round_is_frozen_and_never_opens_again(db):
    rounds.create_round(db, name="Spring 2027", actor="admin")
    rounds.open_round(db, name="Spring 2027", actor="admin")
    rounds.close_round(db, name="Spring 2027", actor="admin")
    with pytest.raises(Refused, match="answers are frozen"):
        rounds.open_round(db, name="Spring 2027", actor="admin")
    assert rounds.get_round(db, "Spring 2027").status == "closed"


def test_a_round_not_yet_opened_is_not_the_latest_closed_round(db):
    rounds.create_round(db, name="A", actor="admin")
    rounds.open_round(db, name="A", actor="admin")
    rounds.close_round(db, name="A", actor="admin")
    rounds.create_round(db, name="B", actor="admin")
    assert rounds.latest_closed_round(db).name == "A"


def test_only_one_round_is_open_unless_the_admin_allows_several(db):
    rounds.create_round(db, name="A", actor="admin")
    rounds.create_round(db, name="B", actor="admin")
    rounds.open_round(db, name="A", actor="admin")
    with pytest.raises(Refused, match="Round 'A' is still open"):
        rounds.open_round(db, name="B", actor="admin")
    rounds.open_round(db, name="B", allow_several=True, actor="admin")
    assert [r.is_open for r in rounds.list_rounds(db)] == [True, True]


def test_live_results_are_refused_for_a_closed_round_saying_why(db):
    rounds.create_round(db, name="A", actor="admin")
    rounds.open_round(db, name="A", actor="admin")
    rounds.close_round(db, name="A", actor="admin")
    with pytest.raises(Refused, match="Round 'A' is closed: its results are already shown"):
        rounds.set_live_results(db, name="A", on=True, actor="admin")
    assert rounds.get_round(db, "A").live_results is False
    assert list(audit.recent_entries(db)["action"]) == ["round.close", "round.open", "round.create"]


def test_live_results_are_refused_for_a_round_not_yet_opened_saying_why(db):
    rounds.create_round(db, name="A", actor="admin")
    with pytest.raises(Refused, match="Round 'A' is not open yet. Open it first"):
        rounds.set_live_results(db, name="A", on=True, actor="admin")
    assert rounds.get_round(db, "A").live_results is False


def test_live_results_can_always_be_turned_off(db):
    rounds.create_round(db, name="A", actor="admin")
    rounds.open_round(db, name="A", actor="admin")
    rounds.set_live_results(db, name="A", on=True, actor="admin")
    rounds.close_round(db, name="A", actor="admin")
    assert rounds.set_live_results(db, name="A", on=False, actor="admin").live_results is False


def test_closing_a_round_makes_results_visible_and_live_results_show_them_while_open(db):
    rounds.create_round(db, name="A", actor="admin")
    rounds.open_round(db, name="A", actor="admin")
    assert rounds.set_live_results(db, name="A", on=True, actor="admin").results_visible is True
    rounds.set_live_results(db, name="A", on=False, actor="admin")
    closed = rounds.close_round(db, name="A", actor="admin")
    assert closed.results_visible is True
    assert rounds.latest_closed_round(db).name == "A"


def test_round_names_are_unique_and_dates_must_be_in_order(db):
    rounds.create_round(db, name="A", actor="admin")
    with pytest.raises(Refused, match="already exists"):
        rounds.create_round(db, name="A", actor="admin")
    with pytest.raises(Refused, match="close before it opens"):
        rounds.create_round(
            db, name="B", opens_on=dt.date(2027, 2, 1), closes_on=dt.date(2027, 1, 1), actor="admin"
        )
    with pytest.raises(NotFound, match="no round called 'C'"):
        rounds.close_round(db, name="C", actor="admin")


def test_organisations_are_renamed_and_deactivated_without_losing_them(db):
    shelter = organisations.create_organisation(
        db, name="  Riverside   Night Shelter ", actor="admin"
    )
    assert shelter.name == "Riverside Night Shelter"
    organisations.rename_organisation(
        db, organisation_id=shelter.id, name="Riverside Shelter", actor="admin"
    )
    organisations.set_organisation_active(
        db, organisation_id=shelter.id, active=False, actor="admin"
    )
    listed = organisations.list_organisations(db)
    assert [(o.name, o.active) for o in listed] == [("Riverside Shelter", False)]
    assert organisations.list_organisations(db, include_inactive=False) == []


def test_an_unknown_organisation_suggests_the_closest_name(db):
    organisations.create_organisation(db, name="Riverside Night Shelter", actor="admin")
    with pytest.raises(NotFound, match="Did you mean 'Riverside Night Shelter'"):
        organisations.get_organisation(db, "riverside night shelters")

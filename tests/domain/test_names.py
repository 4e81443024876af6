"""Names of rounds and organisations: stored composed and tidy, refused when they hold a
character nobody sees, and held to the same length on SQLite and PostgreSQL."""

import unicodedata

import pytest

from collab.domain import organisations, rounds
from collab.store.errors import Refused
from tests.support.databases import table_counts

UNSEEN = [
    ("Spring\u200b 2027", "an invisible character (U+200B ZERO WIDTH SPACE) at position 7"),
    (
        "Spring \u202e2027",
        "an invisible text-direction character (U+202E RIGHT-TO-LEFT OVERRIDE) at position 8",
    ),
    (
        "Spring\u2066 2027",
        "an invisible text-direction character (U+2066 LEFT-TO-RIGHT ISOLATE) at position 7",
    ),
    ("Spring\ufeff2027", "an invisible character (U+FEFF ZERO WIDTH NO-BREAK SPACE)"),
    ("Spring\u00ad2027", "an invisible character (U+00AD SOFT HYPHEN)"),
    ("Spring\n2027", "a line break (U+000A LINE FEED) at position 7"),
    ("Spring\r\n2027", "a line break (U+000D CARRIAGE RETURN) at position 7"),
    ("Spring\u20282027", "a line break (U+2028 LINE SEPARATOR)"),
    ("Spring\t2027", "a tab (U+0009 CHARACTER TABULATION) at position 7"),
    ("Spring\x072027", "an invisible control character (U+0007) at position 7"),
    ("\u3164Spring 2027", "an invisible character (U+3164 HANGUL FILLER) at position 1"),
]


@pytest.mark.parametrize(("name", "says"), UNSEEN)
def test_round_name_with_a_character_nobody_sees_is_refused_naming_it(db, name, says):
    before = table_counts(db)
    with pytest.raises(Refused) as refused:
        rounds.create_round(db, name=name, actor="admin")
    assert f"The round name contains {says}" in str(refused.value)
    assert table_counts(db) == before


@pytest.mark.parametrize(("name", "says"), UNSEEN)
def test_organisation_name_with_a_character_nobody_sees_is_refused_naming_it(db, name, says):
    before = table_counts(db)
    with pytest.raises(Refused) as refused:
        organisations.create_organisation(db, name=name, actor="admin")
    assert f"The organisation name contains {says}" in str(refused.value)
    assert table_counts(db) == before


def test_names_are_stored_composed_trimmed_and_with_single_spaces(db):
    decomposed = unicodedata.normalize("NFD", "  Café\u00a0 Rencontre\u3000Trust ")
    organisation = organisations.create_organisation(db, name=decomposed, actor="admin")
    assert organisation.name == "Café Rencontre Trust"
    assert unicodedata.is_normalized("NFC", organisation.name)
    spring = rounds.create_round(db, name=" Spring   2027 ", actor="admin")
    assert spring.name == "Spring 2027"
    assert rounds.get_round(db, "Spring  2027 ").id == spring.id
    assert organisations.get_organisation(db, decomposed).id == organisation.id


@pytest.mark.parametrize(
    "look_alike",
    ["Tiny Org\u200b", "Tiny\u00a0Org", "Tiny  Org ", "tiny org", "ＴＩＮＹ Org", "Tiny Org\u202c"],
)
def test_an_organisation_that_looks_like_one_already_there_is_refused(db, look_alike):
    organisations.create_organisation(db, name="Tiny Org", actor="admin")
    with pytest.raises(Refused):
        organisations.create_organisation(db, name=look_alike, actor="admin")
    assert [o.name for o in organisations.list_organisations(db)] == ["Tiny Org"]


def test_renaming_to_a_look_alike_is_refused_but_changing_ones_own_capitals_is_not(db):
    organisations.create_organisation(db, name="Tiny Org", actor="admin")
    other = organisations.create_organisation(db, name="Other Org", actor="admin")
    with pytest.raises(Refused, match="An organisation called 'Tiny Org' already exists"):
        organisations.rename_organisation(
            db, organisation_id=other.id, name="TINY ORG", actor="admin"
        )
    with pytest.raises(Refused, match="U\\+200B ZERO WIDTH SPACE"):
        organisations.rename_organisation(
            db, organisation_id=other.id, name="Other\u200b Org", actor="admin"
        )
    renamed = organisations.rename_organisation(
        db, organisation_id=other.id, name="OTHER org", actor="admin"
    )
    assert renamed.name == "OTHER org"


def test_a_round_that_differs_only_in_capitals_is_refused(db):
    rounds.create_round(db, name="Spring 2027", actor="admin")
    with pytest.raises(Refused, match="A round called 'Spring 2027' already exists"):
        rounds.create_round(db, name="SPRING 2027", actor="admin")


def test_round_name_over_the_limit_is_refused_on_both_databases_giving_the_limit(db):
    before = table_counts(db)
    with pytest.raises(Refused) as refused:
        rounds.create_round(db, name="R" * 150, actor="admin")
    assert str(refused.value) == (
        "The round name is 150 characters long; the limit is 100. Shorten it."
    )
    assert table_counts(db) == before
    longest = rounds.create_round(db, name="é" * 100, actor="admin")
    assert rounds.get_round(db, longest.name).name == "é" * 100


def test_organisation_name_over_the_limit_is_refused_on_both_databases_giving_the_limit(db):
    with pytest.raises(Refused, match="201 characters long; the limit is 200"):
        organisations.create_organisation(db, name="O" * 201, actor="admin")
    longest = organisations.create_organisation(db, name="O" * 200, actor="admin")
    with pytest.raises(Refused, match="the limit is 200"):
        organisations.rename_organisation(
            db, organisation_id=longest.id, name="P" * 201, actor="admin"
        )

"""Live checks in a meeting, on SQLite and PostgreSQL: a check's two passes, one answer per
person per pass with a personal code, a shared code's cap in each pass, and the release
rule on what the meeting screen shows (one new answer never moves a shown figure)."""

from __future__ import annotations

import pandas as pd
import pytest
import sqlalchemy as sa

from collab.domain import audit, checks, invite_codes, rounds
from collab.domain.checks import FIRST_PASS, RESCORE_PASS
from collab.stats.checks import check_figures
from collab.store.db import Database
from collab.store.errors import InvalidAnswers, NotFound, Refused
from tests.support.checks import ROUND, CheckRoom, K, stored_answers

POINT = "difference"
ACTOR = "leadership"


class Room(CheckRoom):
    """The room with one check open on POINT."""

    def __init__(self, db: Database, framework) -> None:
        super().__init__(db, framework, per_group=12, shared_cap=3)
        self.check = self.open_check(POINT)

    def answer(
        self, code: str, score: int | None, *, seat: str = "", pass_number: int = FIRST_PASS
    ) -> checks.CheckAnswered:
        return checks.answer_check(
            self.db,
            framework=self.framework,
            check_id=self.check.id,
            code=code,
            seat=seat,
            pass_number=pass_number,
            answers={POINT: score},
            min_group_size=K,
        )

    def answer_group(self, group, scores, *, start=0, pass_number=FIRST_PASS) -> None:
        super().answer_group(self.check, group, scores, start=start, pass_number=pass_number)

    def rescore(self) -> None:
        self.check = checks.start_rescore(self.db, actor=ACTOR, check_id=self.check.id)

    def figures(self):
        data = checks.check_answers(self.db, check_id=self.check.id)
        return check_figures(
            data.answers, check=data.check, framework=self.framework, min_group_size=K
        )

    def shown_mean(self, group: str) -> float | None:
        standing = self.figures().now[0].group(group)
        return standing.mean if standing.shown else None


@pytest.fixture
def room(db, framework) -> Room:
    return Room(db, framework)


# --- a check and its passes ------------------------------------------------------------------


def test_a_check_takes_a_first_pass_then_a_rescore_and_keeps_both(room):
    assert room.answer(room.personal["provider"][0], 2).stored
    room.rescore()
    assert room.check.passes == RESCORE_PASS
    assert room.answer(room.personal["provider"][0], 4, pass_number=RESCORE_PASS).stored
    assert stored_answers(room.db) == [(1, POINT, 2), (2, POINT, 4)]
    assert [e for e in audit.recent_entries(room.db)["action"] if e.startswith("check.")] == [
        "check.rescore",
        "check.open",
    ]


def test_the_short_code_finds_the_check_typed_in_any_case(room):
    typed = room.check.short_code.lower()[:2] + " " + room.check.short_code.lower()[2:]
    assert checks.find_check(room.db, typed).id == room.check.id
    with pytest.raises(NotFound, match="code on the meeting screen"):
        checks.find_check(room.db, "ZZZZ" if room.check.short_code != "ZZZZ" else "YYYY")


def test_an_answer_for_a_pass_that_has_ended_is_refused_and_not_stored(room):
    room.rescore()
    with pytest.raises(Refused, match="started the re-score"):
        room.answer(room.personal["provider"][0], 3, pass_number=FIRST_PASS)
    assert stored_answers(room.db) == []


def test_a_closed_check_takes_no_answers_and_no_rescore(room):
    checks.close_check(room.db, actor=ACTOR, check_id=room.check.id)
    with pytest.raises(Refused, match="has closed"):
        room.answer(room.personal["provider"][0], 3)
    with pytest.raises(Refused, match="has closed"):
        checks.start_rescore(room.db, actor=ACTOR, check_id=room.check.id)
    assert stored_answers(room.db) == []


def test_opening_a_check_closes_the_rounds_other_open_check(room, framework):
    second = checks.open_check(
        room.db, actor=ACTOR, framework=framework, round_name=ROUND, learning_point=None
    )
    listed = checks.list_checks(room.db, round_name=ROUND)
    assert [(c.id, c.is_open) for c in listed] == [(room.check.id, False), (second.id, True)]
    assert second.points(framework) == framework.point_keys
    assert f"Closed live check {room.check.short_code}" in audit.recent_entries(room.db).detail[0]


def test_a_check_on_a_round_not_yet_opened_or_an_unknown_point_is_refused(room, framework):
    rounds.create_round(room.db, name="Autumn 2027", actor="admin")
    with pytest.raises(Refused, match="has not opened yet"):
        checks.open_check(
            room.db, actor=ACTOR, framework=framework, round_name="Autumn 2027", learning_point=None
        )
    with pytest.raises(Refused, match="not a learning point"):
        checks.open_check(
            room.db, actor=ACTOR, framework=framework, round_name=ROUND, learning_point="nope"
        )


def test_every_point_of_the_check_needs_a_score_or_dont_know(room):
    with pytest.raises(InvalidAnswers) as refused:
        checks.answer_check(
            room.db,
            framework=room.framework,
            check_id=room.check.id,
            code=room.personal["provider"][0],
            seat="",
            pass_number=FIRST_PASS,
            answers={"upstream": 3, POINT: 7},
            min_group_size=K,
        )
    assert refused.value.problems == {
        "upstream": "is not asked in this check",
        POINT: "the score must be one of [1, 2, 3, 4, 5]",
    }
    assert stored_answers(room.db) == []


def test_a_revoked_code_is_refused(room):
    code_id = invite_codes.find_invite_code(room.db, room.personal["provider"][0]).id
    invite_codes.revoke_invite_code(room.db, actor="admin", code_id=code_id)
    with pytest.raises(Refused, match="no longer in use"):
        room.answer(room.personal["provider"][0], 3)


# --- one person, one answer per pass ----------------------------------------------------------


def test_a_personal_code_answers_once_per_pass_whatever_page_it_comes_from(room):
    code = room.personal["lived_experience"][0]
    assert room.answer(code, 2, seat="phone-a").stored
    again = room.answer(code, 5, seat="phone-b")
    assert not again.stored
    room.rescore()
    assert room.answer(code, 4, pass_number=RESCORE_PASS).stored
    assert not room.answer(code, 1, pass_number=RESCORE_PASS).stored
    assert stored_answers(room.db) == [(1, POINT, 2), (2, POINT, 4)]


def test_a_shared_code_takes_its_cap_of_phones_in_each_pass(room):
    for seat in ("a", "b", "c"):
        assert room.answer(room.shared, 3, seat=seat).stored
    assert not room.answer(room.shared, 1, seat="a").stored  # a phone that answered
    with pytest.raises(Refused, match="the 3 people it takes"):
        room.answer(room.shared, 3, seat="d")
    room.rescore()
    for seat in ("d", "a", "b"):
        assert room.answer(room.shared, 4, seat=seat, pass_number=RESCORE_PASS).stored
    with pytest.raises(Refused, match="the 3 people it takes"):
        room.answer(room.shared, 4, seat="c", pass_number=RESCORE_PASS)
    assert len(stored_answers(room.db)) == 6


def test_the_code_and_the_seat_token_are_never_stored(room):
    room.answer(room.shared, 3, seat="my-phone-token")
    with room.db.engine.connect() as conn:
        stored = " ".join(
            str(value)
            for table in ("checks", "check_answers")
            for row in conn.execute(sa.text(f"SELECT * FROM {table}"))
            for value in row
        )
    assert invite_codes.normalise_code(room.shared) not in stored.replace("-", "").upper()
    assert "my-phone-token" not in stored
    assert checks.seat_hash("my-phone-token") in stored


# --- the release rule on the meeting screen ---------------------------------------------------


def test_a_group_is_shown_once_k_of_its_people_answered(room):
    room.answer_group("provider", [2, 3, 3, 4])
    assert room.shown_mean("provider") is None
    room.answer_group("provider", [3], start=4)
    assert room.shown_mean("provider") == pytest.approx(3.0)


def test_one_new_answer_never_moves_a_shown_figure(room):
    room.answer_group("provider", [3, 3, 3, 3, 3])
    shown = room.figures().now[0].group("provider")
    for i, score in enumerate([5, 5, 5, 5], start=5):
        room.answer(room.personal["provider"][i], score)
        assert room.figures().now[0].group("provider") == shown
    room.answer(room.personal["provider"][9], 5)
    assert room.shown_mean("provider") == pytest.approx(4.0)


def test_each_group_moves_on_its_own_count(room):
    room.answer_group("provider", [4, 4, 4, 4, 4])
    room.answer_group("commissioner", [2, 2, 2, 2])
    assert room.shown_mean("provider") == pytest.approx(4.0)
    assert room.shown_mean("commissioner") is None


def test_a_rescore_with_the_same_answers_moves_nothing(room):
    room.answer_group("provider", [2, 2, 3, 3, 4])
    room.answer_group("commissioner", [4, 4, 5, 5, 5])
    room.rescore()
    room.answer_group("provider", [2, 2, 3, 3, 4], pass_number=RESCORE_PASS)
    assert checks.get_check(room.db, room.check.id).published_seq == room.check.rescore_from


def test_the_rescore_moves_a_group_once_k_of_its_people_answer_differently(room):
    room.answer_group("provider", [2] * 10)
    room.answer_group("commissioner", [5] * 5)
    room.rescore()
    # Four providers change their minds, a fifth keeps hers: nothing moves yet.
    room.answer_group("provider", [4, 4, 4, 4, 2], pass_number=RESCORE_PASS)
    assert room.figures().changes[0].after.group("provider").mean == pytest.approx(2.0)
    room.answer_group("provider", [4], start=5, pass_number=RESCORE_PASS)
    change = room.figures().changes[0]
    assert change.before.group("provider").mean == pytest.approx(2.0)
    assert change.after.group("provider").mean == pytest.approx(3.0)
    assert (change.gap_before, change.gap_after) == pytest.approx((3.0, 2.0))
    assert change.words.startswith("The groups came closer")


# --- the rule's steps as pure functions -------------------------------------------------------


def answers(rows: list[tuple]) -> pd.DataFrame:
    """Answers as ``check_answers`` gives them: (person, group, pass, score, published_in)."""
    frame = pd.DataFrame(
        [
            (i, person, group, POINT, pass_number, score, score is None, published)
            for i, (person, group, pass_number, score, published) in enumerate(rows)
        ],
        columns=checks.ANSWER_COLUMNS,
    )
    frame["score"] = frame["score"].astype("Int64")
    frame["published_in"] = frame["published_in"].astype("Int64")
    return frame


def test_the_latest_answer_counts_and_the_shown_one_is_the_last_published():
    frame = answers([("a", "provider", 1, 2, 1), ("a", "provider", 2, 4, None)])
    assert list(checks.latest_answers(frame)["score"]) == [4]
    assert list(checks.shown_as_of(frame, 1)["score"]) == [2]
    assert checks.shown_as_of(frame, 0).empty


def test_people_wait_until_k_of_their_group_differ_from_what_is_shown():
    shown = [(p, "provider", 1, 3, 1) for p in "abcde"]
    frame = answers([*shown, ("f", "provider", 1, 5, None), ("g", "commissioner", 1, 1, None)])
    assert checks.publishable_people(frame, shown=1, k=2) == []
    frame = answers([*shown, ("f", "provider", 1, 5, None), ("h", "provider", 1, 1, None)])
    assert checks.publishable_people(frame, shown=1, k=2) == ["f", "h"]
    same_again = answers([*shown, *[(p, "provider", 2, 3, None) for p in "abcde"]])
    assert checks.publishable_people(same_again, shown=1, k=2) == []

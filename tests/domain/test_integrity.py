"""One person, one voice, and no subtraction across time: each attack testers made, on
SQLite and PostgreSQL.

- stuffing the count with a shared code;
- a personal code answering twice;
- differencing two exports of a closed round around one late paper form, and of an open
  round with live results around one new answer or one revision;
- a resend after a server restart.
"""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from collab.domain import (
    audit,
    expected,
    imported,
    invite_codes,
    organisations,
    rounds,
    snapshots,
    submissions,
)
from collab.domain.submissions import AnswerInput
from collab.files.exports import export_round
from collab.store.db import Database
from collab.store.errors import Refused
from collab.store.models import Revision, Submission
from tests.support.databases import count_rows

K = 5
ACTOR = "admin"
ROUND = "Spring 2027"
GROUPS = ("commissioner", "provider", "lived_experience")
ORGS = {"commissioner": "County Council", "provider": "Shelter Trust", "lived_experience": "Voices"}


def scores(framework, score: int, comment: str = "") -> dict[str, AnswerInput]:
    return {key: AnswerInput(score=score, comment=comment) for key in framework.point_keys}


def paper(framework, group: str, score: int, reference: str, organisation: str | None = None):
    return imported.ImportedResponse(
        round=ROUND,
        organisation=organisation or ORGS[group],
        stakeholder_group=group,
        reference=reference,
        answers=scores(framework, score),
    )


@pytest.fixture
def alliance(db: Database) -> Database:
    for name in [*ORGS.values(), "Tiny Org"]:
        organisations.create_organisation(db, name=name, actor=ACTOR)
    rounds.create_round(db, name=ROUND, actor=ACTOR)
    return db


def summary_csv(db: Database, framework) -> bytes:
    return export_round(
        db, actor=ACTOR, framework=framework, what="summary", round_name=ROUND, fmt="csv"
    )


def closed_round_of_five_each(db: Database, framework) -> None:
    """Five people in each group, on paper, into a round the import creates closed."""
    imported.import_responses(
        db,
        actor=ACTOR,
        responses=[
            paper(framework, group, 3 + i % 2, f"{group}-{i}") for group in GROUPS for i in range(5)
        ],
    )
    assert rounds.get_round(db, ROUND).status == "closed"


# --- shared codes: a cap --------------------------------------------------------------------


def test_four_invented_forms_on_a_shared_code_cannot_lift_a_group_of_one(alliance, framework):
    db = alliance
    rounds.open_round(db, name=ROUND, actor=ACTOR)
    expected.set_expected_participation(
        db,
        actor=ACTOR,
        framework=framework,
        organisation="Voices",
        stakeholder_group="lived_experience",
        expected=1,
    )
    _, code = invite_codes.create_invite_code(
        db,
        actor=ACTOR,
        framework=framework,
        organisation="Voices",
        stakeholder_group="lived_experience",
    )
    submissions.submit(db, framework=framework, code=code, answers=scores(framework, 2))
    for attempt in range(4):
        with pytest.raises(Refused, match="already been used for the 1 responses"):
            submissions.submit(
                db, framework=framework, code=code, answers=scores(framework, 5 - attempt % 2)
            )
    assert count_rows(db, Submission) == 1


def test_a_shared_code_takes_its_cap_in_each_round(alliance, framework):
    db = alliance
    rounds.open_round(db, name=ROUND, actor=ACTOR)
    info, code = invite_codes.create_invite_code(
        db,
        actor=ACTOR,
        framework=framework,
        organisation="Shelter Trust",
        stakeholder_group="provider",
        response_cap=2,
    )
    assert info.kind_text == "shared, up to 2 per round"
    for _ in range(2):
        submissions.submit(db, framework=framework, code=code, answers=scores(framework, 4))
    with pytest.raises(Refused):
        submissions.submit(db, framework=framework, code=code, answers=scores(framework, 4))
    rounds.close_round(db, name=ROUND, actor=ACTOR)
    rounds.create_round(db, name="Autumn 2027", actor=ACTOR)
    rounds.open_round(db, name="Autumn 2027", actor=ACTOR)
    submissions.submit(db, framework=framework, code=code, answers=scores(framework, 4))
    assert count_rows(db, Submission) == 3


def test_a_shared_code_without_a_cap_or_an_expected_number_is_refused(alliance, framework):
    with pytest.raises(Refused, match="needs a cap"):
        invite_codes.create_invite_code(
            alliance,
            actor=ACTOR,
            framework=framework,
            organisation="Shelter Trust",
            stakeholder_group="provider",
        )
    assert invite_codes.list_invite_codes(alliance) == []


# --- personal codes: one response per round, reopened ---------------------------------------


def test_a_personal_code_stores_one_response_per_round_and_reopens_it(alliance, framework):
    db = alliance
    info = rounds.open_round(db, name=ROUND, actor=ACTOR)
    made = invite_codes.create_invite_codes(
        db,
        actor=ACTOR,
        framework=framework,
        organisation="Voices",
        stakeholder_group="lived_experience",
        personal=True,
        count=3,
    )
    assert [m[0].kind_text for m in made] == ["personal"] * 3
    assert len({code for _, code in made}) == 3
    code = made[0][1]
    first = submissions.submit(db, framework=framework, code=code, answers=scores(framework, 2))
    again = submissions.submit(db, framework=framework, code=code, answers=scores(framework, 5))
    assert (first.personal, first.code, again.revision) == (True, None, 2)
    assert again.submission_id == first.submission_id
    assert count_rows(db, Submission) == 1
    reopened = submissions.find_personal_submission(db, code=code, round_id=info.id)
    assert reopened is not None and reopened.revision == 2
    assert {a.score for a in reopened.answers.values()} == {5}
    assert submissions.find_personal_submission(db, code=made[1][1], round_id=info.id) is None
    log = audit.recent_entries(db)
    detail = log.loc[log["action"] == "invite_code.create", "detail"].iloc[0]
    assert "3 invite codes (personal)" in detail
    assert all(code not in detail for _, code in made)


# --- no subtraction across time ---------------------------------------------------------------


def test_one_late_paper_form_in_a_closed_round_changes_no_export(alliance, framework):
    db = alliance
    closed_round_of_five_each(db, framework)
    before = summary_csv(db, framework)
    late = [paper(framework, "lived_experience", 1, "late-1", organisation="Tiny Org")]
    imported.import_responses(db, actor=ACTOR, responses=late, amend=True)
    assert summary_csv(db, framework) == before
    waiting = snapshots.pending(db, round_name=ROUND, min_group_size=K)
    assert (waiting.published, waiting.changed) == (False, 1)
    assert {(w.stakeholder_group, w.organisation, w.people) for w in waiting.waiting} == {
        ("lived_experience", None, 1),
        ("lived_experience", "Tiny Org", 1),
    }
    assert "1 person's answers wait" in waiting.waiting_text()
    assert "responses.amend" in set(audit.recent_entries(db)["action"])


def test_an_amendment_publishes_once_five_people_changed_in_each_place(alliance, framework):
    db = alliance
    closed_round_of_five_each(db, framework)
    before = summary_csv(db, framework)
    # Five more lived-experience people, but one of them from an organisation of one.
    five = [paper(framework, "lived_experience", 1, f"late-{i}") for i in range(5)]
    one_elsewhere = [paper(framework, "lived_experience", 1, "late-x", organisation="Tiny Org")]
    imported.import_responses(db, actor=ACTOR, responses=five + one_elsewhere, amend=True)
    assert summary_csv(db, framework) == before  # Tiny Org's one person would show
    more = [paper(framework, "lived_experience", 1, f"late-t{i}", "Tiny Org") for i in range(4)]
    imported.import_responses(db, actor=ACTOR, responses=more, amend=True)
    after = summary_csv(db, framework)
    assert after != before
    assert snapshots.pending(db, round_name=ROUND, min_group_size=K).changed == 0


def test_an_amendment_replaces_a_respondents_response_and_a_same_answer_is_no_change(
    alliance, framework
):
    db = alliance
    closed_round_of_five_each(db, framework)
    same = paper(framework, "provider", 3, "provider-0")  # provider-0 gave 3 everywhere
    imported.import_responses(db, actor=ACTOR, responses=[same], amend=True)
    assert count_rows(db, Submission) == 15
    assert count_rows(db, Revision) == 16
    assert snapshots.pending(db, round_name=ROUND, min_group_size=K).changed == 0


def live_round(db: Database, framework) -> invite_codes.InviteCodeInfo:
    """An open round with live results on and five people in each group."""
    rounds.open_round(db, name=ROUND, actor=ACTOR)
    codes = {}
    for group in GROUPS:
        codes[group] = invite_codes.create_invite_code(
            db,
            actor=ACTOR,
            framework=framework,
            organisation=ORGS[group],
            stakeholder_group=group,
            response_cap=50,
        )[1]
        for i in range(5):
            submissions.submit(
                db, framework=framework, code=codes[group], answers=scores(framework, 3 + i % 2)
            )
    rounds.set_live_results(db, actor=ACTOR, name=ROUND, on=True)
    return codes


def test_live_results_move_only_when_five_people_in_a_group_changed(alliance, framework):
    db = alliance
    codes = live_round(db, framework)
    before = summary_csv(db, framework)
    receipt = submissions.submit(
        db, framework=framework, code=codes["provider"], answers=scores(framework, 1)
    )
    assert summary_csv(db, framework) == before  # one new answer: n2*m2 - n1*m1 is one person
    submissions.revise(
        db, framework=framework, receipt_code=receipt.code, answers=scores(framework, 5)
    )
    assert summary_csv(db, framework) == before  # nor a revision of it
    for _ in range(4):
        submissions.submit(
            db, framework=framework, code=codes["provider"], answers=scores(framework, 2)
        )
    assert summary_csv(db, framework) != before  # five providers: published together
    assert snapshots.pending(db, round_name=ROUND, min_group_size=K).changed == 0


def test_results_never_read_answers_that_are_not_published(alliance, framework):
    db = alliance
    codes = live_round(db, framework)
    with db.read() as session:
        published = session.scalar(sa.select(sa.func.count()).select_from(Submission))
    submissions.submit(
        db, framework=framework, code=codes["commissioner"], answers=scores(framework, 1)
    )
    from collab.domain.answers import load_answers

    assert load_answers(db)["submission_id"].nunique() == published


# --- a resend after a restart ------------------------------------------------------------------


def test_a_resend_after_a_restart_stores_once_and_gives_back_the_same_receipt(alliance, framework):
    db = alliance
    rounds.open_round(db, name=ROUND, actor=ACTOR)
    _, code = invite_codes.create_invite_code(
        db,
        actor=ACTOR,
        framework=framework,
        organisation="Shelter Trust",
        stakeholder_group="provider",
        response_cap=10,
    )
    first = submissions.submit(
        db, framework=framework, code=code, answers=scores(framework, 4), idempotency_key="k1"
    )
    restarted = Database(db.engine.engine)  # a new server process: nothing in memory
    resent = submissions.submit(
        restarted,
        framework=framework,
        code=code,
        answers=scores(framework, 4),
        idempotency_key="k1",
    )
    assert resent.already_stored and resent.code == first.code
    assert count_rows(db, Submission) == 1
    # The receipt that came back works.
    assert submissions.find_submission(db, receipt_code=resent.code).revision == 1

"""Wrong passcodes counted in the database per role and per client address, on both
databases: the count survives new sessions, and every wrong passcode is audited."""

from __future__ import annotations

import datetime as dt
import threading

import pytest
import sqlalchemy as sa

from collab.domain import audit
from collab.domain.sign_in import SignInOutcome, client_name, try_passcode
from collab.store.models import SignInThrottle

START = dt.datetime(2027, 3, 5, 14, 30)


def guess(db, *, role="leadership", client="203.0.113.7", right=False, at=START, actor="unknown"):
    return try_passcode(db, actor=actor, role=role, client=client, passcode_matches=right, now=at)


def test_five_wrong_passcodes_from_five_addresses_lock_the_role_for_every_address(db):
    for n in range(5):
        guess(db, client=f"203.0.113.{n}")
    assert guess(db, client="198.51.100.9", right=True) == SignInOutcome(False, 30)
    assert guess(db, role="admin", client="198.51.100.9", right=True).accepted


def test_five_wrong_passcodes_from_one_address_lock_that_address_for_every_role(db):
    for role in ("leadership", "admin", "leadership", "admin", "leadership"):
        guess(db, role=role, client="203.0.113.7")
    assert guess(db, role="admin", client="203.0.113.7", right=True) == SignInOutcome(False, 30)
    assert guess(db, role="admin", client="198.51.100.9", right=True).accepted


def test_the_wait_doubles_with_each_wrong_passcode_after_a_lock_up_to_an_hour(db):
    at = START
    waits = []
    for _ in range(12):
        waits.append(guess(db, at=at).wait_seconds)
        at += dt.timedelta(seconds=waits[-1])
    assert waits[:9] == [0, 0, 0, 0, 30, 60, 120, 240, 480]
    assert max(waits) == 3600


def test_tries_while_locked_are_refused_uncounted_and_the_wait_counts_down(db):
    for _ in range(5):
        guess(db)
    later = START + dt.timedelta(seconds=10.5)
    assert guess(db, at=later) == SignInOutcome(False, 20)
    assert guess(db, at=later, right=True) == SignInOutcome(False, 20)
    assert guess(db, at=START + dt.timedelta(seconds=30), right=True).accepted


def test_a_right_passcode_resets_the_role_and_the_address(db):
    for _ in range(4):
        guess(db)
    assert guess(db, right=True).accepted
    with db.read() as session:
        assert session.scalars(sa.select(SignInThrottle)).all() == []
    for _ in range(4):
        assert guess(db) == SignInOutcome(False, 0)


def test_every_wrong_passcode_is_audited_with_the_role_and_address(db):
    for _ in range(5):
        guess(db, role="admin")
    guess(db, role="admin")  # locked: refused without being checked
    entries = audit.recent_entries(db)
    assert list(entries["action"]) == ["sign_in.failed"] * 5
    assert set(entries["actor"]) == {"unknown"}
    newest = entries["detail"].iloc[0]
    assert "Administrator" in newest and "203.0.113.7" in newest
    assert "5 in a row" in newest and "locked for 30 seconds" in newest


def test_an_address_the_server_cannot_tell_is_counted_as_unknown(db):
    assert client_name(None) == client_name("") == "unknown"
    for _ in range(5):
        guess(db, client=None)
    assert guess(db, client="", right=True).wait_seconds == 30


def test_only_roles_with_a_passcode_can_be_tried(db):
    with pytest.raises(ValueError):
        guess(db, role="member")


def test_of_eight_passcodes_sent_at_once_only_five_are_checked_before_the_lock(db):
    barrier = threading.Barrier(8)

    def send() -> None:
        barrier.wait()
        guess(db, client=f"203.0.113.{threading.get_ident() % 200}")

    threads = [threading.Thread(target=send) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    with db.read() as session:
        role_row = session.get(SignInThrottle, ("role", "leadership"))
    assert role_row is not None and role_row.failures == 5
    assert len(audit.recent_entries(db)) == 5

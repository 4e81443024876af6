"""The meeting pack's page of live checks: after the learning points, each check with who
answered, each group after the first pass and the re-score as the screen published them,
and whether the groups came closer; no page at all for a round without checks."""

from __future__ import annotations

import re

import pytest

from collab.domain import checks, rounds
from collab.domain.checks import RESCORE_PASS
from collab.present import pack as meeting_pack
from tests.support.checks import ROUND, CheckRoom, K

POINT = "difference"


@pytest.fixture
def round_with_a_check(db, framework):
    """A closed round whose meeting ran a check on POINT: providers moved from 2 to 4."""
    room = CheckRoom(db, framework, per_group=5, round_closed=True)
    check = room.open_check(POINT)
    room.answer_group(check, "provider", [2] * 5)
    room.answer_group(check, "commissioner", [5] * 5)
    room.answer_group(check, "lived_experience", [3, 3])
    checks.start_rescore(db, actor="leadership", check_id=check.id)
    room.answer_group(check, "provider", [4] * 5, pass_number=RESCORE_PASS)
    checks.close_check(db, actor="leadership", check_id=check.id)
    return db


def build(db, framework) -> str:
    return meeting_pack.build_meeting_pack(
        db, framework=framework, round_name=ROUND, min_group_size=K
    )


def test_the_checks_page_follows_the_learning_points_with_before_and_after(
    round_with_a_check, framework
):
    html = build(round_with_a_check, framework)
    sheets = re.findall(r'<section class="sheet[^"]*" id="([^"]+)"', html)
    assert sheets.index("checks") == len(framework.point_keys) + 1
    assert sheets[sheets.index("checks") + 1] == "trends"
    page = html.split('id="checks"', 1)[1].split("</section>", 1)[0]
    assert "Recognise difference" in page
    assert (
        "First pass: 5 commissioners, 5 service providers and 2 lived experience. "
        "Re-score: 0 commissioners, 5 service providers and 0 lived experience." in page
    )
    cells = re.findall(r"<td>([^<]*)</td>", page)
    assert cells[3:6] == ["Service providers", "2.0 (2.0 to 2.0)", "4.0 (4.0 to 4.0)"]
    withheld = "— (fewer than 5 scores)"
    assert cells[6:9] == ["Lived experience", withheld, withheld]
    assert "The groups came closer: the gap between the highest and the lowest group" in page


def test_a_round_without_live_checks_has_no_checks_page(db, framework):
    rounds.create_round(db, name=ROUND, actor="admin")
    html = build(db, framework)
    assert 'id="checks"' not in html
    assert "Live checks in the meeting" not in html

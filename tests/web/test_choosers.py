"""Which round the leadership pages show first, and how each round is named in the selector."""

import pytest

from collab.domain.rounds import RoundInfo
from collab.web import choosers


def round_(name: str, status: str, *, live: bool = False) -> RoundInfo:
    return RoundInfo(
        id=0,
        name=name,
        opens_on=None,
        closes_on=None,
        is_open=status == "open",
        live_results=live,
        opened=status != "not_opened",
    )


CLOSED = round_("Spring 2026", "closed")
OPEN = round_("Autumn 2026", "open")
LIVE = round_("Autumn 2026", "open", live=True)
NOT_OPENED = round_("Spring 2027", "not_opened")


@pytest.mark.parametrize(
    ("choices", "first"),
    [
        ([CLOSED, NOT_OPENED], CLOSED),
        ([CLOSED, OPEN, NOT_OPENED], CLOSED),
        ([CLOSED, LIVE, NOT_OPENED], LIVE),
        ([OPEN, NOT_OPENED], OPEN),
        ([NOT_OPENED], NOT_OPENED),
    ],
)
def test_a_round_not_yet_opened_is_never_the_default_round(choices, first):
    assert choosers.default_round(choices) == first


def test_the_round_selector_names_each_state():
    assert [choosers.round_label(r) for r in (CLOSED, OPEN, LIVE, NOT_OPENED)] == [
        "Spring 2026 (closed)",
        "Autumn 2026 (open: counts only)",
        "Autumn 2026 (open, live results)",
        "Spring 2027 (not yet opened)",
    ]


@pytest.mark.parametrize(
    ("choices", "first"),
    [
        ([CLOSED, OPEN, NOT_OPENED], OPEN),
        ([CLOSED, NOT_OPENED], CLOSED),
        ([NOT_OPENED], NOT_OPENED),
    ],
)
def test_participation_opens_on_the_open_round_and_never_on_one_not_yet_opened(choices, first):
    assert choosers.default_round(choices, open_first=True) == first

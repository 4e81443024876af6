"""Which of a learning point's comments the printed pack holds: every group heard, at most
``PRINTED_COMMENTS`` comments and about ``PRINTED_CHARACTERS`` characters, long comments
cut at a word, and everything still on screen."""

from __future__ import annotations

from collab.present.printed_comments import (
    LONGEST_PRINTED,
    PRINTED_CHARACTERS,
    PRINTED_COMMENTS,
    printed_comments,
)


def _comment(group: str, number: int, length: int = 60) -> str:
    text = f"{group} comment {number} "
    return (text + "word " * length)[:length].strip()


def _printed(groups) -> dict[str, list[str]]:
    return {g.group_name: [c.text for c in g.comments if c.in_print] for g in groups}


def test_comments_within_the_budget_are_all_printed_whole():
    comments = [("Commissioners", ["Short one.", "Another."]), ("Lived experience", ["Yes."])]
    groups = printed_comments(comments)
    assert _printed(groups) == dict(comments)
    assert [g.left_out_of_print for g in groups] == [0, 0]
    assert all(c.more == "" for g in groups for c in g.comments)


def test_print_takes_the_groups_in_turn_up_to_the_number_of_comments():
    comments = [
        (group, [_comment(group, i, 40) for i in range(6)])
        for group in ("Commissioners", "Service providers", "Lived experience")
    ]
    groups = printed_comments(comments)
    assert PRINTED_COMMENTS == 9
    assert [len(texts) for texts in _printed(groups).values()] == [3, 3, 3]
    assert [g.left_out_of_print for g in groups] == [3, 3, 3]


def test_print_stops_at_the_characters_budget_but_hears_every_group_once():
    long = LONGEST_PRINTED - 10
    comments = [
        ("Commissioners", [_comment("c", i, long) for i in range(4)]),
        ("Service providers", [_comment("s", i, long) for i in range(4)]),
        ("Lived experience", [_comment("l", i, long) for i in range(4)]),
        ("Other", [_comment("o", 0, long)]),
    ]
    groups = printed_comments(comments)
    printed = _printed(groups)
    assert [len(texts) for texts in printed.values()] == [1, 1, 1, 1]
    assert sum(len(t) for texts in printed.values() for t in texts) > PRINTED_CHARACTERS
    assert [g.left_out_of_print for g in groups] == [3, 3, 3, 0]


def test_a_long_comment_is_cut_at_a_word_in_print_and_whole_on_screen():
    text = " ".join(["Nobody asked us before the decision."] * 20)
    [group] = printed_comments([("Lived experience", [text])])
    [comment] = group.comments
    assert comment.in_print
    assert len(comment.text) <= LONGEST_PRINTED
    assert comment.more.startswith(" ")  # cut between two words
    assert comment.text + comment.more == text


def test_every_comment_stays_on_screen_in_its_order():
    comments = [
        (group, [_comment(group, i, 120) for i in range(7)])
        for group in ("Commissioners", "Service providers")
    ]
    groups = printed_comments(comments)
    assert [(g.group_name, [c.text + c.more for c in g.comments]) for g in groups] == comments
    # Only the first ones of each group are printed: the order of the list is kept.
    for group in groups:
        flags = [c.in_print for c in group.comments]
        assert flags == sorted(flags, reverse=True)

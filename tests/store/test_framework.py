"""The framework file: the shipped one is complete, and every kind of mistake is named."""

from pathlib import Path

import pytest

from collab.store.framework import DEFAULT_PATH, FrameworkError, load_framework, parse_framework

SHIPPED = DEFAULT_PATH.read_text(encoding="utf-8")


def test_shipped_framework_has_the_eight_learning_points_in_order():
    framework = load_framework()
    assert framework.point_keys == [
        "upstream",
        "right_people",
        "realistic",
        "difference",
        "assets",
        "messiness",
        "focus",
        "impact",
    ]
    assert framework.point("right_people").title == "Get the right people in the room"
    assert all(p.statement and p.help for p in framework.learning_points)


def test_shipped_framework_has_a_labelled_five_point_scale_and_three_groups():
    framework = load_framework()
    assert [s.value for s in framework.scale] == [1, 2, 3, 4, 5]
    assert framework.scale_label(1) == "Not yet happening"
    assert framework.scale_label(5) == "Embedded in how we work"
    assert framework.dont_know_label == "Don't know"
    assert framework.group_keys == ["commissioner", "provider", "lived_experience"]
    assert framework.scale_mid == 3


def test_shipped_thresholds_match_the_design():
    t = load_framework().thresholds
    assert (t.min_group_size, t.divergent_gap, t.some_divergence_gap, t.split_consensus) == (
        5,
        1.0,
        0.5,
        0.5,
    )
    assert t.established_from == 4


def _broken(old: str, new: str) -> str:
    assert old in SHIPPED
    return SHIPPED.replace(old, new, 1)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            _broken('statement = "Our meetings include', 'wording = "Our meetings include'),
            "learning point 'right_people': missing or empty 'statement'",
        ),
        (_broken('key = "assets"', 'key = "upstream"'), "duplicate key 'upstream'"),
        (_broken("{ value = 3,", "{ value = 7,"), "[scale]: values must run 1, 2, 3"),
        (_broken("min_group_size = 5", "min_group_size = 5\nsmallest = 2"), "unknown threshold"),
        (_broken("min_group_size = 5", "min_group_size = 2"), "'min_group_size' must be at least"),
        (_broken('key = "provider"', 'key = "Provider!"'), "key may hold only"),
        ("title = 'x'\n[scale\n", "not valid TOML"),
    ],
)
def test_a_broken_framework_is_refused_naming_file_entry_and_fault(text, expected):
    with pytest.raises(FrameworkError) as excinfo:
        parse_framework(text, Path("/etc/alliance/framework.toml"))
    message = str(excinfo.value)
    assert message.startswith("/etc/alliance/framework.toml: ")
    assert expected in message


def test_a_missing_framework_file_is_reported_with_its_path(tmp_path):
    with pytest.raises(FrameworkError, match="cannot read the framework file"):
        load_framework(tmp_path / "nowhere.toml")


@pytest.mark.parametrize(
    ("encoding", "expected"),
    [
        ("utf-16", "the framework file is saved as UTF-16 text; save it as UTF-8"),
        ("utf-16-le", "the framework file is saved as UTF-16 text; save it as UTF-8"),
        ("cp1252", "the framework file is not UTF-8 text: the byte 0x92 on line"),
    ],
)
def test_a_framework_file_not_saved_as_utf8_is_refused_naming_file_and_encoding(
    tmp_path, encoding, expected
):
    path = tmp_path / "framework.toml"
    path.write_bytes(_broken("Don't know", "Don\u2019t know").encode(encoding))
    with pytest.raises(FrameworkError) as excinfo:
        load_framework(path)
    assert str(excinfo.value).startswith(f"{path}: {expected}")


def test_a_framework_file_saved_as_utf8_with_a_byte_order_mark_is_read(tmp_path):
    path = tmp_path / "framework.toml"
    path.write_bytes(SHIPPED.encode("utf-8-sig"))
    assert load_framework(path).title == load_framework().title


@pytest.mark.parametrize("key", ["round", "organisation", "group", "respondent"])
def test_a_learning_point_keyed_like_a_column_of_the_response_file_is_refused(key):
    with pytest.raises(FrameworkError) as excinfo:
        parse_framework(_broken('key = "focus"', f'key = "{key}"'), Path("framework.toml"))
    assert f"learning_points #7 ('{key}'): '{key}' is a column of the response file" in str(
        excinfo.value
    )


def test_a_learning_point_key_that_would_name_a_comment_column_is_refused():
    text = _broken('key = "focus"', 'key = "comment_assets"')
    with pytest.raises(FrameworkError, match="may not begin with 'comment_'"):
        parse_framework(text, Path("framework.toml"))

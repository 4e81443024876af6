"""Names people read and match: rounds, organisations and respondent references.

A name is stored in Unicode's composed form (NFC), trimmed, with each run of spaces made
one ordinary space. A name holding a character nobody can see or that changes how text
around it is shown (control characters, line breaks, tabs, zero-width characters, the
bidirectional controls) is refused, so two names that look the same are the same name.
The longest name is the database column's length, checked here so that SQLite, which
does not enforce it, refuses the same names as PostgreSQL.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass

from collab.store.errors import Refused
from collab.store.models import Organisation, Respondent, Round


def _column_length(column) -> int:
    length = column.type.length
    assert isinstance(length, int), column
    return length


MAX_ROUND_NAME = _column_length(Round.__table__.c.name)
MAX_ORGANISATION_NAME = _column_length(Organisation.__table__.c.name)
MAX_REFERENCE = _column_length(Respondent.__table__.c.reference)

# Unicode's default-ignorable code points that are not format characters (Cf): fillers
# and joiners shown as nothing at all.
_INVISIBLE_RANGES = (
    (0x034F, 0x034F),
    (0x115F, 0x1160),
    (0x17B4, 0x17B5),
    (0x180B, 0x180F),
    (0x2800, 0x2800),
    (0x3164, 0x3164),
    (0xFE00, 0xFE0F),
    (0xFFA0, 0xFFA0),
    (0xE0100, 0xE01EF),
)
_DIRECTION_CONTROLS = frozenset(
    [0x061C, 0x200E, 0x200F, *range(0x202A, 0x202F), *range(0x2066, 0x206A)]
)
_LINE_BREAKS = frozenset([0x0A, 0x0B, 0x0C, 0x0D, 0x1C, 0x1D, 0x1E, 0x85, 0x2028, 0x2029])
_CONTROL_NAMES = {
    0x09: "CHARACTER TABULATION",
    0x0A: "LINE FEED",
    0x0B: "LINE TABULATION",
    0x0C: "FORM FEED",
    0x0D: "CARRIAGE RETURN",
    0x85: "NEXT LINE",
}


@dataclass(frozen=True)
class NameKind:
    """What the name names, as a message says it, and its longest length."""

    label: str
    max_length: int


ROUND = NameKind("round name", MAX_ROUND_NAME)
ORGANISATION = NameKind("organisation name", MAX_ORGANISATION_NAME)
REFERENCE = NameKind("respondent reference", MAX_REFERENCE)


def _describe(char: str) -> str | None:
    """What kind of unwanted character ``char`` is, with its code and name; None if fine."""
    point = ord(char)
    category = unicodedata.category(char)
    code = f"U+{point:04X}"
    name = unicodedata.name(char, "") or _CONTROL_NAMES.get(point, "")
    label = f"{code} {name}".strip()
    if point == 0x09:
        return f"a tab ({label})"
    if point in _LINE_BREAKS:
        return f"a line break ({label})"
    if category == "Cc":
        return f"an invisible control character ({label})"
    if point in _DIRECTION_CONTROLS:
        return f"an invisible text-direction character ({label})"
    if category == "Cf" or any(low <= point <= high for low, high in _INVISIBLE_RANGES):
        return f"an invisible character ({label})"
    if category == "Cs":
        return f"a character that can't be stored ({code})"
    if category == "Co":
        return f"a private-use character ({code}) that shows differently on every device"
    if category == "Cn":
        return f"a character that Unicode does not define ({code})"
    return None


def problem(text: str, kind: NameKind) -> tuple[str, str | None]:
    """(the name cleaned, None), or (``text``, a message saying what is wrong with it).

    A name of nothing but spaces comes back as ``""`` without a message: each caller
    says what a missing name means to it.

    The message names the first unwanted character by its code, its Unicode name and its
    position (counting from 1 in the text as given), or gives the length limit.
    """
    composed = unicodedata.normalize("NFC", text)
    for position, char in enumerate(composed, start=1):
        if " " <= char <= "~":
            continue
        what = _describe(char)
        if what is not None:
            return text, (
                f"The {kind.label} contains {what} at position {position}. "
                "Type the name again without it."
            )
    # Every other space character (no-break, em and ideographic spaces) is a space.
    cleaned = tidy(composed)
    if len(cleaned) > kind.max_length:
        return text, (
            f"The {kind.label} is {len(cleaned)} characters long; the limit is "
            f"{kind.max_length}. Shorten it."
        )
    return cleaned, None


def clean(text: str, kind: NameKind) -> str:
    """The name cleaned; raises Refused saying what is wrong (see ``problem``)."""
    cleaned, wrong = problem(text, kind)
    if wrong is not None:
        raise Refused(wrong)
    return cleaned


def tidy(text: str) -> str:
    """A name as typed to look one up: composed, trimmed, spaces collapsed; never refused."""
    composed = unicodedata.normalize("NFC", text)
    return " ".join(
        "".join(" " if unicodedata.category(c) == "Zs" else c for c in composed).split()
    )


def same_name_key(name: str) -> str:
    """What two names share when they look the same: compatibility forms (full-width
    letters, ligatures) folded and case ignored."""
    return tidy(unicodedata.normalize("NFKC", name)).casefold()

"""Load and validate the self-assessment framework (``data/framework.toml``).

The framework is data: learning points, the rating scale, the stakeholder groups and
the analysis thresholds. Every error names the file, the entry and what is wrong.
"""

from __future__ import annotations

import dataclasses
import tomllib
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

DEFAULT_PATH = Path(__file__).resolve().parents[2] / "data" / "framework.toml"

KEY_CHARS = set("abcdefghijklmnopqrstuvwxyz0123456789_")
# The response file's columns (import and export): these, one per learning point key,
# then one comment column per key. A learning point key must not be one of them.
RESPONSE_ID_COLUMNS = ("round", "organisation", "group", "respondent")
COMMENT_PREFIX = "comment_"
MIN_GROUP_SIZE_FLOOR = 3


class FrameworkError(ValueError):
    """The framework file is missing, malformed or inconsistent."""


@dataclass(frozen=True)
class ScalePoint:
    value: int
    label: str


@dataclass(frozen=True)
class StakeholderGroup:
    key: str
    name: str
    description: str


@dataclass(frozen=True)
class LearningPoint:
    key: str
    title: str
    statement: str
    help: str


@dataclass(frozen=True)
class Thresholds:
    min_group_size: int
    divergent_gap: float
    some_divergence_gap: float
    split_consensus: float
    established_from: int
    strength_from: float
    developing_from: float


# The thresholds a framework file's [analysis] section may leave out, also by name for
# checking that section (a whole-number default takes only whole numbers).
DEFAULT_THRESHOLDS = Thresholds(
    min_group_size=5,
    divergent_gap=1.0,
    some_divergence_gap=0.5,
    split_consensus=0.5,
    established_from=4,
    strength_from=4.0,
    developing_from=3.0,
)
ANALYSIS_DEFAULTS = dataclasses.asdict(DEFAULT_THRESHOLDS)


@dataclass(frozen=True)
class Framework:
    title: str
    scale: tuple[ScalePoint, ...]
    dont_know_label: str
    groups: tuple[StakeholderGroup, ...]
    learning_points: tuple[LearningPoint, ...]
    thresholds: Thresholds

    @property
    def scale_min(self) -> int:
        return self.scale[0].value

    @property
    def scale_max(self) -> int:
        return self.scale[-1].value

    @property
    def scale_mid(self) -> float:
        return (self.scale_min + self.scale_max) / 2

    @property
    def point_keys(self) -> list[str]:
        return [p.key for p in self.learning_points]

    @property
    def group_keys(self) -> list[str]:
        return [g.key for g in self.groups]

    def point(self, key: str) -> LearningPoint:
        for p in self.learning_points:
            if p.key == key:
                return p
        raise KeyError(key)

    def group_name(self, key: str) -> str:
        for g in self.groups:
            if g.key == key:
                return g.name
        return key

    def scale_label(self, value: int) -> str:
        for s in self.scale:
            if s.value == value:
                return s.label
        raise KeyError(value)


def _require_text(path: Path, where: str, entry: dict, field: str) -> str:
    value = entry.get(field)
    if not isinstance(value, str) or not value.strip():
        raise FrameworkError(f"{path}: {where}: missing or empty '{field}'")
    return value.strip()


def _keyed_entries(path: Path, raw: dict, section: str) -> list[dict]:
    entries = raw.get(section)
    if not isinstance(entries, list) or not entries:
        raise FrameworkError(f"{path}: [[{section}]]: at least one entry is required")
    seen: set[str] = set()
    for i, entry in enumerate(entries, start=1):
        where = f"{section} #{i}"
        if not isinstance(entry, dict):
            raise FrameworkError(f"{path}: {where}: must be a table")
        key = entry.get("key")
        if not isinstance(key, str) or not key:
            raise FrameworkError(f"{path}: {where}: missing 'key'")
        if not set(key) <= KEY_CHARS:
            raise FrameworkError(
                f"{path}: {where} ('{key}'): key may hold only lower-case letters, digits and _"
            )
        if key in seen:
            raise FrameworkError(f"{path}: {where}: duplicate key '{key}'")
        seen.add(key)
    return entries


def _refuse_column_names(path: Path, entries: list[dict]) -> None:
    """A learning point's key names its column in the response file: it must not be the
    name of another column there."""
    for i, entry in enumerate(entries, start=1):
        key = entry["key"]
        if key in RESPONSE_ID_COLUMNS:
            raise FrameworkError(
                f"{path}: learning_points #{i} ('{key}'): '{key}' is a column of the "
                f"response file ({', '.join(RESPONSE_ID_COLUMNS)}); choose another key"
            )
        if key.startswith(COMMENT_PREFIX):
            raise FrameworkError(
                f"{path}: learning_points #{i} ('{key}'): a key may not begin with "
                f"'{COMMENT_PREFIX}', which names the comment columns of the response file; "
                "choose another key"
            )


def _scale(path: Path, raw: dict) -> tuple[tuple[ScalePoint, ...], str]:
    scale = raw.get("scale")
    if not isinstance(scale, dict):
        raise FrameworkError(f"{path}: [scale]: section is missing")
    points = scale.get("points")
    if not isinstance(points, list) or len(points) < 3:
        raise FrameworkError(f"{path}: [scale]: 'points' needs at least three entries")
    result = []
    for i, p in enumerate(points, start=1):
        value = p.get("value") if isinstance(p, dict) else None
        if not isinstance(value, int) or isinstance(value, bool):
            raise FrameworkError(f"{path}: scale point #{i}: 'value' must be a whole number")
        result.append(ScalePoint(value, _require_text(path, f"scale point {value}", p, "label")))
    values = [p.value for p in result]
    if values != list(range(1, len(values) + 1)) or len(values) > 9:
        raise FrameworkError(
            f"{path}: [scale]: values must run 1, 2, 3... without gaps, up to 9 at most; "
            f"got {values}"
        )
    return tuple(result), _require_text(path, "[scale]", scale, "dont_know_label")


def _thresholds(path: Path, raw: dict) -> Thresholds:
    section = raw.get("analysis", {})
    if not isinstance(section, dict):
        raise FrameworkError(f"{path}: [analysis]: must be a table")
    unknown = sorted(set(section) - set(ANALYSIS_DEFAULTS))
    if unknown:
        raise FrameworkError(
            f"{path}: [analysis]: unknown threshold '{unknown[0]}' "
            f"(known: {', '.join(ANALYSIS_DEFAULTS)})"
        )
    values = {**ANALYSIS_DEFAULTS, **section}
    for name, default in ANALYSIS_DEFAULTS.items():
        value = values[name]
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise FrameworkError(f"{path}: [analysis]: '{name}' must be a number")
        if isinstance(default, int) and not isinstance(value, int):
            raise FrameworkError(f"{path}: [analysis]: '{name}' must be a whole number")
        if value < 0:
            raise FrameworkError(f"{path}: [analysis]: '{name}' must not be negative")
    if values["min_group_size"] < MIN_GROUP_SIZE_FLOOR:
        raise FrameworkError(
            f"{path}: [analysis]: 'min_group_size' must be at least {MIN_GROUP_SIZE_FLOOR}"
        )
    if values["some_divergence_gap"] > values["divergent_gap"]:
        raise FrameworkError(
            f"{path}: [analysis]: 'some_divergence_gap' must not exceed 'divergent_gap'"
        )
    if values["developing_from"] > values["strength_from"]:
        raise FrameworkError(
            f"{path}: [analysis]: 'developing_from' must not exceed 'strength_from'"
        )
    return Thresholds(**values)


def parse_framework(text: str, path: Path | str = "<framework>") -> Framework:
    """Parse framework TOML text; raise FrameworkError naming the entry at fault."""
    path = Path(path)
    try:
        raw = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise FrameworkError(f"{path}: not valid TOML: {exc}") from exc
    scale, dont_know_label = _scale(path, raw)
    groups = tuple(
        StakeholderGroup(
            key=g["key"],
            name=_require_text(path, f"group '{g['key']}'", g, "name"),
            description=str(g.get("description", "")).strip(),
        )
        for g in _keyed_entries(path, raw, "groups")
    )
    point_entries = _keyed_entries(path, raw, "learning_points")
    _refuse_column_names(path, point_entries)
    points = tuple(
        LearningPoint(
            key=p["key"],
            title=_require_text(path, f"learning point '{p['key']}'", p, "title"),
            statement=_require_text(path, f"learning point '{p['key']}'", p, "statement"),
            help=_require_text(path, f"learning point '{p['key']}'", p, "help"),
        )
        for p in point_entries
    )
    thresholds = _thresholds(path, raw)
    if not scale[0].value <= thresholds.established_from <= scale[-1].value:
        raise FrameworkError(
            f"{path}: [analysis]: 'established_from' must lie on the scale "
            f"({scale[0].value} to {scale[-1].value})"
        )
    for name in ("developing_from", "strength_from"):
        if not scale[0].value <= getattr(thresholds, name) <= scale[-1].value:
            raise FrameworkError(
                f"{path}: [analysis]: '{name}' must lie on the scale "
                f"({scale[0].value} to {scale[-1].value})"
            )
    return Framework(
        title=str(raw.get("title", "Alliance self-assessment")),
        scale=scale,
        dont_know_label=dont_know_label,
        groups=groups,
        learning_points=points,
        thresholds=thresholds,
    )


@lru_cache(maxsize=8)
def load_framework(path: Path | str = DEFAULT_PATH) -> Framework:
    """Read and validate the framework file (cached per path; the file is data)."""
    path = Path(path)
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise FrameworkError(f"{path}: cannot read the framework file: {exc}") from exc
    return parse_framework(_decode(path, data), path)


def _decode(path: Path, data: bytes) -> str:
    """The file's text; a file not saved as UTF-8 is refused saying how it was saved."""
    # UTF-16 text starts with a byte order mark, or else holds a zero byte after (or
    # before) every letter of plain English.
    if data.startswith((b"\xff\xfe", b"\xfe\xff")) or b"\x00" in data[:200]:
        raise FrameworkError(
            f"{path}: the framework file is saved as UTF-16 text; save it as UTF-8 "
            "(in most editors: Save As, encoding UTF-8) and try again"
        )
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise FrameworkError(
            f"{path}: the framework file is not UTF-8 text: the byte 0x{data[exc.start]:02X} "
            f"on line {line} can't be read as UTF-8; save the file as UTF-8 and try again"
        ) from None

"""Import responses from a CSV file (paper forms typed up, legacy spreadsheets): all or nothing.

The file has the columns of the response export: ``round, organisation, group``, an
optional ``respondent``, one column per learning point (1 to 5, ``DK`` or empty) and
optional ``comment_<key>`` columns. Everything is checked first and every problem is
reported with the row and column a spreadsheet shows (the header is row 1); only a file
without problems is written, in one transaction, through ``collab.domain.imported``. A
file whose bytes were already imported into one of its rounds is refused.
"""

from __future__ import annotations

import csv
import hashlib
import io
import math
import re
from collections.abc import Callable
from dataclasses import dataclass, field

import pandas as pd
import sqlalchemy as sa
from openpyxl.utils import get_column_letter

from collab.domain import imported, names
from collab.domain.organisations import closest_name
from collab.domain.submissions import (
    UNSTORABLE_CHARACTERS,
    UNSTORABLE_MESSAGE,
    AnswerInput,
)
from collab.files.exports import (
    COMMENT_PREFIX,
    DONT_KNOW,
    response_columns,
    restore_neutralised,
    write_frame,
)
from collab.store.config import get_settings
from collab.store.db import Database
from collab.store.errors import CollabError
from collab.store.framework import Framework
from collab.store.models import Organisation, Respondent, Round, Submission

REQUIRED_COLUMNS = ("round", "organisation", "group")
PREVIEW_ROWS = 10
QUERY_CHUNK = 5000
NO_ANSWER = AnswerInput()
CREATE_MISSING_HINT = (
    "Add it first, or choose to create missing rounds and organisations during the import."
)


# The name the blank response file downloads under.
TEMPLATE_FILE_NAME = "response-file.csv"


def blank_response_file(framework: Framework) -> bytes:
    """A response CSV holding only its header row: every column the import accepts, in
    the order of the response export (``round, organisation, group, respondent``, the
    learning points, then their ``comment_<key>`` columns), to type paper forms into.

    UTF-8 with a byte-order mark, as the exports, so spreadsheets open it as UTF-8.
    """
    return write_frame(pd.DataFrame(columns=response_columns(framework)), fmt="csv")


def response_file_guide(framework: Framework) -> str:
    """How to fill in the response file, in one paragraph naming the framework's groups
    and scale."""
    *others, last = framework.group_keys
    groups = f"{', '.join(others)} or {last}" if others else last
    return (
        "One row per person: the round and the organisation as they are named here, the "
        f"group ({groups}), a reference for the person if you have one, then in each "
        f"learning point's column a score from {framework.scale_min} to "
        f"{framework.scale_max}, {DONT_KNOW} for don't know, or nothing. Comments, if "
        f"any, go in the columns named like {COMMENT_PREFIX}{framework.point_keys[0]}."
    )


@dataclass(frozen=True)
class ImportProblem:
    """One problem in the file: ``row`` as a spreadsheet numbers it (header = 1)."""

    row: int | None
    column: str | None
    message: str

    def __str__(self) -> str:
        where = []
        if self.row is not None:
            where.append(f"row {self.row}")
        if self.column is not None:
            where.append(f"column {self.column}")
        return f"{', '.join(where)}: {self.message}" if where else self.message


class ImportRejected(CollabError):
    """The file has problems, so nothing was imported; ``problems`` lists every one."""

    def __init__(self, problems: list[ImportProblem]):
        self.problems = list(problems)
        count = len(self.problems)
        super().__init__(
            (
                f"Nothing was imported: the file has {count} problem{'s' if count != 1 else ''}. "
                f"The first is {self.problems[0]}"
            )
            if self.problems
            else "Nothing was imported."
        )


@dataclass(frozen=True)
class _Row:
    number: int
    round: str
    organisation: str
    group: str
    reference: str | None
    answers: dict[str, AnswerInput]


@dataclass(eq=False)
class ImportPlan:
    """What an import would write, or why it can't: the result of ``check_import``."""

    problems: list[ImportProblem]
    row_count: int
    preview: pd.DataFrame
    rounds_to_create: list[str] = field(default_factory=list)
    organisations_to_create: list[str] = field(default_factory=list)
    rows: list[_Row] = field(default_factory=list, repr=False)
    # The SHA-256 of the file's bytes, and why it can't be imported again (when it can't).
    sha256: str = ""
    already_imported: str | None = None
    # An amendment of closed rounds: respondents already in a round have their response
    # replaced (``replaced`` counts them); published under the release rule.
    amend: bool = False
    replaced: int = 0

    @property
    def ok(self) -> bool:
        return not self.problems


def _size(n: int) -> str:
    if n < 1000:
        return f"{n:,} bytes"
    if n < 1_000_000:
        return f"{n / 1000:.1f} kB ({n:,} bytes)"
    return f"{n / 1_000_000:.1f} MB ({n:,} bytes)"


def size_problem(size: int, max_bytes: int) -> ImportProblem | None:
    """The problem to report when a file of ``size`` bytes is over the limit, else None."""
    if size <= max_bytes:
        return None
    return ImportProblem(
        None,
        None,
        f"The file is {_size(size)}; the largest file accepted is {_size(max_bytes)}. "
        "Split it into smaller files and import them one after another.",
    )


def _did_you_mean(hint: str | None) -> str:
    return f" Did you mean '{hint}'?" if hint else ""


class _Names:
    """Names as stored (rounds or organisations), matched exactly or as names that look
    the same (``names.same_name_key``: capitals and letter forms aside)."""

    def __init__(self, known: list[str]):
        self.known = known
        self.exact = set(known)
        by_key: dict[str, list[str]] = {}
        for name in known:
            by_key.setdefault(names.same_name_key(name), []).append(name)
        self.by_key = {k: v[0] for k, v in by_key.items() if len(v) == 1}

    def find(self, name: str) -> str | None:
        if name in self.exact:
            return name
        return self.by_key.get(names.same_name_key(name))


class _Checker:
    """Validates rows against the framework and what the database holds, with no writes."""

    def __init__(
        self,
        db: Database,
        framework: Framework,
        create_missing: bool,
        max_comment_chars: int,
    ):
        self.framework = framework
        self.create_missing = create_missing
        self.max_comment_chars = max_comment_chars
        with db.read() as session:
            self.rounds = _Names(list(session.scalars(sa.select(Round.name))))
            organisations = session.execute(sa.select(Organisation.name, Organisation.active))
            self.active = dict(organisations.all())
        self.organisations = _Names(list(self.active))
        self.new_rounds: dict[str, str] = {}
        self.new_organisations: dict[str, str] = {}
        self._round_cache: dict[str, tuple[str | None, str | None]] = {}
        self._organisation_cache: dict[str, tuple[str | None, str | None]] = {}
        self._group_cache: dict[str, tuple[str | None, str | None]] = {}
        self.answer_cache: dict[str, AnswerInput | str] = {}
        groups = {g.key: g.key for g in framework.groups}
        for g in framework.groups:
            groups.setdefault(g.name.lower(), g.key)
        self.groups = groups
        dont_know = {DONT_KNOW.lower(), framework.dont_know_label.lower()}
        dont_know |= {label.replace("'", "\u2019") for label in dont_know}
        self.dont_know = dont_know
        self.scores = {str(s.value): s.value for s in framework.scale}

    def round(self, text: str) -> tuple[str | None, str | None]:
        """(round name, None) or (None, problem message); cached per distinct text."""
        if text not in self._round_cache:
            self._round_cache[text] = self._resolve(
                text,
                self.rounds,
                self.new_rounds,
                kind=names.ROUND,
            )
        return self._round_cache[text]

    def organisation(self, text: str) -> tuple[str | None, str | None]:
        if text not in self._organisation_cache:
            name, problem = self._resolve(
                text,
                self.organisations,
                self.new_organisations,
                kind=names.ORGANISATION,
            )
            if name is not None and not self.active.get(name, True):
                name, problem = (
                    None,
                    f"'{name}' is deactivated. Reactivate it before importing its responses.",
                )
            self._organisation_cache[text] = (name, problem)
        return self._organisation_cache[text]

    def _resolve(
        self, text: str, known: _Names, new: dict[str, str], *, kind: names.NameKind
    ) -> tuple[str | None, str | None]:
        """The stored name ``text`` means, the name the import creates, or a problem.

        A name stored before names were checked is still found by its exact text.
        """
        what = kind.label.removesuffix(" name")
        if text in known.exact:
            return text, None
        cleaned, problem = names.problem(text, kind)
        if problem:
            return None, problem
        if not cleaned:
            return None, f"The {what} is missing."
        found = known.find(cleaned)
        if found is not None:
            return found, None
        if self.create_missing:
            return new.setdefault(names.same_name_key(cleaned), cleaned), None
        hint = closest_name(cleaned, known.known)
        return None, f"There is no {what} called '{cleaned}'.{_did_you_mean(hint)} " + (
            CREATE_MISSING_HINT
        )

    def group(self, text: str) -> tuple[str | None, str | None]:
        if text not in self._group_cache:
            wanted = text.lower()
            key = self.groups.get(wanted) or self.groups.get(
                wanted.replace(" ", "_").replace("-", "_")
            )
            if key is not None:
                self._group_cache[text] = (key, None)
            elif not text:
                self._group_cache[text] = (None, "The stakeholder group is missing.")
            else:
                keys = self.framework.group_keys
                hint = closest_name(text, keys)
                self._group_cache[text] = (
                    None,
                    f"'{text}' is not a stakeholder group.{_did_you_mean(hint)} "
                    f"The groups are: {', '.join(keys)}.",
                )
        return self._group_cache[text]

    def answer(self, text: str) -> AnswerInput | str:
        """The answer in a score cell (``NO_ANSWER`` when empty) or a problem message.

        Results are cached per distinct cell text: a file holds few distinct scores.
        """
        if text not in self.answer_cache:
            score, dont_know, problem = self._parse_score(text)
            self.answer_cache[text] = problem or (
                AnswerInput(score, dont_know) if score is not None or dont_know else NO_ANSWER
            )
        return self.answer_cache[text]

    def _parse_score(self, text: str) -> tuple[int | None, bool, str | None]:
        if not text:
            return None, False, None
        if text in self.scores:
            return self.scores[text], False, None
        if text.lower() in self.dont_know:
            return None, True, None
        framework = self.framework
        expected = (
            f"Use a whole number from {framework.scale_min} to {framework.scale_max}, "
            f"{DONT_KNOW} for don't know, or leave the cell empty."
        )
        try:
            number = float(text)
        except ValueError:
            number = math.nan
        if not math.isfinite(number):
            return None, False, f"'{text}' is not a score. {expected}"
        if number.is_integer() and str(int(number)) in self.scores:
            return int(number), False, None
        if not number.is_integer():
            return None, False, f"'{text}' is not a whole number. {expected}"
        return None, False, f"{text} is outside the scale. {expected}"


@dataclass
class _Columns:
    """Where each known column is in the file (0-based positions)."""

    positions: dict[str, int]
    points: list[tuple[str, int]]
    comments: list[tuple[str, int]]
    unnamed: list[int]
    width: int

    @property
    def named_cells(self) -> set[int]:
        """Positions of the cells holding names: round, organisation and respondent."""
        return {
            self.positions[name]
            for name in ("round", "organisation", "respondent")
            if name in self.positions
        }


def _read_header(
    header: list[str], framework: Framework, problems: list[ImportProblem]
) -> _Columns | None:
    keys = framework.point_keys
    known = response_columns(framework)
    positions: dict[str, int] = {}
    unnamed = []
    for position, raw in enumerate(header):
        name = raw.strip().lower()
        if not name:
            unnamed.append(position)
        elif name in positions:
            problems.append(
                ImportProblem(1, name, f"The column '{name}' appears twice; keep only one.")
            )
        elif name in known:
            positions[name] = position
        else:
            hint = closest_name(name, known)
            problems.append(
                ImportProblem(
                    1, raw.strip(), f"Unknown column '{raw.strip()}'.{_did_you_mean(hint)}"
                )
            )
    missing = [name for name in REQUIRED_COLUMNS if name not in positions]
    for name in missing:
        problems.append(
            ImportProblem(1, name, f"The column '{name}' is missing; every file needs it.")
        )
    points = [(k, positions[k]) for k in keys if k in positions]
    if not points:
        problems.append(
            ImportProblem(
                1,
                None,
                "There is no learning point column. Name each one by its key: "
                + ", ".join(keys)
                + ".",
            )
        )
    if missing or not points:
        return None
    comments = [
        (k, positions[f"{COMMENT_PREFIX}{k}"]) for k in keys if f"{COMMENT_PREFIX}{k}" in positions
    ]
    return _Columns(positions, points, comments, unnamed, len(header))


def _text(cell: str) -> str:
    """A cell's text: trimmed, with the ``'`` an export put before formula-like text removed."""
    text = cell.strip()
    return restore_neutralised(text).strip() if text[:1] == "'" else text


def _cell(cells: list[str], position: int) -> str:
    return _text(cells[position]) if position < len(cells) else ""


def _decode(data: bytes, problems: list[ImportProblem]) -> str | None:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        problems.append(
            ImportProblem(
                None,
                None,
                f"The file is not saved as UTF-8 text (the first character it can't read is "
                f"on line {line}). In Excel use File > Save As and choose 'CSV UTF-8 "
                "(Comma delimited)', then import that file.",
            )
        )
        return None


def _delimiter(text: str) -> str:
    """Comma, or semicolon for files saved where the comma is the decimal separator."""
    first_line = text.split("\n", 1)[0]
    return ";" if first_line.count(";") > first_line.count(",") else ","


LINE_BREAK = re.compile(r"\r\n|\r|\n")


class _Quotes:
    """Finds a quotation mark that swallowed the rows after it.

    A cell in quotation marks may hold line breaks (a comment of several paragraphs).
    A quotation mark that is never closed makes the rest of the file one cell; one
    closed only lines later makes the rows in between part of a cell. Both are reported
    on the row where the quotation mark opens: the first because the file ends inside
    the cell, the second because a line inside the cell reads as a row of its own (a
    round of the file or the database, an organisation and a stakeholder group).
    """

    def __init__(
        self, text: str, delimiter: str, columns: _Columns, checker: _Checker, header_end: int
    ):
        self.text = text
        self.delimiter = delimiter
        self.columns = columns
        self.checker = checker
        self.line = header_end  # the last line of the file read so far
        # The row read last: its number, cells and first line in the file.
        self.last: tuple[int, list[str], int] | None = None
        # A row of several lines, looked at once the rows before and itself are checked.
        self.spread: tuple[int, list[str], int] | None = None

    def read(self, number: int, cells: list[str], line_num: int, problems: list[ImportProblem]):
        """Take the row ``number``, which ends on line ``line_num`` of the file."""
        self._look_at_spread(problems)
        first_line, self.line = self.line + 1, line_num
        self.last = (number, cells, first_line)
        if line_num > first_line:
            self.spread = self.last

    def at_end(self, problems: list[ImportProblem]) -> None:
        """Report a quotation mark still open at the end of the file, or one that swallowed
        rows in the last row read."""
        if self.last is None or not self.last[1]:
            self._look_at_spread(problems)
            return
        number, cells, first_line = self.last
        opened = '"' + cells[-1].replace('"', '""')
        start = len(self.text) - len(opened)
        if not self.text.endswith(opened) or (
            start > 0 and self.text[start - 1] not in (self.delimiter, "\n", "\r")
        ):
            self._look_at_spread(problems)
            return
        self.spread = None
        line = first_line + sum(len(LINE_BREAK.findall(cell)) for cell in cells[:-1])
        last_line = self.text.count("\n") + (not self.text.endswith("\n"))
        lines = f"line {line}" if last_line <= line else f"lines {line} to {last_line}"
        problems.append(
            self._problem(
                number,
                len(cells) - 1,
                f"A quotation mark opens in this cell on line {line} of the file and is never "
                f"closed, so everything after it to the end of the file ({lines}) would be "
                "read as this one cell.",
            )
        )

    def _look_at_spread(self, problems: list[ImportProblem]) -> None:
        if self.spread is None:
            return
        (number, cells, line), self.spread = self.spread, None
        for position, cell in enumerate(cells):
            parts = LINE_BREAK.split(cell)
            for offset, part in enumerate(parts[1:], start=1):
                if self._looks_like_a_row(part):
                    problems.append(
                        self._problem(
                            number,
                            position,
                            f"A quotation mark opens in this cell on line {line} of the file "
                            f"and closes only on line {line + len(parts) - 1}, so the lines in "
                            f"between, which look like rows of their own (line {line + offset}: "
                            f"'{_shorten(part)}'), would be read as part of this cell.",
                        )
                    )
                    return
            line += len(parts) - 1

    def _problem(self, number: int, position: int, what: str) -> ImportProblem:
        by_position = {p: name for name, p in self.columns.positions.items()}
        return ImportProblem(
            number,
            by_position.get(position, get_column_letter(position + 1)),
            f"{what} Close the quotation mark or remove it, save the file and import it again.",
        )

    def _looks_like_a_row(self, line: str) -> bool:
        """Whether ``line`` reads as a response: a round of the database or of the rows
        read so far, an organisation and a stakeholder group."""
        cells = next(csv.reader([line], delimiter=self.delimiter), [])
        where = self.columns.positions
        if len(cells) <= max(where["round"], where["organisation"], where["group"]):
            return False
        round_name = cells[where["round"]].strip()
        _, problem = self.checker.group(cells[where["group"]].strip())
        return (
            problem is None
            and bool(cells[where["organisation"]].strip())
            and bool(round_name)
            and (
                self.checker.rounds.find(round_name) is not None
                or names.same_name_key(round_name) in self.checker.new_rounds
            )
        )


def _shorten(text: str, limit: int = 40) -> str:
    text = text.strip()
    return text if len(text) <= limit else text[: limit - 1] + "\u2026"


def check_import(
    db: Database,
    *,
    framework: Framework,
    data: bytes,
    create_missing: bool = False,
    max_bytes: int | None = None,
    max_comment_chars: int | None = None,
    amend: bool = False,
) -> ImportPlan:
    """Check a response CSV completely without writing anything.

    A closed round's answers are frozen: rows for one are refused unless ``amend``, which
    also lets a row replace the response of a respondent already in its round.

    The plan lists every problem found (row numbers as a spreadsheet shows them), the
    number of data rows, a preview of the first rows and, with ``create_missing``, the
    rounds (to be created closed) and organisations the import would create. Limits
    default to the settings (``max_import_bytes``, ``max_comment_chars``).
    """
    if max_bytes is None or max_comment_chars is None:
        settings = get_settings()
        max_bytes = settings.max_import_bytes if max_bytes is None else max_bytes
        if max_comment_chars is None:
            max_comment_chars = settings.max_comment_chars
    problems: list[ImportProblem] = []
    empty_preview = pd.DataFrame()

    def rejected() -> ImportPlan:
        return ImportPlan(problems, 0, empty_preview)

    too_big = size_problem(len(data), max_bytes)
    if too_big:
        problems.append(too_big)
        return rejected()
    text = _decode(data, problems)
    if text is None:
        return rejected()
    if not text.strip():
        problems.append(
            ImportProblem(
                None,
                None,
                "The file is empty. It needs a header row (round, organisation, group, "
                "respondent, then the learning points) and one row per response.",
            )
        )
        return rejected()
    delimiter = _delimiter(text)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    header = next(reader)
    if not any(h.strip() for h in header):
        problems.append(
            ImportProblem(
                1, None, "Row 1 must hold the column names (round, organisation, group, ...)."
            )
        )
        return rejected()
    columns = _read_header(header, framework, problems)
    if columns is None:
        return rejected()
    checker = _Checker(db, framework, create_missing, max_comment_chars)
    rows: list[_Row] = []
    preview: list[list[str]] = []
    row_count = 0
    number = 1
    quotes = _Quotes(text, delimiter, columns, checker, reader.line_num)
    try:
        for number, cells in enumerate(reader, start=2):
            quotes.read(number, cells, reader.line_num, problems)
            if not "".join(cells).strip():
                continue
            row_count += 1
            if len(preview) < PREVIEW_ROWS:
                preview.append(cells)
            row = _check_row(number, cells, columns, checker, problems)
            if row is not None:
                rows.append(row)
    except csv.Error as exc:
        problems.append(ImportProblem(number + 1, None, f"This row can't be read as CSV ({exc})."))
    quotes.at_end(problems)
    if row_count == 0 and not problems:
        problems.append(
            ImportProblem(None, None, "The file has a header row but no responses below it.")
        )
    _check_frozen(db, rows, problems, amend=amend)
    replaced = _check_people(db, rows, problems, amend=amend)
    sha256 = hashlib.sha256(data).hexdigest()
    earlier = imported.earlier_imports(
        db, sha256=sha256, round_names=sorted({r.round for r in rows})
    )
    already_imported = earlier[0].message() if earlier else None
    if already_imported:
        problems.append(ImportProblem(None, None, already_imported))
    problems.sort(key=lambda p: p.row or 0)
    return ImportPlan(
        sha256=sha256,
        already_imported=already_imported,
        problems=problems,
        row_count=row_count,
        preview=_preview_frame(preview, columns),
        rounds_to_create=sorted(checker.new_rounds.values()),
        organisations_to_create=sorted(checker.new_organisations.values()),
        rows=rows,
        amend=amend,
        replaced=replaced,
    )


def _check_row(
    number: int,
    cells: list[str],
    columns: _Columns,
    checker: _Checker,
    problems: list[ImportProblem],
) -> _Row | None:
    """The row's response (None when its round, organisation or group is unusable).

    Every problem found is added to ``problems``; a plan with problems is never written.
    This runs once per row of files with 100,000 rows, so it avoids per-cell overhead.
    """
    width = columns.width
    if len(cells) < width:
        cells = cells + [""] * (width - len(cells))
    elif len(cells) > width and "".join(cells[width:]).strip():
        problems.append(
            ImportProblem(number, None, "This row has more cells than the header has column names.")
        )
    if UNSTORABLE_CHARACTERS.search("".join(cells)):
        # Names say for themselves what is wrong with them (below).
        position = next(
            (
                i
                for i, c in enumerate(cells)
                if i not in columns.named_cells and UNSTORABLE_CHARACTERS.search(c)
            ),
            None,
        )
        if position is not None:
            by_position = {p: name for name, p in columns.positions.items()}
            problems.append(
                ImportProblem(
                    number,
                    by_position.get(position, get_column_letter(position + 1)),
                    f"This cell: {UNSTORABLE_MESSAGE}. Retype it and save the file again.",
                )
            )
    for position in columns.unnamed:
        if _text(cells[position]):
            problems.append(
                ImportProblem(
                    number,
                    get_column_letter(position + 1),
                    "This cell is in a column without a name in row 1.",
                )
            )
    where = columns.positions
    round_name, problem = checker.round(_text(cells[where["round"]]))
    if problem:
        problems.append(ImportProblem(number, "round", problem))
    organisation, problem = checker.organisation(_text(cells[where["organisation"]]))
    if problem:
        problems.append(ImportProblem(number, "organisation", problem))
    group, problem = checker.group(_text(cells[where["group"]]))
    if problem:
        problems.append(ImportProblem(number, "group", problem))
    reference = _text(cells[where["respondent"]]) if "respondent" in where else ""
    if reference:
        reference, problem = names.problem(reference, names.REFERENCE)
        if problem:
            problems.append(ImportProblem(number, "respondent", problem))
    answers: dict[str, AnswerInput] = {}
    answered = unreadable = False
    scores, score = checker.answer_cache, checker.answer
    for key, position in columns.points:
        cell = cells[position]
        answer = scores.get(cell)
        if answer is None:
            answer = score(_text(cell))
        if isinstance(answer, str):
            problems.append(ImportProblem(number, key, answer))
            unreadable = True
        elif answer is not NO_ANSWER:
            answers[key] = answer
            answered = True
    for key, position in columns.comments:
        comment = cells[position]
        if not comment:
            continue
        comment = _text(comment)
        if len(comment) > checker.max_comment_chars:
            problems.append(
                ImportProblem(
                    number,
                    f"{COMMENT_PREFIX}{key}",
                    f"The comment is {len(comment):,} characters long; the limit is "
                    f"{checker.max_comment_chars:,}. Shorten it.",
                )
            )
        elif comment:
            scored = answers.get(key, NO_ANSWER)
            answers[key] = AnswerInput(scored.score, scored.dont_know, comment)
    if not answered and not unreadable:
        problems.append(
            ImportProblem(
                number,
                None,
                f"This row has no answer: give at least one learning point a score or {DONT_KNOW}.",
            )
        )
    if round_name is None or organisation is None or group is None:
        return None
    return _Row(number, round_name, organisation, group, reference or None, answers)


def _check_frozen(
    db: Database, rows: list[_Row], problems: list[ImportProblem], *, amend: bool
) -> None:
    """Rows for a closed round are refused unless the import is an amendment."""
    if amend or not rows:
        return
    with db.read() as session:
        closed = set(
            session.scalars(
                sa.select(Round.name).where(
                    Round.name.in_(sorted({r.round for r in rows})),
                    ~Round.is_open,
                    Round.opened_at.is_not(None),
                )
            )
        )
    for name in sorted(closed):
        first = next(r for r in rows if r.round == name)
        problems.append(
            ImportProblem(
                first.number,
                "round",
                f"Round '{name}' has closed, so its answers are frozen. Correcting a closed "
                "round is an amendment: import the file as one (--amend on the command "
                "line, or tick the amendment box on the Import page). It is recorded in "
                "the audit log.",
            )
        )


def _check_people(
    db: Database, rows: list[_Row], problems: list[ImportProblem], *, amend: bool = False
) -> int:
    """Each respondent answers a round once and keeps one organisation and group.

    In an amendment a row may replace the response its respondent has in the round;
    returns how many rows do.
    """
    replaced = 0
    first_row: dict[tuple[str, str], int] = {}
    person: dict[str, tuple[str, str, int]] = {}
    for row in rows:
        if row.reference is None:
            continue
        earlier = first_row.setdefault((row.reference, row.round), row.number)
        if earlier != row.number:
            problems.append(
                ImportProblem(
                    row.number,
                    "respondent",
                    f"Respondent '{row.reference}' already answers round '{row.round}' on "
                    f"row {earlier}; each person answers a round once.",
                )
            )
            continue
        organisation, group, seen_on = person.setdefault(
            row.reference, (row.organisation, row.group, row.number)
        )
        if (organisation, group) != (row.organisation, row.group):
            problems.append(
                ImportProblem(
                    row.number,
                    "respondent",
                    f"Respondent '{row.reference}' is with {organisation} ({group}) on row "
                    f"{seen_on}; one person keeps one organisation and stakeholder group.",
                )
            )
    if not person:
        return replaced
    stored_rounds: set[tuple[str, str]] = set()
    stored_people: dict[str, tuple[str, str]] = {}
    references = sorted(person)
    with db.read() as session:
        for start in range(0, len(references), QUERY_CHUNK):
            chunk = references[start : start + QUERY_CHUNK]
            found = session.execute(
                sa.select(Respondent.reference, Organisation.name, Respondent.stakeholder_group)
                .join(Organisation, Organisation.id == Respondent.organisation_id)
                .where(Respondent.reference.in_(chunk))
            )
            # ``in_`` never matches a missing reference; skipping None says so to the checker.
            stored_people.update(
                (ref, (org, group)) for ref, org, group in found if ref is not None
            )
            answered = session.execute(
                sa.select(Respondent.reference, Round.name)
                .join(Submission, Submission.respondent_id == Respondent.id)
                .join(Round, Round.id == Submission.round_id)
                .where(Respondent.reference.in_(chunk))
            )
            stored_rounds.update((ref, name) for ref, name in answered if ref is not None)
    if not stored_people:
        return replaced
    for row in rows:
        if row.reference not in stored_people:
            continue
        if (row.reference, row.round) in stored_rounds and amend:
            replaced += 1
        elif (row.reference, row.round) in stored_rounds:
            problems.append(
                ImportProblem(
                    row.number,
                    "respondent",
                    f"Respondent '{row.reference}' already has a response in round "
                    f"'{row.round}' in the database; each person answers a round once.",
                )
            )
        organisation, group = stored_people[row.reference]
        first_seen = person[row.reference][2]
        if (organisation, group) != (row.organisation, row.group) and first_seen == row.number:
            problems.append(
                ImportProblem(
                    row.number,
                    "respondent",
                    f"Respondent '{row.reference}' is recorded with {organisation} ({group}) "
                    "in the database; one person keeps one organisation and stakeholder group.",
                )
            )
    return replaced


def _preview_frame(cells: list[list[str]], columns: _Columns) -> pd.DataFrame:
    names = sorted(columns.positions, key=lambda name: columns.positions[name])
    return pd.DataFrame(
        [[_cell(row, columns.positions[name]) for name in names] for row in cells],
        columns=names,
        dtype=object,
    )


def also_creates(plan: ImportPlan) -> str | None:
    """A sentence naming the rounds and organisations an import would create, if any."""
    to_create = imported.created_summary(
        rounds=plan.rounds_to_create, organisations=plan.organisations_to_create
    )
    return f"The import will also create {to_create}." if to_create else None


def apply_import(
    db: Database,
    plan: ImportPlan,
    *,
    actor: str,
    file_name: str = "",
    progress: Callable[[int, int], None] | None = None,
) -> int:
    """Write a checked plan in one transaction with its audit entry; return the number of
    responses written.

    Creates the plan's missing rounds (closed) and organisations in the same
    transaction. ``progress(done, total)`` is called as responses are written. Raises
    ImportRejected when the plan has problems, and Refused (writing nothing) when the
    database changed since the check in a way that clashes with the file.
    """
    if plan.problems:
        raise ImportRejected(plan.problems)
    if not plan.rows:
        raise ImportRejected([ImportProblem(None, None, "The file holds no responses.")])
    return imported.import_responses(
        db,
        actor=actor,
        responses=[
            imported.ImportedResponse(
                round=r.round,
                organisation=r.organisation,
                stakeholder_group=r.group,
                reference=r.reference,
                answers=r.answers,
            )
            for r in plan.rows
        ],
        rounds_to_create=plan.rounds_to_create,
        organisations_to_create=plan.organisations_to_create,
        file_name=file_name,
        file_sha256=plan.sha256 or None,
        progress=progress,
        amend=plan.amend,
    )


def import_responses(
    db: Database,
    *,
    actor: str,
    framework: Framework,
    data: bytes,
    create_missing: bool = False,
    max_bytes: int | None = None,
    max_comment_chars: int | None = None,
    progress: Callable[[int, int], None] | None = None,
    amend: bool = False,
) -> int:
    """Check the file, then write it; return the number of responses imported.

    Raises ImportRejected, listing every problem, when anything is wrong; nothing is
    written in that case.
    """
    plan = check_import(
        db,
        framework=framework,
        data=data,
        create_missing=create_missing,
        max_bytes=max_bytes,
        max_comment_chars=max_comment_chars,
        amend=amend,
    )
    return apply_import(db, plan, actor=actor, progress=progress)

"""Exports: frames to CSV, Excel and JSON, and the response file of a round.

Every spreadsheet cell passes through one sanitiser, ``neutralise_formula``, so a comment
such as ``=HYPERLINK(...)`` is shown as text and never run as a formula. JSON is not a
spreadsheet and is written as it is.

CSV files are UTF-8 with a byte-order mark, which is what Excel needs to show accented
letters and curly quotes correctly; the import reads them back with or without it.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import math
from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from collab.domain import audit
from collab.domain.actions import actions_frame_for_export
from collab.domain.answers import load_answers
from collab.domain.rounds import get_round
from collab.stats.results import divergence_export_frame, round_results, summary_export_frame
from collab.store import framework as framework_file
from collab.store.config import get_settings
from collab.store.db import Database
from collab.store.errors import Refused
from collab.store.framework import Framework

FORMATS = ("csv", "xlsx", "json")
FORMULA_TRIGGERS = frozenset("=+-@\t\r")
_QUOTE_OR_TRIGGER = FORMULA_TRIGGERS | {"'"}
DONT_KNOW = "DK"
RESPONSE_ID_COLUMNS = list(framework_file.RESPONSE_ID_COLUMNS)
COMMENT_PREFIX = framework_file.COMMENT_PREFIX

_WIDTH_SAMPLE_ROWS = 500
_MIN_WIDTH = 8
_MAX_WIDTH = 60
_SHEET_NAME_FORBIDDEN = str.maketrans(dict.fromkeys("[]:*?/\\", "-"))


def _starts_like_formula(text: str) -> bool:
    rest = text.lstrip("'")
    return bool(rest) and rest[0] in FORMULA_TRIGGERS


def neutralise_formula(value: Any) -> Any:
    """Make a spreadsheet show a string cell as text rather than run it as a formula.

    A string beginning with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return gets
    a ``'`` in front. So does one that begins with apostrophes followed by such a
    character, which keeps ``restore_neutralised`` an exact inverse. Anything that is
    not a string is returned unchanged.
    """
    if isinstance(value, str) and _starts_like_formula(value):
        return "'" + value
    return value


def restore_neutralised(text: str) -> str:
    """Undo ``neutralise_formula``: drop the ``'`` it added, leave any other text alone."""
    if text[:1] == "'" and _starts_like_formula(text[1:]):
        return text[1:]
    return text


def _plain(value: Any) -> Any:
    """A cell value as a plain Python value; every kind of missing value becomes None."""
    if value is None or isinstance(value, str):
        return value
    if isinstance(value, (list, tuple, set, frozenset, np.ndarray)):
        return [_plain(v) for v in value]
    if isinstance(value, np.generic):
        value = value.item()
    if value is pd.NA or value is pd.NaT:
        return None
    if isinstance(value, float) and math.isnan(value):
        return None
    if isinstance(value, pd.Timestamp):
        return value.to_pydatetime()
    return value


_ALREADY_PLAIN = frozenset({str, int, bool})


def _columns(frame: pd.DataFrame) -> list[list[Any]]:
    """The frame's columns as lists of plain Python values (None where missing)."""
    columns = []
    for position in range(frame.shape[1]):
        values = frame.iloc[:, position].astype(object).tolist()
        columns.append([v if v.__class__ in _ALREADY_PLAIN else _plain(v) for v in values])
    return columns


def _sheet_value(value: Any) -> Any:
    """A plain value made safe for a spreadsheet: lists joined, text neutralised."""
    if value.__class__ is str:
        return neutralise_formula(value) if value[:1] in _QUOTE_OR_TRIGGER else value
    if isinstance(value, list):
        return neutralise_formula(", ".join("" if v is None else str(v) for v in value))
    return value


def _sheet_columns(frame: pd.DataFrame) -> list[list[Any]]:
    return [[_sheet_value(v) for v in column] for column in _columns(frame)]


def _header(frame: pd.DataFrame) -> list[str]:
    return [neutralise_formula(str(c)) for c in frame.columns]


def _write_csv(frame: pd.DataFrame) -> bytes:
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer)
    writer.writerow(_header(frame))
    # The csv module writes None as an empty cell.
    writer.writerows(zip(*_sheet_columns(frame), strict=True))
    return buffer.getvalue().encode("utf-8-sig")


def _json_default(value: Any) -> Any:
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    return str(value)


def _write_json(frame: pd.DataFrame) -> bytes:
    names = [str(c) for c in frame.columns]
    records = [dict(zip(names, row, strict=True)) for row in zip(*_columns(frame), strict=True)]
    text = json.dumps(records, ensure_ascii=False, indent=2, default=_json_default)
    return text.encode("utf-8")


def _excel_value(value: Any) -> Any:
    if value.__class__ is str:
        return ILLEGAL_CHARACTERS_RE.sub("", value)
    if isinstance(value, float) and math.isinf(value):
        return None
    return value


def _sheet_title(name: str, taken: set[str]) -> str:
    title = (str(name).translate(_SHEET_NAME_FORBIDDEN).strip("' ") or "Sheet")[:31]
    candidate, n = title, 2
    while candidate.lower() in taken:
        suffix = f" ({n})"
        candidate, n = title[: 31 - len(suffix)] + suffix, n + 1
    taken.add(candidate.lower())
    return candidate


def _column_widths(header: list[str], columns: list[list[Any]]) -> list[int]:
    """Character widths that fit the header and the first rows, within sensible bounds."""
    widths = []
    for name, values in zip(header, columns, strict=True):
        sample = values[:_WIDTH_SAMPLE_ROWS]
        longest = max([len(name)] + [len(str(v)) for v in sample if v is not None])
        widths.append(min(max(longest + 2, _MIN_WIDTH), _MAX_WIDTH))
    return widths


def write_workbook(sheets: dict[str, pd.DataFrame]) -> bytes:
    """An Excel workbook with one sheet per frame, in the order given.

    Each sheet has a bold, frozen header row and columns sized to their contents
    (capped, so long comments do not make a column screen-wide). Missing values are
    empty cells; text cells are neutralised against formula injection.
    """
    if not sheets:
        raise ValueError("a workbook needs at least one sheet")
    workbook = Workbook(write_only=True)
    bold = Font(bold=True)
    taken: set[str] = set()
    for name, frame in sheets.items():
        sheet = workbook.create_sheet(_sheet_title(name, taken))
        header = [_excel_value(c) for c in _header(frame)]
        columns = [[_excel_value(v) for v in column] for column in _sheet_columns(frame)]
        for position, width in enumerate(_column_widths(header, columns), start=1):
            sheet.column_dimensions[get_column_letter(position)].width = width
        sheet.freeze_panes = "A2"
        cells = []
        for text in header:
            cell = WriteOnlyCell(sheet, value=text)
            cell.font = bold
            cells.append(cell)
        sheet.append(cells)
        for row in zip(*columns, strict=True):
            sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


MIME_TYPES = {
    "csv": "text/csv",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "json": "application/json",
}
FORMAT_NAMES = {"csv": "CSV", "xlsx": "Excel", "json": "JSON"}


def export_file_name(*, what: str, round_name: str, fmt: str) -> str:
    """A file name such as ``responses-spring-2027.xlsx``."""
    slug = "-".join("".join(ch if ch.isalnum() else " " for ch in round_name).lower().split())
    return f"{what}-{slug or 'round'}.{fmt}"


def write_frame(frame: pd.DataFrame, *, fmt: str, sheet_name: str = "Data") -> bytes:
    """The frame as a file's bytes: ``csv``, ``xlsx`` or ``json``.

    CSV: UTF-8 (with byte-order mark), a header row, missing values as empty cells.
    xlsx: one sheet called ``sheet_name``. JSON: a list of objects, one per row, missing
    values as null, nothing neutralised. CSV and xlsx text cells go through
    ``neutralise_formula``. Raises Refused for any other format.
    """
    if fmt == "csv":
        return _write_csv(frame)
    if fmt == "xlsx":
        return write_workbook({sheet_name: frame})
    if fmt == "json":
        return _write_json(frame)
    raise Refused(f"'{fmt}' is not an export format; choose one of {', '.join(FORMATS)}.")


def response_columns(framework: Framework) -> list[str]:
    """The columns of the response file, in order (the import accepts the same)."""
    keys = framework.point_keys
    return RESPONSE_ID_COLUMNS + keys + [f"{COMMENT_PREFIX}{k}" for k in keys]


def responses_frame(db: Database, *, framework: Framework, round_name: str) -> pd.DataFrame:
    """One row per respondent in the round, as in the response CSV (current answers only).

    Columns: ``round, organisation, group, respondent``, one column per learning point
    (framework order) holding the score, ``DK`` or None, then ``comment_<key>`` columns
    holding the comment or None. Rows are in the order the responses were received.
    Raises NotFound for an unknown round.
    """
    info = get_round(db, round_name)
    columns = response_columns(framework)
    answers = load_answers(db, round_ids=[info.id])
    answers = answers[answers["learning_point"].isin(framework.point_keys)]
    if answers.empty:
        return pd.DataFrame({c: pd.Series(dtype=object) for c in columns})
    scores = answers["score"].astype(object).where(answers["score"].notna(), None)
    answers = answers.assign(
        value=scores.where(~answers["dont_know"], DONT_KNOW),
        comment=answers["comment"].astype(object).where(answers["comment"].notna(), None),
    )
    people = (
        answers.drop_duplicates("submission_id")
        .set_index("submission_id")[["round", "organisation", "stakeholder_group", "respondent"]]
        .rename(columns={"stakeholder_group": "group"})
        .sort_index()
    )
    values = answers.pivot(index="submission_id", columns="learning_point", values="value")
    comments = answers.pivot(index="submission_id", columns="learning_point", values="comment")
    comments.columns = [f"{COMMENT_PREFIX}{k}" for k in comments.columns]
    frame = people.join(values).join(comments).reset_index(drop=True)
    frame = frame.reindex(columns=columns).astype(object)
    return frame.where(frame.notna(), None)


def export_responses(db: Database, *, framework: Framework, round_name: str, fmt: str) -> bytes:
    """The round's response file in ``fmt`` (csv, xlsx or json)."""
    frame = responses_frame(db, framework=framework, round_name=round_name)
    return write_frame(frame, fmt=fmt, sheet_name=f"Responses {round_name}")


ExportFunction = Callable[..., bytes]
"""Called as ``function(db, framework=..., round_name=..., fmt=...)``; returns file bytes."""


# What ``export --what`` can produce; other modules add their exports here.
def _published_results(db: Database, *, framework: Framework, round_name: str):
    """The round's results as the dashboard shows them, privacy applied."""
    results = round_results(
        db,
        framework=framework,
        round_name=round_name,
        min_group_size=get_settings().min_group_size,
    )
    if results.visibility != "results":
        raise Refused(results.message)
    return results


def export_summary(db: Database, *, framework: Framework, round_name: str, fmt: str) -> bytes:
    """Per learning point and group: the columns of docs/operations.md, withheld cells empty."""
    results = _published_results(db, framework=framework, round_name=round_name)
    return write_frame(summary_export_frame(results), fmt=fmt, sheet_name="Summary")


def export_divergence(db: Database, *, framework: Framework, round_name: str, fmt: str) -> bytes:
    """Per learning point: gap, Kruskal-Wallis, consensus, status, split groups."""
    results = _published_results(db, framework=framework, round_name=round_name)
    return write_frame(divergence_export_frame(results), fmt=fmt, sheet_name="Divergence")


def export_actions(db: Database, *, framework: Framework, round_name: str, fmt: str) -> bytes:
    """The actions agreed up to and including the round, with their status."""
    get_round(db, round_name)
    frame = actions_frame_for_export(db, framework=framework, up_to_round=round_name)
    return write_frame(frame, fmt=fmt, sheet_name="Actions")


EXPORTS: dict[str, ExportFunction] = {
    "responses": export_responses,
    "summary": export_summary,
    "divergence": export_divergence,
    "actions": export_actions,
}


def export_round(
    db: Database, *, actor: str, framework: Framework, what: str, round_name: str, fmt: str
) -> bytes:
    """The export ``what`` (a key of ``EXPORTS``) of a round, recorded in the audit log.

    The file is made first; the ``export.download`` entry is written once it exists.
    """
    data = EXPORTS[what](db, framework=framework, round_name=round_name, fmt=fmt)
    audit.record_export(
        db, actor=actor, what=what, round_name=round_name, format_name=FORMAT_NAMES.get(fmt, fmt)
    )
    return data

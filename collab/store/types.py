"""Names for types the checker cannot see through."""

from __future__ import annotations

from typing import Any

# A value read out of a pandas frame (a cell, or a field of ``itertuples``): a number,
# NaN, None, pandas' NA or text. pandas is type-checked as untyped, so such a value is
# ``Any``; functions that take one say so with this name rather than ``object``.
Cell = Any

"""Uploads are for the administrator's import: no other page offers a file uploader (the
import page is the administrator's alone, see test_access)."""

from __future__ import annotations

import ast
from pathlib import Path

PROJECT_DIR = Path(__file__).resolve().parents[2]
IMPORT_PAGE = "pages/admin_import.py"


def calls_file_uploader(path: Path) -> bool:
    tree = ast.parse(path.read_text(), filename=str(path))
    return any(
        isinstance(node, ast.Attribute) and node.attr == "file_uploader" for node in ast.walk(tree)
    )


def test_only_the_import_page_offers_a_file_uploader():
    sources = [PROJECT_DIR / "app.py", *(PROJECT_DIR / "pages").glob("*.py")]
    sources += (PROJECT_DIR / "collab").rglob("*.py")
    offering = sorted(str(p.relative_to(PROJECT_DIR)) for p in sources if calls_file_uploader(p))
    assert offering == [IMPORT_PAGE]

"""Rules the whole code base keeps: no raw HTML in Streamlit, XSRF protection on."""

from __future__ import annotations

import tomllib
from pathlib import Path

PROJECT_DIR = Path(__file__).resolve().parent.parent
SKIPPED_DIRS = {"tests", ".venv", ".git"}
FORBIDDEN = "unsafe_allow_html"


def product_python_files() -> list[Path]:
    return [
        path
        for path in PROJECT_DIR.rglob("*.py")
        if not SKIPPED_DIRS.intersection(path.relative_to(PROJECT_DIR).parts)
    ]


def test_the_product_has_python_files_to_check():
    names = {path.relative_to(PROJECT_DIR).as_posix() for path in product_python_files()}
    assert {"app.py", "collab/web/session.py", "pages/submit.py"} <= names


def test_no_product_code_renders_raw_html():
    offenders = [
        path.relative_to(PROJECT_DIR).as_posix()
        for path in product_python_files()
        if FORBIDDEN in path.read_text(encoding="utf-8")
    ]
    assert offenders == []


def test_streamlit_xsrf_protection_stays_on():
    with (PROJECT_DIR / ".streamlit" / "config.toml").open("rb") as fh:
        server = tomllib.load(fh).get("server", {})
    assert server.get("enableXsrfProtection") is True

"""The documentation keeps up with the code and stands on its own.

Every setting ``collab/store/config.py`` reads and every command of ``python -m collab``
is documented, and no file points readers at documents outside the repository.
"""

from __future__ import annotations

import argparse
import ast
import re
from pathlib import Path

from collab import cli

PROJECT_DIR = Path(__file__).resolve().parent.parent
CONFIG_MODULE = PROJECT_DIR / "collab" / "store" / "config.py"
OPERATIONS = PROJECT_DIR / "docs" / "operations.md"
README = PROJECT_DIR / "README.md"
# A setting's name as the environment spells it: capitals and underscores.
SETTING_NAME = re.compile(r"[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+")
# Version control, the virtual environment and tools' caches are not the repository's text.
SKIPPED_DIRS = {".git", ".venv", "__pycache__", ".pytest_cache", ".ruff_cache", ".mypy_cache"}
# Paths that lead out of the repository to documents it does not hold.
OUTSIDE_REFERENCES = ("../shared", "shared/DESIGN")
THIS_FILE = Path(__file__).resolve()


def settings_read_by_config() -> set[str]:
    """The setting names written as string literals in the settings module."""
    tree = ast.parse(CONFIG_MODULE.read_text(encoding="utf-8"))
    return {
        node.value
        for node in ast.walk(tree)
        if isinstance(node, ast.Constant)
        and isinstance(node.value, str)
        and SETTING_NAME.fullmatch(node.value)
    }


def documented(name: str, text: str) -> bool:
    """Whether ``name`` appears in ``text`` as code (in backticks), not inside a longer name."""
    return f"`{name}`" in text


def subcommand_paths(parser: argparse.ArgumentParser, prefix: tuple[str, ...] = ()) -> list:
    """Every command and sub-command of ``parser``, as tuples of words."""
    paths = []
    for action in parser._actions:  # argparse offers no public way to list sub-parsers
        if isinstance(action, argparse._SubParsersAction):
            for name, child in action.choices.items():
                path = (*prefix, name)
                paths.append(path)
                paths.extend(subcommand_paths(child, path))
    return paths


def repository_files() -> list[Path]:
    """Every file of the working tree except this test (which names what it looks for)."""
    files = []
    for path in PROJECT_DIR.rglob("*"):
        relative = path.relative_to(PROJECT_DIR)
        if SKIPPED_DIRS.intersection(relative.parts) or not path.is_file():
            continue
        if path.suffix == ".db" or path.resolve() == THIS_FILE:
            continue
        files.append(path)
    return files


def test_the_settings_module_reads_the_settings_this_test_looks_for():
    names = settings_read_by_config()
    assert {"DATABASE_URL", "COLLAB_ADMIN_PASSCODE", "COLLAB_MIN_GROUP_SIZE"} <= names


def test_every_setting_is_documented_in_the_readme_or_the_operations_guide():
    text = README.read_text(encoding="utf-8") + OPERATIONS.read_text(encoding="utf-8")
    undocumented = sorted(name for name in settings_read_by_config() if not documented(name, text))
    assert undocumented == []


def test_the_parser_has_the_commands_this_test_looks_for():
    commands = {path[0] for path in subcommand_paths(cli.build_parser())}
    assert {"init", "import", "export", "rounds"} <= commands
    assert ("rounds", "live") in subcommand_paths(cli.build_parser())


def test_every_command_line_command_is_documented_in_the_operations_guide():
    text = OPERATIONS.read_text(encoding="utf-8")
    undocumented = [
        " ".join(path)
        for path in subcommand_paths(cli.build_parser())
        if f"python -m collab {' '.join(path)}" not in text
    ]
    assert undocumented == []


def test_no_file_points_readers_outside_the_repository():
    offenders = []
    for path in repository_files():
        try:
            text = path.read_text(encoding="utf-8")
        except UnicodeDecodeError:
            continue
        if any(reference in text for reference in OUTSIDE_REFERENCES):
            offenders.append(path.relative_to(PROJECT_DIR).as_posix())
    assert offenders == []

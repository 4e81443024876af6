"""The one write path, checked in the source: the domain layer stands on the store alone,
and every change it offers to pages and the command line names who made it."""

from __future__ import annotations

import ast
from pathlib import Path

DOMAIN_DIR = Path(__file__).resolve().parents[2] / "collab" / "domain"
# Layers above the domain: it must never reach up into them.
ABOVE_DOMAIN = ("collab.stats", "collab.files", "collab.present", "collab.demo", "collab.web")
# Members' answers are anonymous: submitting, revising and answering a live check are not
# administrative changes.
MEMBER_WRITES = {
    ("submissions.py", "submit"),
    ("submissions.py", "revise"),
    ("checks.py", "answer_check"),
}


def domain_modules() -> list[Path]:
    return sorted(DOMAIN_DIR.glob("*.py"))


def imported_names(tree: ast.Module) -> set[str]:
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
            names.update(f"{node.module}.{alias.name}" for alias in node.names)
    return names


def test_the_domain_has_modules_to_check():
    assert {"rounds.py", "audit.py", "imported.py", "expected.py"} <= {
        p.name for p in domain_modules()
    }


def test_no_domain_module_imports_a_layer_above_it():
    offenders = [
        f"{path.name}: {name}"
        for path in domain_modules()
        for name in sorted(imported_names(ast.parse(path.read_text(encoding="utf-8"))))
        if name == "collab.cli" or name.startswith(ABOVE_DOMAIN) or name == "streamlit"
    ]
    assert offenders == []


def test_every_public_domain_write_takes_its_actor():
    unaudited = []
    for path in domain_modules():
        for node in ast.parse(path.read_text(encoding="utf-8")).body:
            if not isinstance(node, ast.FunctionDef) or node.name.startswith("_"):
                continue
            if ".write()" not in ast.unparse(node) or (path.name, node.name) in MEMBER_WRITES:
                continue
            if "actor" not in [a.arg for a in node.args.kwonlyargs]:
                unaudited.append(f"{path.name}: {node.name}")
    assert unaudited == []

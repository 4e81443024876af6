"""The layout of the code: layers import only downwards, and only the web layer uses Streamlit.

``collab`` is grouped by what the code is about. From the bottom up: ``store`` (settings,
framework, models, engine), ``domain`` (every write, with its audit entry), ``stats``
(figures and privacy), ``files`` (imports and exports), ``present`` (figures and the
meeting pack), ``demo``, and at the top ``web`` (Streamlit glue) and ``cli`` side by side.
Each test checks the rule two ways: by reading every import statement (including the ones
inside functions), and by importing each layer with every layer above it blocked.
"""

from __future__ import annotations

import ast
import json
import subprocess
import sys
import textwrap
from pathlib import Path

PROJECT_DIR = Path(__file__).resolve().parent.parent
COLLAB_DIR = PROJECT_DIR / "collab"

# Rank of each layer: a module may import modules of its own layer or of a lower rank.
LAYERS = {
    "store": 0,
    "domain": 1,
    "stats": 2,
    "files": 3,
    "present": 4,
    "demo": 5,
    "web": 6,
    "cli": 6,
}
# The two top layers stand side by side and never import each other.
NEVER = {("web", "cli"), ("cli", "web")}
STREAMLIT_HOMES = ("collab/web/", "pages/", "app.py")
UPPER_LAYERS_OF_PAGES = {"cli"}


def layer_of(module: str) -> str | None:
    """The layer of a dotted module name inside ``collab`` (None for ``collab`` itself)."""
    parts = module.split(".")
    if parts[0] != "collab" or len(parts) < 2:
        return None
    return parts[1] if parts[1] in LAYERS else None


def module_name(path: Path) -> str:
    relative = path.relative_to(PROJECT_DIR).with_suffix("")
    parts = list(relative.parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def collab_modules() -> list[Path]:
    return sorted(p for p in COLLAB_DIR.rglob("*.py") if "migrations" not in p.parts)


def product_files() -> list[Path]:
    return [
        *collab_modules(),
        *sorted((PROJECT_DIR / "pages").glob("*.py")),
        PROJECT_DIR / "app.py",
    ]


def imported_modules(path: Path) -> list[str]:
    """Every module ``path`` imports, anywhere in the file, as absolute dotted names."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.extend(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.append(node.module)
            # ``from collab import stats`` names a layer through the package itself.
            if node.module == "collab":
                found.extend(f"collab.{alias.name}" for alias in node.names)
    return found


def test_every_collab_module_belongs_to_a_known_layer():
    loose = [
        module_name(p)
        for p in collab_modules()
        if p.parent != COLLAB_DIR or p.name not in {"__init__.py", "__main__.py", "cli.py"}
        if layer_of(module_name(p)) is None
    ]
    assert loose == []


def test_collab_is_grouped_into_the_layer_packages():
    packages = {p.name for p in COLLAB_DIR.iterdir() if (p / "__init__.py").exists()}
    assert packages == set(LAYERS) - {"cli"}


def test_layers_import_only_downwards():
    upward = []
    for path in collab_modules():
        source = layer_of(module_name(path))
        if source is None:
            continue
        for target_module in imported_modules(path):
            target = layer_of(target_module)
            if target is None or target == source:
                continue
            if LAYERS[target] > LAYERS[source] or (source, target) in NEVER:
                upward.append(f"{module_name(path)} imports {target_module}")
    assert upward == []


def test_only_the_web_layer_pages_and_app_import_streamlit():
    offenders = [
        path.relative_to(PROJECT_DIR).as_posix()
        for path in product_files()
        if any(m.split(".")[0] == "streamlit" for m in imported_modules(path))
        if not path.relative_to(PROJECT_DIR).as_posix().startswith(STREAMLIT_HOMES)
    ]
    assert offenders == []


def test_pages_never_build_sql_or_reach_the_command_line():
    offenders = [
        f"{path.relative_to(PROJECT_DIR).as_posix()} imports {m}"
        for path in [*sorted((PROJECT_DIR / "pages").glob("*.py")), PROJECT_DIR / "app.py"]
        for m in imported_modules(path)
        if m.split(".")[0] == "sqlalchemy" or layer_of(m) in UPPER_LAYERS_OF_PAGES
    ]
    assert offenders == []


LAYER_BY_LAYER_IMPORT = textwrap.dedent(
    """
    import importlib, importlib.abc, json, sys

    plan = json.loads(sys.argv[1])  # [[blocked prefixes, modules], ...], lowest layer first
    blocked = []

    class Blocker(importlib.abc.MetaPathFinder):
        def find_spec(self, name, path=None, target=None):
            if any(name == b or name.startswith(b + ".") for b in blocked):
                raise ImportError(f"{name} is blocked while importing a lower layer")
            return None

    sys.meta_path.insert(0, Blocker())
    failures = []
    for above, modules in plan:
        blocked[:] = above
        for module in modules:
            try:
                importlib.import_module(module)
            except ImportError as exc:
                failures.append(f"{module}: {exc}")
    print(json.dumps(failures))
    """
)


def test_each_layer_imports_with_the_layers_above_it_and_streamlit_blocked():
    plan = []
    for layer, rank in sorted(LAYERS.items(), key=lambda item: item[1]):
        if layer == "web":
            continue
        above = [f"collab.{n}" for n, r in LAYERS.items() if r > rank or (layer, n) in NEVER]
        modules = [module_name(p) for p in collab_modules() if layer_of(module_name(p)) == layer]
        assert modules, f"no modules found in layer {layer}"
        plan.append([[*above, "streamlit"], modules])
    result = subprocess.run(
        [sys.executable, "-c", LAYER_BY_LAYER_IMPORT, json.dumps(plan)],
        cwd=PROJECT_DIR,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    assert json.loads(result.stdout.strip().splitlines()[-1]) == []

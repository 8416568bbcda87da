"""The import direction of DESIGN.md: quiz -> engine, questions; questions -> nothing of ours;
engine -> numpy and pydantic only (no UI, no storage)."""

from __future__ import annotations

import ast
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
STDLIB = set(sys.stdlib_module_names)
FORBIDDEN_STDLIB = {"sqlite3", "tkinter", "curses"}

ALLOWED = {
    "engine": {"engine", "numpy", "pydantic"},
    "questions": {"questions", "numpy", "pydantic", "platformdirs", "yaml"},
}


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(), filename=str(path))
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            found.add(node.module.split(".")[0])
    return found


@pytest.mark.parametrize("package", sorted(ALLOWED))
def test_package_imports_only_what_it_may(package: str) -> None:
    bad: list[str] = []
    for path in sorted((ROOT / package).rglob("*.py")):
        for name in _imports(path):
            if name in FORBIDDEN_STDLIB or (name not in STDLIB and name not in ALLOWED[package]):
                bad.append(f"{path.relative_to(ROOT)} imports {name}")
    assert bad == []


def test_engine_does_not_depend_on_quiz_or_questions() -> None:
    for path in (ROOT / "engine").rglob("*.py"):
        assert not _imports(path) & {"quiz", "questions", "textual", "rich", "sqlite3"}, path

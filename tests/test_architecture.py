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


OURS = ("engine", "questions", "quiz")


def _private_imports_from_other_packages(path: Path, package: str) -> list[str]:
    """``from other.mod import _name`` / ``from other._mod import x`` / ``import other._mod`` in ``path``, where
    ``other`` is another of our top-level packages: reaching into its private parts."""
    tree = ast.parse(path.read_text(), filename=str(path))
    found: list[str] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names = [alias.name for alias in node.names]
            modules = [node.module]
        elif isinstance(node, ast.Import):
            names, modules = [], [alias.name for alias in node.names]
        else:
            continue
        for module in modules:
            parts = module.split(".")
            if parts[0] not in OURS or parts[0] == package:
                continue
            private = [p for p in parts[1:] if p.startswith("_")] + [n for n in names if n.startswith("_")]
            if private:
                found.append(f"{path.relative_to(ROOT)}:{node.lineno} imports {', '.join(private)} from {module}")
    return found


@pytest.mark.parametrize("package", OURS)
def test_no_package_imports_another_packages_private_names(package: str) -> None:
    bad = [
        hit
        for path in sorted((ROOT / package).rglob("*.py"))
        for hit in _private_imports_from_other_packages(path, package)
    ]
    assert bad == []

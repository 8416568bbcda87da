"""The store is the one place with SQL, split into small modules."""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_only_the_store_package_uses_sqlite() -> None:
    users = sorted(str(p.relative_to(ROOT)) for p in (ROOT / "quiz").rglob("*.py")
                   if "sqlite3" in p.read_text() and p.parent.name != "store")
    assert users == []


def test_store_modules_stay_small() -> None:
    sizes = {p.name: len(p.read_text().splitlines()) for p in (ROOT / "quiz" / "store").glob("*.py")}
    assert len(sizes) > 5
    assert {name: n for name, n in sizes.items() if n > 400} == {}

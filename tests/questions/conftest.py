"""Keep the tests away from the developer's own deck folder."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from questions import loader


@pytest.fixture(autouse=True)
def user_decks(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """An empty user deck folder (tests may write decks into it)."""
    folder = tmp_path_factory.mktemp("config") / "decks"
    monkeypatch.setattr(loader, "user_deck_dir", lambda: folder)
    yield folder


@pytest.fixture(scope="session")
def bank() -> loader.Bank:
    """The built-in bank alone."""
    return loader.load_bank(include_user_dir=False)

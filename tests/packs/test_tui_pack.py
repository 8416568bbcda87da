"""`nnprep --pack DIR`: the app practises a pack's tasks (the list, the starter, a graded submission)."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path
from typing import Any

import pytest
from textual.widgets import Static

from quiz.app import NnprepApp
from quiz.cli import main
from quiz.commands.pack import load_pack_texts
from quiz.tui.services import BankView, Services
from tests.tui.bank import fixed_items


def test_the_app_practises_a_packs_task(new_pack: Path, tmp_path: Path) -> None:
    asyncio.run(_practise(new_pack, tmp_path))


async def _practise(new_pack: Path, tmp_path: Path) -> None:
    _, texts = load_pack_texts(str(new_pack))
    assert list(texts) == ["course.swish"] and texts["course.swish"].id == "course.swish"
    app = NnprepApp(Services(db=tmp_path / "p.db", seed=7, bank=BankView(fixed_items(), []), task_texts=texts))
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("c")
        await pilot.pause()
        await pilot.press("enter")
        await pilot.pause()
        screen: Any = app.screen
        assert type(screen).__name__ == "TaskScreen" and screen.task_id == "course.swish"
        assert "def swish_forward(x):" in screen.query_one("#editor").text
        screen.query_one("#editor").load_text((new_pack / "wrong" / "swish_no_product_rule.py").read_text())
        await pilot.press("ctrl+s")
        started = time.monotonic()
        while screen.running is not None and not screen.running.is_finished:
            assert time.monotonic() - started < 60, "grading did not finish"
            await asyncio.sleep(0.05)
        await pilot.pause()
        shown = "\n".join(str(w.render()) for w in screen.query("#results-scroll Static").results(Static))
        assert "product rule" in shown


def test_a_bad_pack_at_startup_is_one_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--pack", str(tmp_path / "none"), "--db", str(tmp_path / "p.db")]) == 2
    err = capsys.readouterr().err
    assert "no such pack folder" in err and err.count("\n") == 1

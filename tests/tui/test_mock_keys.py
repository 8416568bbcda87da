"""Mock interviews under a person's hands: mashing navigation keys never crashes, focus is always on the answer,
and an unexpected error exits with status 3 with the answers saved."""

from __future__ import annotations

import random
from collections.abc import Callable
from pathlib import Path
from types import SimpleNamespace

import pytest
from textual.widget import Widget
from textual.widgets import Input

from quiz.app import EXIT_CRASHED, NnprepApp, run_app
from quiz.store import Store
from quiz.tui.screens.mock import MockScreen
from quiz.tui.screens.mock_setup import CODING_CHOICES
from tests.tui.keyboard import type_burst
from tests.tui.mock_driving import index_of, settle, start_direct

MASH_KEYS = ["ctrl+n"] * 6 + ["ctrl+b"] * 3 + ["ctrl+l"] * 3 + [
    "enter", "up", "down", "home", "end", "tab", "shift+tab", "f2", "1", "2", "3", "5", "space", "x", "backspace",
]


def focus_on_answer(screen: MockScreen) -> bool:
    """The focused widget is the shown question's answer (or the question list, after ctrl+l)."""
    focused = screen.focused
    if focused is None:
        return False
    if focused.id == "mock-entries":
        return True
    pane = screen.query_one(f"#entry-{screen.current}")
    node: Widget | None = focused
    while node is not None and node is not pane:
        node = node.parent if isinstance(node.parent, Widget) else None
    return node is pane


async def test_mashing_navigation_keys_across_every_question_type(make_app: Callable[..., NnprepApp]) -> None:
    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await start_direct(pilot, coding="easy")
        kinds = {e.item_type for e in screen.session.state.plan.entries}
        assert kinds == {"flashcard", "mcq", "numeric", "shape", "coding"}
        assert focus_on_answer(screen) and screen.focused is not None and screen.focused.id != "mock-entries"
        rng = random.Random(5)
        for burst in range(40):
            keys = [rng.choice(MASH_KEYS) for _ in range(rng.randint(1, 12))]
            await type_burst(pilot, *keys)
            if burst % 5 == 0:
                await pilot.pause(0.2)  # now and then the pace of a person: ctrl+n every few hundred ms
            assert app.screen is screen and not app.crashed
        # Every jump, whichever way, ends with focus on the answer of the question shown.
        for index in (index_of(screen, "linear"), index_of(screen, "t.shape"), 0):
            await type_burst(pilot, "ctrl+l", "home", *["down"] * index, "enter", settle=5)
            assert screen.current == index and focus_on_answer(screen)
            assert screen.focused is not None and screen.focused.id != "mock-entries"
        for _ in range(len(screen.session.state.plan.entries)):
            await type_burst(pilot, "ctrl+n", settle=5)
            assert focus_on_answer(screen) and screen.focused is not None and screen.focused.id != "mock-entries"


async def test_keys_typed_during_a_jump_reach_the_new_question(make_app: Callable[..., NnprepApp]) -> None:
    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await start_direct(pilot, coding="easy")
        numeric, shape = index_of(screen, "t.numeric"), index_of(screen, "t.shape")
        screen.go(numeric)
        await type_burst(pilot, "5", "5", "enter", "(32, 5)")  # enter goes on; typing continues at once
        await settle(pilot)
        state = screen.session.state
        assert state.entries[numeric].answer == "55"
        if shape == numeric + 1:
            assert state.entries[shape].answer == "(32, 5)"


async def test_an_unexpected_error_exits_3_with_the_answers_saved(
    make_app: Callable[..., NnprepApp], db: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    app = make_app()
    with pytest.raises(RuntimeError, match="boom"):
        async with app.run_test(size=(100, 30)) as pilot:
            screen = await start_direct(pilot)
            screen.go(index_of(screen, "t.numeric"))
            await type_burst(pilot, "55", settle=5)
            def broken(self: MockScreen, delta: int) -> None:
                raise RuntimeError("boom")

            monkeypatch.setattr(MockScreen, "action_step", broken)
            await pilot.press("ctrl+n")
    assert app.crashed
    with Store(db) as store:
        (stored,) = store.mock_sessions(finished=False)
        answers = {e["ref"]: s["answer"] for e, s in zip(stored.state["plan"]["entries"], stored.state["entries"],
                                                         strict=True)}
        assert answers["t.numeric"] == "55"
    # The command line turns a crash into exit status 3.
    monkeypatch.setattr(NnprepApp, "run", lambda self: setattr(self, "crashed", True))
    assert run_app(SimpleNamespace(db=str(db), deck=[])) == EXIT_CRASHED


async def test_the_subheader_fits_80_columns_on_every_question(make_app: Callable[..., NnprepApp]) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await start_direct(pilot, coding="easy")
        for entry in screen.session.state.plan.entries:
            screen.go(entry.index)
            await pilot.pause()
            where = str(screen.query_one("#mock-where").render())
            assert len(where) <= 80 - 16, where  # beside the 16-column clock
            assert where.startswith(f"{entry.index + 1}/6 ·")


async def test_keys_typed_while_the_mock_is_drawn_reach_its_first_question(
    make_app: Callable[..., NnprepApp]
) -> None:
    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await pilot.press("m")
        await settle(pilot)
        await pilot.press("end")  # custom: one question, on the one topic with a number question
        setup = app.screen
        setup.query_one("#custom-items", Input).value = "1"
        setup.query_one("#custom-topics").select("flops_params_memory")  # type: ignore[attr-defined]
        setup.query_one("#mock-seed", Input).focus()
        await type_burst(pilot, "ctrl+s", "55", settle=5)  # typed at once, while the mock is being drawn
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, MockScreen)
        assert screen.session.state.entries[0].answer == "55"
        assert setup.query_one("#mock-seed", Input).value == ""  # nothing landed in the form


async def test_a_failed_start_gives_the_keys_back(make_app: Callable[..., NnprepApp]) -> None:
    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await pilot.press("m")
        await settle(pilot)
        await pilot.press("end")
        setup = app.screen
        setup.query_one("#custom-items", Input).value = "40"  # more than the bank has: the draw fails
        await type_burst(pilot, "ctrl+s", settle=5)
        await settle(pilot)
        assert app.screen is setup and not setup.hold_keys  # type: ignore[attr-defined]
        setup.query_one("#mock-seed", Input).focus()
        await type_burst(pilot, "7")
        assert setup.query_one("#mock-seed", Input).value == "7"


async def test_setup_tab_order_seed_and_coding_select(make_app: Callable[..., NnprepApp]) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("m")
        await pilot.pause()
        screen = app.screen
        seed = screen.query_one("#mock-seed", Input)
        assert seed.value == "" and seed.is_valid and not seed.has_class("-invalid")  # empty means random
        order = []
        await pilot.press("end")  # Custom: its panel comes next in the Tab order, then the seed and Start
        for _ in range(6):
            await pilot.press("tab")
            order.append(app.focused.id if app.focused else None)
        assert order == ["custom-minutes", "custom-items", "custom-coding", "custom-topics", "mock-seed", "mock-start"]
        await pilot.press("home")  # a preset: the custom panel is skipped
        await pilot.pause()
        await pilot.press("shift+tab", "shift+tab")
        await pilot.press("tab")
        assert app.focused is not None and app.focused.id == "mock-seed"
        assert [value for _, value in CODING_CHOICES][:4] == ["", "easy", "medium", "hard"]

"""The home screen, navigation, quitting, the command palette, small terminals and broken decks."""

from __future__ import annotations

from collections.abc import Callable

from textual.command import CommandList
from textual.widgets import Static

from quiz.app import NnprepApp
from quiz.tui.base import TooSmall
from quiz.tui.services import BankView
from tests.tui.bank import fixed_items
from tests.tui.waiting import wait_until


async def test_home_shows_name_due_and_streak(make_app: Callable[..., NnprepApp]) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert type(app.screen).__name__ == "HomeScreen"
        assert "nnprep" in str(app.screen.query_one("#brand", Static).render())
        assert "Reviews due: 0" in str(app.screen.query_one("#due", Static).render())
        assert "Streak: 0 days" in str(app.screen.query_one("#streak", Static).render())
        menu = [app.screen.query_one("#menu").get_option_at_index(i).id for i in range(5)]  # type: ignore[attr-defined]
        assert menu == ["practice", "tasks", "review", "stats", "help"]


async def test_q_on_home_quits_with_status_0(make_app: Callable[..., NnprepApp]) -> None:
    app = make_app()
    async with app.run_test() as pilot:
        await pilot.press("q")
        await pilot.pause()
    assert app.return_code == 0


async def test_ctrl_q_quits_from_any_screen(make_app: Callable[..., NnprepApp]) -> None:
    app = make_app()
    async with app.run_test() as pilot:
        await pilot.press("c")
        await pilot.pause()
        await pilot.press("enter")
        await pilot.pause()
        assert type(app.screen).__name__ == "TaskScreen"
        await pilot.press("ctrl+q")
        await pilot.pause()
    assert app.return_code == 0


async def test_keys_and_mouse_open_every_screen(make_app: Callable[..., NnprepApp]) -> None:
    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        for key, name in (("p", "PracticeSetupScreen"), ("c", "TaskListScreen"), ("s", "StatsScreen"),
                          ("question_mark", "HelpScreen")):
            await pilot.press(key)
            await pilot.pause()
            assert type(app.screen).__name__ == name
            await pilot.press("escape")
            await pilot.pause()
            assert type(app.screen).__name__ == "HomeScreen"
        # The mouse: click "Coding tasks" in the menu.
        await pilot.click("#menu", offset=(4, 2))
        await pilot.pause()
        assert type(app.screen).__name__ == "TaskListScreen"


async def test_command_palette_reaches_every_main_action(make_app: Callable[..., NnprepApp]) -> None:
    app = make_app()
    async with app.run_test() as pilot:
        titles = {c.title for c in app.get_system_commands(app.screen)}
        assert {"Home", "Practice", "Coding tasks", "Review due", "Stats", "Help", "Quit"} <= titles
        await pilot.press("ctrl+p")
        await pilot.pause()
        await pilot.press(*"Stats")
        results = app.screen.query_one(CommandList)
        await wait_until(
            pilot, lambda: results.option_count == 1 and "Stats" in str(results.get_option_at_index(0).prompt)
        )
        await pilot.press("enter")
        await wait_until(pilot, lambda: type(app.screen).__name__ == "StatsScreen")


async def test_small_terminal_gets_a_clear_message_and_keeps_state(make_app: Callable[..., NnprepApp]) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("p")
        await pilot.pause()
        await pilot.press("down", "space")  # tick the second topic
        selected = list(app.screen.query_one("#topics").selected)  # type: ignore[attr-defined]
        assert len(selected) == 1
        await pilot.resize_terminal(70, 20)
        await pilot.pause()
        message = app.screen.query_one(TooSmall)
        assert message.display
        assert "nnprep needs at least 80x24; this terminal is 70x20" in str(message.render())
        await pilot.resize_terminal(100, 30)
        await pilot.pause()
        assert not app.screen.query_one(TooSmall).display
        assert list(app.screen.query_one("#topics").selected) == selected  # type: ignore[attr-defined]
        assert app.focused is not None and app.focused.id == "topics"


async def test_starting_small_shows_the_message(make_app: Callable[..., NnprepApp]) -> None:
    app = make_app()
    async with app.run_test(size=(60, 20)) as pilot:
        await pilot.pause()
        assert "this terminal is 60x20" in str(app.screen.query_one(TooSmall).render())


async def test_broken_user_deck_warns_and_the_rest_works(make_app: Callable[..., NnprepApp]) -> None:
    app = make_app(bank=BankView(fixed_items(), ["my-deck.toml: x.bad: answer: field required"]))
    async with app.run_test() as pilot:
        # The bank loads just after the first paint, then warns.
        await wait_until(pilot, lambda: any(n.severity == "warning" for n in app._notifications))
        warnings = [n for n in app._notifications if n.severity == "warning"]
        assert "my-deck.toml" in warnings[0].message
        await pilot.press("p")
        await pilot.pause()
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert type(app.screen).__name__ == "ItemScreen"


async def test_real_bank_and_broken_deck_folder(make_app: Callable[..., NnprepApp], tmp_path) -> None:  # type: ignore[no-untyped-def]
    deck = tmp_path / "deck"
    deck.mkdir()
    (deck / "broken.toml").write_text('[[items]]\nid = "mine.one"\ntype = "flashcard"\n')
    app = make_app(bank=None, decks=[deck])
    async with app.run_test() as pilot:
        # The bank loads just after the first paint, then warns.
        await wait_until(pilot, lambda: any("broken.toml" in n.message for n in app._notifications), timeout=30)
        assert len(app.services.bank().items) > 20

"""Keypress latency in the coding-task editor (issue 4: "a keypress in the editor renders without perceptible
delay"): typing lines of code into the task screen of the real app, against the same typing into a bare
TextArea code editor, both driven by Textual's Pilot at 120x40. Each sample is one key pressed and the app
waited on until idle and repainted; the Pilot's own idle wait is part of both figures, so the ratio is the
number to read. Reports medians per key and the ratio.
"""

from __future__ import annotations

import asyncio
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from textual.app import App, ComposeResult
from textual.widgets import TextArea

from bench.common import table

TEXT = "dx = dy @ W  # shapes: (N, D_out) @ (D_out, D_in)\n" * 3
KEYS = {
    "\n": "enter",
    " ": "space",
    "#": "number_sign",
    "(": "left_parenthesis",
    ")": "right_parenthesis",
    ",": "comma",
    ":": "colon",
    "@": "at",
    "=": "equals_sign",
    "_": "underscore",
}


class BareEditor(App[None]):
    def compose(self) -> ComposeResult:
        yield TextArea.code_editor("import numpy as np\n", language="python")


async def _type(app: App[Any], open_editor: Callable[[App[Any]], None]) -> list[float]:
    times: list[float] = []
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause(0.5)
        open_editor(app)
        await pilot.pause(0.5)
        app.screen.query_one(TextArea).focus()
        await pilot.pause()
        for ch in TEXT:
            start = time.perf_counter()
            await pilot.press(KEYS.get(ch, ch))
            await pilot.pause()
            times.append(time.perf_counter() - start)
    return times


def _open_linear(app: App[Any]) -> None:
    from questions import load_task_texts
    from quiz.tui.screens.task_list import open_task

    open_task(app, "linear", load_task_texts()["linear"])  # type: ignore[arg-type]


def main() -> None:
    from quiz.app import NnprepApp
    from quiz.tui.services import Services

    bare = asyncio.run(_type(BareEditor(), lambda app: None))
    with tempfile.TemporaryDirectory() as tmp:
        ours = asyncio.run(_type(NnprepApp(Services(db=str(Path(tmp) / "bench.db"))), _open_linear))
    b, o = statistics.median(bare), statistics.median(ours)
    p95 = sorted(ours)[int(0.95 * len(ours))]
    print(
        table(
            f"Keypress to repaint in the editor, {len(TEXT)} keys at 120x40 (Pilot)",
            [
                ("bare TextArea code editor (median)", f"{b * 1000:.1f} ms"),
                ("nnprep task screen (median)", f"{o * 1000:.1f} ms  (95th percentile {p95 * 1000:.1f} ms)"),
                ("ratio", f"{o / b:.2f}"),
            ],
        )
    )


if __name__ == "__main__":
    main()

"""A candidate cannot read out a grade's hidden cases, even when the policy fixes the seed.

The hostile file below tries every way its code has to put what it sees of a hidden input into a report: it prints
the inputs (to stdout, to stderr, and to a copy of fd 1 taken at import, which no redirect would stop), keeps them
in a module global and prints them all again at every later call, raises them as exception text and as the name of
an exception class, returns an object whose class is named after them, returns a wrong shape whose sizes spell
them, and leaves them in files for a later process to find. Graded with a fixed seed in the real sandbox, no hidden
input appears in any output format (text, CSV, JSON, JSON lines, JUnit, Gradescope, Markdown, batch text) nor in the
TUI's results; with ``reveal_hidden`` it does (so the search below can find a leak); an honest file's output during
the visible examples still shows.

Everything the file does is bounded (a few hundred numbers per call, the FAST limits).
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any, ClassVar

import numpy as np
import pytest
from textual.app import App, ComposeResult
from textual.binding import BindingType
from textual.widgets import Static

from engine import Verdict, get_task, grade_file
from engine.report import GradeReport
from engine.sandbox import Sandbox
from quiz.batch import formats
from quiz.batch.results import CandidateResult
from quiz.cli import main
from quiz.commands.grading import format_report
from quiz.tui.widgets.results import ResultsView
from tests.batch.test_untrusted_candidates import bounded
from tests.sandbox.conftest import CORRECT, FAST, src

SEED = 4242  # a policy's fixed seed: the case where a leak would let the next candidate replay the hidden cases
TASKS = ["linear", "relu"]

LEAKER = src("""
import os
import sys

import numpy as np

_OUT = os.dup(1)  # a copy of stdout taken at import
_STASH = []
_CALLS = {}
_PLACES = ["/tmp/stash", "/var/tmp/stash", "/dev/shm/stash", os.path.join(os.getcwd(), "stash")]
for _place in _PLACES:  # what an earlier process (the hidden cases' run, an earlier task) may have left
    try:
        with open(_place) as _f:
            print("FOUND", _f.read()[:20000])
    except OSError:
        pass


def _spell(*arrays):
    return " ".join(repr(float(v)) for a in arrays for v in np.ravel(a)[:200])


def _leak(name, *arrays):
    text = _spell(*arrays)
    _STASH.append(text)
    _CALLS[name] = _CALLS.get(name, 0) + 1
    print("PRINTED", text)
    print("STDERR", text, file=sys.stderr)
    os.write(_OUT, ("DUPED " + " | ".join(_STASH[-8:]) + "\\n").encode())
    for place in _PLACES:
        try:
            with open(place, "a") as f:
                f.write(text[:4000] + "\\n")
        except OSError:
            pass
    return text, _CALLS[name] % 4


def linear_forward(x, W, b):
    text, mode = _leak('linear_forward', x, W, b)
    if mode == 1:
        raise ValueError("LEAK " + text)
    if mode == 2:
        raise type("Leak " + text, (Exception,), {})()
    if mode == 3:
        return np.zeros((0, int(abs(x.flat[0]) * 1e4) + 10007))  # a size that spells an input
    return x @ W.T + b


def linear_backward(dy, x, W, b):
    text, mode = _leak('linear_backward', dy, x, W, b)
    if mode == 1:
        return type("Leak " + text, (), {})()
    if mode == 2:
        raise RuntimeError(text)
    return dy @ W, dy.T @ x, dy.sum(axis=0)


def relu_forward(x):
    text, mode = _leak('relu_forward', x)
    if mode == 1:
        raise ValueError(text)
    return np.maximum(x, 0)


def relu_backward(dy, x):
    _leak('relu_backward', dy, x)
    return dy * (x > 0)
""")

HONEST = CORRECT.replace(
    "def linear_forward(x, W, b):\n", "def linear_forward(x, W, b):\n    print('honest debug: x has shape', x.shape)\n"
)


def _spelled(values: Iterator[float]) -> set[str]:
    """How the leaker writes each number (repr, and as a shape size), for the numbers no trivial text would match."""
    found: set[str] = set()
    for v in values:
        if abs(v - round(v)) > 1e-3:
            found.update({repr(float(v)), str(int(abs(v) * 1e4) + 10007)})
    return found


def _inputs(visible: bool) -> set[str]:
    values: list[float] = []
    for task_id in TASKS:
        for case in get_task(task_id).cases(SEED):
            if case.visible is visible:
                for call in case.calls:
                    for arg in call.args.values():
                        if isinstance(arg, np.ndarray):
                            values.extend(float(v) for v in np.ravel(arg))
    return _spelled(iter(values))


HIDDEN = _inputs(False) - _inputs(True)  # a number also in an example could be shown by right
VISIBLE = _inputs(True)


def _found(text: str, numbers: set[str]) -> list[str]:
    return [n for n in numbers if re.search(rf"(?<![\d.]){re.escape(n)}(?![\d])", text)]


def _every_format(reports: list[GradeReport]) -> dict[str, str]:
    result = CandidateResult(candidate="mallory", path="mallory.py", reports=reports,
                             weights={t: 1.0 for t in TASKS})
    return {
        "text": "\n".join(format_report(r) for r in reports),
        "csv": formats.to_csv([result]),
        "json": formats.to_json([result]),
        "jsonl": formats.to_jsonl([result]),
        "junit": formats.to_junit([result]),
        "gradescope": formats.to_gradescope(result),
        "markdown": formats.to_markdown(result),
        "batch text": formats.to_text([result], "every task passed"),
    }


@pytest.fixture(scope="module")
def leaked(sandbox: Sandbox) -> list[GradeReport]:
    return grade_file(LEAKER, TASKS, FAST, runner=sandbox, seed=SEED)


def test_the_hostile_file_ran_and_failed_its_hidden_cases_in_every_way(leaked: list[GradeReport]) -> None:
    verdicts = {c.verdict.value for r in leaked for c in r.cases if not c.visible}
    assert {"runtime_error", "wrong_answer", "invalid_output"} <= verdicts, verdicts
    linear = leaked[0]
    assert "PRINTED" in linear.stdout and "DUPED" in linear.stdout and "STDERR" in linear.stdout
    assert "bytes of output during the hidden cases, not shown" in linear.stdout
    assert not [r.task for r in leaked if "FOUND" in r.stdout]  # no file outlived the process that wrote it
    assert all(r.seed == SEED for r in leaked)


def test_no_hidden_input_appears_in_any_output_format(leaked: list[GradeReport]) -> None:
    assert len(HIDDEN) > 100
    for name, text in _every_format(leaked).items():
        assert not _found(text, HIDDEN), (name, _found(text, HIDDEN)[:5])
    # The visible examples' inputs are the candidate's to print: they show, so the search above can find numbers.
    assert _found(_every_format(leaked)["text"], VISIBLE)


def test_hidden_failures_say_what_failed_without_the_candidates_words(leaked: list[GradeReport]) -> None:
    for report in leaked:
        for case in report.cases:
            if case.visible or case.verdict.value == "passed":
                continue
            words = " ".join([case.message, *case.diagnoses, *(o.message for o in case.outputs)])
            assert "Leak" not in words and "LEAK" not in words, words
            assert case.message, case.name
            if case.verdict.value in ("runtime_error", "invalid_output"):
                assert "(details of hidden cases are not shown)" in case.message, case.message
            assert round(case.seconds, 2) == case.seconds
            for out in case.outputs:
                assert out.got_shape is None or len(out.got_shape) <= 3, out


def test_a_policy_that_reveals_hidden_cases_shows_them(sandbox: Sandbox) -> None:
    reports = grade_file(LEAKER, TASKS, FAST, runner=sandbox, seed=SEED, reveal_hidden=True)
    assert _found(reports[0].stdout, HIDDEN)
    assert "--- output during the hidden cases ---" in reports[0].stdout
    assert any("LEAK" in c.message for c in reports[0].cases if not c.visible)


def test_an_honest_files_output_during_the_examples_still_shows(sandbox: Sandbox) -> None:
    [report] = grade_file(HONEST, ["linear"], FAST, runner=sandbox, seed=SEED)
    assert report.passed
    assert "honest debug: x has shape (2, 3)" in report.stdout
    assert "bytes of output during the hidden cases, not shown" in report.stdout
    shown = _every_format([report])
    assert "honest debug: x has shape (2, 3)" in shown["text"] and "honest debug" in shown["junit"]


class ResultsApp(App[None]):
    BINDINGS: ClassVar[list[BindingType]] = []

    def compose(self) -> ComposeResult:
        yield ResultsView(id="results")


async def _tui_texts(reports: list[GradeReport]) -> list[str]:
    """What the results panel shows of each report, as a person sees it."""
    app = ResultsApp()
    texts = []
    async with app.run_test(size=(120, 50)) as pilot:
        view = app.query_one(ResultsView)
        for report in reports:
            view.show_report(report, visible_only=False)
            await pilot.pause()
            rendered: list[Any] = [w.render() for w in app.query(Static)]
            texts.append("\n".join(str(getattr(c, "plain", c)) for c in rendered))
    return texts


def test_the_tui_results_show_no_hidden_input(leaked: list[GradeReport]) -> None:
    texts = asyncio.run(_tui_texts(leaked))
    assert "bytes of output during the hidden cases, not shown" in texts[0]
    assert "DUPED" in texts[0] and _found(texts[0], VISIBLE)  # the examples still show what they printed
    for text in texts:
        assert not _found(text, HIDDEN), _found(text, HIDDEN)[:5]


def test_the_command_line_outputs_show_no_hidden_input(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """End to end, as a TA runs it with a fixed seed: `nnprep grade FILE` (text) and a batch folder with JUnit and
    the Markdown reports."""
    folder = tmp_path / "class"
    folder.mkdir()
    (folder / "mallory.py").write_text(LEAKER)
    tasks = [arg for t in TASKS for arg in ("--task", t)]
    limits = ["--time-limit", "1", "--seed", str(SEED)]
    with bounded(300):
        assert main(["grade", str(folder / "mallory.py"), *tasks, *limits]) == 1
    text = capsys.readouterr().out
    assert "bytes of output during the hidden cases, not shown" in text and _found(text, VISIBLE)
    assert not _found(text, HIDDEN)
    junit, reports = tmp_path / "junit.xml", tmp_path / "reports"
    with bounded(300):
        assert main(["grade", str(folder), *tasks, *limits, "--format", "junit", "--out", str(junit),
                     "--reports", str(reports), "--workers", "1"]) == 1
    written = [junit.read_text(), *(p.read_text() for p in sorted(reports.rglob("*.md")))]
    assert len(written) >= 2 and "hidden cases, not shown" in written[0]
    for content in written:
        assert not _found(content, HIDDEN), _found(content, HIDDEN)[:5]


# Right on the visible examples (it knows their shapes), wrong by a factor 2 on the hidden cases and consistently so
# (its backward is its forward's gradient), printing every input it sees: the numerical cross-check then calls its
# forward again at a hidden case's inputs, in a run whose output is never shown.
DOUBLING = src("""
import numpy as np

def _factor(x):
    return 1 if x.shape == (2, 3) else 2

def linear_forward(x, W, b):
    print("FWD", " ".join(repr(float(v)) for a in (x, W, b) for v in np.ravel(a)))
    return _factor(x) * (x @ W.T + b)

def linear_backward(dy, x, W, b):
    print("BWD", " ".join(repr(float(v)) for a in (dy, x, W, b) for v in np.ravel(a)))
    k = _factor(x)
    return k * (dy @ W), k * (dy.T @ x), k * dy.sum(axis=0)
""")


def test_the_cross_checks_run_at_hidden_inputs_shows_nothing_of_them(sandbox: Sandbox) -> None:
    [report] = grade_file(DOUBLING, ["linear"], FAST, runner=sandbox, seed=SEED)
    assert all((c.verdict is Verdict.PASSED) is c.visible for c in report.cases)
    assert any("numerical gradient" in d for d in report.diagnoses), report.diagnoses  # the probes ran
    assert "FWD" in report.stdout and _found(report.stdout, VISIBLE)
    for name, text in _every_format([report]).items():
        assert not _found(text, HIDDEN), (name, _found(text, HIDDEN)[:5])

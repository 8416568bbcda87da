"""A running grade can be cancelled from another thread: the child is killed, and the sandbox keeps working."""

from __future__ import annotations

import threading
import time

import pytest

from engine import Limits, grade
from engine.runner import RunCancelled
from engine.sandbox import Sandbox
from tests.sandbox.conftest import assert_clean, assert_next_ok, descendants, zygote_pid

LOOP = """
import numpy as np

def linear_forward(x, W, b):
    while True:
        pass

def linear_backward(dout, x, W, b):
    while True:
        pass
"""
# Long enough that only a cancel can end the run within the test's bound; the rlimits still cap it if it failed.
SLOW = Limits(time_limit=30.0, total_time_limit=60.0)


def _children_appear(zygote: int, seconds: float) -> list[int]:
    """The processes below ``zygote`` once one appears (the child running the loop), or [] after ``seconds``."""
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        if found := descendants(zygote):
            return found
        time.sleep(0.05)
    return []


def test_cancel_kills_the_child_and_the_next_grade_works(sandbox: Sandbox) -> None:
    zygote = zygote_pid(sandbox)  # asked before the run: it waits for the sandbox's lock
    cancel = threading.Event()
    outcome: list[BaseException | object] = []

    def run() -> None:
        try:
            outcome.append(grade(LOOP, "linear", SLOW, runner=sandbox, cancel=cancel))
        except BaseException as e:  # the test looks at what was raised
            outcome.append(e)

    worker = threading.Thread(target=run, daemon=True)
    worker.start()
    assert _children_appear(zygote, 20.0), "the looping child never started"
    cancel.set()
    cancelled_at = time.monotonic()
    worker.join(20.0)
    assert not worker.is_alive(), "grade did not return after its cancel was set"
    # Well under the 30 s per-call limit that would otherwise end it (a loose bound: the machine may be loaded).
    assert time.monotonic() - cancelled_at < 15.0
    assert len(outcome) == 1 and isinstance(outcome[0], RunCancelled), outcome
    assert_clean(sandbox)  # the child is gone, and its temp dir with it
    assert zygote_pid(sandbox) == zygote  # killed through the zygote, which was not replaced
    assert_next_ok(sandbox)  # the same zygote still grades


def test_a_cancel_set_before_the_grade_runs_nothing(sandbox: Sandbox) -> None:
    cancel = threading.Event()
    cancel.set()
    with pytest.raises(RunCancelled):
        grade(LOOP, "linear", SLOW, runner=sandbox, cancel=cancel)
    assert_clean(sandbox)

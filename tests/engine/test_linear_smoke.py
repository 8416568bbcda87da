from __future__ import annotations

from engine import Verdict, grade
from engine.tasks.linear import linear_backward, linear_forward
from tests.support.inprocess import InProcessRunner

REFERENCE = '''
import numpy as np
def linear_forward(x, W, b):
    return x @ W.T + b
def linear_backward(dy, x, W, b):
    return dy @ W, dy.T @ x, dy.sum(axis=0)
'''

TRANSPOSED = REFERENCE.replace("dy.T @ x", "x.T @ dy")
NOT_SUMMED = REFERENCE.replace("dy.sum(axis=0)", "dy")
WRONG_FWD = REFERENCE.replace("x @ W.T + b", "x @ W.T + 2 * b")


def test_reference_passes(inprocess: InProcessRunner) -> None:
    report = grade(REFERENCE, "linear", runner=inprocess)
    assert report.verdict is Verdict.PASSED, report.model_dump_json(indent=1)
    assert report.score == report.max_score


def test_transposed_dw(inprocess: InProcessRunner) -> None:
    report = grade(TRANSPOSED, "linear", runner=inprocess)
    assert report.verdict is Verdict.WRONG_ANSWER
    assert any("dW is the transpose" in d for d in report.diagnoses), report.diagnoses
    assert any("linear_forward is right but" in d for d in report.diagnoses), report.diagnoses


def test_db_not_summed(inprocess: InProcessRunner) -> None:
    report = grade(NOT_SUMMED, "linear", runner=inprocess)
    assert any("db is not summed over the batch" in d for d in report.diagnoses), report.diagnoses


def test_wrong_forward_consistent_backward(inprocess: InProcessRunner) -> None:
    src = REFERENCE.replace("dy.sum(axis=0)", "2 * dy.sum(axis=0)").replace("x @ W.T + b", "x @ W.T + 2 * b")
    report = grade(src, "linear", runner=inprocess)
    assert any("fix the forward computation first" in d for d in report.diagnoses), report.diagnoses


def test_reference_functions_are_importable() -> None:
    assert linear_forward is not None and linear_backward is not None

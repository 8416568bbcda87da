"""The shipped cs231n pack grades layer files written against the course's API, (out, cache) pairs included."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from engine import grade
from engine.packs import SHIPPED, load_pack, use_pack
from quiz.cli import main

PACK = SHIPPED / "cs231n"
LAYERS = PACK / "solutions" / "layers.py"
NAMES = ("affine", "relu", "softmax_loss", "svm_loss", "batchnorm", "conv", "max_pool", "dropout", "layernorm")
TASKS = [f"cs231n.{t}" for t in NAMES]


def test_check_passes(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["pack", "check", "cs231n", "--seeds", "5", "--format", "json"]) == 0
    data = json.loads(capsys.readouterr().out)
    wrong = [c for c in data["checks"] if c["check"].endswith(".py rejected")]
    assert data["ok"] and len(wrong) == 15


def test_a_correct_layers_file_passes_every_task_it_defines(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["grade", str(LAYERS), "--pack", "cs231n", "--format", "json"]) == 0
    reports = json.loads(capsys.readouterr().out)["reports"]
    assert [r["task"] for r in reports] == TASKS and all(r["verdict"] == "passed" for r in reports)


def test_a_buggy_layers_file_is_rejected_with_the_diagnosis(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["grade", str(PACK / "wrong" / "affine_dw_transposed.py"), "--pack", "cs231n"]) == 1
    out = capsys.readouterr().out
    assert "cs231n.affine: " in out and "verdict wrong_answer" in out
    assert "dw is the transpose of the expected gradient" in out


def test_only_the_tasks_a_file_defines_are_graded(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    source = LAYERS.read_text()
    only = tmp_path / "losses.py"
    only.write_text("import numpy as np\n\n" + source[source.index("def svm_loss"):])
    assert main(["grade", str(only), "--pack", "cs231n", "--format", "json"]) == 0
    reports = json.loads(capsys.readouterr().out)["reports"]
    assert [r["task"] for r in reports] == TASKS[2:]


def test_a_cache_of_any_kind_stays_in_the_sandbox() -> None:
    """The cache may be a dict, a closure, an object of the student's class: it never crosses the boundary."""
    source = LAYERS.read_text().replace(
        "    cache = (x, w, b)\n", "    cache = lambda: (x, w, b)\n"
    ).replace("    x, w, b = cache\n", "    x, w, b = cache()\n")
    use_pack(load_pack("cs231n"))
    report = grade(source, "cs231n.affine")
    assert report.verdict.value == "passed", report.message


def test_returning_out_alone_is_wrong_not_a_crash() -> None:
    source = LAYERS.read_text().replace("    return out, cache\n", "    return out\n", 1)
    use_pack(load_pack("cs231n"))
    report = grade(source, "cs231n.affine")
    assert report.verdict.value in ("invalid_output", "wrong_answer", "runtime_error") and report.score < 100


@pytest.mark.parametrize("seed", [1, 2**40 + 7, 123456789])
def test_the_correct_file_passes_on_any_seed(seed: int) -> None:
    use_pack(load_pack("cs231n"))
    for task_id in TASKS:
        assert grade(LAYERS.read_text(), task_id, seed=seed).verdict.value == "passed", (task_id, seed)


def test_dropout_accepts_any_fair_random_stream_and_rejects_a_fresh_mask_in_backward() -> None:
    use_pack(load_pack("cs231n"))
    source = LAYERS.read_text()
    binomial = source.replace("        mask = (np.random.rand(*x.shape) < p) / p\n",
                              "        mask = np.random.binomial(1, p, size=x.shape) / p\n")
    assert binomial != source
    assert grade(binomial, "cs231n.dropout").verdict.value == "passed"
    redrawn = "        dx = dout * (np.random.rand(*dout.shape) < dropout_param['p']) / dropout_param['p']\n"
    fresh = source.replace("        dx = dout * mask\n", redrawn)
    assert fresh != source
    report = grade(fresh, "cs231n.dropout")
    assert report.verdict.value == "wrong_answer"
    assert any("the forward's own mask" in d for d in report.diagnoses)

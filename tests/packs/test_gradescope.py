"""`nnprep gradescope build` writes a zip whose run_autograder grades a submission in Gradescope's layout.

The zip is unpacked into a temporary folder laid out as Gradescope's /autograder (source/, submission/, results/);
this venv's python stands in for the image's python3, where setup.sh would have installed the wheel.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from engine.packs import SHIPPED
from quiz.cli import main
from tests.packs.conftest import catalogue_kept

LAYERS = SHIPPED / "cs231n" / "solutions" / "layers.py"
WRONG = SHIPPED / "cs231n" / "wrong" / "softmax_dx_not_averaged.py"


@pytest.fixture(scope="module")
def autograder_zip(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("zip") / "autograder.zip"
    with catalogue_kept():  # a module fixture runs outside the per-test restore
        assert main(["gradescope", "build", "--pack", "cs231n", "--task", "softmax_loss", "--task", "affine",
                     "--out", str(out)]) == 0
    return out


def _run(autograder_zip: Path, root: Path, submission: dict[str, str]) -> dict[str, object]:
    (root / "source").mkdir(parents=True)
    (root / "submission").mkdir()
    with zipfile.ZipFile(autograder_zip) as z:
        z.extractall(root / "source")
    for name, text in submission.items():
        (root / "submission" / name).write_text(text)
    script = root / "source" / "run_autograder"
    env = {**os.environ, "NNPREP_AUTOGRADER_ROOT": str(root), "NNPREP_PYTHON": sys.executable}
    subprocess.run(["bash", str(script)], env=env, check=True, timeout=300, capture_output=True)
    data: dict[str, object] = json.loads((root / "results" / "results.json").read_text())
    return data


def test_the_zip_holds_what_gradescope_needs(autograder_zip: Path) -> None:
    with zipfile.ZipFile(autograder_zip) as z:
        names = set(z.namelist())
        modes = {i.filename: (i.external_attr >> 16) & 0o777 for i in z.infolist()}
        config = json.loads(z.read("nnprep_autograder.json"))
        wheel = next(n for n in names if n.endswith(".whl"))
    assert {"setup.sh", "run_autograder", "pack/pack.toml", "pack/affine.py"} <= names
    assert modes["setup.sh"] == 0o755 and modes["run_autograder"] == 0o755
    assert wheel.startswith("nnprep-") and config["tasks"] == ["cs231n.softmax_loss", "cs231n.affine"]
    setup = zipfile.ZipFile(autograder_zip).read("setup.sh").decode()
    assert "pip3 install" in setup and "http" not in setup  # only the wheel and its dependencies


def test_a_correct_submission_scores_100(autograder_zip: Path, tmp_path: Path) -> None:
    results = _run(autograder_zip, tmp_path / "autograder", {"layers.py": LAYERS.read_text()})
    assert results["score"] == 100
    tests = results["tests"]
    assert isinstance(tests, list) and {t["name"].split(":")[0] for t in tests} == {
        "cs231n.softmax_loss", "cs231n.affine"}


def test_a_wrong_submission_loses_points_with_the_diagnosis(autograder_zip: Path, tmp_path: Path) -> None:
    helper = "def unrelated():\n    return 1\n"
    results = _run(autograder_zip, tmp_path / "autograder", {"layers.py": WRONG.read_text(), "helpers.py": helper})
    score = results["score"]
    assert isinstance(score, float | int) and 0 < score < 100
    assert "dx is the batch size N times too large" in str(results["output"])


def test_no_submission_still_writes_results(autograder_zip: Path, tmp_path: Path) -> None:
    results = _run(autograder_zip, tmp_path / "autograder", {})
    assert results["score"] == 0 and "no .py file" in str(results["output"])


def test_build_needs_a_pack_or_tasks(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["gradescope", "build", "--out", str(tmp_path / "a.zip")]) == 2
    assert "give --pack DIR or --task ID" in capsys.readouterr().err
    assert main(["gradescope", "build", "--task", "nope", "--out", str(tmp_path / "a.zip")]) == 2


def test_built_in_tasks_with_a_given_wheel(tmp_path: Path, autograder_zip: Path) -> None:
    with zipfile.ZipFile(autograder_zip) as z:
        wheel_name = next(n for n in z.namelist() if n.endswith(".whl"))
        z.extract(wheel_name, tmp_path)
    out = tmp_path / "builtin.zip"
    assert main(["gradescope", "build", "--task", "relu", "--wheel", str(tmp_path / wheel_name),
                 "--out", str(out)]) == 0
    source = "import numpy as np\n\ndef relu_forward(x):\n    return np.maximum(x, 0)\n\n" \
             "def relu_backward(dy, x):\n    return dy * (x > 0)\n"
    results = _run(out, tmp_path / "autograder", {"relu.py": source})
    assert results["score"] == 100
    shutil.rmtree(tmp_path / "autograder")

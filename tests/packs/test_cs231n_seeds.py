"""The cs231n pack on many hidden-case seeds: the correct file always passes, every known wrong file is always
rejected with its diagnosis. Run in-process (our own known files only, never a candidate's) to stay fast."""

from __future__ import annotations

import numpy as np

from engine import grade
from engine.packs import SHIPPED, load_pack, use_pack
from tests.support.inprocess import InProcessRunner

SEEDS = [int(s) for s in np.random.default_rng(231).integers(0, 2**53, size=15)]


def test_correct_passes_and_wrong_is_named_on_every_seed() -> None:
    pack = load_pack("cs231n")
    use_pack(pack)
    runner = InProcessRunner()
    correct = (SHIPPED / "cs231n" / "solutions" / "layers.py").read_text()
    with np.errstate(all="ignore"):
        for seed in SEEDS:
            for t in pack.tasks:
                report = grade(correct, t.task.id, runner=runner, seed=seed)
                assert report.verdict.value == "passed", (t.task.id, seed, report.message)
        for t in pack.tasks:
            for path, diagnosis in t.wrong:
                for seed in SEEDS[:3]:
                    report = grade(path.read_text(), t.task.id, runner=runner, seed=seed)
                    said = " ".join([*report.diagnoses, *(d for c in report.cases for d in c.diagnoses)])
                    assert report.verdict.value != "passed" and diagnosis.lower() in said.lower(), (path.name, seed)

"""Every task's generator is sound for any seed: on the hidden cases of 200 seeds, every known correct submission
passes and every known wrong one fails (tests/support/any_seed.py says how the work is shared to stay fast).

Offline runs of thousands of seeds (``python -m tests.support.any_seed --seeds 3000``) look for rarer failures.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from engine import TASK_IDS
from tests.support.any_seed import SUBMISSIONS, Flips, check_seeds

SEEDS = range(200)
# Tasks whose submissions train networks or draw large arrays in Python loops (tens of ms a seed each): the 200 seeds
# are dealt out among their known submissions, so the task is judged on 200 different seeds within the suite's
# time; the offline runs give each of their submissions hundreds of seeds too.
DEALT = {"train_mlp", "he_normal", "xavier_uniform"}


def _flips(task_id: str) -> list[Flips]:
    if task_id not in DEALT:
        return [check_seeds(task_id, SEEDS)]
    files = sorted((SUBMISSIONS / task_id).glob("*.py"))
    return [check_seeds(task_id, SEEDS[i :: len(files)], [path]) for i, path in enumerate(files)]


@pytest.mark.parametrize("task_id", TASK_IDS)
def test_no_known_submission_changes_verdict_on_any_of_200_seeds(task_id: str) -> None:
    for flips in _flips(task_id):
        assert flips.none, (task_id, flips.accepted_wrong, {k: v[:3] for k, v in flips.rejected_right.items()})


def test_the_check_finds_a_wrong_verdict(tmp_path: Path) -> None:
    """The check can fail: a "wrong" file that is right is accepted on every seed, and a "correct" one that is right
    only for small inputs is rejected on some seeds but not others (an unsound generator looks the same)."""
    reference = (SUBMISSIONS / "relu" / "correct_reference.py").read_text()
    (tmp_path / "wrong_actually_right.py").write_text(reference)
    fragile = reference + (
        "\n\n_forward = relu_forward\n\n\ndef relu_forward(x):\n"
        "    if x.size > 1 and float(abs(x).max()) > 2.6:\n"
        "        raise ValueError('too large')\n"
        "    return _forward(x)\n"
    )
    (tmp_path / "correct_fragile.py").write_text(fragile)
    flips = check_seeds("relu", range(40), sorted(tmp_path.glob("*.py")))
    assert len(flips.accepted_wrong["wrong_actually_right"]) == 40
    rejected = {seed for seed, _ in flips.rejected_right["correct_fragile"]}
    assert 0 < len(rejected) < 40

"""Task ``warmup_cosine_lr``: the schedule's shape, its cases, the worked example and PyTorch's schedulers."""

from __future__ import annotations

import math

import numpy as np
import pytest

from engine.tasks import get_task
from engine.tasks.warmup_cosine_lr import warmup_cosine_lr
from tests.engine.tasks.support import assert_written_in_statement

TASK_ID = "warmup_cosine_lr"


@pytest.mark.parametrize(("warm", "total", "low"), [(4, 12, 0.0), (0, 50, 0.1), (1, 10, 0.0), (100, 1000, 3e-5)])
def test_schedule_is_continuous_and_bounded(warm: int, total: int, low: float) -> None:
    base = 0.5
    lrs = np.array([warmup_cosine_lr(s, base, warm, total, low) for s in range(total + 20)])
    assert lrs[0] == (0.0 if warm else base)
    assert lrs[warm] == pytest.approx(base) and lrs[total] == pytest.approx(low) and np.all(lrs[total:] == low)
    assert np.all(np.diff(lrs[: warm + 1]) > 0) and np.all(np.diff(lrs[warm : total + 1]) < 0)
    # warm-up steps are equal; the last warm-up step is one increment below base_lr
    if warm > 1:
        assert lrs[warm - 1] == pytest.approx(base * (warm - 1) / warm)
    assert np.all(lrs[warm:] >= low) and np.all(lrs <= base)


def test_middle_of_the_cosine_is_halfway() -> None:
    assert warmup_cosine_lr(60, 1.0, 20, 100, 0.2) == pytest.approx(0.6)


def test_cases_cover_the_boundaries_on_any_seed() -> None:
    for seed in (1, 2, 3):
        for case in get_task(TASK_ID).cases(hidden_seed=seed):
            a = case.calls[0].args
            steps = {c.args["step"] for c in case.calls}
            warm, total = a["warmup_steps"], a["total_steps"]
            assert 0 <= warm < total and {0, warm, total - 1, total} <= steps and max(steps) > total, case.name
            if warm > 1:
                assert warm - 1 in steps


def test_worked_example() -> None:
    lrs = [warmup_cosine_lr(s, 0.1, 4, 12) for s in range(14)]
    assert all(isinstance(v, float) for v in lrs)
    assert_written_in_statement(TASK_ID, lrs)


def test_matches_pytorch_schedulers() -> None:
    torch = pytest.importorskip("torch")
    from torch.optim.lr_scheduler import CosineAnnealingLR, LinearLR, SequentialLR

    for base, warm, total, low in ((0.1, 4, 12, 0.0), (3e-4, 100, 1000, 3e-5), (2.0, 5, 8, 0.5)):
        opt = torch.optim.SGD([torch.zeros(1, requires_grad=True)], lr=base)
        sched = SequentialLR(
            opt,
            [LinearLR(opt, start_factor=1e-12, end_factor=1.0, total_iters=warm),
             CosineAnnealingLR(opt, T_max=total - warm, eta_min=low)],
            milestones=[warm],
        )
        for step in range(total + 1):
            assert opt.param_groups[0]["lr"] == pytest.approx(warmup_cosine_lr(step, base, warm, total, low),
                                                              rel=1e-9, abs=1e-11), step
            opt.step()
            sched.step()
    assert math.isclose(warmup_cosine_lr(0, 1.0, 0, 10), 1.0)

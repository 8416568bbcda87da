"""Task ``loss_scaler_step``: the scaler's rules over runs of steps, the cases, the worked example and PyTorch."""

from __future__ import annotations

import numpy as np
import pytest

from engine.tasks import get_task
from engine.tasks.loss_scaler_step import loss_scaler_step
from tests.engine.tasks.support import assert_written_in_statement

TASK_ID = "loss_scaler_step"


def test_a_long_run_doubles_after_each_interval_and_halves_on_overflow() -> None:
    scale, tracker = 2.0**16, 0
    history = []
    for step in range(25):
        g = np.full(3, np.inf if step in (10, 11) else 1.0)
        _, scale, tracker, skipped = loss_scaler_step(g, scale, tracker, growth_interval=4)
        history.append((scale, tracker, skipped))
        assert skipped == (step in (10, 11)) and isinstance(tracker, int) and isinstance(skipped, bool)
    scales = [h[0] / 2.0**16 for h in history]
    # grows after steps 3 and 7 (4 successes each), halves at 10 and 11, then grows after 15, 19 and 23
    assert scales[3] == 2 and scales[7] == 4 and scales[10] == 2 and scales[11] == 1 and scales[15] == 2
    assert scales[24] == 8 and [h[1] for h in history[12:16]] == [1, 2, 3, 0]


def test_unscaled_gradients_keep_inf_and_nan_and_input_is_untouched() -> None:
    g = np.array([2.0, np.inf, np.nan, -np.inf, -4.0])
    before = g.copy()
    out, *_ = loss_scaler_step(g, 2.0, 0)
    np.testing.assert_array_equal(out, [1.0, np.inf, np.nan, -np.inf, -2.0])
    np.testing.assert_array_equal(g, before)


def test_cases_cover_every_rule_on_any_seed() -> None:
    for seed in (None, 1, 2):
        outcomes = set()
        for case in get_task(TASK_ID).cases(hidden_seed=seed):
            for call in case.calls:
                args = call.args
                _, scale, _, skipped = loss_scaler_step(**args)
                grew = scale > args["scale"]
                outcomes.add("skip" if skipped else "grow" if grew else "count")
                if skipped:
                    g = args["grads"]
                    outcomes.add("nan_only" if np.isnan(g).any() and not np.isinf(g).any() else "inf")
        assert outcomes == {"skip", "grow", "count", "nan_only", "inf"}


def test_worked_example() -> None:
    g = np.array([[1024.0, -512.0, 256.0], [0.0, 2048.0, -64.0]])
    first = loss_scaler_step(g, 1024.0, 5, growth_interval=8)
    second = loss_scaler_step(g, 1024.0, 7, growth_interval=8)
    bad = g.copy()
    bad[0, 1], bad[1, 1] = np.inf, np.nan
    third = loss_scaler_step(bad, 1024.0, 5, growth_interval=8)
    assert first[1:] == (1024.0, 6, False) and second[1:] == (2048.0, 0, False) and third[1:] == (512.0, 0, True)
    assert_written_in_statement(TASK_ID, first[0], [1024.0, 6, 2048.0, 512.0])


def test_matches_pytorch_amp_update() -> None:
    torch = pytest.importorskip("torch")
    for case in get_task(TASK_ID).cases():
        for call in case.calls:
            a = call.args
            grads = [torch.tensor(a["grads"])]
            # GradScaler keeps its scale and flags in float32; every scale of the cases is a power of 2 or 3 * 512,
            # exact in float32.
            found_inf = torch.zeros(1, dtype=torch.float32)
            inv = torch.full((1,), 1.0 / a["scale"], dtype=torch.float32)
            scale = torch.full((1,), a["scale"], dtype=torch.float32)
            tracker = torch.full((1,), a["growth_tracker"], dtype=torch.int32)
            try:
                torch._amp_foreach_non_finite_check_and_unscale_(grads, found_inf, inv)
                torch._amp_update_scale_(scale, tracker, found_inf, a.get("growth_factor", 2.0),
                                         a.get("backoff_factor", 0.5), a.get("growth_interval", 2000))
            except (RuntimeError, NotImplementedError):
                pytest.skip("this PyTorch build has no CPU kernels for the AMP scaler")
            out, new_scale, new_tracker, skipped = loss_scaler_step(**a)
            np.testing.assert_allclose(out, grads[0].numpy(), rtol=1e-15)
            assert (new_scale, new_tracker, skipped) == (float(scale), int(tracker), bool(found_inf))

"""Task ``sgd_momentum_step``: cases, the PyTorch formulation, mistakes kept far from the tolerance, worked example."""

from __future__ import annotations

import numpy as np

from engine.compare import relative_error
from engine.task import Call
from engine.tasks import get_task
from engine.tasks.sgd_momentum_step import sgd_momentum_step
from tests.engine.tasks.support import assert_written_in_statement

TASK_ID = "sgd_momentum_step"


def _torch_sgd(param: np.ndarray, grad: np.ndarray, buf: np.ndarray | None, lr: float, momentum: float,
               weight_decay: float, nesterov: bool) -> tuple[np.ndarray, np.ndarray]:
    """torch.optim.SGD's single-tensor step written out, with its special first step (buf is None)."""
    d_p = grad + weight_decay * param if weight_decay else grad.copy()
    if momentum:
        buf = d_p.copy() if buf is None else momentum * buf + d_p
        d_p = d_p + momentum * buf if nesterov else buf
    else:
        buf = d_p
    return param - lr * d_p, buf


def _args(call: Call) -> dict[str, object]:
    return {"weight_decay": 0.0, "nesterov": False, **call.args}


def test_reference_is_torch_sgd_including_its_first_step() -> None:
    for case in get_task(TASK_ID).cases():
        a = _args(case.calls[0])
        p, v = sgd_momentum_step(**a)
        first = not np.any(a["velocity"])
        tp, tv = _torch_sgd(a["param"], a["grad"], None if first else a["velocity"],
                            a["lr"], a["momentum"], a["weight_decay"], a["nesterov"])
        assert np.allclose(p, tp, rtol=0, atol=1e-14) and np.allclose(v, tv, rtol=0, atol=1e-14), case.name


def test_nesterov_lookahead_form_is_equivalent() -> None:
    rng = np.random.default_rng(0)
    p, g, v = rng.standard_normal((3, 5))
    new_p, new_v = sgd_momentum_step(p, g, v, 0.1, 0.9, 0.0, True)
    assert np.allclose(new_p, p - 0.1 * ((1 + 0.9) * new_v - 0.9 * v), atol=1e-14)


def _mistakes(a: dict[str, object]) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    p, g0, v = (np.asarray(a[k]) for k in ("param", "grad", "velocity"))
    lr, mom, wd, nest = float(a["lr"]), float(a["momentum"]), float(a["weight_decay"]), bool(a["nesterov"])
    g = g0 + wd * p
    ref_p, ref_v = sgd_momentum_step(p, g0, v, lr, mom, wd, nest)
    raw_v = mom * v + g0
    raw_update = g0 + mom * raw_v if nest else raw_v
    return {
        "lr-scaled velocity": (p + mom * v - lr * g, mom * v - lr * g),
        "dampened velocity": (p - lr * (mom * v + (1 - mom) * g), mom * v + (1 - mom) * g),
        "weight decay ignored": (p - lr * raw_update, raw_v),
        "weight decay after": (p - lr * raw_update - lr * wd * p, raw_v),
        "nesterov flipped": sgd_momentum_step(p, g0, v, lr, mom, wd, not nest),
        "sign": (2 * p - ref_p, ref_v),  # p + lr * update instead of p - lr * update
    }


def test_every_mistake_is_far_outside_the_tolerance_or_identical() -> None:
    tol = get_task(TASK_ID).tolerance
    caught: set[str] = set()
    for case in get_task(TASK_ID).cases():
        a = _args(case.calls[0])
        ref_p, ref_v = sgd_momentum_step(**a)
        for name, (mp, mv) in _mistakes(a).items():
            err = max(relative_error(ref_p, mp), relative_error(ref_v, mv))
            assert err < 1e-12 or err > 10 * tol, (case.name, name, err)
            if err > 10 * tol:
                caught.add(name)
    assert caught == set(_mistakes(_args(get_task(TASK_ID).cases()[0].calls[0])))


def test_no_case_confuses_lr_scaling_with_dampening() -> None:
    # v = m v + lr g and v = m v + (1 - m) g coincide when lr = 1 - momentum
    for case in get_task(TASK_ID).cases():
        a = case.calls[0].args
        assert abs(a["lr"] - (1 - a["momentum"])) > 0.04, case.name


def test_worked_example() -> None:
    p, g, v = np.array([1.0, -2.0]), np.array([0.5, 0.1]), np.array([0.2, -0.4])
    new_p, new_v = sgd_momentum_step(p, g, v, 0.1, 0.9, 0.01, False)
    assert np.allclose(new_v, [0.69, -0.28]) and np.allclose(new_p, [0.931, -1.972])
    new_p, _ = sgd_momentum_step(p, g, v, 0.1, 0.9, 0.01, True)
    assert np.allclose(new_p, [0.8869, -1.9828])
    assert_written_in_statement(
        TASK_ID, "[0.69, -0.28]", "[0.931, -1.972]", "[0.8869, -1.9828]", "[1.131, -0.172]", "[0.51, 0.08]"
    )

"""Task ``adamw_step``: one step of AdamW, as torch.optim.AdamW (decoupled weight decay).

    decayed   = param * (1 - lr * weight_decay)      applied FIRST, as PyTorch does
    new_m     = beta1 * m + (1 - beta1) * grad       the raw gradient: no decay term in the moments
    new_v     = beta2 * v + (1 - beta2) * grad**2
    m_hat     = new_m / (1 - beta1**t)               t = the 1-based count of this step
    v_hat     = new_v / (1 - beta2**t)
    new_param = decayed - lr * m_hat / (sqrt(v_hat) + eps)

Decaying after the Adam update instead, ``(param - lr * step) * (1 - lr * wd)``, differs from PyTorch's order by
lr**2 * wd * step, which vanishes at ordinary settings (1e-8 at lr 1e-3, wd 1e-2). Several cases use lr * wd of
0.01 to 0.05; two (decay_order_a and _b: lr 0.1 with wd 0.5, lr 0.05 with wd 1.0) put the difference at 2.5e-3 to
5e-3 per element (the step is about 1 at t = 1), 10 to 20 times the tolerance. There the order is judged; at
ordinary settings it cannot be seen, and the grader does not claim to.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from engine.task import Case
from engine.tasks.adam_step import (
    Triple,
    adam_task,
    make_call,
    step_mistakes,
    variant,
)


def adamw_step(
    param: np.ndarray,
    grad: np.ndarray,
    m: np.ndarray,
    v: np.ndarray,
    t: int,
    lr: float = 1e-3,
    beta1: float = 0.9,
    beta2: float = 0.999,
    eps: float = 1e-8,
    weight_decay: float = 1e-2,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """One AdamW step; t is the 1-based step count. Returns (new_param, new_m, new_v)."""
    decayed = param * (1.0 - lr * weight_decay)
    new_m = beta1 * m + (1.0 - beta1) * grad
    new_v = beta2 * v + (1.0 - beta2) * grad * grad
    m_hat = new_m / (1.0 - beta1**t)
    v_hat = new_v / (1.0 - beta2**t)
    new_param = decayed - lr * m_hat / (np.sqrt(v_hat) + eps)
    return new_param, new_m, new_v


def _mistakes(a: dict[str, Any]) -> list[tuple[Triple, str]]:
    out = step_mistakes(a, decoupled=True)
    if float(a["weight_decay"]) != 0.0:
        out += [
            (variant(a, decoupled=False),
             "weight decay is added to the gradient (L2, as torch.optim.Adam does): AdamW decouples it, multiplying"
             " param by (1 - lr * weight_decay) and using the raw grad in new_m and new_v"),
            (variant(a, decoupled=True, decay_without_lr=True),
             "the weight decay is not scaled by lr: AdamW multiplies param by (1 - lr * weight_decay)"),
            (variant(a, decoupled=True, decay_after=True),
             "the weight decay is applied after the Adam update: PyTorch multiplies param by"
             " (1 - lr * weight_decay) first, then subtracts the Adam step"),
            (variant(dict(a, weight_decay=0.0), decoupled=True),
             "weight_decay is ignored: multiply param by (1 - lr * weight_decay) before the Adam step"),
        ]
    return out


def _cases(rng: np.random.Generator) -> list[Case]:
    f = "adamw_step"
    return [
        Case("example", (make_call(f, rng, (4,), 1, lr=0.1, weight_decay=0.1),), True,
             description="first step (t = 1, m = v = 0), lr 0.1, weight decay 0.1"),
        Case("second_step", (make_call(f, rng, (2, 3), 2, lr=0.05),), True,
             description="t = 2 with nonzero moments and the default weight decay 1e-2"),
        Case("defaults_t1", (make_call(f, rng, (3, 4), 1),),
             description="t = 1 with every default (lr 1e-3, weight decay 1e-2)"),
        Case("t3", (make_call(f, rng, (5,), 3, lr=0.1, beta1=0.8, beta2=0.95, weight_decay=0.2),),
             description="t = 3 with beta1 0.8, beta2 0.95, weight decay 0.2"),
        Case("t50", (make_call(f, rng, (2, 2, 3), 50, lr=0.1, weight_decay=0.1),),
             description="t = 50 on a 3-D parameter"),
        Case("t1000", (make_call(f, rng, (4, 2), 1000, lr=0.1, weight_decay=0.05),),
             description="t = 1000: beta2's correction 1 - 0.999**1000 = 0.632 still matters"),
        Case("decay_order_a", (make_call(f, rng, (3, 3), 1, lr=0.1, weight_decay=0.5),),
             description="lr 0.1, weight decay 0.5 (lr * wd = 0.05): large enough that decaying after the update"
             " instead of before shows (difference lr**2 * wd * step = 5e-3)"),
        Case("decay_order_b", (make_call(f, rng, (6,), 1, lr=0.05, weight_decay=1.0),),
             description="lr 0.05, weight decay 1.0: decay order visible (difference 2.5e-3)"),
        Case("no_decay", (make_call(f, rng, (2, 4), 5, lr=0.1, weight_decay=0.0),),
             description="weight decay 0: plain Adam"),
        Case("tiny_gradients", (make_call(f, rng, (3, 5), 1, grad_scale=1e-4, lr=0.1, weight_decay=0.1),),
             description="gradients of order 1e-4: eps must be added after the square root"),
        Case("single_element", (make_call(f, rng, (1,), 2, lr=0.1, beta1=0.5, beta2=0.9, weight_decay=0.3),),
             description="one parameter, t = 2, beta1 0.5, beta2 0.9, weight decay 0.3"),
    ]


TASK = adam_task(
    "adamw_step", "One step of AdamW: decoupled weight decay (PyTorch conventions)", adamw_step, "1e-2",
    _mistakes, _cases,
)

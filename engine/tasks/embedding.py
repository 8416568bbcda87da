"""Task ``embedding``: a lookup table out = W[ids] for integer ids of any shape, and its gradient dW.

Repeated ids must accumulate their gradients in dW (``np.add.at``); rows no id selects get zero gradient.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from engine import diagnose
from engine.task import Call, Case, DiagnosisContext
from engine.tasks._task_builders import pair_task
from engine.tasks._util import normal, params, upstream


def embedding_forward(ids: np.ndarray, W: np.ndarray) -> np.ndarray:
    """ids: integers of any shape in [0, V); W (V, D) -> out of shape ids.shape + (D,)."""
    out: np.ndarray = W[ids]
    return out


def embedding_backward(dout: np.ndarray, ids: np.ndarray, num_embeddings: int) -> np.ndarray:
    """dout (ids.shape + (D,)) -> dW (num_embeddings, D), repeated ids accumulating."""
    d = dout.shape[-1]
    dW = np.zeros((num_embeddings, d))
    np.add.at(dW, np.asarray(ids).reshape(-1), dout.reshape(-1, d))
    return dW


# ---------------------------------------------------------------------------------------------------- cases

# name, ids shape, V (num_embeddings), D, id values (None: random with repeats), what
_SHAPES: tuple[tuple[str, tuple[int, ...], int, int, tuple[int, ...] | None, str], ...] = (
    ("example", (5,), 6, 3, (1, 4, 1, 0, 4), "five ids, 1 and 4 repeated, a 6x3 table"),
    ("sequence_batch", (3, 4), 7, 4, None, "a (3, 4) batch of sequences of ids with repeats"),
    ("same_id", (6,), 4, 2, (2, 2, 2, 2, 2, 2), "the same id six times"),
    ("unused_rows", (2, 3), 12, 3, (0, 5, 3, 5, 0, 1), "ids well below num_embeddings: trailing rows unused"),
    ("single", (1,), 5, 6, (3,), "a single id"),
    ("column", (4, 1), 3, 5, (2, 0, 2, 2), "ids of shape (4, 1)"),
    ("all_distinct", (2, 4), 8, 3, (7, 6, 5, 4, 3, 2, 1, 0), "every id once, in reverse order"),
)


def _make_ids(rng: np.random.Generator, shape: tuple[int, ...], v: int, values: tuple[int, ...] | None) -> np.ndarray:
    """The given ids, or random ones in [0, v) with at least one repeat."""
    if values is not None:
        return np.array(values, dtype=np.int64).reshape(shape)
    ids = rng.integers(0, v, size=shape).astype(np.int64)
    ids.flat[-1] = ids.flat[0]
    return ids


def _cases(rng: np.random.Generator) -> list[Case]:
    cases: list[Case] = []
    for name, shape, v, d, values, what in _SHAPES:
        visible = name == "example"
        cases.append(
            Case(
                f"forward_{name}",
                (Call("embedding_forward", {"ids": _make_ids(rng, shape, v, values), "W": normal(rng, v, d)}),),
                visible,
                description=f"forward: {what}",
            )
        )
        ids = _make_ids(rng, shape, v, values)
        bargs: dict[str, Any] = {"dout": upstream(rng, *ids.shape, d), "ids": ids, "num_embeddings": v}
        cases.append(
            Case(f"backward_{name}", (Call("embedding_backward", bargs),), visible, description=f"backward: {what}")
        )
    return cases


# ---------------------------------------------------------------------------------------------------- detectors


def _out_shape(ctx: DiagnosisContext) -> str | None:
    got, exp = ctx.got.get("out"), ctx.expected["out"]
    if (
        got is not None
        and got.shape != exp.shape
        and got.size == exp.size
        and diagnose.close(got.reshape(exp.shape), exp)
    ):
        return (
            "out has the right values in the wrong shape (the ids were flattened?): it must have shape"
            " ids.shape + (D,), e.g. (B, T, D) for ids of shape (B, T)"
        )
    return None


def _flat(ctx: DiagnosisContext) -> tuple[np.ndarray, np.ndarray, int]:
    dout = np.asarray(ctx.call.args["dout"], dtype=np.float64)
    ids = np.asarray(ctx.call.args["ids"]).reshape(-1)
    return dout.reshape(ids.size, -1), ids, int(ctx.call.args["num_embeddings"])


def _not_accumulated(ctx: DiagnosisContext) -> str | None:
    rows, ids, v = _flat(ctx)
    last_wins = np.zeros((v, rows.shape[1]))
    last_wins[ids] = rows  # what dW[ids] = dout and dW[ids] += dout both give: the last repeat wins
    first_wins = np.zeros_like(last_wins)
    first_wins[ids[::-1]] = rows[::-1]
    got = ctx.got.get("dW")
    if diagnose.matches_variant(got, last_wins, ctx.expected["dW"]) or diagnose.matches_variant(
        got, first_wins, ctx.expected["dW"]
    ):
        return (
            "dW keeps one gradient per repeated id instead of their sum: dW[ids] = dout and dW[ids] += dout do not"
            " accumulate repeats; use np.add.at(dW, ids, dout) or a loop"
        )
    return None


def _averaged(ctx: DiagnosisContext) -> str | None:
    _rows, ids, v = _flat(ctx)
    counts = np.bincount(ids, minlength=v).astype(np.float64)
    if np.max(counts) < 2:
        return None
    mean = ctx.expected["dW"] / np.maximum(counts, 1.0)[:, None]
    if diagnose.matches_variant(ctx.got.get("dW"), mean, ctx.expected["dW"]):
        return "dW averages the gradients of a repeated id; they are summed"
    return None


def _rows_from_ids(ctx: DiagnosisContext) -> str | None:
    got, exp = ctx.got.get("dW"), ctx.expected["dW"]
    _rows, ids, v = _flat(ctx)
    m = int(ids.max()) + 1
    if (
        got is not None
        and got.ndim == 2
        and m < v
        and got.shape[0] == m
        and diagnose.matches_variant(got, exp[:m], ctx.expected["dW"])
    ):
        return "dW has max(ids) + 1 rows; it must have num_embeddings rows (rows that no id selects get zero gradient)"
    return None


def _table_for_forward(args: dict[str, Any]) -> np.ndarray:
    """A deterministic table of the right shape for the cross-check (the forward is linear in W)."""
    v = int(args["num_embeddings"])
    d = int(np.shape(args["dout"])[-1])
    return np.sin(np.arange(v * d, dtype=np.float64) + 1.0).reshape(v, d)


TASK = pair_task(
    "embedding", "Embedding lookup forward and backward",
    ((params("ids", "W"), ("out",)), (params("dout", "ids", "num_embeddings"), ("dW",))),
    (embedding_forward, embedding_backward), _cases,
    (
        (_out_shape,),
        (_not_accumulated, _averaged, _rows_from_ids, diagnose.transposed("dW")),
    ),
    {"W": None}, upstream_arg="dout", forward_fixed_args={"W": _table_for_forward},
)

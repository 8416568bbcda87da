"""Task ``causal_mask``: the boolean causal attention mask, True = may attend.

mask has shape (Lq, Lk) and dtype bool; query i may attend key j iff j <= i + offset. offset = 0 is PyTorch's
``is_causal`` convention (top-left aligned: query i sees keys 0..i); offset = Lk - Lq aligns the queries with the
last Lq keys (decoding with a KV cache, every query sees the whole cache before it). A negative offset leaves the
first rows all False; the function does not need to treat it specially.

Only a boolean array is accepted: a mask of 0/1 numbers (or an additive 0 / -inf mask) fails with a diagnosis
saying so, since ``scores[~mask]`` or ``np.where(mask, ...)`` would silently misbehave with it.
"""

from __future__ import annotations

import numpy as np

from engine import diagnose
from engine.task import Call, Case, DiagnosisContext, FunctionSpec, Task
from engine.tasks._util import params


def causal_mask(Lq: int, Lk: int, offset: int = 0) -> np.ndarray:
    """(Lq, Lk) boolean: mask[i, j] = j <= i + offset."""
    out: np.ndarray = np.arange(Lk)[None, :] <= np.arange(Lq)[:, None] + offset
    return out


def _geometry(ctx: DiagnosisContext) -> tuple[int, int, int]:
    a = ctx.call.args
    return int(a["Lq"]), int(a["Lk"]), int(a.get("offset", 0))


def _as_bool(got: np.ndarray | None) -> np.ndarray | None:
    """The candidate's mask as booleans: bool arrays as they are, 0/1 numbers (with some 1) as 1 = True."""
    if got is None:
        return None
    if got.dtype.kind == "b":
        return got
    if got.dtype.kind in "iuf" and np.all((got == 0) | (got == 1)) and np.any(got == 1):
        out: np.ndarray = got == 1
        return out
    return None


# ---------------------------------------------------------------------------------------------------- detectors


def _not_boolean(ctx: DiagnosisContext) -> str | None:
    got = ctx.got.get("mask")
    if got is None or got.dtype.kind == "b":
        return None
    if _as_bool(got) is not None:
        return (
            f"mask holds 0/1 numbers (dtype {got.dtype}) instead of booleans: return a boolean array, e.g. the"
            " comparison j <= i + offset itself or .astype(bool)"
        )
    if got.dtype.kind == "f":
        finite = got[np.isfinite(got)]
        if np.any(np.isneginf(got)) or (finite.size and float(finite.min()) <= -1e4):
            return (
                "mask is an additive float mask (0 where allowed, -inf or a large negative number where not): return"
                " a boolean mask, True = may attend"
            )
    return None


def _variants(ctx: DiagnosisContext) -> list[tuple[np.ndarray, str]]:
    a = ctx.call.args
    lq, lk, offset = int(a["Lq"]), int(a["Lk"]), int(a.get("offset", 0))
    i, j = np.arange(lq)[:, None], np.arange(lk)[None, :]
    exp = ctx.expected["mask"]
    transposed = "mask is upper-triangular (transposed): rows are queries, so row i allows keys j <= i + offset"
    out = [
        (j < i + offset, "mask uses j < i + offset: a query may attend to its own position, so the diagonal is True"),
        (~exp, "mask is inverted: True must mean 'may attend' (j <= i + offset), not 'masked out'"),
        (j >= i + offset, "mask is inverted: True must mean 'may attend' (j <= i + offset), not 'masked out'"),
        (j >= i - offset, transposed),
    ]
    if lq == lk:
        out.append((exp.T, transposed))
    else:
        out.append((exp.T, "mask is transposed: rows are queries and columns keys, shape (Lq, Lk)"))
    if offset != 0:
        out.append((j <= i, "mask ignores offset: query i may attend key j iff j <= i + offset"))
        out.append(
            (j <= i - offset, "mask applies offset with the wrong sign: query i may attend key j iff j <= i + offset")
        )
    elif lq != lk:
        out.append(
            (
                j <= i + (lk - lq),
                "mask aligns the queries with the last keys (offset Lk - Lq); with offset = 0 it is top-left aligned,"
                " query i attends keys 0..i, as PyTorch's is_causal",
            )
        )
    return out


_structure = diagnose.unambiguous_variant("mask", _variants, equal=lambda a, b: bool(np.array_equal(a, b)))


def _structure_of_bool(ctx: DiagnosisContext) -> str | None:
    """The mask's mistake, judged on its boolean reading (so a 0/1 mask with a wrong shape is named too)."""
    as_bool = _as_bool(ctx.got.get("mask"))
    if as_bool is None:
        return None
    return _structure(DiagnosisContext(ctx.task, ctx.call, {"mask": as_bool}, ctx.expected, ctx.result))


# ---------------------------------------------------------------------------------------------------- cases


def _case(name: str, lq: int, lk: int, offset: int | None, what: str, visible: bool = False) -> Case:
    args: dict[str, object] = {"Lq": lq, "Lk": lk}
    if offset is not None:
        args["offset"] = offset
    shown = "offset left at 0" if offset is None else f"offset {offset}"
    # A hidden case's sizes are its inputs: its description names the geometry, never the drawn numbers.
    description = f"Lq {lq}, Lk {lk}, {shown}: {what}" if visible else what
    return Case(name, (Call("causal_mask", args),), visible, description=description)


def _cases(rng: np.random.Generator) -> list[Case]:
    """Two fixed examples; hidden geometries of each kind with sizes drawn from ``rng``."""

    def draw(low: int, high: int) -> int:
        return int(rng.integers(low, high + 1))

    more_keys_q = draw(2, 6)
    more_queries_k = draw(2, 6)
    cache_q, cache = draw(2, 5), draw(1, 6)
    decode_cache = draw(2, 9)
    ahead_l = draw(3, 7)
    ahead = draw(1, ahead_l - 2)
    short_k, short = draw(2, 5), draw(1, 3)
    long_l = draw(12, 20)
    long_q, long_cache = draw(6, 10), draw(8, 14)
    return [
        _case("example", 4, 4, None, "a square mask", visible=True),
        _case("kv_cache_example", 2, 5, 3, "two new queries after a cache of 3 keys", visible=True),
        _case("more_keys", more_keys_q, more_keys_q + draw(1, 5), None, "more keys than queries, top-left aligned"),
        _case("more_queries", more_queries_k + draw(1, 4), more_queries_k, 0,
              "more queries than keys: the last rows see every key"),
        _case("kv_cache", cache_q, cache_q + cache, cache, "offset Lk - Lq: queries are the last Lq positions"),
        _case("decode_one", 1, decode_cache + 1, decode_cache,
              "one query decoding after cached keys: it sees every key"),
        _case("lookahead", ahead_l, ahead_l, ahead, "a positive offset on a square mask"),
        _case("bottom_right_short", short_k + short, short_k, -short,
              "offset Lk - Lq < 0: the first Lq - Lk queries see no key"),
        _case("single", 1, 1, None, "one query, one key"),
        _case("long", long_l, long_l, None, "a long square mask"),
        _case("long_cache", long_q, long_q + long_cache, long_cache, "a few queries after a long cache"),
    ]


TASK = Task(
    id="causal_mask",
    title="Causal attention mask",
    functions=(FunctionSpec("causal_mask", params("Lq", "Lk", offset="0"), ("mask",)),),
    reference={"causal_mask": causal_mask},
    make_cases=_cases,
    detectors={"causal_mask": (_not_boolean, _structure_of_bool)},
)

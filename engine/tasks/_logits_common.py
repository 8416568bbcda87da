"""What the token-filtering tasks (``top_k_top_p_filter``, ``sample_token``) share: which tokens top-k and top-p
keep, and the logits their cases draw, far from every near-tie that would decide an answer."""

from __future__ import annotations

import numpy as np

from engine.tasks.softmax import stable_softmax

MARGIN = 2e-3  # every top-p boundary and every ranking gap in the cases is at least this far from a tie


def top_k_keep(z: np.ndarray, top_k: int, *, exact_k: bool = False) -> np.ndarray:
    """Boolean (..., V): the tokens top-k keeps (all if top_k is 0 or >= V).

    ``exact_k`` keeps exactly k by sorted order, dropping some of the tokens tied with the k-th (a mistake the
    detectors recognise)."""
    v = z.shape[-1]
    if top_k <= 0 or top_k >= v:
        return np.ones(z.shape, dtype=bool)
    if exact_k:
        order = np.argsort(-z, axis=-1, kind="stable")[..., :top_k]
        keep = np.zeros(z.shape, dtype=bool)
        np.put_along_axis(keep, order, True, axis=-1)
        return keep
    kth = np.sort(z, axis=-1)[..., v - top_k, None]
    out: np.ndarray = z >= kth
    return out


def mass_above(p: np.ndarray) -> np.ndarray:
    """(..., V): for each token, the total probability of the tokens strictly more probable than it."""
    above = p[..., None, :] > p[..., :, None]
    out: np.ndarray = np.sum(np.where(above, p[..., None, :], 0.0), axis=-1)
    return out


def top_p_keep(z: np.ndarray, top_p: float, *, strict: bool = False) -> np.ndarray:
    """Boolean (..., V): the tokens top-p keeps from z (-inf for tokens already dropped).

    ``strict`` is the mistake of keeping only tokens whose cumulative mass, themselves included, stays within
    top_p (at least the top token).
    """
    if top_p >= 1.0:
        return np.ones(z.shape, dtype=bool)
    p = stable_softmax(z)
    before = mass_above(p)
    if not strict:
        out: np.ndarray = before < top_p
        return out
    strict_keep: np.ndarray = ((before + p) <= top_p) | (p == p.max(axis=-1, keepdims=True))
    return strict_keep


def sound_logits(z: np.ndarray, top_k: int, top_p: float, ties: bool) -> bool:
    """No near-tie decides the answer: within each row, ranking gaps and top-p boundaries are MARGIN away from one,
    whatever order a sort puts tied tokens in (exact ties are drawn only when ``ties``)."""
    rows = z.reshape(-1, z.shape[-1])
    for row in rows:
        gaps = np.diff(np.sort(row[np.isfinite(row)]))
        bad = (gaps < MARGIN) & (gaps != 0.0) if ties else gaps < MARGIN
        if np.any(bad):
            return False
    if top_p >= 1.0:
        return True
    zk = np.where(top_k_keep(rows, top_k), rows, -np.inf)
    for row_z, row_p in zip(zk, stable_softmax(zk), strict=True):
        order = np.argsort(-row_z, kind="stable")
        before = np.concatenate([[0.0], np.cumsum(row_p[order])[:-1]])
        if np.any(np.abs(before - top_p) < MARGIN):
            return False
    return True


def draw_logits(rng: np.random.Generator, shape: tuple[int, ...], kind: str, top_k: int) -> np.ndarray:
    """Logits multiples of 1/64 (exact in float32, and so is dividing the ties by a temperature)."""
    z = np.round(rng.standard_normal(shape) * 1.5 * 64.0) / 64.0
    if kind == "tie":  # the k-th and (k+1)-th largest of every row become equal
        order = np.argsort(-z, axis=-1)
        kth = np.take_along_axis(z, order[..., top_k - 1 : top_k], axis=-1)
        np.put_along_axis(z, order[..., top_k : top_k + 1], kth, axis=-1)
    elif kind == "peaked":
        z[..., int(rng.integers(shape[-1]))] += 4.0
    elif kind == "banned":
        flat = z.reshape(-1, shape[-1])
        for row in flat:
            row[rng.choice(shape[-1], size=2, replace=False)] = -np.inf
        z = flat.reshape(shape)
    elif kind == "large":
        z = z + 1000.0
    return z

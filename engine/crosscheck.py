"""The numerical cross-check: is the candidate's backward the gradient of the candidate's own forward?

When a forward/backward pair fails, the grader evaluates the candidate's forward at ``x ± eps * u`` for random
directions ``u`` and compares the directional derivative with ``<candidate gradient, u>``. That tells apart
"your backward is right for your (wrong) forward" from "your forward is right but your backward is not".
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from engine.judge import split_outputs
from engine.task import Call, CallResult, GradientLink, Task, Value

DIRECTIONS = 2
EPS = 1e-4


@dataclass
class Probe:
    """The forward calls for one gradient input and one direction, and the analytic directional derivative."""

    wrt: str
    direction: np.ndarray | None
    analytic: float  # NaN when the candidate's gradient has the wrong shape: it cannot agree


def forward_args(link: GradientLink, backward_args: dict[str, Value]) -> dict[str, Value]:
    """Arguments for the forward at the point where the backward was evaluated."""
    args: dict[str, Value] = {}
    for name, value in link.forward_fixed_args.items():
        args[name] = value(backward_args) if callable(value) else value
    upstream_names = {arg for _, arg in link.upstream_pairs()}
    for name, value in backward_args.items():
        if name not in upstream_names and name not in args:
            args[name] = value
    return args


def plan(
    task: Task, link: GradientLink, backward: CallResult, rng: np.random.Generator
) -> tuple[list[Call], list[Probe]] | None:
    """Forward calls to send to the sandbox, and what each pair of them should measure; None if not applicable."""
    spec = task.function(link.backward)
    grads, problem = split_outputs(spec, backward.value)
    if problem:
        return None
    fwd_spec = task.function(link.forward)
    fwd_params = {p.name for p in fwd_spec.params}
    base = {k: v for k, v in forward_args(link, dict(backward.call.args)).items() if k in fwd_params}
    calls: list[Call] = []
    probes: list[Probe] = []
    for wrt, index in link.wrt.items():
        x = base.get(wrt)
        name = spec.outputs[index] if index is not None else spec.outputs[0]
        g = grads.get(name)
        if not isinstance(x, np.ndarray) or x.dtype.kind != "f":
            continue
        if g is None or g.shape != x.shape or not np.all(np.isfinite(g)):
            probes.append(Probe(wrt=wrt, direction=None, analytic=float("nan")))
            continue
        for _ in range(DIRECTIONS):
            raw = np.asarray(rng.standard_normal(x.shape), dtype=np.float64)
            u: np.ndarray = raw / max(float(np.linalg.norm(raw)), 1e-12)
            for sign in (1.0, -1.0):
                args = dict(base)
                args[wrt] = x + sign * EPS * u
                calls.append(Call(link.forward, args))
            probes.append(Probe(wrt=wrt, direction=u, analytic=float(np.sum(g.astype(np.float64) * u))))
    return (calls, probes) if calls else None


def numeric(
    task: Task, link: GradientLink, backward: CallResult, results: Sequence[CallResult], probes: Sequence[Probe]
) -> dict[str, bool] | None:
    """Per gradient input: does the candidate's backward agree with their forward's numerical gradient?"""
    spec = task.function(link.forward)
    agree: dict[str, bool] = {}
    measured = [p for p in probes if p.direction is not None]
    for probe in probes:
        if probe.direction is None:
            agree[probe.wrt] = False
    for i, probe in enumerate(measured):
        plus, minus = results[2 * i], results[2 * i + 1]
        if plus.error_verdict or minus.error_verdict:
            return None
        named_pair = []
        for r in (plus, minus):
            named, problem = split_outputs(spec, r.value)
            if problem:
                return None
            named_pair.append(named)
        d = 0.0
        for index, arg in link.upstream_pairs():
            key = spec.outputs[index]
            hi, lo = named_pair[0].get(key), named_pair[1].get(key)
            if hi is None or lo is None or hi.shape != lo.shape:
                return None
            diff = (hi.astype(np.float64) - lo.astype(np.float64)) / (2 * EPS)
            if arg is None:
                d += float(np.sum(diff))
                continue
            upstream = backward.call.args.get(arg)
            if not isinstance(upstream, np.ndarray) or diff.shape != upstream.shape:
                return None
            d += float(np.sum(diff * upstream))
        ok = abs(d - probe.analytic) <= 1e-3 + 2e-2 * max(abs(d), abs(probe.analytic))
        agree[probe.wrt] = agree.get(probe.wrt, True) and ok
    return agree


def sentence(link: GradientLink, forward_ok: bool, backward_ok: bool, agree: dict[str, bool]) -> str | None:
    """The diagnosis in words, or None when the cross-check adds nothing."""
    consistent = all(agree.values())
    off = ", ".join(name for name, ok in agree.items() if not ok)
    same = link.forward == link.backward
    fwd = "your loss value" if same else f"your {link.forward}"
    bwd = "your gradient" if same else f"your {link.backward}"
    if not forward_ok and backward_ok:
        # The gradient matched the reference everywhere: whatever the numerical check says, only the forward is wrong.
        return f"{bwd} is right but {fwd} is wrong: the mistake is in the forward computation"
    if not forward_ok and consistent:
        return (
            f"{bwd} matches the numerical gradient of {fwd}, but {fwd} is wrong: fix the forward computation"
            " first; the gradient follows it"
        )
    if forward_ok and not backward_ok and not consistent:
        return (
            f"{fwd} is right but {bwd} does not match its numerical gradient (wrong with respect to {off}):"
            " the mistake is in the backward pass"
        )
    if not forward_ok and not consistent:
        return f"both are wrong: {fwd} is wrong, and {bwd} is not its gradient either (with respect to {off})"
    return None

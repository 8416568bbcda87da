"""A trusted in-process runner for the test-suite only: runs OUR OWN test submissions without a sandbox.

It lets the diagnostics tests run hundreds of known submissions quickly. Candidate code never goes through this;
the product always uses engine.sandbox.
"""

from __future__ import annotations

import copy
import functools
import time
from collections.abc import Sequence
from types import CodeType

import numpy as np

from engine.known_functions import KNOWN_FUNCTIONS
from engine.limits import Limits
from engine.objects import perform
from engine.report import Isolation, Verdict
from engine.runner import RunResult
from engine.task import Call, CallResult, FunctionRef, Ref, RngSeed


@functools.lru_cache(maxsize=64)
def _compiled(source: str) -> CodeType:
    """The source compiled once (the many-seed tests run each known submission thousands of times)."""
    return compile(source, "submission.py", "exec")


def _plain(value: object) -> object:
    if isinstance(value, tuple | list):
        return tuple(_plain(v) for v in value)
    if isinstance(value, np.ndarray | np.generic):
        return np.array(value)
    return value


def _names(call: Call) -> list[str]:
    """The kept objects a call uses: its target and its Ref arguments."""
    names = [v.name for v in call.args.values() if isinstance(v, Ref)]
    return ([call.target] if call.target is not None else []) + names


def _plain_data(value: object) -> bool:
    """Whether the sandbox would send ``value`` back (the child's rule, for object calls in this runner)."""
    if value is None or isinstance(value, bool | int | float | np.ndarray | np.generic | Ref):
        return True
    return isinstance(value, tuple | list) and all(_plain_data(v) for v in value)


def _materialise_one(value: object) -> object:
    if isinstance(value, RngSeed):
        return np.random.default_rng(value.seed)
    if isinstance(value, FunctionRef):
        return KNOWN_FUNCTIONS[value.name]
    return copy.deepcopy(value)


def _materialise(args: dict[str, object]) -> dict[str, object]:
    return {k: _materialise_one(v) for k, v in args.items()}


def _arrays_in(args: dict[str, object]) -> dict[str, np.ndarray]:
    """Array arguments, including those inside tuple arguments (named ``grads[1]``), as the sandbox checks them."""
    found: dict[str, np.ndarray] = {}
    for name, value in args.items():
        if isinstance(value, np.ndarray):
            found[name] = value
        elif isinstance(value, tuple):
            found.update({f"{name}[{i}]": v for i, v in enumerate(value) if isinstance(v, np.ndarray)})
    return found


class InProcessRunner:
    """Runs trusted test submissions in this process (tests only)."""

    def run(self, source: str, calls: Sequence[Call], functions: Sequence[str], limits: Limits) -> RunResult:
        namespace: dict[str, object] = {"__name__": "submission"}
        try:
            exec(_compiled(source), namespace)
        except SyntaxError as e:
            return RunResult(calls=[], fatal_verdict=Verdict.SYNTAX_ERROR, fatal_message=str(e))
        results: list[CallResult] = []
        kept: dict[str, object] = {}  # objects the calls keep (store_as), as the sandbox's child keeps them
        for call in calls:
            fn = namespace.get(call.function)
            if call.kind == "function" and not callable(fn):
                results.append(
                    CallResult(call, error=f"{call.function} is not defined", error_verdict=Verdict.MISSING_FUNCTION)
                )
                continue
            for name in [call.store_as, *call.keep.values()]:
                kept.pop(name or "", None)
            absent = [n for n in _names(call) if n not in kept]
            if absent:
                error = f"not run: the object {absent[0]} does not exist"
                results.append(CallResult(call, error=error, error_verdict=Verdict.RUNTIME_ERROR))
                continue
            args = _materialise({k: v for k, v in call.args.items() if not isinstance(v, Ref)})
            watched = _arrays_in(args)
            before = {k: v.copy() for k, v in watched.items()}
            args = {k: kept[v.name] if isinstance(v, Ref) else args[k] for k, v in call.args.items()}
            target = kept[call.target] if call.target is not None else None
            started = time.perf_counter()
            try:
                value = perform(call.kind, call.function, target, args, namespace.__getitem__)
            except Exception as e:
                results.append(CallResult(call, error=f"{type(e).__name__}: {e}", error_verdict=Verdict.RUNTIME_ERROR))
                continue
            seconds = time.perf_counter() - started
            mutated = tuple(k for k, v in before.items() if not np.array_equal(v, watched[k], equal_nan=True))
            if call.store_as is not None:
                kept[call.store_as] = value
                value = Ref(call.store_as)
            elif call.keep and (not isinstance(value, tuple | list) or len(value) <= max(call.keep)):
                error = f"returned a {type(value).__name__} where a tuple (..., cache) was expected"
                results.append(CallResult(call, error=error, error_verdict=Verdict.INVALID_OUTPUT, seconds=seconds))
                continue
            elif call.keep:
                kept.update({name: value[i] for i, name in call.keep.items()})
                value = tuple(Ref(call.keep[i]) if i in call.keep else v for i, v in enumerate(value))
            if not _plain_data(value):
                error = f"returned a {type(value).__name__}; return NumPy arrays, numbers, None or tuples of these"
                results.append(CallResult(call, error=error, error_verdict=Verdict.INVALID_OUTPUT, seconds=seconds))
                continue
            results.append(CallResult(call, value=_plain(value), mutated=mutated, seconds=seconds))
        return RunResult(calls=results, isolation=Isolation(separate_process=False, notes=["test-only runner"]))

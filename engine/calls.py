"""The call model: one call a case makes into the submission, possibly on objects kept inside the run.

Re-exported by ``engine.task`` (where the rest of the task model lives). How a call executes is
``engine.objects.perform``, shared by the reference's replay, the sandboxed child and the test runner.

Objects that stay in the sandbox. A case's calls run in order in one child process; a call may keep its result
there instead of sending it back, and later calls of the run may use it. Only plain data (numbers, arrays, tuples
of them) ever crosses back; a kept object is known to the grading process only by the name the case gave it, so a
submission cannot choose what the parent believes. The reference replays the same calls in the grading process
(``Task.replay``) with its own objects, and each call that returns data is judged against the replay's value.

A class-based task (``v = Value(2.0)``, ``w = v * v``, ``w.backward()``, read ``v.grad``)::

    Call("Value", {"data": 2.0}, store_as="v")
    operation("mul", Ref("v"), Ref("v"), store_as="w")     # v * v, dispatched in the child
    Ref("w").method("backward", store_as="_")               # result kept: judged only on not failing
    Ref("v").attr("grad")                                   # plain data: judged, reported as "v.grad"

A course API whose forward returns ``(out, cache)`` and whose backward takes the cache::

    Call("affine_forward", {"x": x, "w": w, "b": b}, keep={1: "cache"})  # out judged, the cache stays
    Call("affine_backward", {"dout": dout, "cache": Ref("cache")})       # judged as usual

Detectors of method, attribute and operator calls are keyed ``.<name>`` / ``operator.<name>`` (``Task.spec_for``);
they see the whole case and its results (``DiagnosisContext.case``, ``case_results``). A kept object lives for the
rest of its run: after a crash or a time-out the fresh process has none, and calls that need one fail.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from engine.objects import KINDS, OPERATORS, valid_name

# A value that crosses the sandbox boundary: arrays, Python scalars, None, RngSeed, FunctionRef, tuples of these
# (and, as a whole argument, a Ref to an object kept by an earlier call of the case).
Value = Any


@dataclass(frozen=True)
class Ref:
    """An object kept inside the run by an earlier call's ``store_as``, named by the PARENT (a plain identifier).

    As an argument, it passes that object (only as a whole argument, never inside a tuple). It also builds calls on
    the object: ``Ref("w").method("backward")`` is ``w.backward()``, ``Ref("v").attr("grad")`` reads ``v.grad``.
    The object itself never leaves the process it was made in: only plain data comes back, and a kept object is
    valid for the rest of that run only (a fresh process after a crash or time-out starts with none).
    """

    name: str

    def __post_init__(self) -> None:
        if not valid_name(self.name):
            raise ValueError(f"a kept object's name must be a short identifier, not {self.name!r}")

    def method(self, name: str, store_as: str | None = None, **args: Value) -> Call:
        """The call ``<self>.name(**args)``."""
        return Call(name, args, target=self.name, kind="method", store_as=store_as)

    def attr(self, name: str, store_as: str | None = None) -> Call:
        """The attribute read ``<self>.name``."""
        return Call(name, {}, target=self.name, kind="attribute", store_as=store_as)


def operation(name: str, *operands: Value, store_as: str | None = None) -> Call:
    """An operator applied in the process the objects live in: ``operation("mul", Ref("v"), 2.0)`` is ``v * 2.0``.
    ``name`` is one of ``engine.objects.OPERATORS`` (add, sub, mul, truediv, pow, matmul, neg, getitem)."""
    return Call(name, {f"arg{i}": v for i, v in enumerate(operands)}, kind="operator", store_as=store_as)


def _literal(value: Value) -> str:
    """A small int or str literal as written (``fwd[0]``, ``bn_param['running_mean']``); anything else ``...``."""
    if type(value) is int or (type(value) is str and len(value) <= 24 and value.isidentifier()):
        return repr(value)
    return "..."


@dataclass(frozen=True)
class Call:
    """One call into the submission.

    By default a top-level function of the submission called with keyword arguments. A case may also keep objects
    inside the run and use them later (a class-based task, a forward that returns a cache): ``store_as`` keeps
    the call's result under that name instead of sending it back (the call is then judged only on not failing),
    ``Ref(name)`` arguments pass kept objects, and ``kind`` makes it a method call or an attribute read on the
    kept object ``target``, or an operator (see ``Ref.method``, ``Ref.attr`` and ``operation``). A call that
    returns its result is judged like any other: it must be plain data, and the reference's replay of the same
    case says what it should be.

    ``keep`` serves forward functions that return ``(out, cache)``: it keeps some items of a returned tuple in the
    run by index (``keep={1: "cache"}``), and the call is judged on its other outputs as usual, so the function's
    detectors still see its arguments. A later ``backward(dout=..., cache=Ref("cache"))`` receives the
    submission's own cache, whatever it holds, while the reference's replay passes the reference's cache.
    """

    function: str
    args: Mapping[str, Value]
    target: str | None = None
    kind: str = "function"
    store_as: str | None = None
    keep: Mapping[int, str] = field(default_factory=dict)
    output: str | None = None  # how reports name what an object call returns, instead of ``label``'s default

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"unknown call kind {self.kind!r}")
        if (self.target is not None) != (self.kind in ("method", "attribute")):
            raise ValueError("method and attribute calls (and only they) name a target")
        if self.kind == "operator":
            if self.function not in OPERATORS or len(self.args) != OPERATORS[self.function][2]:
                raise ValueError(f"not an operator call: {self.function!r} with {len(self.args)} operands")
        elif not valid_name(self.function):
            raise ValueError(f"not a plain name: {self.function!r}")
        if self.kind == "attribute" and self.args:
            raise ValueError("an attribute read takes no arguments")
        for name in (self.target, self.store_as, *self.keep.values()):
            if name is not None:
                Ref(name)  # validates the name
        if self.keep and (self.store_as is not None or not all(type(i) is int and 0 <= i < 64 for i in self.keep)):
            raise ValueError("keep names items (by index) of a result that is not kept whole")

    @property
    def uses_objects(self) -> bool:
        """Whether this call makes, uses or keeps an object inside the run (so its reference needs its case)."""
        refs = any(isinstance(v, Ref) for v in self.args.values())
        return self.kind != "function" or self.store_as is not None or bool(self.keep) or refs

    @property
    def label(self) -> str:
        """How reports name what this call returned: ``v.grad``, ``w.backward()``, ``v * w``, ``Value(...)``.
        Names of kept objects and small int or str literals (an index, a key) only, never argument values (hidden
        cases show it); ``output`` overrides it."""
        if self.output is not None:
            return self.output
        names = [v.name if isinstance(v, Ref) else _literal(v) for v in self.args.values()]
        if self.kind == "attribute":
            return f"{self.target}.{self.function}"
        if self.kind == "method":
            return f"{self.target}.{self.function}({', '.join(names)})"
        if self.kind == "operator":
            symbol = OPERATORS[self.function][1]
            if symbol == "[]":
                return f"{names[0]}[{names[1]}]"
            return f"{symbol}{names[0]}" if len(names) == 1 else f"{names[0]} {symbol} {names[1]}"
        return f"{self.function}({', '.join(names)})"

    def text(self) -> str:
        """The call as a line of Python, with array arguments shown by shape (visible examples show it); a result
        kept as ``_`` (a throwaway, e.g. of ``backward()``) is not shown."""
        def show(v: Value) -> str:
            if isinstance(v, Ref):
                return v.name
            if isinstance(v, np.ndarray):
                return f"<array {tuple(v.shape)}>"
            return repr(v)

        shown = [show(v) for v in self.args.values()]
        if self.kind == "operator":
            symbol = OPERATORS[self.function][1]
            if symbol == "[]":
                line = f"{shown[0]}[{shown[1]}]"
            else:
                line = f"{symbol}{shown[0]}" if len(shown) == 1 else f"{shown[0]} {symbol} {shown[1]}"
        elif self.kind == "attribute":
            line = f"{self.target}.{self.function}"
        else:
            keywords = ", ".join(f"{k}={show(v)}" for k, v in self.args.items())
            line = f"{self.target + '.' if self.target else ''}{self.function}({keywords})"
        if self.keep:
            return line + " (" + ", ".join(f"item {i} kept as {name}" for i, name in sorted(self.keep.items())) + ")"
        return f"{self.store_as} = {line}" if self.store_as and self.store_as != "_" else line

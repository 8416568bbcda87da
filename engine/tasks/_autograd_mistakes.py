"""The classic mistakes of an autograd ``Value`` class, as variants of the reference, and their detectors.

A detector replays the failing case with one variant (in the grading process: these are our classes, never the
candidate's) and names the mistake when every value the submission read back in the case is the variant's, and
the reference differs.
"""

from __future__ import annotations

import numpy as np

from engine.diagnose import close
from engine.task import Detector, DiagnosisContext
from engine.tasks._autograd_reference import Value


class Overwritten(Value):
    """A node used more than once keeps only the last use's share of the gradient (``=`` instead of ``+=``)."""

    @staticmethod
    def _accumulate(total: float, share: float) -> float:
        return share


class Recursive(Value):
    """No topological order: each node pushes its grad so far to its parents as soon as it is reached, and again
    every time it is reached by another path."""

    def backward(self) -> None:
        self.grad += self.SEED
        self._push()

    def _push(self) -> None:
        for parent, local in self.parents:
            parent.grad += self.grad * local
        for parent, _ in self.parents:
            if isinstance(parent, Recursive):
                parent._push()


class BreadthFirst(Value):
    """No topological order: nodes in breadth-first order from the root, each passing its gradient on the first
    time it is dequeued, before later consumers have added their share."""

    def backward(self) -> None:
        passed = {id(self): self.SEED}
        queue: list[Value] = [self]
        seen = {id(self)}
        done: list[Value] = []
        while queue:
            node = queue.pop(0)
            done.append(node)
            for parent, local in node.parents:
                passed[id(parent)] = passed.get(id(parent), 0.0) + passed[id(node)] * local
                if id(parent) not in seen:
                    seen.add(id(parent))
                    queue.append(parent)
        for node in done:
            node.grad += passed[id(node)]


class Restarting(Value):
    """Every backward() starts the grads from zero, so a second call does not add again."""

    def backward(self) -> None:
        for node in self.topological_order():
            node.grad = 0.0
        super().backward()


class ReusesGrads(Value):
    """The usual single-pass code (root.grad = 1, then parent.grad += node.grad * local in reverse topological
    order): correct once, but a second call passes on the grads the first left on inner nodes."""

    def backward(self) -> None:
        order = self.topological_order()
        self.grad = self.SEED
        for node in reversed(order):
            for parent, local in node.parents:
                parent.grad += node.grad * local


class PowerWithoutFactor(Value):
    """d(x**n)/dx taken as x**(n - 1): the factor n is missing."""

    def __pow__(self, n: float) -> Value:
        return self._new(self.data**n, (self, self.data ** (n - 1)))


class PowerNotReduced(Value):
    """d(x**n)/dx taken as n * x**n: the exponent is not reduced by one."""

    def __pow__(self, n: float) -> Value:
        return self._new(self.data**n, (self, n * self.data**n))


class DivisionSign(Value):
    """d(a/b)/db taken as +a/b**2 (the sign is lost)."""

    def __truediv__(self, other: Value | float) -> Value:
        other = self._lift(other)
        q = self.data / other.data
        return self._new(q, (self, 1.0 / other.data), (other, q / other.data))


class DivisionWithoutNumerator(Value):
    """d(a/b)/db taken as -1/b**2 (the numerator a is missing)."""

    def __truediv__(self, other: Value | float) -> Value:
        other = self._lift(other)
        q = self.data / other.data
        return self._new(q, (self, 1.0 / other.data), (other, -1.0 / other.data**2))


class NoSeed(Value):
    """backward() never sets d(root)/d(root) = 1, so nothing flows."""

    SEED = 0.0


def _numbers(value: object) -> np.ndarray | None:
    """A read's value as a float array, None if it is not a number."""
    if isinstance(value, bool | int | float | np.ndarray | np.generic):
        array = np.asarray(value)
        return array if array.dtype.kind in "biuf" else None
    return None


def _mistake(message: str, *variants: type[Value]) -> Detector:
    """A detector: every value the submission read back in this case is what one of ``variants`` gives on the same
    case, and the reference gives something else for at least one of them (a single read may agree with a mistake
    by accident; a whole case rarely does). The verdict is kept per case: the case's reads all ask the same."""
    last: list[tuple[object, str | None]] = [((), None)]  # (the case's results list, what it said), one slot

    def matches(ctx: DiagnosisContext, variant: type[Value]) -> bool:
        if ctx.case is None or len(ctx.case_results) != len(ctx.case.calls):
            return False
        try:
            expected = ctx.task.replay(ctx.case)
            replayed = ctx.task.replay(ctx.case, {**ctx.task.reference, "Value": variant})
        except Exception:  # a mistaken variant may fail where the reference does not
            return False
        differs = False
        for want, mistaken, result in zip(expected, replayed, ctx.case_results, strict=True):
            if want is None or mistaken is None:
                continue
            (w,), (m,) = want.values(), mistaken.values()
            if not close(_numbers(result.value), m):
                return False
            differs = differs or not close(w, m)
        return differs

    def detect(ctx: DiagnosisContext) -> str | None:
        seen, said = last[0]
        if seen is not ctx.case_results:
            said = message if any(matches(ctx, v) for v in variants) else None
            last[0] = (ctx.case_results, said)
        return said

    return detect


DETECTORS: tuple[Detector, ...] = (
    _mistake(
        "gradients are overwritten instead of accumulated: a node used more than once (v * v, or a value that feeds"
        " two later nodes) must add each use's share to its gradient (+=, not =)",
        Overwritten,
    ),
    _mistake(
        "backward() does not follow a topological order: a node passed its gradient on before every node that uses"
        " it had added its share (order the graph by a depth-first search and go through it in reverse, each node"
        " once)",
        Recursive,
        BreadthFirst,
    ),
    _mistake(
        "a second backward() did not add to the gradients: they accumulate over calls, as in PyTorch (this backward"
        " starts them from zero again, or visits no node the second time)",
        Restarting,
    ),
    _mistake(
        "a second backward() adds too much: it passes on the gradients the previous call left on inner nodes; each"
        " call must propagate only its own pass (fresh per-call values seeded with 1 at the root), then add them"
        " to every node's grad",
        ReusesGrads,
    ),
    _mistake("the derivative of x ** n is n * x ** (n - 1): the factor n is missing", PowerWithoutFactor),
    _mistake("the derivative of x ** n is n * x ** (n - 1), not n * x ** n", PowerNotReduced),
    _mistake("the derivative of a / b with respect to b is -a / b ** 2: the sign is wrong", DivisionSign),
    _mistake("the derivative of a / b with respect to b is -a / b ** 2: the numerator a is missing",
             DivisionWithoutNumerator),
    _mistake(
        "every gradient stays 0: backward() must seed the root with d(root)/d(root) = 1 before passing gradients on",
        NoSeed,
    ),
)

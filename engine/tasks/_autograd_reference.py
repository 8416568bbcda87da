"""The reference ``Value`` of task ``autograd_value`` (its own module: the mistakes in ``_autograd_mistakes.py``
are variants of it).

Convention (PyTorch's): ``backward()`` ADDS d(root)/d(node) to every node's ``grad``, the root's own included;
a second ``backward()`` without zeroing adds the same amounts again, doubling every grad.
"""

from __future__ import annotations

import math


class Value:
    """A scalar that records how it was computed, so that ``backward()`` can differentiate through it.

    data: the float value. grad: the sum, over every ``backward()`` so far, of d(root)/d(self); starts at 0.0.
    Each node keeps its parents with the local derivative d(self)/d(parent), computed when the node is made.
    """

    SEED = 1.0  # d(root)/d(root)

    def __init__(self, data: float, parents: tuple[tuple[Value, float], ...] = ()) -> None:
        self.data = float(data)
        self.grad = 0.0
        self.parents = parents

    def _new(self, data: float, *parents: tuple[Value, float]) -> Value:
        return type(self)(data, parents)

    def _lift(self, other: Value | float) -> Value:
        return other if isinstance(other, Value) else type(self)(other)

    def __add__(self, other: Value | float) -> Value:
        other = self._lift(other)
        return self._new(self.data + other.data, (self, 1.0), (other, 1.0))

    def __radd__(self, other: float) -> Value:
        return self + other

    def __mul__(self, other: Value | float) -> Value:
        other = self._lift(other)
        return self._new(self.data * other.data, (self, other.data), (other, self.data))

    def __rmul__(self, other: float) -> Value:
        return self * other

    def __neg__(self) -> Value:
        return self * -1.0

    def __sub__(self, other: Value | float) -> Value:
        return self + (-self._lift(other))

    def __rsub__(self, other: float) -> Value:
        return self._lift(other) - self

    def __pow__(self, n: float) -> Value:
        return self._new(self.data**n, (self, n * self.data ** (n - 1)))

    def __truediv__(self, other: Value | float) -> Value:
        other = self._lift(other)
        q = self.data / other.data
        return self._new(q, (self, 1.0 / other.data), (other, -q / other.data))

    def __rtruediv__(self, other: float) -> Value:
        return self._lift(other) / self

    def tanh(self) -> Value:
        t = math.tanh(self.data)
        return self._new(t, (self, 1.0 - t * t))

    def relu(self) -> Value:
        return self._new(max(self.data, 0.0), (self, 1.0 if self.data > 0 else 0.0))

    def exp(self) -> Value:
        e = math.exp(self.data)
        return self._new(e, (self, e))

    def topological_order(self) -> list[Value]:
        """Every node this one depends on, each after all the nodes it was computed from: a depth-first search
        that visits parents in order (written with a stack instead of recursion, for deep graphs)."""
        order: list[Value] = []
        seen = {id(self)}
        stack = [(self, iter(self.parents))]
        while stack:
            node, parents = stack[-1]
            for parent, _ in parents:
                if id(parent) not in seen:
                    seen.add(id(parent))
                    stack.append((parent, iter(parent.parents)))
                    break
            else:
                stack.pop()
                order.append(node)
        return order

    def backward(self) -> None:
        """Add d(self)/d(node) to every node's grad: one pass from the root down, in reverse topological order, so
        a node passes its gradient on only after every node that uses it has added its share."""
        order = self.topological_order()
        passed = {id(node): 0.0 for node in order}
        passed[id(self)] = self.SEED
        for node in reversed(order):
            for parent, local in node.parents:
                passed[id(parent)] = self._accumulate(passed[id(parent)], passed[id(node)] * local)
        for node in order:
            node.grad += passed[id(node)]

    @staticmethod
    def _accumulate(total: float, share: float) -> float:
        return total + share

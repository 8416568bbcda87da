# expect-verdict: wrong_answer
# expect-diagnosis: the sign is wrong
import math

import numpy as np


class Value:
    """Each node stores (parent, local derivative) pairs; backward() uses Kahn's algorithm on consumer counts."""

    def __init__(self, data, edges=()):
        self.data = float(data)
        self.grad = 0.0
        self.edges = list(edges)

    @staticmethod
    def lift(x):
        return x if isinstance(x, Value) else Value(x)

    def __add__(self, other):
        other = Value.lift(other)
        return Value(self.data + other.data, [(self, 1.0), (other, 1.0)])

    __radd__ = __add__

    def __mul__(self, other):
        other = Value.lift(other)
        return Value(self.data * other.data, [(self, other.data), (other, self.data)])

    __rmul__ = __mul__

    def __neg__(self):
        return Value(-self.data, [(self, -1.0)])

    def __sub__(self, other):
        other = Value.lift(other)
        return Value(self.data - other.data, [(self, 1.0), (other, -1.0)])

    def __rsub__(self, other):
        return Value.lift(other) - self

    def __truediv__(self, other):
        other = Value.lift(other)
        return Value(self.data / other.data, [(self, 1.0 / other.data), (other, self.data / other.data**2)])

    def __rtruediv__(self, other):
        return Value.lift(other) / self

    def __pow__(self, n):
        return Value(self.data**n, [(self, n * self.data ** (n - 1))])

    def tanh(self):
        t = float(np.tanh(self.data))
        return Value(t, [(self, 1.0 - t**2)])

    def relu(self):
        return Value(self.data if self.data > 0 else 0.0, [(self, float(self.data > 0))])

    def exp(self):
        e = math.exp(self.data)
        return Value(e, [(self, e)])

    def backward(self):
        nodes, seen, stack = [], set(), [self]
        while stack:
            node = stack.pop()
            if id(node) in seen:
                continue
            seen.add(id(node))
            nodes.append(node)
            stack.extend(parent for parent, _ in node.edges)
        waiting = {id(n): 0 for n in nodes}
        for n in nodes:
            for parent, _ in n.edges:
                waiting[id(parent)] += 1
        g = {id(n): 0.0 for n in nodes}
        g[id(self)] = 1.0
        ready = [self]
        while ready:
            node = ready.pop()
            for parent, local in node.edges:
                g[id(parent)] += g[id(node)] * local
                waiting[id(parent)] -= 1
                if waiting[id(parent)] == 0:
                    ready.append(parent)
        for n in nodes:
            n.grad += g[id(n)]

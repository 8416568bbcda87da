import math


def _as_value(x):
    return x if isinstance(x, Value) else Value(x)


class Value:
    """A scalar node; each node keeps a closure that passes this backward pass's gradient to its inputs."""

    def __init__(self, data, _prev=()):
        self.data = float(data)
        self.grad = 0.0
        self._prev = _prev
        self._push = lambda grads: None

    def __add__(self, other):
        other = _as_value(other)
        out = Value(self.data + other.data, (self, other))

        def push(grads):
            grads[self] = grads.get(self, 0.0) + grads[out]
            grads[other] = grads.get(other, 0.0) + grads[out]

        out._push = push
        return out

    def __mul__(self, other):
        other = _as_value(other)
        out = Value(self.data * other.data, (self, other))

        def push(grads):
            grads[self] = grads.get(self, 0.0) + grads[out] * other.data
            grads[other] = grads.get(other, 0.0) + grads[out] * self.data

        out._push = push
        return out

    def __pow__(self, n):
        out = Value(self.data**n, (self,))

        def push(grads):
            grads[self] = grads.get(self, 0.0) + grads[out] * n * self.data ** (n - 1)

        out._push = push
        return out

    def _unary(self, value, local):
        out = Value(value, (self,))

        def push(grads):
            grads[self] = grads.get(self, 0.0) + grads[out] * local

        out._push = push
        return out

    def tanh(self):
        t = math.tanh(self.data)
        return self._unary(t, 1 - t * t)

    def relu(self):
        return self._unary(max(0.0, self.data), 1.0 if self.data > 0 else 0.0)

    def exp(self):
        e = math.exp(self.data)
        return self._unary(e, e)

    def __neg__(self):
        return self * -1

    def __sub__(self, other):
        return self + (-_as_value(other))

    def __truediv__(self, other):
        return self * _as_value(other) ** -1

    def __radd__(self, other):
        return self + other

    def __rmul__(self, other):
        return self * other

    def __rsub__(self, other):
        return _as_value(other) - self

    def __rtruediv__(self, other):
        return _as_value(other) / self

    def backward(self):
        topo, seen = [], set()

        def build(v):
            if v not in seen:
                seen.add(v)
                for p in v._prev:
                    build(p)
                topo.append(v)

        build(self)
        grads = {self: 1.0}
        for v in reversed(topo):
            grads.setdefault(v, 0.0)
            v._push(grads)
        for v in topo:
            v.grad += grads[v]

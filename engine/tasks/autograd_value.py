"""Task ``autograd_value``: a scalar ``Value`` class with reverse-mode automatic differentiation.

The submission's objects stay in the sandbox: each case builds a graph through kept objects (``Value(2.0)``,
``v * w``, ``v.tanh()``), calls ``backward()`` on its root and reads ``.data`` and ``.grad`` (see ``engine.calls``).
The reference (``_autograd_reference.Value``) is replayed on the same script in the grading process.

Convention (PyTorch's): ``backward()`` ADDS d(root)/d(node) to every node's ``grad``, the root's own included
(its grad grows by 1); a second ``backward()`` without zeroing adds the same amounts again, doubling every grad.

The detectors replay the case with the classic mistakes (``engine/tasks/_autograd_mistakes.py``) and name the one
whose numbers the submission reproduced: gradients overwritten instead of accumulated when a node is reused, no
topological order, a second backward that does not add again, a wrong derivative of a power or a division, and no
seed gradient of 1 at the root.
"""

from __future__ import annotations

import numpy as np

from engine.calls import Call, Ref, operation
from engine.task import Case, FunctionSpec, Param, Task
from engine.tasks._autograd_mistakes import DETECTORS
from engine.tasks._autograd_reference import Value

# ---------------------------------------------------------------------------------------------------- cases


class _Script:
    """Builds one case's calls: leaves and operations kept in the sandbox, then reads of data and grads."""

    def __init__(self) -> None:
        self.calls: list[Call] = []
        self.backwards = 0

    def leaf(self, name: str, x: float) -> Ref:
        self.calls.append(Call("Value", {"data": float(x)}, store_as=name))
        return Ref(name)

    def op(self, name: str, operator: str, *operands: Ref | float) -> Ref:
        self.calls.append(operation(operator, *operands, store_as=name))
        return Ref(name)

    def method(self, name: str, node: Ref, method: str) -> Ref:
        self.calls.append(node.method(method, store_as=name))
        return Ref(name)

    def backward(self, root: Ref) -> None:
        self.calls.append(root.method("backward", store_as="_"))  # its result is kept, so judged on not failing
        self.backwards += 1

    def read(self, *reads: str) -> None:
        """Reads like ``a.grad``; after a second backward() reported as ``a.grad after 2 backward()``."""
        after = f" after {self.backwards} backward()" if self.backwards > 1 else ""
        for read in reads:
            node, attribute = read.split(".")
            call = Ref(node).attr(attribute)
            self.calls.append(Call(call.function, {}, call.target, call.kind, output=read + after) if after else call)

    def case(self, name: str, description: str, visible: bool = False) -> Case:
        return Case(name, tuple(self.calls), visible, description=description)


def _signed(rng: np.random.Generator, low: float = 0.5, high: float = 1.5) -> float:
    """A value of random sign with magnitude in [low, high]."""
    return float(rng.uniform(low, high) * rng.choice([-1.0, 1.0]))


def _example() -> Case:
    s = _Script()
    a, b = s.leaf("a", 2.0), s.leaf("b", -3.0)
    c = s.op("c", "mul", a, b)
    d = s.op("d", "add", c, a)
    e = s.op("e", "pow", d, 2)
    s.backward(e)
    s.read("e.data", "a.grad", "b.grad", "c.grad", "e.grad")
    return s.case("example", "the worked example: a is used twice (in c and in d)", visible=True)


def _twice(rng: np.random.Generator, name: str, visible: bool) -> Case:
    s = _Script()
    a, b = s.leaf("a", _signed(rng)), s.leaf("b", _signed(rng))
    c = s.op("c", "mul", a, b)
    d = s.method("d", c, "tanh")
    e = s.op("e", "mul", d, a)
    f = s.op("f", "add", e, b)
    s.backward(f)
    s.read("a.grad", "b.grad")
    s.backward(f)
    s.read("a.grad", "b.grad", "c.grad", "f.grad")
    return s.case(name, "backward() called twice: the second call adds the same gradients again", visible)


def _diamond(rng: np.random.Generator) -> Case:
    s = _Script()
    x = s.leaf("x", _signed(rng))
    h = s.method("h", x, "tanh")
    p = s.op("p", "mul", h, h)
    q = s.op("q", "add", h, x)
    r = s.op("r", "mul", p, q)
    t = s.op("t", "add", r, h)
    s.backward(t)
    s.read("t.data", "x.grad", "h.grad", "p.grad")
    return s.case("diamond", "an inner node used by three later nodes, one of them twice")


def _square(rng: np.random.Generator) -> Case:
    s = _Script()
    v = s.leaf("v", _signed(rng))
    w = s.op("w", "mul", v, v)
    z = s.op("z", "add", w, v)
    u = s.op("u", "add", v, v)
    y = s.op("y", "mul", z, u)
    s.backward(y)
    s.read("y.data", "v.grad", "w.grad")
    return s.case("square", "v * v and v + v: one node as both operands")


def _power(rng: np.random.Generator) -> Case:
    s = _Script()
    x = s.leaf("x", rng.uniform(0.6, 1.8))
    n1 = int(rng.choice([3, 4]))
    y = s.op("y", "pow", x, n1)
    z = s.op("z", "pow", x, -2)
    w = s.op("w", "add", y, z)
    r = s.op("r", "pow", w, 0.5)
    k = s.leaf("k", _signed(rng))
    out = s.op("out", "mul", r, k)
    s.backward(out)
    s.read("out.data", "x.grad", "k.grad", "w.grad")
    return s.case("power", "integer, negative and fractional exponents")


def _division(rng: np.random.Generator) -> Case:
    s = _Script()
    a, b = s.leaf("a", _signed(rng, 1.0, 2.0)), s.leaf("b", _signed(rng, 0.6, 1.5))
    c = s.op("c", "truediv", a, b)
    d = s.op("d", "truediv", 2.0, b)
    e = s.op("e", "sub", c, d)
    f = s.op("f", "truediv", e, 3.0)
    g = s.op("g", "mul", f, a)
    s.backward(g)
    s.read("g.data", "a.grad", "b.grad")
    return s.case("division", "a / b, 2 / b and a division by a number")


def _neuron(rng: np.random.Generator) -> Case:
    s = _Script()
    x1, x2 = s.leaf("x1", _signed(rng)), s.leaf("x2", _signed(rng))
    w1, w2 = s.leaf("w1", _signed(rng, 0.2, 0.8)), s.leaf("w2", _signed(rng, 0.2, 0.8))
    b = s.leaf("b", _signed(rng, 0.1, 0.5))
    n = s.op("n", "add", s.op("x1w1", "mul", x1, w1), s.op("x2w2", "mul", x2, w2))
    o = s.method("o", s.op("nb", "add", n, b), "tanh")
    s.backward(o)
    s.read("o.data", "w1.grad", "w2.grad", "x1.grad", "b.grad")
    return s.case("neuron", "tanh(x1 w1 + x2 w2 + b)")


def _relu_exp(rng: np.random.Generator) -> Case:
    s = _Script()
    u, v = s.leaf("u", -rng.uniform(0.5, 1.5)), s.leaf("v", rng.uniform(0.5, 1.5))
    total = s.op("total", "add", s.method("ru", u, "relu"), s.method("rv", v, "relu"))
    e = s.method("e", s.op("m", "neg", total), "exp")
    out = s.op("out", "sub", 1.0, e)
    both = s.op("both", "mul", out, v)
    s.backward(both)
    s.read("both.data", "u.grad", "v.grad", "e.grad")
    return s.case("relu_exp", "relu of a negative and a positive input, exp, negation and 1 - e")


def _chain(rng: np.random.Generator) -> Case:
    s = _Script()
    x = s.leaf("x", _signed(rng))
    w = s.leaf("w", _signed(rng, 0.5, 1.0))
    h = x
    for i in range(5):
        h = s.method(f"h{i}", s.op(f"z{i}", "add", s.op(f"m{i}", "mul", h, w), 0.1 * (i + 1)), "tanh")
    s.backward(h)
    s.read(f"{h.name}.data", "x.grad", "w.grad")
    return s.case("chain", "five tanh layers sharing one weight")


def _twice_intermediate(rng: np.random.Generator) -> Case:
    s = _Script()
    a = s.leaf("a", _signed(rng))
    b = s.op("b", "mul", a, 3.0)
    c = s.method("c", b, "exp")
    d = s.op("d", "truediv", c, s.op("a2", "add", s.op("sq", "pow", a, 2), 1.0))
    s.backward(d)
    s.backward(d)
    s.backward(d)
    s.read("a.grad", "b.grad", "d.grad")
    return s.case("three_backwards", "backward() called three times on a deeper graph")


def _cases(rng: np.random.Generator) -> list[Case]:
    return [
        _example(),
        _twice(rng, "twice", True),
        _diamond(rng),
        _square(rng),
        _power(rng),
        _division(rng),
        _neuron(rng),
        _relu_exp(rng),
        _chain(rng),
        _twice_intermediate(rng),
        _twice(rng, "twice_hidden", False),
    ]


TASK = Task(
    id="autograd_value",
    title="Autograd from scratch: a scalar Value with backward()",
    functions=(FunctionSpec("Value", (Param("data"),), ("value",)),),
    reference={"Value": Value},
    make_cases=_cases,
    detectors={".grad": DETECTORS},
)

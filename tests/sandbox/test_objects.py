"""Objects that stay in the sandboxed child: calls keep results (``store_as``), pass them back in (``Ref``), call
their methods, read their attributes and apply operators to them; only plain data ever comes back.

Hostile objects: methods that hang, lie (return objects where data is expected), mutate shared state or their
inputs, raise, return huge data, and dunder traps (``__getattr__``, ``__eq__``, ``__hash__``, ``__repr__``,
``__del__``) the child must never call on the parent's behalf unless the call names them. Every hostile program
is self-bounded (loops stop by their own clock, allocations are small).
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from engine import Limits, Verdict, get_task, grade
from engine.sandbox import Sandbox
from engine.sandbox import _messages as messages
from engine.sandbox import _wire as wire
from engine.sandbox._inputs import encode_inputs
from engine.sandbox._results import RunState, call_result
from engine.task import Call, Ref, operation
from tests.sandbox.conftest import FAST, SPIN, SUBMISSIONS, assert_clean, src

COUNTER = """
import numpy as np

class Counter:
    def __init__(self, start):
        self.total = float(start)
        self.history = []

    def add(self, x):
        self.total += float(np.sum(x))
        self.history.append(self.total)
        return self

    def snapshot(self):
        return np.array(self.history)

    def __mul__(self, other):
        factor = other.total if isinstance(other, Counter) else other
        return Counter(self.total * factor)

    def __rmul__(self, other):
        return Counter(other * self.total)

    def __neg__(self):
        return Counter(-self.total)

def make(start):
    return Counter(start)

def combine(a, b):
    return Counter(a.total + b.total)
"""

FUNCTIONS = ["make", "combine"]


def _run(sb: Sandbox, source: str, calls: list[Call], limits: Limits = FAST) -> list[tuple[object, Verdict | None]]:
    result = sb.run(source, calls, FUNCTIONS, limits)
    assert result.fatal_verdict is None, result.fatal_message
    assert len(result.calls) == len(calls)
    return [(r.value, r.error_verdict) for r in result.calls]


def _value(v: object) -> float:
    assert isinstance(v, float | int | np.ndarray | np.generic), v
    return float(np.asarray(v))


def test_a_kept_object_is_used_by_later_calls(sandbox: Sandbox) -> None:
    a, b = Ref("a"), Ref("b")
    calls = [
        Call("make", {"start": 2.0}, store_as="a"),
        a.method("add", x=np.array([1.0, 2.0])),  # returns the object itself: not plain data
        a.method("add", store_as="same", x=np.array([0.5])),
        a.attr("total"),
        Call("make", {"start": 10.0}, store_as="b"),
        Call("combine", {"a": a, "b": b}, store_as="c"),
        Ref("c").attr("total"),
        operation("mul", a, b, store_as="ab"),
        Ref("ab").attr("total"),
        operation("mul", 3, a, store_as="three_a"),  # int.__mul__ declines: Counter.__rmul__ runs, in the child
        Ref("three_a").attr("total"),
        operation("neg", b, store_as="minus_b"),
        Ref("minus_b").attr("total"),
        a.method("snapshot"),
    ]
    got = _run(sandbox, src(COUNTER), calls)
    assert isinstance(got[0][0], Ref) and got[0][0].name == "a" and got[0][1] is None
    assert got[1][1] is Verdict.INVALID_OUTPUT  # an object where data was expected
    assert got[2] == (Ref("same"), None)
    assert _value(got[3][0]) == 5.5
    assert _value(got[6][0]) == 15.5
    assert _value(got[8][0]) == 55.0
    assert _value(got[10][0]) == 16.5
    assert _value(got[12][0]) == -10.0
    np.testing.assert_array_equal(got[13][0], [5.0, 5.5])
    assert_clean(sandbox)


def test_a_missing_object_fails_only_the_calls_that_need_it(sandbox: Sandbox) -> None:
    source = src(COUNTER + "\ndef broken(start):\n    raise ValueError('no')\n")
    calls = [
        Call("make", {"start": 1.0}, store_as="a"),
        Call("make", {"start": "x"}, store_as="a"),  # raises: the older "a" must not stay under this name
        Ref("a").attr("total"),
        Call("make", {"start": 4.0}, store_as="d"),
        Ref("d").attr("total"),
    ]
    got = _run(sandbox, source, calls)
    assert got[1][1] is Verdict.RUNTIME_ERROR
    assert got[2][1] is Verdict.RUNTIME_ERROR
    assert _value(got[4][0]) == 4.0


def test_a_hanging_method_gets_the_time_limit_and_a_fresh_process_has_no_objects(sandbox: Sandbox) -> None:
    source = src(SPIN + COUNTER + "\nCounter.spin = lambda self: _spin()\n")
    calls = [
        Call("make", {"start": 1.0}, store_as="a"),
        Ref("a").method("spin"),
        Ref("a").attr("total"),  # the process that held "a" was killed
        Call("make", {"start": 7.0}, store_as="a"),
        Ref("a").attr("total"),
    ]
    got = _run(sandbox, source, calls, Limits(time_limit=0.5, total_time_limit=10.0))
    assert got[1][1] is Verdict.TIME_LIMIT_EXCEEDED
    assert got[2][1] is Verdict.RUNTIME_ERROR
    assert _value(got[4][0]) == 7.0
    assert_clean(sandbox)


def test_methods_that_raise_or_exit_fail_their_own_call(sandbox: Sandbox) -> None:
    source = src(COUNTER + """
import sys
Counter.boom = lambda self: 1 / 0
Counter.leave = lambda self: sys.exit(3)
""")
    calls = [Call("make", {"start": 1.0}, store_as="a"), Ref("a").method("boom"), Ref("a").method("leave"),
             Ref("a").attr("total")]
    result = sandbox.run(source, calls, FUNCTIONS, FAST)
    assert [r.error_verdict for r in result.calls] == [None, Verdict.RUNTIME_ERROR, Verdict.RUNTIME_ERROR, None]
    assert "ZeroDivisionError" in (result.calls[1].error or "")
    assert _value(result.calls[3].value) == 1.0


def test_lying_and_huge_returns_are_invalid_or_capped(sandbox: Sandbox) -> None:
    source = src(COUNTER + """
class Liar(float):
    def __repr__(self):
        raise RuntimeError("repr trap")
Counter.fake = lambda self: Liar(2.5)
Counter.itself = lambda self: (self, 1.0)
Counter.text = lambda self: "a string"
Counter.huge = lambda self: np.zeros(20_000_000)
""")
    a = Ref("a")
    calls = [Call("make", {"start": 1.0}, store_as="a"), a.method("fake"), a.method("itself"), a.method("text"),
             a.method("huge")]
    result = sandbox.run(source, calls, FUNCTIONS, FAST)
    verdicts = [r.error_verdict for r in result.calls]
    assert verdicts[:4] == [None, None, Verdict.INVALID_OUTPUT, Verdict.INVALID_OUTPUT]
    assert result.calls[1].value == 2.5 and type(result.calls[1].value) is float  # a float subclass sent as a float
    assert verdicts[4] is Verdict.INVALID_OUTPUT  # 160 MB: more than one frame may carry
    assert_clean(sandbox)


def test_shared_state_and_input_mutation_are_seen(sandbox: Sandbox) -> None:
    source = src(COUNTER + """
SHARED = []
def _scribble(self, x):
    x *= 2.0
    SHARED.append(x.copy())
    return float(len(SHARED))
Counter.scribble = _scribble
""")
    x = np.array([1.0, 2.0])
    a = Ref("a")
    calls = [Call("make", {"start": 1.0}, store_as="a"), a.method("scribble", x=x), a.method("scribble", x=x)]
    result = sandbox.run(source, calls, FUNCTIONS, FAST)
    assert result.calls[1].mutated == ("x",) and result.calls[2].mutated == ("x",)
    assert _value(result.calls[2].value) == 2.0  # state kept between calls of the same process
    np.testing.assert_array_equal(x, [1.0, 2.0])  # the parent's array is untouched


def test_dunder_traps_are_never_called_unless_named(sandbox: Sandbox) -> None:
    """A class whose every dunder the child might be tempted to use fails loudly: nothing but the named calls run,
    and a finaliser that writes garbage to every descriptor at exit cannot corrupt the result channel."""
    source = src(SPIN + """
import os
import numpy as np
class Trap:
    def __init__(self, data):
        self.data = float(data)
    def __eq__(self, other):
        _spin()
    def __hash__(self):
        _spin()
    def __repr__(self):
        _spin()
    __str__ = __repr__
    def __bool__(self):
        _spin()
    def __len__(self):
        _spin()
    def __iter__(self):
        _spin()
    def __getattr__(self, name):
        if name == "ghost":
            return 42.0
        _spin()
    def __del__(self):
        for fd in range(3, 10):
            try:
                os.write(fd, b"garbage" * 100)
            except OSError:
                pass
    def double(self):
        return self.data * 2

def make(start):
    return Trap(start)

def combine(a, b):
    return Trap(a.data + b.data)
""")
    a, b = Ref("a"), Ref("b")
    calls = [
        Call("make", {"start": 1.5}, store_as="a"),
        Call("make", {"start": 2.0}, store_as="b"),
        Call("combine", {"a": a, "b": b}, store_as="c"),
        Ref("c").method("double"),
        a.attr("ghost"),  # named: __getattr__ runs, as it would for the candidate's own code
        a.attr("data"),
    ]
    limits = Limits(time_limit=2.0, total_time_limit=10.0)
    result = sandbox.run(source, calls, FUNCTIONS, limits)
    assert result.fatal_verdict is None
    # the objects still kept when the child exits are never finalised: their __del__ cannot write a frame
    assert [r.error_verdict for r in result.calls] == [None] * len(calls), [r.error for r in result.calls]
    assert _value(result.calls[3].value) == 7.0
    assert _value(result.calls[4].value) == 42.0
    assert _value(result.calls[5].value) == 1.5
    # replacing a kept object finalises the old one inside the replacing call: its garbage is blamed on that call
    replace = [*calls[:2], Call("make", {"start": 9.0}, store_as="a"), a.attr("data")]
    result = sandbox.run(source, replace, FUNCTIONS, limits)
    verdicts = [r.error_verdict for r in result.calls]
    assert verdicts[:2] == [None, None] and verdicts[2] is Verdict.RUNTIME_ERROR
    assert "result channel in make" in (result.calls[2].error or "")
    assert_clean(sandbox)


def test_a_value_for_a_kept_result_is_tampering() -> None:
    """The parent decides what a kept result is: a child that sends a value for it is not believed."""
    call = Call("make", {"start": 1.0}, store_as="a")
    state = RunState([call], FAST, 0.0, [{}])
    honest = messages.Message("result", index=0, value=None, inputs={})
    assert call_result(state, 0, honest, 0.0).value == Ref("a")
    lying = messages.Message("result", index=0, value=np.zeros(3), inputs={})
    with pytest.raises(wire.ProtocolError):
        call_result(state, 0, lying, 0.0)
    forward = Call("make", {"start": 1.0}, keep={1: "cache"})
    state = RunState([forward], FAST, 0.0, [{}])
    out = np.ones(2)
    honest = messages.Message("result", index=0, value=(out, None), inputs={})
    value = call_result(state, 0, honest, 0.0).value
    assert isinstance(value, tuple) and value[0] is out and value[1] == Ref("cache")
    for tampered in ((out, np.ones(1)), out, None):
        with pytest.raises(wire.ProtocolError):
            call_result(state, 0, messages.Message("result", index=0, value=tampered, inputs={}), 0.0)


def test_calls_are_validated_where_they_are_made() -> None:
    for bad in ("__import__('os')", "a.b", "", "x" * 65, "é"):
        with pytest.raises(ValueError):
            Ref(bad)
    with pytest.raises(ValueError):
        Call("make", {}, store_as="not a name")
    with pytest.raises(ValueError):
        Call("system", {"a": 1, "b": 2}, kind="operator")
    with pytest.raises(ValueError):
        Call("grad", {}, kind="attribute")  # no target
    with pytest.raises(ValueError):
        Call("make", {}, store_as="a", keep={1: "cache"})  # kept whole or by items, not both
    with pytest.raises(ValueError):  # a kept object only as a whole argument
        encode_inputs("", [Call("combine", {"a": (Ref("a"), 1.0), "b": Ref("b")})], FUNCTIONS)


def test_a_hanging_method_costs_only_the_cases_that_call_it(sandbox: Sandbox) -> None:
    """autograd_value with a tanh() that hangs: every case that calls tanh is time_limit_exceeded, every other case
    (run again in a fresh process once the restarts are used up, its objects made anew) passes."""
    correct = (SUBMISSIONS / "autograd_value" / "correct_closures.py").read_text()
    source = correct + src(SPIN + "\nValue.tanh = lambda self: _spin()\n")
    report = grade(source, "autograd_value", Limits(time_limit=0.5, total_time_limit=20.0), runner=sandbox, seed=3)
    cases = {c.name: c for c in get_task("autograd_value").cases(3)}
    for result in report.cases:
        uses_tanh = any(call.function == "tanh" for call in cases[result.name].calls)
        want = Verdict.TIME_LIMIT_EXCEEDED if uses_tanh else Verdict.PASSED
        assert result.verdict is want, (result.name, result.verdict, result.message)
    assert_clean(sandbox)


_plain = st.none() | st.booleans() | st.integers(-5, 5) | st.floats(allow_nan=False) | st.just(np.zeros(2))
_claims = st.recursive(_plain, lambda inner: st.tuples(inner, inner) | st.tuples(inner), max_leaves=6)


@settings(max_examples=300, deadline=None)
@given(_claims, st.sampled_from([{}, {0: "c"}, {1: "cache"}, {0: "a", 2: "b"}]), st.booleans())
def test_whatever_a_child_claims_for_object_calls_the_parent_keeps_its_own_names(
    claim: object, keep: dict[int, str], stored: bool
) -> None:
    """For a call whose result (or some of its items) stays in the child, any decoded value the child sends gives
    either a result holding the parent's own Refs where the objects are, or a ProtocolError: nothing else."""
    call = Call("make", {}, store_as="kept") if stored else Call("make", {}, keep=keep)
    state = RunState([call], FAST, 0.0, [{}])
    try:
        result = call_result(state, 0, messages.Message("result", index=0, value=claim, inputs={}), 0.0)
    except wire.ProtocolError:
        return
    if stored:
        assert result.value == Ref("kept")
    elif keep:
        assert isinstance(result.value, tuple)
        assert all(result.value[i] == Ref(name) for i, name in keep.items())
        assert not any(isinstance(v, Ref) for i, v in enumerate(result.value) if i not in keep)

"""The task model: what a coding task is to the engine.

A task names the functions a submission must define, generates its cases deterministically, holds the
reference implementations, and knows how to judge what a submission returned and what went wrong.
"""

from __future__ import annotations

import threading
import weakref
from collections import OrderedDict
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from engine.calls import Call as Call  # the call model lives in engine.calls; re-exported here
from engine.calls import Ref as Ref
from engine.calls import Value as Value
from engine.calls import operation as operation
from engine.objects import perform

# How many calls' reference outputs a task keeps (see Task.expected_outputs).
EXPECTED_CACHE = 512


@dataclass(frozen=True)
class RngSeed:
    """Stands for ``numpy.random.default_rng(seed)``: the child builds the generator from the seed."""

    seed: int


@dataclass(frozen=True)
class FunctionRef:
    """Stands for a scalar test function from ``engine/known_functions.py``, which the child builds by name.

    Lets a task pass a function as an argument (``numerical_gradient(f, x)``) while everything that crosses the
    sandbox boundary stays plain data.
    """

    name: str


@dataclass(frozen=True)
class Param:
    """One parameter of a required function: its name and, if it has one, its default (repr text)."""

    name: str
    default: str | None = None


@dataclass(frozen=True)
class FunctionSpec:
    """A function a submission must define: ``name(params...) -> outputs``.

    ``outputs`` names the returned values in order; one name means a single return value, several mean a tuple.
    """

    name: str
    params: tuple[Param, ...]
    outputs: tuple[str, ...]
    doc: str = ""

    @property
    def signature(self) -> str:
        """The signature as a submission writes it, e.g. ``linear_forward(x, W, b)``."""
        parts = [p.name if p.default is None else f"{p.name}={p.default}" for p in self.params]
        return f"{self.name}({', '.join(parts)})"


@dataclass(frozen=True)
class Case:
    """A test case: one or more calls judged together.

    ``visible`` cases are the examples a candidate may run and see in full; hidden cases show only their verdict
    and diagnosis. ``description`` says what the case exercises ("stride 2, padding 1").
    """

    name: str
    calls: tuple[Call, ...]
    visible: bool = False
    weight: float = 1.0
    description: str = ""

    @property
    def uses_objects(self) -> bool:
        """Whether any call keeps or uses an object inside the run: the calls then form a script run in order."""
        return any(c.uses_objects for c in self.calls)


@dataclass
class CallResult:
    """What one call of the submission returned, as the judge sees it.

    ``value`` is the decoded return value (arrays are plain float/int/bool ndarrays; for a call with ``store_as``,
    the parent's own ``Ref`` to the kept object); ``error`` is set when the call raised or could not be run;
    ``mutated`` names the inputs the call modified in place.
    """

    call: Call
    value: Value = None
    error: str | None = None
    error_verdict: str | None = None
    mutated: tuple[str, ...] = ()
    seconds: float = 0.0


@dataclass
class Judgement:
    """A task's verdict on one case's calls: which outputs matched, and diagnoses of what went wrong."""

    ok: bool
    checks: list[Any] = field(default_factory=list)  # list[engine.report.OutputCheck]
    invalid: bool = False  # the return value had the wrong structure or type (not just wrong values)
    diagnoses: list[str] = field(default_factory=list)
    message: str = ""


@dataclass(frozen=True)
class GradientLink:
    """Ties a backward function to the forward it differentiates, for the numerical cross-check.

    ``forward_output`` selects the forward's output the upstream gradient flows into (None: the forward returns one
    value). ``upstream_arg`` names the backward's argument holding that gradient (None when the forward output is a
    scalar loss and the function returns its own gradient). ``extra_upstreams`` maps further forward outputs (by
    index) to the backward arguments holding their upstream gradients, for a forward with several outputs that all
    carry gradient (an LSTM cell's h and c). ``wrt`` maps forward argument names to the index of the
    matching gradient in the backward's outputs (None: the backward returns a single array). Backward arguments
    with the same names as forward arguments receive the same values.
    """

    forward: str
    backward: str
    wrt: Mapping[str, int | None]
    forward_output: int | None = None
    upstream_arg: str | None = "dy"
    forward_fixed_args: Mapping[str, Value] = field(default_factory=dict)
    extra_upstreams: Mapping[int, str] = field(default_factory=dict)

    def upstream_pairs(self) -> list[tuple[int, str | None]]:
        """(forward output index, backward upstream argument) for every output the gradient flows into."""
        return [(self.forward_output or 0, self.upstream_arg), *self.extra_upstreams.items()]


def materialise(value: Value) -> Value:
    """What the child receives for an argument: RngSeed becomes a fresh Generator, FunctionRef the function, and a
    dict (a parameter dict a reference may update, like CS231n's bn_param) a fresh copy, so a case stays the same."""
    if isinstance(value, dict):
        return {k: materialise(v) for k, v in value.items()}
    if isinstance(value, tuple):
        return tuple(materialise(v) for v in value)
    if isinstance(value, RngSeed):
        return np.random.default_rng(value.seed)
    if isinstance(value, FunctionRef):
        from engine.known_functions import KNOWN_FUNCTIONS

        return KNOWN_FUNCTIONS[value.name]
    return value


# A detector looks at a failing call and returns a sentence naming the mistake, or None.
Detector = Callable[["DiagnosisContext"], str | None]


@dataclass
class DiagnosisContext:
    """Everything a detector may look at for one failing call."""

    task: Task
    call: Call
    got: dict[str, np.ndarray | None]
    expected: dict[str, np.ndarray]
    result: CallResult
    case: Case | None = None
    case_results: Sequence[CallResult] = ()  # every call's result in the case, in order (object cases)

    def reference(self, **override: Value) -> dict[str, np.ndarray]:
        """The reference outputs of this call with some arguments replaced."""
        args = dict(self.call.args)
        args.update(override)
        return self.task.expected_outputs(Call(self.call.function, args))


@dataclass
class Task:
    """A coding task: the executable side of one task id (its prose lives in questions/).

    ``make_cases`` must be sound for ANY generator it is given: the hidden cases of every grade come from a fresh
    secret seed (tests/engine/test_any_seed.py grades the known submissions on hundreds of seeds).
    """

    id: str
    title: str
    functions: tuple[FunctionSpec, ...]
    reference: Mapping[str, Callable[..., Any]]
    make_cases: Callable[[np.random.Generator], Sequence[Case]]
    detectors: Mapping[str, Sequence[Detector]] = field(default_factory=dict)
    links: tuple[GradientLink, ...] = ()
    tolerance: float = 1e-4
    seed: int = 0
    # Optional custom judge for calls whose outputs are not deterministic (dropout masks): returns a Judgement.
    custom_judge: Callable[[Case, Sequence[CallResult]], Judgement] | None = None
    _cases: list[Case] | None = field(default=None, repr=False)
    _expected: OrderedDict[int, tuple[Call, dict[str, np.ndarray]]] = field(default_factory=OrderedDict, repr=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)
    # The object case each object-using call belongs to (its reference is a replay of that case), by id(call).
    _case_of: weakref.WeakValueDictionary[int, Case] = field(default_factory=weakref.WeakValueDictionary, repr=False)

    def function(self, name: str) -> FunctionSpec:
        for spec in self.functions:
            if spec.name == name:
                return spec
        raise KeyError(f"task {self.id!r} has no function {name!r}")

    def spec_for(self, call: Call) -> FunctionSpec:
        """What a call returns, as a spec: the task function's for a plain call; for a method, attribute or
        operator call, one output named by ``call.label`` in a spec named ``.<method or attribute>`` or
        ``operator.<name>`` (the keys ``detectors`` uses for such calls)."""
        if call.kind == "function":
            return self.function(call.function)
        key = f"operator.{call.function}" if call.kind == "operator" else f".{call.function}"
        return FunctionSpec(key, (), (call.label,))

    def register(self, case: Case) -> None:
        """Remember which case each of an object case's calls belongs to (``expected_outputs`` replays it)."""
        if case.uses_objects:
            with self._lock:
                for call in case.calls:
                    self._case_of[id(call)] = case

    def replay(
        self, case: Case, implementations: Mapping[str, Callable[..., Any]] | None = None
    ) -> list[dict[str, np.ndarray] | None]:
        """Run an object case's calls in order on the reference (or on ``implementations``), in this process, keeping
        objects as the sandbox keeps the submission's: each call's outputs by name, None for a call that keeps
        its result. The reference is the task's own code, never the candidate's."""
        functions = implementations if implementations is not None else self.reference
        kept: dict[str, Any] = {}
        outputs: list[dict[str, np.ndarray] | None] = []
        for call in case.calls:
            args = {k: kept[v.name] if isinstance(v, Ref) else materialise(v) for k, v in call.args.items()}
            target = kept[call.target] if call.target is not None else None
            value: Any = perform(call.kind, call.function, target, args, functions.__getitem__)
            if call.store_as is not None:
                kept[call.store_as] = value
                outputs.append(None)
                continue
            for i, name in call.keep.items():
                kept[name] = value[i]
            outputs.append(self._named(call, value))
        return outputs

    def _named(self, call: Call, raw: Any) -> dict[str, np.ndarray]:
        """A call's outputs by name, without the items it keeps in the run (``Call.keep``)."""
        outputs = self.spec_for(call).outputs
        values = (raw,) if len(outputs) == 1 else tuple(raw)
        pairs = zip(outputs, values, strict=True)
        return {name: np.asarray(v) for i, (name, v) in enumerate(pairs) if i not in call.keep}

    @property
    def fixed_seed(self) -> int:
        """The seed of the visible examples (and of the default hidden cases): fixed for the task, derived from its id
        unless the task sets ``seed``."""
        return self.seed or sum(ord(c) * 131**i for i, c in enumerate(self.id)) % 2**32

    def cases(self, hidden_seed: int | None = None) -> list[Case]:
        """All cases, visible first. The visible examples always come from the task's fixed seed; the hidden cases
        from ``hidden_seed`` (a grade's fresh secret seed), or from the fixed seed too when it is None. The same
        seed always gives the same cases."""
        if self._cases is None:
            self._cases = self._generate(self.fixed_seed)
        if hidden_seed is None:
            return self._cases
        visible = [c for c in self._cases if c.visible]
        hidden = [c for c in self._generate(hidden_seed) if not c.visible]
        names = {c.name for c in visible}
        if any(c.name in names for c in hidden):
            raise ValueError(f"task {self.id!r}: a hidden case has a visible example's name")
        return visible + hidden

    def _generate(self, seed: int) -> list[Case]:
        made = list(self.make_cases(np.random.default_rng(seed)))
        names = [c.name for c in made]
        if len(set(names)) != len(names):
            raise ValueError(f"task {self.id!r} has duplicate case names")
        for case in made:
            self.register(case)
        return sorted(made, key=lambda c: not c.visible)

    def expected_outputs(self, call: Call) -> dict[str, np.ndarray]:
        """The reference outputs of one call, by output name, as float64/int arrays.

        The last few hundred calls' outputs are kept (the judge, the detectors and the cross-check ask for the same
        call's outputs several times in one grade); an entry holds its call, so a recycled ``id`` never matches.
        A call of an object case (``Call.uses_objects``) is answered by replaying its case (made by ``cases`` or
        passed to ``register``); one that keeps its result has no outputs (an empty dict).
        """
        key = id(call)
        with self._lock:
            cached = self._expected.get(key)
            if cached is not None and cached[0] is call:
                self._expected.move_to_end(key)
                return cached[1]
        if call.uses_objects:
            case = self._case_of.get(key)
            if case is None or not any(c is call for c in case.calls):
                raise KeyError(f"task {self.id!r}: a call of an object case that was never registered")
            pairs = [(c, out or {}) for c, out in zip(case.calls, self.replay(case), strict=True)]
        else:
            raw = self.reference[call.function](**{k: materialise(v) for k, v in call.args.items()})
            pairs = [(call, self._named(call, raw))]
        with self._lock:
            for c, out in pairs:
                self._expected[id(c)] = (c, out)
                self._expected.move_to_end(id(c))
            while len(self._expected) > EXPECTED_CACHE:
                self._expected.popitem(last=False)
        return next(out for c, out in pairs if c is call)

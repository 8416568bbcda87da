"""Task ``linear_layer_cost``: count the FLOPs and parameters of a fully connected layer.

``linear_layer_cost(batch, in_features, out_features, bias=True) -> (flops, params)`` with Python ints:
params = out * in (+ out with a bias); flops = 2 * batch * in * out (a multiply-add is two FLOPs), plus
batch * out for the bias add.

The outputs are integers and are compared exactly. A float of integral value (1024.0, e.g. from ``np.prod`` on
floats or ``math.ceil``-free float arithmetic) is accepted as that integer; a float with a fractional part is not a
count and fails. :func:`integer_judge` implements that and is shared with ``conv2d_layer_cost``.

Diagnosis works by enumeration: each classic mistake changes one factor or term of the formula, so the detectors
evaluate the formula with every combination of mistakes and name the mistakes of the simplest combination that
reproduces the candidate's number exactly.
"""

from __future__ import annotations

import dataclasses
import itertools
from collections.abc import Callable, Mapping, Sequence

import numpy as np

from engine.compare import values_revealed
from engine.judge import combine, judge_call
from engine.report import OutputCheck
from engine.task import Call, CallResult, Case, Detector, DiagnosisContext, FunctionSpec, Judgement, Task, Value
from engine.tasks._util import params

EXACT_FLOAT_LIMIT = 2**53  # integers up to this size are exact in float64


def linear_layer_cost(batch: int, in_features: int, out_features: int, bias: bool = True) -> tuple[int, int]:
    """FLOPs of one forward pass over the batch and the layer's parameter count, as Python ints."""
    n_params = out_features * in_features + (out_features if bias else 0)
    flops = 2 * batch * in_features * out_features + (batch * out_features if bias else 0)
    return int(flops), int(n_params)


# ---------------------------------------------------------------------------------------------------------------
# Judging integer outputs (shared with conv2d_layer_cost).


def _integral(v: Value) -> Value:
    """``v`` as an int if it is a finite float scalar with no fractional part (exactly representable), else ``v``."""
    if isinstance(v, float) and not isinstance(v, bool):
        f = v
    elif isinstance(v, np.ndarray) and v.ndim == 0 and v.dtype.kind == "f":
        f = float(v)
    else:
        return v
    if np.isfinite(f) and f.is_integer() and abs(f) <= EXACT_FLOAT_LIMIT:
        return int(f)
    return v


def _scalar_text(a: np.ndarray | None) -> str:
    if a is None:
        return "None"
    if a.ndim == 0:
        return repr(a.item())
    return f"an array of shape {tuple(a.shape)}"


def _improve(check: OutputCheck, expected: np.ndarray, got: Value) -> None:
    """Say "got 768, expected 1536" for a failing scalar count instead of an element summary (where values may be
    shown)."""
    if not values_revealed() or check.ok or expected.ndim != 0 or not isinstance(got, np.ndarray) or got.ndim != 0:
        return
    want = int(expected)
    if got.dtype.kind == "f":
        value = float(got)
        if not np.isfinite(value):
            check.message = f"{check.name}: got {value!r}; expected the whole number {want}"
        else:
            check.message = f"{check.name}: got {value!r}, which is not a whole number; expected {want}"
    elif got.dtype.kind in "iu" or (got.dtype.kind == "O" and isinstance(got.item(), int)):
        check.message = f"{check.name}: got {int(got.item())}, expected {want}"  # "O": an int beyond int64


def integer_judge(task: Callable[[], Task]) -> Callable[[Case, Sequence[CallResult]], Judgement]:
    """A custom judge for tasks whose outputs are integer counts: integral floats count as those integers.

    ``task`` returns the task (called lazily, so the judge can be built before the Task object exists).
    Everything else (structure, exact comparison, detectors, in-place checks) is the standard judge's.
    """

    def judge(case: Case, results: Sequence[CallResult]) -> Judgement:
        t = task()
        return combine(judge_one(t, r) for r in results)

    def judge_one(t: Task, r: CallResult) -> Judgement:
        """The standard judgement of one call, with integral floats read as integers."""
        value = r.value
        value = tuple(_integral(v) for v in value) if isinstance(value, tuple | list) else _integral(value)
        j = judge_call(t, dataclasses.replace(r, value=value))
        if j.checks:
            spec = t.function(r.call.function)
            expected = t.expected_outputs(r.call)
            values = value if len(spec.outputs) > 1 else (value,)
            for check, got in zip(j.checks, values, strict=False):
                got_arr = np.asarray(got) if isinstance(got, bool | int | float) else got
                _improve(check, expected[check.name], got_arr)
            j.message = "; ".join(c.message for c in j.checks if not c.ok) or j.message
        return j

    return judge


# ---------------------------------------------------------------------------------------------------------------
# Diagnosis by enumerating mistakes (shared with conv2d_layer_cost).

# One way of computing an output: the mistakes it makes and the number it gives.
Variant = tuple[frozenset[str], float]


def got_number(ctx: DiagnosisContext, output: str) -> float | None:
    """The candidate's value of a scalar output as a float, or None if it is not a finite real scalar."""
    got = ctx.got.get(output)
    if got is None or got.ndim != 0 or got.dtype.kind not in "iuf":
        return None
    value = float(got)
    return value if np.isfinite(value) else None


def simplest_mistakes(got: float, expected: float, variants: Sequence[Variant]) -> frozenset[str] | None:
    """The mistakes of the variant with the fewest mistakes that gives ``got`` (and differs from ``expected``).

    None when nothing explains ``got``, or when two different explanations of the same size do: that call cannot
    tell the mistakes apart (e.g. with batch = 2, halving the FLOPs and ignoring the batch agree), and another case
    will name the right one.
    """
    matches = {
        mistakes
        for mistakes, value in variants
        if mistakes and value != expected and abs(got - value) <= 1e-9 * max(1.0, abs(value))
    }
    if not matches:
        return None
    fewest = min(len(m) for m in matches)
    simplest = [m for m in matches if len(m) == fewest]
    return simplest[0] if len(simplest) == 1 else None


def mistake_detectors(
    explain: Callable[[DiagnosisContext, str], frozenset[str] | None],
    sentences: Mapping[tuple[str, str], str],
) -> tuple[Detector, ...]:
    """One detector per ``(output, mistake)``: it fires when the simplest explanation of ``output`` includes it."""

    def make(output: str, mistake: str, sentence: str) -> Detector:
        def detect(ctx: DiagnosisContext) -> str | None:
            found = explain(ctx, output)
            return sentence if found is not None and mistake in found else None

        return detect

    return tuple(make(o, m, s) for (o, m), s in sentences.items())


def _linear_variants(args: Mapping[str, Value], output: str) -> list[Variant]:
    b, i, o = int(args["batch"]), int(args["in_features"]), int(args["out_features"])
    bias = bool(args.get("bias", True))
    bias_mistake = "bias_missing" if bias else "bias_extra"
    out: list[Variant] = []
    if output == "flops":
        for mult, batch, with_bias in itertools.product((2, 1), (b, 1), (bias, not bias)):
            mistakes = {"macs"} if mult == 1 else set()
            if batch != b:
                mistakes.add("batch_ignored")
            if with_bias != bias:
                mistakes.add(bias_mistake)
            out.append((frozenset(mistakes), float(mult * batch * i * o + (batch * o if with_bias else 0))))
        out.append((frozenset({"macs"}), linear_layer_cost(b, i, o, bias)[0] / 2))  # the whole count halved
    else:
        for times_batch, with_bias, bias_too in itertools.product((False, True), (bias, not bias), (False, True)):
            mistakes = {"batch_in_params"} if times_batch else set()
            if with_bias != bias:
                mistakes.add(bias_mistake)
            weights = o * i * (b if times_batch else 1)
            biases = o * (b if times_batch and bias_too else 1) if with_bias else 0
            out.append((frozenset(mistakes), float(weights + biases)))
    return out


def _explain(ctx: DiagnosisContext, output: str) -> frozenset[str] | None:
    got = got_number(ctx, output)
    if got is None:
        return None
    expected = float(ctx.expected[output])
    return simplest_mistakes(got, expected, _linear_variants(ctx.call.args, output))


_SENTENCES: dict[tuple[str, str], str] = {
    ("flops", "macs"): (
        "flops counts multiply-accumulates (MACs), not FLOPs: each multiply-add is 2 FLOPs, so the matmul costs"
        " 2 * batch * in_features * out_features"
    ),
    ("flops", "batch_ignored"): (
        "flops ignores the batch: every example in the batch goes through the whole layer, so multiply by batch"
    ),
    ("flops", "bias_missing"): (
        "flops leaves out the bias add: with bias=True each of the batch * out_features outputs adds its bias"
        " (1 FLOP each)"
    ),
    ("flops", "bias_extra"): "flops counts a bias add although bias=False: there is no bias to add",
    ("params", "bias_missing"): "params leaves out the bias: with bias=True the layer has out_features more",
    ("params", "bias_extra"): "params counts a bias although bias=False: the layer then has only its weights",
    ("params", "batch_in_params"): (
        "params grows with the batch: every example shares the same weights, so the batch size does not enter"
        " the parameter count"
    ),
}


# ---------------------------------------------------------------------------------------------------------------
# Cases.

def _cases(rng: np.random.Generator) -> list[Case]:
    """The worked example, then hidden sizes of each kind drawn from ``rng`` (every one has in != out, and every
    batch but the batch-of-one case is above 1, so the mistakes give other numbers)."""

    def draw(low: int, high: int) -> int:
        return int(rng.integers(low, high + 1))

    def unequal(low: int, high: int, other: int) -> int:
        value = draw(low, high - 1)
        return value + 1 if value >= other else value

    no_bias_in = draw(2, 9)
    batch1_in = draw(3, 12)
    wide_in = draw(64, 256)
    default_in = draw(5, 30)
    kinds: list[tuple[str, int, int, int, bool | None, bool, str]] = [
        ("example", 2, 3, 4, None, True, "a batch of 2, 3 inputs, 4 outputs, with the default bias=True"),
        ("no_bias", draw(3, 12), no_bias_in, unequal(2, 9, no_bias_in), False, False,
         "bias=False: no bias parameters and no bias add"),
        ("batch1", 1, batch1_in, unequal(3, 12, batch1_in), True, False, "a batch of one example, bias=True"),
        ("mnist_mlp", int(rng.choice([32, 64, 128])), 784, int(rng.choice([128, 256, 512])), True, False,
         "784 inputs, as in an MNIST MLP"),
        ("wide_no_bias", draw(16, 64), wide_in, wide_in * draw(2, 4), False, False,
         "a layer much wider than its input, without a bias"),
        ("default_bias", draw(8, 32), default_in, unequal(5, 30, default_in), None, False,
         "bias not passed: the default is bias=True"),
        ("single_output", draw(2, 9), draw(4, 20), 1, True, False, "one output feature (a regression head)"),
    ]
    cases: list[Case] = []
    for name, b, i, o, bias, visible, what in kinds:
        args: dict[str, Value] = {"batch": b, "in_features": i, "out_features": o}
        if bias is not None:
            args["bias"] = bias
        cases.append(Case(name, (Call("linear_layer_cost", args),), visible, description=what))
    return cases


def _task() -> Task:
    return TASK


TASK = Task(
    id="linear_layer_cost",
    title="FLOPs and parameters of a linear layer",
    functions=(
        FunctionSpec(
            "linear_layer_cost",
            params("batch", "in_features", "out_features", bias="True"),
            ("flops", "params"),
        ),
    ),
    reference={"linear_layer_cost": linear_layer_cost},
    make_cases=_cases,
    detectors={"linear_layer_cost": mistake_detectors(_explain, _SENTENCES)},
    custom_judge=integer_judge(_task),
)

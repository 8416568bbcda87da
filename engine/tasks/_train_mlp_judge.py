"""The data sets and the custom judge of task ``train_mlp`` (see engine/tasks/train_mlp.py for what is judged and
the false-failure bound).

The data sets are fixed Gaussian blobs in 2-D: a training sample, sent to the candidate, and a held-out sample that
never leaves the grading process. The judge checks one run's outputs by properties, computed here from what the
candidate returned, and pairs of runs against each other.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Sequence
from functools import cache

import numpy as np

from engine.judge import split_outputs
from engine.report import OutputCheck
from engine.task import CallResult, Case, FunctionSpec, Judgement
from engine.tasks._util import params
from engine.tasks.mlp2 import mlp2_forward

FUNCTION = FunctionSpec(
    "train_mlp",
    params("X", "y", "num_classes", "hidden", "epochs", "lr", "seed"),
    ("W1", "b1", "W2", "b2", "losses"),
)
LOSS_DROP = 0.5  # the last loss must be at most this fraction of the first
MIN_ACCURACY = 0.9  # training and held-out accuracy
CONSISTENCY_REL = 0.3  # losses[-1] vs the loss of the returned parameters: relative ...
CONSISTENCY_ABS = 0.02  # ... plus absolute slack
SAME_RTOL = 1e-6  # two runs with the same arguments must agree to this

SUMMED = (
    "losses are about N times the mean cross-entropy: the loss is summed over the batch; average it over the N"
    " examples"
)
SYMMETRIC = (
    "every hidden unit is identical (W1's rows are equal): a symmetric initialisation (e.g. all zeros) never breaks"
    " the symmetry; draw the weights at random from np.random.default_rng(seed)"
)


def softmax_xent(logits: np.ndarray, y: np.ndarray) -> tuple[float, np.ndarray]:
    """Mean cross-entropy of integer labels ``y`` and the gradient with respect to the logits."""
    shifted = logits - logits.max(axis=1, keepdims=True)
    log_p = shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))
    n = len(y)
    loss = -float(log_p[np.arange(n), y].mean())
    dlogits = np.exp(log_p)
    dlogits[np.arange(n), y] -= 1.0
    return loss, dlogits / n


# ---------------------------------------------------------------------------------------------------------------
# Data: Gaussian blobs in 2-D, a training sample (sent to the candidate) and a held-out sample (kept here).


@dataclasses.dataclass(frozen=True)
class Dataset:
    name: str
    X: np.ndarray
    y: np.ndarray
    X_test: np.ndarray
    y_test: np.ndarray
    num_classes: int


def _blobs(
    rng: np.random.Generator, centres: np.ndarray, labels: Sequence[int], per_blob: int, std: float
) -> tuple[np.ndarray, np.ndarray]:
    X = np.concatenate([rng.normal(c, std, (per_blob, 2)) for c in centres])
    y = np.concatenate([np.full(per_blob, label, dtype=np.int64) for label in labels])
    order = rng.permutation(len(y))
    return X[order], y[order]


_ANGLES = np.deg2rad([90.0, 210.0, 330.0])
# name: (centres, label of each centre, number of classes, std, training points per blob, seed)
_SPECS: dict[str, tuple[np.ndarray, tuple[int, ...], int, float, int, int]] = {
    "three_blobs": (np.stack([2.0 * np.cos(_ANGLES), 2.0 * np.sin(_ANGLES)], axis=1), (0, 1, 2), 3, 0.6, 60, 101),
    "xor": (np.array([[1.5, 1.5], [-1.5, -1.5], [1.5, -1.5], [-1.5, 1.5]]), (0, 0, 1, 1), 2, 0.5, 50, 102),
    "four_blobs": (np.array([[2.0, 0.0], [0.0, 2.0], [-2.0, 0.0], [0.0, -2.0]]), (0, 1, 2, 3), 4, 0.55, 50, 103),
}
TEST_PER_BLOB = 250


@cache
def dataset(name: str) -> Dataset:
    """The fixed training and held-out samples of one data set."""
    centres, labels, classes, std, per_blob, seed = _SPECS[name]
    rng = np.random.default_rng(seed)
    X, y = _blobs(rng, centres, labels, per_blob, std)
    X_test, y_test = _blobs(rng, centres, labels, TEST_PER_BLOB, std)
    return Dataset(name, X, y, X_test, y_test, classes)


def _find_dataset(X: object) -> Dataset | None:
    for name in _SPECS:
        ds = dataset(name)
        if X is ds.X or (isinstance(X, np.ndarray) and X.shape == ds.X.shape and np.array_equal(X, ds.X)):
            return ds
    return None


# ---------------------------------------------------------------------------------------------------------------
# The custom judge.


@dataclasses.dataclass
class _Run:
    """One train_mlp call as judged: its verdict parts and, when usable, its parsed outputs."""

    ok: bool = True
    invalid: bool = False
    checks: list[OutputCheck] = dataclasses.field(default_factory=list)
    diagnoses: list[str] = dataclasses.field(default_factory=list)
    messages: list[str] = dataclasses.field(default_factory=list)
    outputs: dict[str, np.ndarray] | None = None  # W1, b1, W2, b2, losses (valid shapes and finite)

    def fail(self, name: str, message: str, diagnosis: str | None = None) -> None:
        self.ok = False
        self.checks.append(OutputCheck(name=name, ok=False, message=message))
        self.messages.append(message)
        self.note(diagnosis)

    def note(self, diagnosis: str | None) -> None:
        if diagnosis and diagnosis not in self.diagnoses:
            self.diagnoses.append(diagnosis)


def _as_losses(value: object) -> object:
    """A list or tuple of numbers (or 0-d arrays) as a 1-D float array; anything else unchanged."""
    if isinstance(value, tuple | list) and all(
        (isinstance(v, int | float) and not isinstance(v, bool)) or (isinstance(v, np.ndarray) and v.ndim == 0)
        for v in value
    ):
        return np.array([float(v) for v in value], dtype=np.float64)
    return value


def _shape_problem(name: str, got: np.ndarray, want: tuple[int, ...]) -> str | None:
    """A diagnosis for a known shape mistake, or None."""
    if name in ("W1", "W2") and got.shape == want[::-1]:
        return (
            f"{name} is stored transposed: keep the torch.nn.Linear layout (out_features, in_features):"
            " W1 (hidden, D), W2 (num_classes, hidden)"
        )
    if name in ("b1", "b2") and got.size == want[0]:
        return f"{name} must be a 1-D array (no keepdims): b1 (hidden,), b2 (num_classes,)"
    if name == "losses" and got.ndim == 1 and got.shape[0] == want[0] + 1:
        return "losses has one entry too many: record one loss per epoch, len(losses) == epochs"
    if name == "losses" and got.ndim == 1:
        return "losses must have one entry per epoch: take exactly `epochs` steps and record the loss of each"
    return None


def _parse(result: CallResult, run: _Run) -> dict[str, np.ndarray] | None:
    args = result.call.args
    X = np.asarray(args["X"])
    n, d = X.shape
    hidden, classes, epochs = int(args["hidden"]), int(args["num_classes"]), int(args["epochs"])
    value = result.value
    if isinstance(value, tuple | list) and len(value) == 5:
        value = (*value[:4], _as_losses(value[4]))
    named, problem = split_outputs(FUNCTION, value)
    if problem:
        run.ok, run.invalid = False, True
        run.messages.append(problem)
        return None
    wanted = {"W1": (hidden, d), "b1": (hidden,), "W2": (classes, hidden), "b2": (classes,), "losses": (epochs,)}
    out: dict[str, np.ndarray] = {}
    for name, shape in wanted.items():
        got = named.get(name)
        if got is None:
            run.fail(name, f"{name}: no value returned (got None)")
            continue
        if got.dtype.kind not in "fiu":
            run.fail(name, f"{name}: dtype {got.dtype}; expected floating-point numbers")
            continue
        if got.shape != shape:
            run.fail(name, f"{name}: shape {tuple(got.shape)}, expected {shape}", _shape_problem(name, got, shape))
            continue
        out[name] = got.astype(np.float64)
    if len(out) != len(wanted):
        return None
    bad = [name for name, a in out.items() if not np.all(np.isfinite(a))]
    if bad:
        losses = out["losses"]
        run.fail(
            bad[0],
            f"{', '.join(bad)}: NaN or inf",
            "training diverged (NaN or inf): the updates grow without bound; check the sign and the size of the"
            " step",
        )
        _step_diagnoses(run, losses, n, classes)
        return None
    if result.mutated:
        run.fail(
            "X",
            f"modified {', '.join(result.mutated)} in place",
            f"train_mlp modified its input {', '.join(result.mutated)} in place; functions must not change their"
            " inputs (work on a copy)",
        )
    return out


def _step_diagnoses(run: _Run, losses: np.ndarray, n: int, classes: int) -> None:
    """Diagnoses read from the first losses: summed loss values, an oversized first step."""
    first = float(losses[0]) if losses.size and np.isfinite(losses[0]) else None
    if first is not None and first >= n * math.log(classes) / 4:
        run.note(SUMMED)
    if losses.size > 1 and first is not None and first > 0:
        second = float(losses[1])
        if not np.isfinite(second) or second > 100 * first:
            run.note(
                "the loss explodes after the first step: the step is far too large. Is the gradient summed over"
                " the batch instead of averaged (dlogits = (softmax - onehot) / N)?"
            )


def _judge_run(result: CallResult) -> _Run:
    with np.errstate(all="ignore"):  # huge returned weights must not warn (or raise) in the grading process
        return _judge_run_quietly(result)


def _judge_run_quietly(result: CallResult) -> _Run:
    run = _Run()
    args = result.call.args
    X, y = np.asarray(args["X"]), np.asarray(args["y"])
    n, classes = len(y), int(args["num_classes"])
    out = _parse(result, run)
    if out is None:
        return run
    W1, b1, W2, b2, losses = (out[k] for k in ("W1", "b1", "W2", "b2", "losses"))
    first, last = float(losses[0]), float(losses[-1])
    _step_diagnoses(run, losses, n, classes)
    symmetric = float(np.max(np.ptp(W1, axis=0))) <= 1e-12
    if symmetric:
        run.note(SYMMETRIC)
    # The loss curve.
    why: str | None = None
    curve_ok = last <= LOSS_DROP * first
    if curve_ok:
        run.checks.append(
            OutputCheck(
                name="losses",
                ok=True,
                message=f"losses[0] = {first:.4g} (ln C = {math.log(classes):.4g}, where a small initialisation"
                f" starts), losses[-1] = {last:.4g}",
            )
        )
    else:
        spread = float(np.max(losses) - np.min(losses))
        if symmetric:
            pass  # SYMMETRIC says why
        elif spread <= 1e-12 * max(1.0, abs(first)):
            why = (
                "the loss never changes: the parameters are never updated (update the arrays the forward pass"
                " uses, e.g. W1 -= lr * dW1, and take the gradient step every epoch)"
            )
        elif last > first:
            why = (
                "the loss goes up during training: the update climbs the gradient (gradient ascent); gradient"
                " descent subtracts it, W -= lr * dW"
            )
        run.fail(
            "losses",
            f"losses: the loss did not fall to half its first value (losses[0] = {first:.4g}, losses[-1] ="
            f" {last:.4g})",
            why,
        )
    # The losses are the mean loss of the parameters being trained (checked once the curve itself is right).
    final_loss, _ = softmax_xent(mlp2_forward(X, W1, b1, W2, b2), y)
    if not math.isfinite(final_loss):
        run.fail(
            "losses",
            "the returned parameters give NaN or inf logits on X (the weights are astronomically large)",
            "training diverged: the weights grew without bound; check the sign and the size of the step",
        )
    elif curve_ok and abs(last - final_loss) > CONSISTENCY_REL * max(abs(last), final_loss) + CONSISTENCY_ABS:
        ratio = last / final_loss if final_loss > 0 else math.inf
        if n / 2 <= ratio <= 2 * n:
            why = SUMMED
        elif abs(final_loss - first) <= 0.05 * first and abs(last - first) > 0.1 * first:
            why = "the returned parameters are the initial ones: return the trained W1, b1, W2, b2"
        else:
            why = None
        run.fail(
            "losses",
            f"losses[-1] = {last:.4g}, but the mean cross-entropy of the returned parameters on X is"
            f" {final_loss:.4g}: losses must record the mean training loss of each epoch",
            why,
        )
    # Accuracy, with the reference forward on the returned parameters.
    ds = _find_dataset(args["X"])
    samples = [("training accuracy", X, y)]
    if ds is not None:
        samples.append(("held-out accuracy", ds.X_test, ds.y_test))
    for name, data, labels in samples:
        accuracy = float(np.mean(np.argmax(mlp2_forward(data, W1, b1, W2, b2), axis=1) == labels))
        message = f"{name} {accuracy:.3f} (at least {MIN_ACCURACY} required; the reference reaches about 0.99)"
        if accuracy >= MIN_ACCURACY:
            run.checks.append(OutputCheck(name=name.replace(" ", "_").replace("-", "_"), ok=True, message=message))
        else:
            run.fail(name.replace(" ", "_").replace("-", "_"), message)
    run.outputs = out
    return run


def _same(a: dict[str, np.ndarray], b: dict[str, np.ndarray], rtol: float) -> bool:
    return all(np.allclose(a[k], b[k], rtol=rtol, atol=rtol * 1e-3) for k in a)


def judge(case: Case, results: Sequence[CallResult]) -> Judgement:
    """Judge a train_mlp case: each run by its properties, then the runs against each other."""
    total = Judgement(ok=True)
    messages: list[str] = []
    runs = [_judge_run(r) for r in results]
    for run in runs:
        total.ok = total.ok and run.ok
        total.invalid = total.invalid or run.invalid
        total.checks.extend(run.checks)
        total.diagnoses.extend(d for d in run.diagnoses if d not in total.diagnoses)
        messages.extend(run.messages)

    def fail(name: str, message: str, diagnosis: str) -> None:
        total.ok = False
        total.checks.append(OutputCheck(name=name, ok=False, message=message))
        messages.append(message)
        if diagnosis not in total.diagnoses:
            total.diagnoses.append(diagnosis)

    for i, (r1, run1) in enumerate(zip(results, runs, strict=True)):
        for r2, run2 in list(zip(results, runs, strict=True))[i + 1 :]:
            # Runs are compared only when each passed on its own: a failing run has its own diagnosis.
            if not (run1.ok and run2.ok) or run1.outputs is None or run2.outputs is None:
                continue
            a1, a2 = r1.call.args, r2.call.args
            others = {k for k in a1 if k not in ("seed", "lr")}
            if any(a1[k] is not a2[k] and not _equal_arg(a1[k], a2[k]) for k in others):
                continue
            same = _same(run1.outputs, run2.outputs, SAME_RTOL)
            if a1["seed"] == a2["seed"] and a1["lr"] == a2["lr"] and not same:
                fail(
                    "seed",
                    "two runs with the same arguments and seed returned different results",
                    "the initialisation is not drawn from the seed: create rng = np.random.default_rng(seed) and"
                    " draw every initial weight from it (not np.random.randn or an unseeded generator)",
                )
            elif a1["seed"] != a2["seed"] and a1["lr"] == a2["lr"] and same:
                fail(
                    "seed",
                    f"seeds {a1['seed']} and {a2['seed']} gave identical results",
                    "the seed is ignored: initialise from np.random.default_rng(seed), so different seeds give"
                    " different initial weights",
                )
            elif a1["seed"] == a2["seed"] and a1["lr"] != a2["lr"] and np.allclose(
                run1.outputs["losses"], run2.outputs["losses"], rtol=1e-9, atol=0.0
            ):
                fail(
                    "lr",
                    f"runs with lr = {a1['lr']} and lr = {a2['lr']} returned the same losses",
                    "lr is ignored: every update must be scaled by the lr argument (W -= lr * dW)",
                )
    total.message = "; ".join(messages)
    return total


def _equal_arg(a: object, b: object) -> bool:
    if isinstance(a, np.ndarray) and isinstance(b, np.ndarray):
        return a.shape == b.shape and bool(np.array_equal(a, b))
    return a == b

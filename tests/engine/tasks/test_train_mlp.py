"""Task ``train_mlp``: the property judge accepts correct loops under many initialisations, rejects and names the
classic training-loop mistakes, keeps its held-out data to itself, and stays fast."""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import numpy as np
import pytest

from engine.task import Call, CallResult, Case
from engine.tasks import get_task
from engine.tasks._train_mlp_judge import LOSS_DROP, MIN_ACCURACY, _judge_run, dataset, judge, softmax_xent
from engine.tasks.mlp2 import mlp2_backward, mlp2_forward
from engine.tasks.train_mlp import train_mlp
from tests.engine.tasks.support import (
    assert_in_statement,
    gradcheck_reference,
    graded,
    submissions,
    task_text,
)

TASK_ID = "train_mlp"
TASK = get_task(TASK_ID)

Init = Callable[[np.random.Generator, int, int, int], tuple[np.ndarray, ...]]


def _normal(std: float) -> Init:
    def init(rng: np.random.Generator, h: int, d: int, c: int) -> tuple[np.ndarray, ...]:
        return rng.normal(0, std, (h, d)), np.zeros(h), rng.normal(0, std, (c, h)), np.zeros(c)

    return init


def _he(rng: np.random.Generator, h: int, d: int, c: int) -> tuple[np.ndarray, ...]:
    return rng.normal(0, math.sqrt(2 / d), (h, d)), np.zeros(h), rng.normal(0, math.sqrt(2 / h), (c, h)), np.zeros(c)


def _torch(rng: np.random.Generator, h: int, d: int, c: int) -> tuple[np.ndarray, ...]:
    a, b = 1 / math.sqrt(d), 1 / math.sqrt(h)
    return rng.uniform(-a, a, (h, d)), rng.uniform(-a, a, h), rng.uniform(-b, b, (c, h)), rng.uniform(-b, b, c)


def _xavier(rng: np.random.Generator, h: int, d: int, c: int) -> tuple[np.ndarray, ...]:
    a, b = math.sqrt(6 / (d + h)), math.sqrt(6 / (h + c))
    return rng.uniform(-a, a, (h, d)), np.zeros(h), rng.uniform(-b, b, (c, h)), np.zeros(c)


INITS: dict[str, Init] = {
    "he": _he,
    "torch": _torch,
    "xavier": _xavier,
    "normal_0.01": _normal(0.01),
    "normal_0.1": _normal(0.1),
    "normal_1": _normal(1.0),
}


def _train(args: dict[str, Any], init: Init) -> tuple[np.ndarray, ...]:
    """A plain full-batch loop with a chosen initialisation (the judge must accept every reasonable one)."""
    X, y, lr = args["X"], args["y"], args["lr"]
    params = list(init(np.random.default_rng(args["seed"]), args["hidden"], X.shape[1], args["num_classes"]))
    losses = []
    for _ in range(args["epochs"]):
        loss, dlogits = softmax_xent(mlp2_forward(X, *params), y)
        losses.append(loss)
        grads = mlp2_backward(dlogits, X, *params)[1:]
        params = [p - lr * g for p, g in zip(params, grads, strict=True)]
    return (*params, np.array(losses))


def _settings() -> list[Call]:
    seen: dict[tuple[Any, ...], Call] = {}
    for case in TASK.cases():
        for call in case.calls:
            a = call.args
            seen.setdefault((id(a["X"]), a["hidden"], a["epochs"], a["lr"]), call)
    return list(seen.values())


def _with(call: Call, **changes: Any) -> Call:
    return Call(call.function, {**call.args, **changes})


# ---------------------------------------------------------------------------------------------------- cases


def test_data_are_fixed_and_hidden_initialisation_seeds_are_drawn() -> None:
    first, second = TASK.cases(1), TASK.cases(2)
    assert [c.visible for c in first].count(True) == 1
    for a, b in zip(first, second, strict=True):
        assert [c.args["X"] is d.args["X"] for c, d in zip(a.calls, b.calls, strict=True)] == [True] * len(a.calls)
        seeds = [c.args["seed"] for c in a.calls]
        assert a.visible or seeds != [c.args["seed"] for c in b.calls], a.name
    for seed in range(200):
        cases = {c.name: c for c in TASK.cases(seed)}
        assert len({c.args["seed"] for c in cases["different_seeds"].calls}) == 2
        assert len({c.args["seed"] for c in cases["same_seed"].calls}) == 1


def test_held_out_data_never_reaches_the_candidate() -> None:
    for case in TASK.cases():
        for call in case.calls:
            a = call.args
            assert a["X"].dtype == np.float64 and a["y"].dtype == np.int64
            assert set(np.unique(a["y"])) == set(range(a["num_classes"]))
            for name in ("three_blobs", "xor", "four_blobs"):
                ds = dataset(name)
                assert not any(
                    isinstance(v, np.ndarray) and v.shape == ds.X_test.shape and np.array_equal(v, ds.X_test)
                    for v in a.values()
                )
                assert not np.array_equal(ds.X[:10], ds.X_test[:10])


def test_xor_data_needs_the_hidden_layer() -> None:
    """A linear softmax model cannot reach the accuracy threshold on the XOR blobs: the hidden layer is tested."""
    ds = dataset("xor")
    W, b = np.zeros((2, 2)), np.zeros(2)
    for _ in range(500):
        _, d = softmax_xent(ds.X @ W.T + b, ds.y)
        W, b = W - 0.5 * d.T @ ds.X, b - 0.5 * d.sum(0)
    assert float(np.mean(np.argmax(ds.X_test @ W.T + b, axis=1) == ds.y_test)) < 0.7


def test_topic_and_difficulty() -> None:
    text = task_text(TASK_ID)
    assert text.topic == "optimisers" and text.difficulty == "hard"


# ---------------------------------------------------------------------------------------------------- no false failures


def test_reference_passes_every_case_with_margin() -> None:
    for case in TASK.cases():
        results = [CallResult(c, value=train_mlp(**c.args)) for c in case.calls]
        verdict = judge(case, results)
        assert verdict.ok, (case.name, verdict.message)
        for call, result in zip(case.calls, results, strict=True):
            W1, b1, W2, b2, losses = result.value
            assert losses[-1] <= 0.2 * LOSS_DROP * losses[0]
            ds = next(dataset(n) for n in ("three_blobs", "xor", "four_blobs") if dataset(n).X is call.args["X"])
            accuracy = np.mean(np.argmax(mlp2_forward(ds.X_test, W1, b1, W2, b2), axis=1) == ds.y_test)
            assert accuracy >= MIN_ACCURACY + 0.07


@pytest.mark.parametrize("init", sorted(INITS))
def test_judge_accepts_correct_loops_under_many_initialisations(init: str) -> None:
    """A sample of the sweep quoted in engine/tasks/train_mlp.py (7 schemes x 300 seeds on every setting)."""
    for call in _settings():
        for seed in (7, 8):
            probe = _with(call, seed=seed)
            run = _judge_run(CallResult(probe, value=_train(dict(probe.args), INITS[init])))
            assert run.ok, (init, seed, run.messages)


def test_losses_recorded_after_the_step_and_as_a_list_are_accepted() -> None:
    call = TASK.cases()[0].calls[0]
    W1, b1, W2, b2, losses = train_mlp(**call.args)
    final, _ = softmax_xent(mlp2_forward(call.args["X"], W1, b1, W2, b2), call.args["y"])
    after = [*map(float, losses[1:]), final]
    assert _judge_run(CallResult(call, value=(W1, b1, W2, b2, after))).ok
    f32 = tuple(a.astype(np.float32) for a in (W1, b1, W2, b2, losses))
    assert _judge_run(CallResult(call, value=f32)).ok


# ---------------------------------------------------------------------------------------------------- mistakes


def _diagnosis(call: Call, value: Any) -> tuple[bool, list[str]]:
    run = _judge_run(CallResult(call, value=value))
    return run.ok, run.diagnoses


def test_judge_names_summed_flat_rising_and_initial() -> None:
    call = TASK.cases()[0].calls[0]
    W1, b1, W2, b2, losses = train_mlp(**call.args)
    n = len(call.args["y"])
    ok, why = _diagnosis(call, (W1, b1, W2, b2, losses * n))
    assert not ok and any("summed over the batch" in d for d in why)
    ok, why = _diagnosis(call, (W1, b1, W2, b2, np.full_like(losses, losses[0])))
    assert not ok and any("never changes" in d for d in why)
    ok, why = _diagnosis(call, (W1, b1, W2, b2, losses[::-1].copy()))
    assert not ok and any("goes up" in d for d in why)
    ok, _ = _diagnosis(call, (W1, b1, W2, b2, losses[:-1]))
    assert not ok
    ok, why = _diagnosis(call, (W1, b1[None, :], W2, b2, losses))
    assert not ok and any("1-D array" in d for d in why)
    ok, why = _diagnosis(call, (W1, b1, W2, b2, losses[:-5]))
    assert not ok and any("one entry per epoch" in d for d in why)
    ok, why = _diagnosis(call, (W1, b1, W2, b2, "losses"))
    assert not ok


def test_pair_checks_catch_ignored_seed_and_lr() -> None:
    cases = {c.name: c for c in TASK.cases()}
    case = cases["different_seeds"]
    same = train_mlp(**case.calls[0].args)
    verdict = judge(case, [CallResult(c, value=same) for c in case.calls])
    assert not verdict.ok and any("seed is ignored" in d for d in verdict.diagnoses)
    case = cases["learning_rate"]
    one = train_mlp(**case.calls[0].args)
    verdict = judge(case, [CallResult(c, value=one) for c in case.calls])
    assert not verdict.ok and any("lr is ignored" in d for d in verdict.diagnoses)
    case = cases["same_seed"]
    a, b = train_mlp(**case.calls[0].args), train_mlp(**_with(case.calls[0], seed=99).args)
    verdict = judge(case, [CallResult(case.calls[0], value=a), CallResult(case.calls[1], value=b)])
    assert not verdict.ok and any("not drawn from the seed" in d for d in verdict.diagnoses)


def test_in_place_modification_is_reported() -> None:
    call = TASK.cases()[0].calls[0]
    verdict = judge(Case("probe", (call,)), [CallResult(call, value=train_mlp(**call.args), mutated=("X",))])
    assert not verdict.ok and any("in place" in d for d in verdict.diagnoses)


def test_every_diagnosis_is_produced_by_a_known_wrong_submission() -> None:
    reports = graded(TASK_ID).reports
    found = [d for path in submissions(TASK_ID, "wrong") for d in reports[path].diagnoses]
    for phrase in (
        "the loss never changes",
        "the loss goes up",
        "summed over the batch",
        "explodes after the first step",
        "training diverged",
        "every hidden unit is identical",
        "the returned parameters are the initial ones",
        "W1 is stored transposed",
        "one entry too many",
        "not drawn from the seed",
        "the seed is ignored",
        "lr is ignored",
    ):
        assert any(phrase in d for d in found), phrase


def test_worked_example_matches_the_reference() -> None:
    X = np.array([[1.0, 2.0], [-1.0, 0.5]])
    y = np.array([1, 0])
    params = [
        np.array([[1.0, -1.0], [0.5, 1.0], [-1.0, 0.0]]),
        np.array([0.5, -1.0, 0.0]),
        np.array([[1.0, -2.0, 0.5], [0.0, 1.0, 1.0]]),
        np.array([0.0, -0.5]),
    ]
    loss, dlogits = softmax_xent(mlp2_forward(X, *params), y)
    db2 = mlp2_backward(dlogits, X, *params)[4]
    stepped = [p - 0.5 * g for p, g in zip(params, mlp2_backward(dlogits, X, *params)[1:], strict=True)]
    after, _ = softmax_xent(mlp2_forward(X, *stepped), y)
    for v, digits in [(loss, 4), (after, 3), (math.log(3), 4), *((v, 4) for v in dlogits.ravel()),
                      *((v, 3) for v in db2), *((v, 4) for v in stepped[3])]:
        assert_in_statement(TASK_ID, round(v, digits), tol=1e-9)


def test_training_gradient_matches_finite_differences() -> None:
    """The gradient the reference loop steps along is the gradient of its mean loss (float64, away from kinks)."""
    ds = dataset("three_blobs")
    X, y = ds.X[:12], ds.y[:12]
    rng = np.random.default_rng(3)
    params = list(_he(rng, 5, 2, 3))
    params[1] = rng.normal(0, 0.3, 5)
    z = X @ params[0].T + params[1]
    assert np.min(np.abs(z)) > 1e-3  # no ReLU kink within the finite-difference steps

    def loss(W1: np.ndarray, b1: np.ndarray, W2: np.ndarray, b2: np.ndarray) -> float:
        return softmax_xent(mlp2_forward(X, W1, b1, W2, b2), y)[0]

    def grad(_up: Any, W1: np.ndarray, b1: np.ndarray, W2: np.ndarray, b2: np.ndarray) -> tuple[np.ndarray, ...]:
        _, dlogits = softmax_xent(mlp2_forward(X, W1, b1, W2, b2), y)
        return tuple(mlp2_backward(dlogits, X, W1, b1, W2, b2)[1:])

    gradcheck_reference(loss, params, grad, ["W1", "b1", "W2", "b2"])

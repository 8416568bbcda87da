"""Parameter dicts (CS231n's bn_param, conv_param) as call arguments: plain data in, a fresh copy for every call, in
the sandboxed child and in the reference's replay alike."""

from __future__ import annotations

import numpy as np

from engine.limits import Limits
from engine.runner import run_calls
from engine.sandbox import default_sandbox
from engine.task import Call, Case, FunctionSpec, Param, Ref, Task, materialise, operation

SOURCE = """
def bump(d):
    d["count"] = d.get("count", 0) + 1
    d["seen"] = sorted(d)
    return float(d["count"]) * d["scale"]
"""


def test_each_call_gets_its_own_copy_and_a_kept_dict_keeps_what_the_code_stored() -> None:
    param = {"scale": 2.5, "mode": "train", "arr": np.arange(3.0)}
    calls = [
        Call("bump", {"d": param}),
        Call("bump", {"d": param}),
        operation("getitem", (param,), 0, store_as="kept"),
        Call("bump", {"d": Ref("kept")}),
        Call("bump", {"d": Ref("kept")}),
        operation("getitem", Ref("kept"), "count"),
    ]
    run = run_calls(default_sandbox(), SOURCE, calls, ["bump"], Limits())
    assert run.fatal_verdict is None
    values = [r.value for r in run.calls]
    assert [float(v) for v in (values[0], values[1], values[3], values[4], values[5])] == [2.5, 2.5, 2.5, 5.0, 2.0]
    assert "count" not in param  # the parent's dict is never changed


def test_the_reference_replay_starts_from_the_cases_dict_every_time() -> None:
    def bump(d: dict[str, float]) -> float:
        d["count"] = d.get("count", 0) + 1
        return d["count"]

    param = {"scale": 1.0}
    case = Case("c", (operation("getitem", (param,), 0, store_as="p"), Call("bump", {"d": Ref("p")})))
    task = Task("t", "t", (FunctionSpec("bump", (Param("d"),), ("n",)),), {"bump": bump}, lambda rng: [case])
    first, second = task.replay(case), task.replay(case)
    assert first == second and first[1] is not None and float(first[1]["n"]) == 1.0
    assert param == {"scale": 1.0} and materialise(param) is not param

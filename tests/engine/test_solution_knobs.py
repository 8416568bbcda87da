"""Study solutions show the references without the keyword-only knobs that make the detectors' mistakes."""

from __future__ import annotations

import ast

import pytest

from engine import TASK_IDS
from engine.solution_knobs import without_knobs
from engine.solutions import reference_source

GATES = '''def gates(a, *, order="ifgo", g_sigmoid=False):
    """Gates.

    The knobs: ``order`` and ``g_sigmoid`` make mistakes."""
    out = {}
    for k, letter in enumerate(order):
        tanh = (letter == "g" and not g_sigmoid) or (letter == "o" and g_sigmoid)
        out[letter] = a * k if tanh else -a
    if g_sigmoid:
        out["x"] = 1
    return out
'''

FORWARD = '''def forward(a, *, order="ifgo", local="h", sign=1.0):
    g = gates(a, order=order)
    if local == "h":
        d = sign * g["g"]
    elif local == "pre":
        d = 2
    else:
        d = 3
    return d
'''


def _signature(source: str) -> list[str]:
    fn = ast.parse(source).body[0]
    assert isinstance(fn, ast.FunctionDef)
    return [a.arg for a in fn.args.posonlyargs + fn.args.args + fn.args.kwonlyargs]


def test_knobs_at_their_defaults_go_and_what_they_decide_is_folded() -> None:
    out = without_knobs({"gates": GATES, "forward": FORWARD})
    assert _signature(out["gates"]) == ["a"] and _signature(out["forward"]) == ["a"]
    assert "tanh = letter == 'g'\n" in out["gates"]
    assert "enumerate('ifgo')" in out["gates"] and "out['x']" not in out["gates"]
    assert "knob" not in out["gates"] and '"""Gates.' in out["gates"]
    assert "g = gates(a)\n" in out["forward"] and "d = g['g']\n" in out["forward"]
    assert "pre" not in out["forward"] and "sign" not in out["forward"]
    namespace: dict[str, object] = {}
    exec(out["gates"] + "\n" + out["forward"], namespace)
    original: dict[str, object] = {}
    exec(GATES + "\n" + FORWARD, original)
    assert namespace["forward"](2.0) == original["forward"](2.0)  # type: ignore[operator]


def test_a_knob_some_call_sets_to_another_value_stays() -> None:
    caller = "def forward(a):\n    return gates(a, g_sigmoid=True)\n"
    out = without_knobs({"gates": GATES, "forward": caller})
    assert _signature(out["gates"]) == ["a", "g_sigmoid"]  # order went, g_sigmoid stays
    assert out["forward"] == caller


def test_a_knob_passed_on_from_a_knob_that_stays_stays() -> None:
    forward = 'def forward(a, *, order="ifgo"):\n    return gates(a, order=order)\n'
    user = 'def user(a):\n    return forward(a, order="fgio")\n'
    out = without_knobs({"gates": GATES, "forward": forward, "user": user})
    assert "order" in _signature(out["gates"]) and "order" in _signature(out["forward"])


def test_a_function_used_as_a_value_keeps_its_knobs() -> None:
    caller = "def forward(a):\n    f = gates\n    return f(a, order='x')\n"
    out = without_knobs({"gates": GATES, "forward": caller})
    assert out["gates"] == GATES


def test_a_rebound_knob_is_not_replaced() -> None:
    source = 'def f(a, *, scale=1.0):\n    scale = scale * 2\n    return a * scale\n'
    assert without_knobs({"f": source}) == {"f": source}


@pytest.mark.parametrize("task_id", TASK_IDS)
def test_no_study_solution_takes_a_knob(task_id: str) -> None:
    source = reference_source(task_id)
    for fn in ast.parse(source).body:
        if isinstance(fn, ast.FunctionDef):
            assert not [d for d in fn.args.kw_defaults if d is not None], (task_id, fn.name)
    assert max(len(line) for line in source.splitlines()) <= 120

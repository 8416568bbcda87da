"""Study solutions show the references without the keyword-only knobs that make the detectors' mistakes."""

from __future__ import annotations

import ast
import re

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


def test_keyword_arguments_only_passed_on_go_with_the_knobs_they_would_set() -> None:
    forward = "def forward(a, **knobs):\n    return gates(a, **knobs)\n"
    out = without_knobs({"gates": GATES, "forward": forward})
    assert _signature(out["forward"]) == ["a"] and "gates(a)" in out["forward"]
    assert _signature(out["gates"]) == ["a"]
    filled = "def user(a):\n    return forward(a, order='fgio')\n"
    assert without_knobs({"gates": GATES, "forward": forward, "user": filled})["forward"] == forward
    passed_around = "def user(a):\n    f = forward\n    return f(a)\n"
    assert without_knobs({"gates": GATES, "forward": forward, "user": passed_around})["forward"] == forward


@pytest.mark.parametrize("task_id", TASK_IDS)
def test_no_study_solution_takes_a_knob(task_id: str) -> None:
    """A keyword-only default left in a study solution is one that the solution itself sets (attention's scale)."""
    tree = ast.parse(reference_source(task_id))
    set_by_calls = {kw.arg for c in ast.walk(tree) if isinstance(c, ast.Call) for kw in c.keywords}
    for fn in tree.body:
        if isinstance(fn, ast.FunctionDef):
            assert fn.args.kwarg is None, (task_id, fn.name)
            kept = [a.arg for a, d in zip(fn.args.kwonlyargs, fn.args.kw_defaults, strict=True) if d is not None]
            assert set(kept) <= set_by_calls, (task_id, fn.name, kept)
            assert not re.search(r"\bknobs?\b", ast.get_docstring(fn) or ""), (task_id, fn.name)
    assert max(len(line) for line in reference_source(task_id).splitlines()) <= 120

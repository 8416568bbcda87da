"""The two halves of every coding task agree: its prose in questions/tasks, its executable side in engine/tasks."""

from __future__ import annotations

import ast

import pytest

from engine import TASK_IDS, get_task
from engine.task import FunctionSpec, Param
from questions import load_task_texts


def test_catalogues_are_one_to_one() -> None:
    assert set(load_task_texts()) == set(TASK_IDS)


def _params(args: ast.arguments, drop: int = 0) -> tuple[Param, ...]:
    positional = (args.posonlyargs + args.args)[drop:]
    defaults = [None] * (len(positional) - len(args.defaults)) + [ast.unparse(d) for d in args.defaults]
    return tuple(Param(a.arg, d) for a, d in zip(positional, defaults, strict=True))


def _starter_functions(source: str) -> dict[str, tuple[Param, ...]]:
    found: dict[str, tuple[Param, ...]] = {}
    for node in ast.parse(source).body:
        if isinstance(node, ast.FunctionDef):
            found[node.name] = _params(node.args)
        elif isinstance(node, ast.ClassDef):  # a class-based task: its constructor's parameters, without self
            for init in (n for n in node.body if isinstance(n, ast.FunctionDef) and n.name == "__init__"):
                found[node.name] = _params(init.args, drop=1)
    return found


def _same_default(a: str | None, b: str | None) -> bool:
    if a is None or b is None:
        return a == b
    return bool(ast.literal_eval(a) == ast.literal_eval(b)) if a != b else True


@pytest.mark.parametrize("task_id", TASK_IDS)
def test_starter_signatures_match_the_engine(task_id: str) -> None:
    text = load_task_texts()[task_id]
    starter = _starter_functions(text.starter)
    spec: FunctionSpec
    for spec in get_task(task_id).functions:
        assert spec.name in starter, f"{task_id}: the starter lacks {spec.name}"
        got = starter[spec.name]
        assert [p.name for p in got] == [p.name for p in spec.params], spec.name
        for g, want in zip(got, spec.params, strict=True):
            assert _same_default(g.default, want.default), (spec.name, g, want)


@pytest.mark.parametrize("task_id", TASK_IDS)
def test_task_text_is_complete(task_id: str) -> None:
    text = load_task_texts()[task_id]
    assert text.id == task_id
    assert 2 <= len(text.hints) <= 3
    assert "```" in text.statement or "Example" in text.statement or "example" in text.statement

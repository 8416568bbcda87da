"""The reference solutions as readable, self-contained source, for study (``nnprep task solution ID``, the TUI)."""

from __future__ import annotations

import inspect
import re
import sys
import types

from engine.solution_knobs import without_knobs
from engine.tasks import get_task

_PLAIN = (int, float, bool, str, tuple)


def _is_ours(obj: object) -> bool:
    return (inspect.isfunction(obj) or inspect.isclass(obj)) and getattr(obj, "__module__", "").startswith(
        "engine.tasks"
    )


def _codes(f: types.FunctionType | type) -> list[types.CodeType]:
    """The code objects of a function (and the functions nested in it), or of every method of a class."""
    if isinstance(f, type):
        methods = [getattr(m, "__func__", m) for m in vars(f).values()]
        return [c for m in methods if inspect.isfunction(m) for c in _codes(m)]
    return [f.__code__] + [c for c in f.__code__.co_consts if isinstance(c, types.CodeType)]


def _dependencies(fn: types.FunctionType | type) -> tuple[list[types.FunctionType | type], dict[str, object]]:
    """Task-module functions and classes ``fn`` uses (transitively, callees first) and plain constants they read."""
    ordered: list[types.FunctionType | type] = []
    constants: dict[str, object] = {}
    seen: set[int] = set()

    def visit(f: types.FunctionType | type) -> None:
        if id(f) in seen:
            return
        seen.add(id(f))
        names = vars(sys.modules[f.__module__])
        for code in _codes(f):
            for name in code.co_names:
                obj = names.get(name)
                if _is_ours(obj):
                    visit(obj)  # type: ignore[arg-type]
        # Constants may also appear in default values, which are not in co_names: read the source's names.
        for name in re.findall(r"[A-Za-z_]\w*", inspect.getsource(f)):
            obj = names.get(name)
            if isinstance(obj, _PLAIN) and not name.startswith("__") and not isinstance(obj, bool | str):
                constants.setdefault(name, obj)
        ordered.append(f)

    visit(fn)
    return ordered, constants


def reference_source(task_id: str) -> str:
    """Source of the task's reference functions and everything they use from the task modules; NumPy only."""
    task = get_task(task_id)
    functions: list[types.FunctionType | type] = []
    constants: dict[str, object] = {}
    for spec in task.functions:
        fns, consts = _dependencies(task.reference[spec.name])  # type: ignore[arg-type]
        functions.extend(f for f in fns if f not in functions)
        for k, v in consts.items():
            constants.setdefault(k, v)
    imports = ["from __future__ import annotations", ""]
    if any("math." in inspect.getsource(f) for f in functions):
        imports += ["import math", ""]
    imports.append("import numpy as np")
    sources: dict[str, str] = {}
    for f in functions:
        sources.setdefault(f.__name__, inspect.getsource(f))
    sources = without_knobs(sources)
    sources = {n: src for n, src in sources.items() if n in _reachable(sources, [s.name for s in task.functions])}
    text = "\n".join(sources.values())
    constants = {k: v for k, v in constants.items() if re.search(rf"\b{k}\b", text)}
    parts = ["\n".join(imports), ""]
    if constants:
        parts.append("\n".join(f"{k} = {v!r}" for k, v in constants.items()) + "\n")
    parts.extend(src.rstrip() + "\n\n" for src in sources.values())
    return "\n".join(parts).rstrip() + "\n"


def _reachable(sources: dict[str, str], roots: list[str]) -> set[str]:
    """The names in ``sources`` that the ``roots`` use, directly or through each other."""
    seen: set[str] = set()
    todo = [r for r in roots if r in sources]
    while todo:
        name = todo.pop()
        if name in seen:
            continue
        seen.add(name)
        words = set(re.findall(r"[A-Za-z_]\w*", sources[name]))
        todo.extend(n for n in sources if n in words and n not in seen)
    return seen

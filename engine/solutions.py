"""The reference solutions as readable source, for study (``nnprep task solution ID``, the TUI)."""

from __future__ import annotations

import inspect

from engine.tasks import get_task


def reference_source(task_id: str) -> str:
    """Source of the task's reference functions (and the helpers they use from their module), NumPy only."""
    task = get_task(task_id)
    module = inspect.getmodule(next(iter(task.reference.values())))
    names = [f.name for f in task.functions]
    parts = ["import numpy as np", ""]
    seen: set[str] = set()
    for name in names:
        fn = task.reference[name]
        for helper in _helpers_of(fn, module):
            if helper not in seen:
                seen.add(helper)
                parts.append(inspect.getsource(getattr(module, helper)).rstrip() + "\n\n")
        parts.append(inspect.getsource(fn).rstrip() + "\n\n")
    return "\n".join(parts).rstrip() + "\n"


def _helpers_of(fn: object, module: object) -> list[str]:
    """Private module-level functions that ``fn`` calls (one level deep), in order of first use."""
    code = getattr(fn, "__code__", None)
    if code is None or module is None:
        return []
    found = []
    for name in code.co_names:
        obj = getattr(module, name, None)
        if name.startswith("_") and inspect.isfunction(obj) and obj.__module__ == getattr(module, "__name__", ""):
            found.append(name)
    return found

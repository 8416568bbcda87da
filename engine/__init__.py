"""nnprep's grading engine: tasks, comparison, diagnostics, gradient checking and the sandbox.

Depends on NumPy and pydantic only; nothing here knows about the UI or storage. Attributes load on first use,
so importing a submodule (the sandbox, say) does not pay for the rest.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from engine.grader import grade, grade_file
    from engine.gradient_check import GradcheckError, GradcheckResult, gradcheck, numerical_gradient
    from engine.limits import Limits
    from engine.report import CaseResult, GradeReport, Isolation, Verdict
    from engine.tasks import TASK_IDS, UnknownTaskError, all_tasks, get_task

_WHERE = {
    "GradcheckError": "engine.gradient_check",
    "GradcheckResult": "engine.gradient_check",
    "gradcheck": "engine.gradient_check",
    "numerical_gradient": "engine.gradient_check",
    "grade": "engine.grader",
    "grade_file": "engine.grader",
    "Limits": "engine.limits",
    "CaseResult": "engine.report",
    "GradeReport": "engine.report",
    "Isolation": "engine.report",
    "Verdict": "engine.report",
    "TASK_IDS": "engine.tasks",
    "UnknownTaskError": "engine.tasks",
    "all_tasks": "engine.tasks",
    "get_task": "engine.tasks",
}

__all__ = [
    "TASK_IDS",
    "CaseResult",
    "GradcheckError",
    "GradcheckResult",
    "GradeReport",
    "Isolation",
    "Limits",
    "UnknownTaskError",
    "Verdict",
    "all_tasks",
    "get_task",
    "gradcheck",
    "grade",
    "grade_file",
    "numerical_gradient",
]


def __getattr__(name: str) -> Any:
    module = _WHERE.get(name)
    if module is None:
        raise AttributeError(f"module 'engine' has no attribute {name!r}")
    value = getattr(import_module(module), name)
    globals()[name] = value
    return value

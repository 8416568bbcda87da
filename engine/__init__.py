"""nnprep's grading engine: tasks, comparison, diagnostics, gradient checking and the sandbox.

Depends on NumPy and pydantic only; nothing here knows about the UI or storage.
"""

from engine.gradcheck import GradcheckError, GradcheckResult, gradcheck, numerical_gradient
from engine.grader import grade
from engine.limits import Limits
from engine.report import CaseResult, GradeReport, Isolation, Verdict
from engine.tasks import TASK_IDS, UnknownTaskError, all_tasks, get_task

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
    "grade",
    "gradcheck",
    "numerical_gradient",
]

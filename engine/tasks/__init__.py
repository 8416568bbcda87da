"""The task catalogue: every coding task's executable side, by id."""

from __future__ import annotations

import pkgutil
from importlib import import_module
from pathlib import Path

from engine.task import Task

# Each task is a module engine/tasks/<id>.py defining TASK (modules starting with "_" are helpers). The fifteen of
# shared/TASK_CONTRACTS.md come first in this order; the rest follow by id.
CORE_TASK_IDS: tuple[str, ...] = (
    "linear",
    "relu",
    "sigmoid",
    "tanh",
    "softmax",
    "log_softmax",
    "softmax_cross_entropy",
    "mse_loss",
    "dropout",
    "batchnorm",
    "layernorm",
    "conv2d",
    "maxpool2d",
    "embedding",
    "attention",
)
_MODULES = {m.name for m in pkgutil.iter_modules([str(Path(__file__).parent)]) if not m.name.startswith("_")}
TASK_IDS: tuple[str, ...] = CORE_TASK_IDS + tuple(sorted(_MODULES - set(CORE_TASK_IDS)))

_loaded: dict[str, Task] = {}


class UnknownTaskError(KeyError):
    """No task has this id."""


def get_task(task_id: str) -> Task:
    """The task with this id (imported on first use)."""
    if task_id not in TASK_IDS:
        raise UnknownTaskError(task_id)
    task = _loaded.get(task_id)
    if task is None:
        task = import_module(f"engine.tasks.{task_id}").TASK
        assert isinstance(task, Task) and task.id == task_id
        _loaded[task_id] = task
    return task


def all_tasks() -> list[Task]:
    """Every task, in catalogue order."""
    return [get_task(t) for t in TASK_IDS]

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
# Tasks of loaded packs (engine.packs), by their qualified id ``<pack>.<task>``; while a pack is in use, the
# catalogue (``all_tasks``) is that pack's tasks only.
_pack_tasks: dict[str, Task] = {}
_catalogue: tuple[str, ...] | None = None


class UnknownTaskError(KeyError):
    """No task has this id."""


def get_task(task_id: str) -> Task:
    """The task with this id (imported on first use): a built-in one, or a task of a pack in use."""
    task = _loaded.get(task_id) or _pack_tasks.get(task_id)
    if task is not None:
        return task
    if task_id not in TASK_IDS:
        raise UnknownTaskError(task_id)
    task = import_module(f"engine.tasks.{task_id}").TASK
    assert isinstance(task, Task) and task.id == task_id
    _loaded[task_id] = task
    return task


def is_known(task_id: str) -> bool:
    """Whether ``get_task`` knows this id (built-in, or of a pack in use)."""
    return task_id in TASK_IDS or task_id in _pack_tasks


def use_tasks(tasks: list[Task]) -> None:
    """Make ``tasks`` (a pack's, by qualified id) gradeable and the catalogue ``all_tasks`` lists, in this order,
    instead of the built-in tasks. Batch worker processes load the same pack (``engine.packs.pack_in_use``)."""
    global _catalogue
    for task in tasks:
        _pack_tasks[task.id] = task
    _catalogue = tuple(t.id for t in tasks)


def catalogue_ids() -> tuple[str, ...]:
    """The ids ``all_tasks`` lists: the pack in use's, else the built-in ones."""
    return TASK_IDS if _catalogue is None else _catalogue


def all_tasks() -> list[Task]:
    """Every task of the catalogue in use (the built-in tasks, or a pack's), in catalogue order."""
    return [get_task(t) for t in catalogue_ids()]

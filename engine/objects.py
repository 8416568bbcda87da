"""How one call of a case runs when it may use objects kept from earlier calls (see ``engine.task.Call``).

Shared by the three places that execute calls: the grading process replaying the reference
(``Task.replay``), the sandboxed child running the submission (``engine/sandbox/_child.py``), and the test-only
in-process runner. The child loads this file BY PATH (like ``known_functions.py``), so it imports the stdlib only.

A call is one of four kinds:

- ``function``: a top-level function (or class) of the code, called with keyword arguments;
- ``method``: ``target.name(**args)`` on a kept object;
- ``attribute``: ``target.name``, an attribute read (no arguments);
- ``operator``: one of ``OPERATORS`` applied to the arguments in order (``mul(v, w)`` is ``v * w``), so that
  Python's own operator dispatch (``__mul__``, then ``__rmul__``) runs where the objects live.

Nothing here touches an object beyond what the call names: no ``repr``, ``==``, ``hash`` or ``isinstance`` on it.
"""

from __future__ import annotations

import operator
from collections.abc import Callable, Mapping
from typing import Any

KINDS = ("function", "method", "attribute", "operator")

# name -> (function, symbol used to show the call, number of operands)
OPERATORS: dict[str, tuple[Callable[..., Any], str, int]] = {
    "add": (operator.add, "+", 2),
    "sub": (operator.sub, "-", 2),
    "mul": (operator.mul, "*", 2),
    "truediv": (operator.truediv, "/", 2),
    "pow": (operator.pow, "**", 2),
    "matmul": (operator.matmul, "@", 2),
    "neg": (operator.neg, "-", 1),
    "getitem": (operator.getitem, "[]", 2),
}

MAX_NAME = 64  # characters of a kept object's name or of a method/attribute name


def valid_name(name: object) -> bool:
    """A name the parent may give a kept object, or a method/attribute a call may use: a plain identifier."""
    return isinstance(name, str) and 0 < len(name) <= MAX_NAME and name.isascii() and name.isidentifier()


def perform(
    kind: str, name: str, target: object, args: Mapping[str, object], function: Callable[[str], Any]
) -> object:
    """Run one call: ``function(name)`` looks up a top-level function; ``target`` is the kept object a method or
    attribute call uses (None otherwise). Raises whatever the code raises."""
    if kind == "function":
        return function(name)(**args)
    if kind == "method":
        return getattr(target, name)(**args)
    if kind == "attribute":
        return getattr(target, name)
    if kind == "operator":
        return OPERATORS[name][0](*args.values())
    raise ValueError(f"unknown call kind {kind!r}")

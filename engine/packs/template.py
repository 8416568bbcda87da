"""``nnprep pack new DIR``: the files of a working one-task pack (task ``swish``) to start from."""

from __future__ import annotations

import re
from pathlib import Path

from engine.packs.loader import MANIFEST, PackError

PACK_TOML = '''\
# A task pack for nnprep (docs/packs.md). Check it with: nnprep pack check {dir}
id = "{pack_id}"
title = "My course's tasks"
version = "0.1.0"
description = "One task to start from: copy its files to add more."

[[tasks]]
id = "swish"
module = "swish.py"                  # instructor code: TASK, the task's definition
text = "swish.toml"                  # statement, starter, hints (nnprep schema task)
solution = "solutions/swish.py"      # a correct submission: must pass

[[tasks.wrong]]                      # known wrong submissions: each must be rejected with this diagnosis
file = "wrong/swish_no_product_rule.py"
diagnosis = "product rule"
'''

TASK_MODULE = '''\
"""Task swish: y = x * sigmoid(x) and its backward. Instructor code: runs in the grading process."""

from __future__ import annotations

import numpy as np

from engine import diagnose
from engine.task import Call, Case, DiagnosisContext, FunctionSpec, GradientLink, Param, Task


def _sigmoid(x: np.ndarray) -> np.ndarray:
    return 0.5 * (1.0 + np.tanh(0.5 * x))  # stable for any x


def swish_forward(x: np.ndarray) -> np.ndarray:
    """x (any shape) -> y = x * sigmoid(x), same shape."""
    return x * _sigmoid(x)


def swish_backward(dy: np.ndarray, x: np.ndarray) -> np.ndarray:
    """dy, x (same shape) -> dx = dy * (s + x * s * (1 - s)) with s = sigmoid(x)."""
    s = _sigmoid(x)
    return dy * (s + x * s * (1.0 - s))


def _no_product_rule(ctx: DiagnosisContext) -> str | None:
    got, dy, x = ctx.got.get("dx"), ctx.call.args["dy"], ctx.call.args["x"]
    s = _sigmoid(x)
    if got is not None and (diagnose.close(got, dy * s * (1 - s)) or diagnose.close(got, dy * s)):
        return "dx misses a term of the product rule: d(x * s)/dx = s + x * s * (1 - s)"
    return None


def _cases(rng: np.random.Generator) -> list[Case]:
    """Sound for ANY generator: hidden cases come from a fresh secret seed at every grade."""
    cases = [Case("forward_example", (Call("swish_forward", {"x": rng.standard_normal((2, 3))}),), True,
                  description="forward: 2 rows of 3")]
    for name, shape in (("batch1", (1, 5)), ("large", (3, 4))):
        x = rng.standard_normal(shape) * (8.0 if name == "large" else 1.0)
        cases.append(Case(f"forward_{name}", (Call("swish_forward", {"x": x}),), description=f"forward {shape}"))
    for name, shape, visible in (("example", (2, 3), True), ("batch1", (1, 7), False), ("3d", (2, 3, 4), False)):
        x = rng.standard_normal(shape)
        call = Call("swish_backward", {"dy": rng.standard_normal(shape), "x": x})
        cases.append(Case(f"backward_{name}", (call,), visible, description=f"backward {shape}"))
    return cases


TASK = Task(
    id="swish",
    title="Swish forward and backward",
    functions=(
        FunctionSpec("swish_forward", (Param("x"),), ("y",)),
        FunctionSpec("swish_backward", (Param("dy"), Param("x")), ("dx",)),
    ),
    reference={"swish_forward": swish_forward, "swish_backward": swish_backward},
    make_cases=_cases,
    detectors={"swish_backward": (_no_product_rule, diagnose.upstream_ignored("dx"))},
    links=(GradientLink("swish_forward", "swish_backward", {"x": None}),),
)
'''

TEXT = """\
id = "swish"
title = "Swish forward and backward"
topic = "activations"
difficulty = "easy"
minutes = 10
statement = '''
Implement Swish, `y = x * sigmoid(x)` elementwise, and its backward pass.

- `swish_forward(x) -> y`: `x` is a float array of any shape; `y` has the same shape.
- `swish_backward(dy, x) -> dx`: `dy` is dL/dy; return dL/dx with the shape of `x`.
'''
starter = '''
import numpy as np


def swish_forward(x):
    \"\"\"x: any shape. Returns y = x * sigmoid(x), same shape.\"\"\"
    raise NotImplementedError


def swish_backward(dy, x):
    \"\"\"dy: upstream gradient, shape of x. Returns dx, shape of x.\"\"\"
    raise NotImplementedError
'''
hints = [
    "Write s = sigmoid(x) once and reuse it in the backward pass.",
    "By the product rule, d(x * s)/dx = s + x * ds/dx, and ds/dx = s * (1 - s).",
]
solution_notes = "The product rule on x * s(x) gives s + x s (1 - s); multiply by dy elementwise."
"""

SOLUTION = '''\
import numpy as np


def swish_forward(x):
    return x / (1.0 + np.exp(-x))


def swish_backward(dy, x):
    s = 1.0 / (1.0 + np.exp(-x))
    return dy * (s + x * s * (1.0 - s))
'''

WRONG = '''\
import numpy as np


def swish_forward(x):
    return x / (1.0 + np.exp(-x))


def swish_backward(dy, x):
    s = 1.0 / (1.0 + np.exp(-x))
    return dy * s * (1.0 - s)  # forgets the first term of the product rule
'''


def pack_id_for(folder: Path) -> str:
    """A valid pack id made from a folder's name (``My Course`` -> ``my_course``)."""
    text = re.sub(r"[^a-z0-9_]+", "_", folder.name.lower()).strip("_")
    if not text or not text[0].isalpha():
        text = "pack_" + text
    return text[:40] if len(text) >= 2 else "my_pack"


def write_new_pack(folder: Path, pack_id: str | None = None) -> list[Path]:
    """Write the one-task pack into ``folder`` (which must not exist or be empty); the files written."""
    if folder.exists() and (not folder.is_dir() or any(folder.iterdir())):
        raise PackError(f"{folder}: exists and is not an empty folder")
    pid = pack_id or pack_id_for(folder)
    if not re.fullmatch(r"[a-z][a-z0-9_]{1,39}", pid):
        raise PackError(f"--id: {pid!r} is not a pack id (lower-case letters, digits, _; starting with a letter)")
    files = {
        MANIFEST: PACK_TOML.format(pack_id=pid, dir=folder),
        "swish.py": TASK_MODULE,
        "swish.toml": TEXT,
        "solutions/swish.py": SOLUTION,
        "wrong/swish_no_product_rule.py": WRONG,
    }
    written = []
    for rel, text in files.items():
        path = folder / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        written.append(path)
    return written

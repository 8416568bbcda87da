"""The grading policy file (TOML): which tasks and weights, limits, what hidden cases reveal, their seed, the pass
mark."""

from __future__ import annotations

from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from engine import Limits
from engine.tasks import is_known

EXAMPLE = """\
# nnprep grading policy. Use it with: nnprep grade SUBMISSIONS/ --policy policy.toml
# (top-level settings come first: in TOML, keys after a [table] header belong to that table)

# Without a pass mark, a candidate passes when every task's verdict is "passed". With one (0-100), a candidate
# passes with a weighted total at or above it, partial credit included. The CSV's passed_by column says which rule.
# pass_mark = 60.0

# Whether reports show hidden cases' inputs and expected values, and what the code printed or raised during them.
# Off, a hidden case shows its verdict, which output failed and how (shape, dtype) and the diagnoses, never a value
# nor the code's own words (its output is one line with its size): its inputs come from a fresh secret seed at every
# grade, which the instructor's JSON output and the batch journal keep ("seed").
reveal_hidden = false

# Re-grade with the hidden cases of this seed (from a report's "seed") instead of a fresh secret one.
# seed = 1234

# Tasks to grade and their weights in the total (weights are relative; the total is out of 100).
# Without a [[tasks]] list, each candidate is graded on the tasks all of whose functions their file defines.
[[tasks]]
id = "linear"
weight = 2.0

[[tasks]]
id = "softmax_cross_entropy"
weight = 1.0

# Limits for each candidate's code.
[limits]
time_limit = 2.0          # wall seconds per call and for importing the file
total_time_limit = 20.0   # wall seconds per candidate and task (a file's tasks together: at most 3 x this)
memory_mb = 1024          # address-space limit of the sandboxed child
max_output_kb = 64        # captured stdout/stderr kept per run
tmp_mb = 64               # size of the child's private /tmp (a tmpfs where the OS allows one)
tmp_inodes = 2048         # files and folders it may hold
"""


class PolicyTask(BaseModel):
    model_config = ConfigDict(extra="forbid", defer_build=True)  # built on first use, not at import

    id: str
    weight: float = Field(1.0, gt=0)

    @field_validator("id")
    @classmethod
    def _known(cls, v: str) -> str:
        if not is_known(v):
            raise ValueError(f"unknown task {v!r}")
        return v


class PolicyLimits(BaseModel):
    model_config = ConfigDict(extra="forbid", defer_build=True)  # built on first use, not at import

    time_limit: float | None = Field(None, gt=0, allow_inf_nan=False)
    total_time_limit: float | None = Field(None, gt=0, allow_inf_nan=False)
    memory_mb: int | None = Field(None, ge=64)
    max_output_kb: int | None = Field(None, ge=1)
    tmp_mb: int | None = Field(None, ge=1)
    tmp_inodes: int | None = Field(None, ge=16)


class Policy(BaseModel):
    """A grading policy. The defaults grade what each file defines, with the engine's default limits."""

    model_config = ConfigDict(extra="forbid", defer_build=True)  # built on first use, not at import

    tasks: list[PolicyTask] = Field(default_factory=list)
    limits: PolicyLimits = Field(default_factory=PolicyLimits)
    reveal_hidden: bool = False
    seed: int | None = Field(None, ge=0, lt=2**63)
    pass_mark: float | None = Field(None, ge=0, le=100)
    """None: a candidate passes when every verdict is passed; a number: when the weighted total reaches it."""

    def engine_limits(self) -> Limits:
        values = {k: v for k, v in self.limits.model_dump().items() if v is not None}
        return Limits(**values)

    def weight(self, task_id: str) -> float:
        return next((t.weight for t in self.tasks if t.id == task_id), 1.0)

    def pass_rule(self) -> str:
        """The rule that decides ``passed``, in the words the outputs show."""
        return "verdict" if self.pass_mark is None else f"pass mark {self.pass_mark:g}"

    def passes(self, all_verdicts_passed: bool, total: float) -> bool:
        """Whether a graded candidate passes under this policy's rule."""
        return all_verdicts_passed if self.pass_mark is None else total >= self.pass_mark


class PolicyError(ValueError):
    """A policy file that cannot be used; the message names the file and the field."""


def load_policy(path: Path) -> Policy:
    import tomllib

    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except OSError as e:
        raise PolicyError(f"{path}: cannot read: {e.strerror or e}") from None
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as e:
        raise PolicyError(f"{path}: not valid TOML: {e}") from None
    try:
        return Policy.model_validate(data)
    except ValidationError as e:
        first = e.errors()[0]
        where = ".".join(str(p) for p in first["loc"]) or "(top level)"
        raise PolicyError(f"{path}: {where}: {first['msg']}") from None

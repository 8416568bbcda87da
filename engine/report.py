"""Grade reports: the structures that leave the engine (CLI JSON, batch formats, the TUI, the store).

They are stdlib dataclasses, so that grading one file from the command line need not import pydantic (about a third
of a cold start); pydantic validates them wherever they come back as data (``report_from_json``, and as fields of the
quiz's pydantic models) and gives their JSON Schema (``report_schema``). ``report_data`` is their JSON form, the same
as pydantic's JSON dump (a test holds the two equal).
"""

from __future__ import annotations

import functools
import math
from dataclasses import asdict, dataclass, field, fields
from enum import Enum, StrEnum
from typing import TYPE_CHECKING, Any, ClassVar

if TYPE_CHECKING:
    from pydantic import TypeAdapter


class Verdict(StrEnum):
    """Outcome of one case or of a whole submission."""

    PASSED = "passed"
    WRONG_ANSWER = "wrong_answer"
    RUNTIME_ERROR = "runtime_error"
    TIME_LIMIT_EXCEEDED = "time_limit_exceeded"
    MEMORY_LIMIT_EXCEEDED = "memory_limit_exceeded"
    OUTPUT_LIMIT_EXCEEDED = "output_limit_exceeded"
    SYNTAX_ERROR = "syntax_error"
    MISSING_FUNCTION = "missing_function"
    INVALID_OUTPUT = "invalid_output"
    INTERNAL_ERROR = "internal_error"


# When cases disagree, the submission's verdict is the most severe failing one, in this order.
VERDICT_SEVERITY: tuple[Verdict, ...] = (
    Verdict.INTERNAL_ERROR,
    Verdict.SYNTAX_ERROR,
    Verdict.MISSING_FUNCTION,
    Verdict.TIME_LIMIT_EXCEEDED,
    Verdict.MEMORY_LIMIT_EXCEEDED,
    Verdict.OUTPUT_LIMIT_EXCEEDED,
    Verdict.RUNTIME_ERROR,
    Verdict.INVALID_OUTPUT,
    Verdict.WRONG_ANSWER,
    Verdict.PASSED,
)


@dataclass
class WorstElement:
    """One element where got and expected differ most."""

    index: tuple[int, ...]
    expected: float
    got: float


@dataclass
class OutputCheck:
    """Comparison of one named output (e.g. ``dW``) of one call."""

    __pydantic_config__: ClassVar[dict[str, Any]] = {"use_attribute_docstrings": True}

    name: str
    ok: bool
    message: str = ""
    rel_error: float | None = None
    """max|got - expected| / max(1, max|expected|); infinite where got is not finite (JSON: null); None for a wrong
    shape or dtype, and for a failing output of a hidden case whose values are not revealed. A passing output of such
    a hidden case gives only the power of ten just above it (at most the tolerance)."""
    expected_shape: tuple[int, ...] | None = None
    got_shape: tuple[int, ...] | None = None
    """The shape returned; None when nothing came back, and for a hidden case (values not revealed) whose wrong
    shape has sizes other than 1 and the expected ones, or more than one extra axis."""
    worst: list[WorstElement] = field(default_factory=list)
    expected_preview: list[list[float | None]] | None = None
    """A small grid (at most 16x16) of expected values for a heatmap of where they differ; None where a value is not
    finite."""
    got_preview: list[list[float | None]] | None = None
    """The same grid of the submission's values."""


@dataclass
class CaseResult:
    """Verdict of one test case: one or more calls into the submission."""

    __pydantic_config__: ClassVar[dict[str, Any]] = {"use_attribute_docstrings": True}

    name: str
    visible: bool
    verdict: Verdict
    score: float
    max_score: float
    message: str = ""
    diagnoses: list[str] = field(default_factory=list)
    rel_error: float | None = None
    """The largest relative error of the case's outputs; None where a failing output has none (a wrong shape or
    dtype, no value) or nothing was compared."""
    outputs: list[OutputCheck] = field(default_factory=list)
    seconds: float = 0.0
    description: str = ""
    inputs: dict[str, str] | None = None
    """A readable summary of the inputs (shapes, scalars); hidden cases omit it."""


@dataclass
class Isolation:
    """Which sandbox protections were active for the run, and why any other is missing."""

    separate_process: bool = True
    rlimits: list[str] = field(default_factory=list)
    scrubbed_env: bool = False
    private_tmpdir: bool = False
    unprivileged_user: bool = False
    network_namespace: bool = False
    pid_namespace: bool = False
    landlock_abi: int | None = None
    notes: list[str] = field(default_factory=list)
    user_namespace: bool = False
    """The sandbox made its namespaces inside a user namespace of its own (running as an ordinary user)."""
    ipc_namespace: bool = False
    capped_tmpdir: bool = False
    """The private temp dir is a tmpfs with a size and file-count cap, mounted on /tmp for the child alone."""
    seccomp: bool = False
    """A seccomp filter denies sockets, SysV IPC, keyrings and io_uring."""
    home_hidden: bool = False
    """The grading user's home is covered by an empty read-only mount in the child's mount namespace."""
    own_proc: bool = False
    """The child has a /proc of its own PID namespace (it sees no other process)."""
    missing: list[str] = field(default_factory=list)
    """Each protection that is not active, as "name: reason"."""

    def summary(self) -> str:
        """One line naming the active protections."""
        parts = ["separate process"] if self.separate_process else ["in-process (no sandbox)"]
        if self.rlimits:
            parts.append("rlimits(" + ",".join(self.rlimits) + ")")
        for flag, label in (
            (self.scrubbed_env, "scrubbed env"),
            (self.private_tmpdir and not self.capped_tmpdir, "private tmpdir"),
            (self.capped_tmpdir, "private capped /tmp"),
            (self.unprivileged_user, "unprivileged uid"),
            (self.user_namespace, "user namespace"),
            (self.network_namespace, "no network (netns)"),
            (self.pid_namespace, "pid namespace"),
            (self.ipc_namespace, "ipc namespace"),
            (self.home_hidden, "home hidden"),
            (self.own_proc, "own /proc"),
        ):
            if flag:
                parts.append(label)
        if self.landlock_abi:
            parts.append(f"landlock ABI {self.landlock_abi}")
        if self.seccomp:
            parts.append("seccomp (no sockets, SysV IPC, keyrings)")
        return ", ".join(parts)

    def missing_summary(self) -> str:
        """One line naming each protection that is not active, with its reason ("none" when nothing is missing)."""
        return "; ".join(self.missing) if self.missing else "none"

    def and_(self, other: Isolation) -> Isolation:
        """The isolation of a grade made of this run and ``other``: only what both had counts as active, and every
        protection either lacked is named (a grade is as isolated as its least isolated run)."""
        both: dict[str, Any] = {}
        for f in fields(self):
            mine, theirs = getattr(self, f.name), getattr(other, f.name)
            if isinstance(mine, bool):
                both[f.name] = mine and theirs
            elif f.name == "landlock_abi":
                both[f.name] = min(mine, theirs) if mine and theirs else None
            elif f.name == "rlimits":
                both[f.name] = [r for r in mine if r in theirs]
            else:  # notes, missing
                both[f.name] = [*mine, *(x for x in theirs if x not in mine)]
        return Isolation(**both)

    def lines(self) -> tuple[str, str]:
        """The two lines every human-readable output shows: what is active, and what is not and why."""
        return f"sandbox: {self.summary()}", f"not active: {self.missing_summary()}"


@dataclass
class GradeReport:
    """The result of grading one submission against one task."""

    __pydantic_config__: ClassVar[dict[str, Any]] = {"use_attribute_docstrings": True}

    task: str
    """The task's id."""
    verdict: Verdict
    """The most severe failing case's verdict, or passed."""
    score: float
    """Points earned, with partial credit per case."""
    max_score: float
    message: str = ""
    """One line for a person."""
    cases: list[CaseResult] = field(default_factory=list)
    diagnoses: list[str] = field(default_factory=list)
    """What went wrong, named (e.g. a transposed weight gradient)."""
    stdout: str = ""
    """The submission's captured output during the visible examples, truncated. What it printed during the hidden
    cases (a child of their own) shows only as one line with its size, unless the policy reveals hidden cases."""
    seconds: float = 0.0
    isolation: Isolation = field(default_factory=Isolation)
    """Which sandbox protections were active."""
    seed: int | None = None
    """The secret seed the hidden cases were drawn from (None: only the visible examples ran). For the grader's eyes:
    grading again with it gives the same cases; outputs meant for candidates (Gradescope, JUnit, CSV, Markdown)
    leave it out."""

    @property
    def passed(self) -> bool:
        return self.verdict is Verdict.PASSED


def report_data(report: GradeReport) -> dict[str, Any]:
    """The report as JSON-ready data (what ``nnprep grade --format json`` prints): enums as their values, tuples as
    lists, NaN and infinities as None — as pydantic's JSON dump writes them, so every output is strict JSON."""
    data: dict[str, Any] = _json_ready(asdict(report))
    return data


def _json_ready(value: Any) -> Any:
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, dict):
        return {k: _json_ready(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_json_ready(v) for v in value]
    return value


@functools.cache
def _adapter() -> TypeAdapter[GradeReport]:
    from pydantic import TypeAdapter

    return TypeAdapter(GradeReport)


def report_from_json(text: str | bytes) -> GradeReport:
    """A report read back from JSON, validated (raises pydantic's ValidationError, a ValueError)."""
    return _adapter().validate_json(text)


def report_schema() -> dict[str, Any]:
    """The JSON Schema of a report as ``report_data`` writes it."""
    return _adapter().json_schema(mode="serialization")

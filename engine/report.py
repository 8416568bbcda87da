"""Grade reports: the pydantic models that leave the engine (CLI JSON, batch formats, the TUI, the store)."""

from __future__ import annotations

from enum import StrEnum

from pydantic import BaseModel, Field


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


class WorstElement(BaseModel):
    """One element where got and expected differ most."""

    index: tuple[int, ...]
    expected: float
    got: float


class OutputCheck(BaseModel):
    """Comparison of one named output (e.g. ``dW``) of one call."""

    name: str
    ok: bool
    message: str = ""
    rel_error: float | None = None
    expected_shape: tuple[int, ...] | None = None
    got_shape: tuple[int, ...] | None = None
    worst: list[WorstElement] = Field(default_factory=list)
    # Small grids (at most 16x16) of expected and got values for a heatmap of where they differ.
    expected_preview: list[list[float]] | None = None
    got_preview: list[list[float]] | None = None


class CaseResult(BaseModel):
    """Verdict of one test case: one or more calls into the submission."""

    name: str
    visible: bool
    verdict: Verdict
    score: float
    max_score: float
    message: str = ""
    diagnoses: list[str] = Field(default_factory=list)
    rel_error: float | None = None
    outputs: list[OutputCheck] = Field(default_factory=list)
    seconds: float = 0.0
    description: str = ""
    inputs: dict[str, str] | None = Field(
        default=None, description="A readable summary of the inputs (shapes, scalars); hidden cases omit it."
    )


class Isolation(BaseModel):
    """Which sandbox protections were active for the run."""

    separate_process: bool = True
    rlimits: list[str] = Field(default_factory=list)
    scrubbed_env: bool = False
    private_tmpdir: bool = False
    unprivileged_user: bool = False
    network_namespace: bool = False
    pid_namespace: bool = False
    landlock_abi: int | None = None
    notes: list[str] = Field(default_factory=list)

    def summary(self) -> str:
        """One line naming the active protections."""
        parts = ["separate process"]
        if self.rlimits:
            parts.append("rlimits(" + ",".join(self.rlimits) + ")")
        for flag, label in (
            (self.scrubbed_env, "scrubbed env"),
            (self.private_tmpdir, "private tmpdir"),
            (self.unprivileged_user, "unprivileged uid"),
            (self.network_namespace, "no network (netns)"),
            (self.pid_namespace, "pid namespace"),
        ):
            if flag:
                parts.append(label)
        if self.landlock_abi:
            parts.append(f"landlock ABI {self.landlock_abi}")
        return ", ".join(parts)


class GradeReport(BaseModel):
    """The result of grading one submission against one task."""

    task: str
    verdict: Verdict
    score: float
    max_score: float
    message: str = ""
    cases: list[CaseResult] = Field(default_factory=list)
    diagnoses: list[str] = Field(default_factory=list)
    stdout: str = ""
    seconds: float = 0.0
    isolation: Isolation = Field(default_factory=Isolation)

    @property
    def passed(self) -> bool:
        return self.verdict is Verdict.PASSED

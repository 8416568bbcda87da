"""``pack.toml``: a task pack's metadata, validated by :class:`PackManifest` (``nnprep schema pack``).

Paths in the manifest are relative to the pack's folder and may not leave it.
"""

from __future__ import annotations

from pathlib import PurePosixPath
from typing import Annotated

from pydantic import AfterValidator, BaseModel, ConfigDict, Field

PackId = Annotated[str, Field(pattern=r"^[a-z][a-z0-9_]{1,39}$", description="Lower-case letters, digits, _.")]
LocalTaskId = Annotated[str, Field(pattern=r"^[a-z0-9_]{2,40}$", description="The task's id inside the pack.")]


def _inside(suffix: str) -> AfterValidator:
    def check(value: str) -> str:
        path = PurePosixPath(value)
        if path.is_absolute() or ".." in path.parts or "\\" in value or not value:
            raise ValueError(f"must be a path inside the pack's folder, not {value!r}")
        if path.suffix != suffix:
            raise ValueError(f"must name a {suffix} file, not {value!r}")
        return value

    return AfterValidator(check)


PyPath = Annotated[str, _inside(".py")]
TomlPath = Annotated[str, _inside(".toml")]


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", defer_build=True)


class WrongSubmission(_Model):
    """A known wrong submission shipped with the pack: `nnprep pack check` grades it and demands that it is
    rejected with a diagnosis containing ``diagnosis``."""

    file: PyPath = Field(description="The submission file, relative to the pack's folder.")
    diagnosis: str = Field(
        min_length=3, description="Text the grade's diagnoses must contain (case-insensitive): the mistake named."
    )


class PackTaskEntry(_Model):
    """One task of the pack: its code, its text, a correct solution and known wrong submissions."""

    id: LocalTaskId
    module: PyPath = Field(description="Python module (instructor code) defining TASK, an engine.task.Task.")
    text: TomlPath = Field(description="Statement, starter, hints and notes: the schema of `nnprep schema task`.")
    solution: PyPath = Field(description="A correct submission, as a student would write it: must pass.")
    wrong: list[WrongSubmission] = Field(default_factory=list)


class PackManifest(_Model):
    """The pack's ``pack.toml``."""

    id: PackId = Field(description="Names the pack; its tasks are graded as `<id>.<task id>`.")
    title: str = Field(min_length=1, max_length=120)
    version: str = Field(default="0.1.0", min_length=1, max_length=40)
    description: str = ""
    tasks: list[PackTaskEntry] = Field(min_length=1)

"""Resource limits for running a submission."""

from __future__ import annotations

from pydantic import BaseModel, Field


class Limits(BaseModel):
    """Limits applied to the sandboxed child that runs candidate code.

    Defaults fit NumPy with one BLAS thread and the small cases of the tasks.
    """

    time_limit: float = Field(2.0, gt=0, description="Wall seconds for one call (and for importing the file).")
    total_time_limit: float = Field(20.0, gt=0, description="Wall seconds for the whole submission.")
    memory_mb: int = Field(1024, ge=64, description="Address-space limit of the child in MiB.")
    max_processes: int = Field(64, ge=1, description="Processes and threads the child may have.")
    max_file_mb: int = Field(16, ge=1, description="Largest file the child may write, MiB.")
    max_open_files: int = Field(64, ge=16, description="Open file descriptors of the child.")
    max_output_kb: int = Field(64, ge=1, description="Captured stdout+stderr kept, KiB; more is an error.")

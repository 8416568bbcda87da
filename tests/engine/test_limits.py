"""The sandbox's limits check themselves: a limit that would disable or break a protection is refused."""

from __future__ import annotations

import dataclasses

import pytest

from engine import Limits


def test_defaults_fit_numpy_and_are_valid() -> None:
    limits = Limits()
    assert (limits.time_limit, limits.total_time_limit, limits.memory_mb) == (2.0, 20.0, 1024)
    assert dataclasses.asdict(limits)["max_output_kb"] == 64


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("time_limit", 0, "limit time_limit must be > 0, not 0"),
        ("total_time_limit", -1.0, "limit total_time_limit must be > 0, not -1.0"),
        ("memory_mb", 63, "limit memory_mb must be >= 64, not 63"),
        ("max_processes", 0, "limit max_processes must be >= 1, not 0"),
        ("max_file_mb", 0, "limit max_file_mb must be >= 1, not 0"),
        ("max_open_files", 15, "limit max_open_files must be >= 16, not 15"),
        ("max_output_kb", 0, "limit max_output_kb must be >= 1, not 0"),
        ("time_limit", float("nan"), "limit time_limit must be a finite number, not nan"),
        ("time_limit", float("inf"), "limit time_limit must be a finite number, not inf"),
        ("time_limit", "2", "limit time_limit must be a finite number, not '2'"),
        ("memory_mb", 512.5, "limit memory_mb must be a whole number, not 512.5"),
        ("max_processes", True, "limit max_processes must be a whole number, not True"),
    ],
)
def test_a_limit_out_of_range_or_of_the_wrong_type_is_refused(field: str, value: object, message: str) -> None:
    with pytest.raises(ValueError) as e:
        Limits(**{field: value})  # type: ignore[arg-type]
    assert str(e.value) == message


def test_the_smallest_allowed_values_are_accepted() -> None:
    limits = Limits(time_limit=0.01, total_time_limit=0.01, memory_mb=64, max_processes=1, max_file_mb=1,
                    max_open_files=16, max_output_kb=1)
    assert limits.memory_mb == 64 and limits.time_limit == 0.01
    assert Limits(time_limit=3).time_limit == 3  # an int where seconds are expected is fine

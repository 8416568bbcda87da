"""What a dask worker runs: grade one candidate in the worker's own sandbox, return the result as JSON text."""

from __future__ import annotations

from pathlib import Path


def grade_remote(
    candidate_id: str, path: str, source: str | None, error: str | None, task_ids: list[str], policy_json: str
) -> str:
    """Grade one candidate on this worker (plain arguments and a JSON result, nothing pickled of ours)."""
    from quiz.batch.candidates import Candidate
    from quiz.batch.policy import Policy
    from quiz.batch.pool import grade_candidate

    candidate = Candidate(candidate_id, Path(path), source, error)
    result = grade_candidate(candidate, Policy.model_validate_json(policy_json), task_ids, runner=None)
    return result.model_dump_json()

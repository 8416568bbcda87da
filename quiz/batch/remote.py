"""Batch grading on a dask.distributed cluster: what a worker runs, and the client side with bounded waits.

Every way the cluster can fail ends in one line (a RuntimeError, exit 2 from the CLI) within a bounded time: a
scheduler that cannot be reached, a cluster without workers, a worker without nnprep (or another version of it:
grades must not depend on the worker), workers that all leave mid-batch, a task that fails on a worker. Candidates
finished before that are already saved; a re-run continues.
"""

from __future__ import annotations

import gc
import time
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any

from quiz.batch.candidates import Candidate
from quiz.batch.policy import Policy
from quiz.batch.results import CandidateResult

CONNECT_TIMEOUT_S = 15.0  # to reach the scheduler
WORKER_WAIT_S = 15.0  # for a first worker to be there
NO_WORKERS_GRACE_S = 30.0  # how long a batch waits with unfinished candidates and no worker at all
POLL_S = 1.0


def grade_remote(
    candidate_id: str, path: str, source: str | None, error: str | None, task_ids: list[str], policy_json: str
) -> str:
    """Grade one candidate on this worker (plain arguments and a JSON result, nothing pickled of ours)."""
    from quiz.batch.pool import grade_candidate

    candidate = Candidate(candidate_id, Path(path), source, error)
    result = grade_candidate(candidate, Policy.model_validate_json(policy_json), task_ids, runner=None)
    return result.model_dump_json()


def _first_line(e: BaseException) -> str:
    text = str(e).strip().splitlines()
    return f"{type(e).__name__}: {text[0]}" if text else type(e).__name__


def _installed_version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("nnprep")
    except PackageNotFoundError:
        return "unknown"


def _make_probe() -> Callable[[], str]:
    """A check to run on each worker. It is defined inside a function so that dask sends it by value: a worker
    without nnprep can still run it and say so (it could not even load a function of ours sent by reference, and
    a worker that fails to load a task leaves the cluster, so the task would wait forever)."""

    def probe() -> str:
        import importlib
        import importlib.metadata

        try:
            importlib.import_module("quiz.batch.remote")
            return importlib.metadata.version("nnprep")
        except Exception as e:
            return f"!{type(e).__name__}: {e}"

    return probe


def _connect(client_cls: Any, address: str) -> Any:
    try:
        return client_cls(address, timeout=CONNECT_TIMEOUT_S)
    except Exception as e:  # OSError / TimeoutError when unreachable, ValueError or TypeError when malformed
        why = _first_line(e)
    # A client whose start failed (a malformed address leaves it "connecting", its event loop running) lives on in
    # a reference cycle with the traceback. Collected later by chance, inside the start of another Client, its
    # __del__ stops its loop under the lock dask holds during that start, and that start fails after 10 s with
    # a bare AssertionError (seen on Python 3.13). Collect it now, on this thread, where no such lock is held.
    gc.collect()
    raise RuntimeError(f"cannot reach the dask scheduler at {address} within {CONNECT_TIMEOUT_S:g} s ({why})")


def check_workers(client: Any, address: str) -> None:
    """Raise a one-line RuntimeError unless the cluster has a worker and every worker runs this nnprep."""
    try:
        client.wait_for_workers(1, timeout=WORKER_WAIT_S)
    except TimeoutError:
        raise RuntimeError(f"the dask scheduler at {address} has no workers (none joined within "
                           f"{WORKER_WAIT_S:g} s)") from None
    ours = _installed_version()
    answers: dict[str, Any] = client.run(_make_probe(), on_error="return")
    for worker, answer in sorted(answers.items()):
        if isinstance(answer, BaseException) or str(answer).startswith("!"):
            why = _first_line(answer) if isinstance(answer, BaseException) else str(answer)[1:].splitlines()[0]
            raise RuntimeError(f"dask worker {worker} cannot run nnprep ({why}); install nnprep[dask] {ours} "
                               "on every worker")
        if answer != ours:
            raise RuntimeError(f"dask worker {worker} has nnprep {answer} and this machine {ours}; install the "
                               "same version everywhere")


def dask_results(
    address: str, candidates: Sequence[Candidate], policy: Policy, task_ids: Sequence[str]
) -> Iterator[CandidateResult]:
    """Grade on a dask.distributed cluster (needs the `nnprep[dask]` extra on the client and workers); results in
    the order they finish."""
    try:
        from distributed import Client
    except ImportError as e:
        raise RuntimeError("--dask needs the optional extra: pip install 'nnprep[dask]'") from e
    with _connect(Client, address) as client:
        check_workers(client, address)
        policy_json = policy.model_dump_json()
        futures = {
            client.submit(grade_remote, c.id, c.shown, c.source, c.error, list(task_ids), policy_json,
                          pure=False): c
            for c in candidates
        }
        yield from _as_finished(client, futures, address)


def _as_finished(client: Any, futures: dict[Any, Candidate], address: str) -> Iterator[CandidateResult]:
    """Each future's result as it finishes; gives up with one line when the cluster has had no worker for
    NO_WORKERS_GRACE_S, or when a task failed on a worker."""
    from distributed import wait

    pending = set(futures)
    no_workers_since: float | None = None
    while pending:
        try:
            done, pending = wait(pending, timeout=POLL_S, return_when="FIRST_COMPLETED")  # type: ignore[no-untyped-call]
        except TimeoutError:
            done = set()
        for fut in done:
            candidate = futures[fut]
            try:
                text = fut.result()
            except Exception as e:
                raise RuntimeError(f"grading {candidate.id} failed on a dask worker ({_first_line(e)})") from None
            yield CandidateResult.model_validate_json(text)
        if done:
            continue
        if client.scheduler_info()["workers"]:
            no_workers_since = None
            continue
        now = time.monotonic()
        no_workers_since = no_workers_since if no_workers_since is not None else now
        if now - no_workers_since >= NO_WORKERS_GRACE_S:
            raise RuntimeError(f"the dask cluster at {address} has had no workers for {NO_WORKERS_GRACE_S:g} s "
                               f"with {len(pending)} candidate(s) left (see the workers' logs)")

"""Grading many candidates: a pool of warm sandboxes on this machine, or a dask.distributed cluster."""

from __future__ import annotations

import queue
import time
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait

from engine import GradeReport, grade
from engine.runner import Runner
from quiz.batch.candidates import Candidate, tasks_defined
from quiz.batch.policy import Policy
from quiz.batch.results import CandidateResult, weighted_total


def grade_candidate(
    candidate: Candidate, policy: Policy, task_ids: Sequence[str], runner: Runner | None
) -> CandidateResult:
    """Grade one candidate on ``task_ids`` (or, if empty, on the tasks its file defines)."""
    start = time.perf_counter()
    result = CandidateResult(candidate=candidate.id, path=str(candidate.path))
    if candidate.error or candidate.source is None:
        result.error = candidate.error or "no source"
        return result
    chosen = list(task_ids) or tasks_defined(candidate.source)
    if not chosen:
        result.error = "the file defines none of the tasks' functions"
        result.seconds = time.perf_counter() - start
        return result
    limits = policy.engine_limits()
    reports: list[GradeReport] = [
        grade(candidate.source, t, limits, runner=runner, reveal_hidden=policy.reveal_hidden) for t in chosen
    ]
    result.reports = reports
    result.weights = {t: policy.weight(t) for t in chosen}
    result.total = weighted_total(reports, result.weights)
    result.passed = result.total >= policy.pass_mark
    result.seconds = time.perf_counter() - start
    return result


class LocalPool:
    """``workers`` warm sandboxes (one zygote each) shared by a thread pool; one candidate per sandbox at a time."""

    def __init__(self, workers: int) -> None:
        from engine.sandbox import Sandbox

        self.workers = max(1, workers)
        self._sandboxes: queue.Queue[Sandbox] = queue.Queue()
        self._all = [Sandbox() for _ in range(self.workers)]
        for s in self._all:
            self._sandboxes.put(s)
        self._executor = ThreadPoolExecutor(max_workers=self.workers, thread_name_prefix="grader")

    def _grade(self, candidate: Candidate, policy: Policy, task_ids: Sequence[str]) -> CandidateResult:
        sandbox = self._sandboxes.get()
        try:
            return grade_candidate(candidate, policy, task_ids, sandbox)
        finally:
            self._sandboxes.put(sandbox)

    def imap_unordered(
        self,
        candidates: Sequence[Candidate],
        policy: Policy,
        task_ids: Sequence[str],
        stop: Callable[[], bool] = lambda: False,
    ) -> Iterator[CandidateResult]:
        """Results as they finish; keeps at most 2 x workers candidates in flight, so stopping is quick."""
        pending: set[Future[CandidateResult]] = set()
        todo = list(candidates)
        todo.reverse()
        while todo or pending:
            while todo and len(pending) < 2 * self.workers and not stop():
                pending.add(self._executor.submit(self._grade, todo.pop(), policy, task_ids))
            if not pending:
                break
            done, pending = wait(pending, return_when=FIRST_COMPLETED)
            for fut in done:
                yield fut.result()

    def close(self) -> None:
        self._executor.shutdown(wait=False, cancel_futures=True)
        for s in self._all:
            s.close()

    def __enter__(self) -> LocalPool:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def dask_results(
    address: str, candidates: Sequence[Candidate], policy: Policy, task_ids: Sequence[str]
) -> Iterator[CandidateResult]:
    """Grade on a dask.distributed cluster (needs the `nnprep[dask]` extra on the client and workers)."""
    try:
        from distributed import Client, as_completed
    except ImportError as e:
        raise RuntimeError("--dask needs the optional extra: pip install 'nnprep[dask]'") from e
    from quiz.batch.remote import grade_remote

    with Client(address) as client:  # type: ignore[no-untyped-call]
        futures = [
            client.submit(
                grade_remote, c.id, str(c.path), c.source, c.error, list(task_ids), policy.model_dump_json(), pure=False
            )
            for c in candidates
        ]
        for fut in as_completed(futures):  # type: ignore[no-untyped-call]
            yield CandidateResult.model_validate_json(fut.result())

"""Grading many candidates: a pool of warm sandboxes on this machine (a dask cluster: quiz.batch.remote)."""

from __future__ import annotations

import contextlib
import multiprocessing
import signal
import time
from collections.abc import Iterator, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool

from engine import GradeReport, grade_file
from engine.runner import Runner
from quiz.batch.candidates import Candidate, tasks_defined
from quiz.batch.policy import Policy
from quiz.batch.results import CandidateResult, weighted_total


def grade_candidate(
    candidate: Candidate, policy: Policy, task_ids: Sequence[str], runner: Runner | None
) -> CandidateResult:
    """Grade one candidate on ``task_ids`` (or, if empty, on the tasks whose every function its file defines), with
    one hidden-case seed (the policy's, or a fresh secret one) and within the file's time budget."""
    start = time.perf_counter()
    result = CandidateResult(candidate=candidate.id, path=candidate.shown)
    if candidate.error or candidate.source is None:
        result.error = candidate.error or "no source"
        return result
    chosen = list(task_ids) or tasks_defined(candidate.source)
    if not chosen:
        result.error = "the file defines every function of no task"
        result.seconds = time.perf_counter() - start
        return result
    limits = policy.engine_limits()
    reports: list[GradeReport] = grade_file(
        candidate.source, chosen, limits, runner=runner, reveal_hidden=policy.reveal_hidden, seed=policy.seed
    )
    result.reports = reports
    result.weights = {t: policy.weight(t) for t in chosen}
    result.total = weighted_total(reports, result.weights)
    result.passed = policy.passes(all(r.passed for r in reports), result.total)
    result.passed_by = policy.pass_rule()
    result.seconds = time.perf_counter() - start
    return result


_worker_sandbox: Runner | None = None


def _init_worker() -> None:
    """In each worker process: ignore ctrl+c (the parent stops the pool) and start this worker's own sandbox."""
    global _worker_sandbox
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    from engine.sandbox import Sandbox

    _worker_sandbox = Sandbox()


def _grade_in_worker(candidate: Candidate, policy_json: str, task_ids: Sequence[str]) -> str:
    """One candidate's result as JSON; a failure of ours while grading it is that candidate's error row, so the
    batch goes on with the others."""
    try:
        result = grade_candidate(candidate, Policy.model_validate_json(policy_json), task_ids, _worker_sandbox)
    except Exception as e:
        result = CandidateResult(
            candidate=candidate.id, path=candidate.shown,
            error=f"internal error while grading (not the candidate's fault): {type(e).__name__}: {e}",
        )
    return result.model_dump_json()


def _died_twice(candidate: Candidate) -> CandidateResult:
    return CandidateResult(
        candidate=candidate.id, path=candidate.shown,
        error="not graded: the grading process died twice while grading it (killed from outside or out of memory)",
    )


class LocalPool:
    """``workers`` grader processes, each with its own warm sandbox (zygote); one candidate per worker at a time.

    Processes rather than threads: the judging of outputs (NumPy comparisons, diagnostics) then runs in parallel
    too, so throughput scales with cores. Workers are forked from this process, which has the engine imported,
    so starting one costs a fork and a zygote. Create the pool before starting other threads (a forked child
    must not inherit a lock some thread holds); only the rare restart after a worker died forks later.
    """

    def __init__(self, workers: int) -> None:
        self.workers = max(1, workers)
        self._executor = self._start()

    def _start(self) -> ProcessPoolExecutor:
        return ProcessPoolExecutor(
            max_workers=self.workers, mp_context=multiprocessing.get_context("fork"), initializer=_init_worker
        )

    def imap_unordered(
        self,
        candidates: Sequence[Candidate],
        policy: Policy,
        task_ids: Sequence[str],
    ) -> Iterator[CandidateResult]:
        """Results as they finish; keeps at most 2 x workers candidates in flight, so stopping is quick.

        If a worker process dies (killed from outside, out of memory), the pool starts afresh and the candidates it
        had in flight are graded again one at a time: one whose worker dies again, alone, gets an error row; the
        others get their results."""
        policy_json = policy.model_dump_json()
        owner: dict[Future[str], Candidate] = {}
        todo = list(reversed(candidates))
        suspects: list[Candidate] = []
        retrying: Candidate | None = None  # a suspect graded alone
        while todo or suspects or owner:
            if suspects and not owner:
                retrying = suspects.pop()
                owner[self._executor.submit(_grade_in_worker, retrying, policy_json, list(task_ids))] = retrying
            while not suspects and todo and len(owner) < 2 * self.workers:
                candidate = todo.pop()
                owner[self._executor.submit(_grade_in_worker, candidate, policy_json, list(task_ids))] = candidate
            done, _ = wait(owner, return_when=FIRST_COMPLETED)
            broken = False
            for fut in done:
                try:
                    text = fut.result()
                except BrokenProcessPool:
                    broken = True
                    continue
                yield CandidateResult.model_validate_json(text)
                del owner[fut]
            if broken:
                in_flight = list(owner.values())
                owner.clear()
                _shutdown(self._executor)
                self._executor = self._start()
                if retrying is not None and in_flight == [retrying]:
                    yield _died_twice(retrying)
                else:
                    suspects.extend(reversed(in_flight))
            retrying = None if not owner else retrying

    def close(self) -> None:
        _shutdown(self._executor)

    def __enter__(self) -> LocalPool:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _shutdown(executor: ProcessPoolExecutor) -> None:
    """Shut a process pool down; when a worker died (a broken pool), kill the others first. Python 3.12's broken-pool
    clean-up joins workers still blocked reading their task queue, and waited forever (found by a 3.12 run)."""
    if getattr(executor, "_broken", False):
        for process in list((getattr(executor, "_processes", None) or {}).values()):
            with contextlib.suppress(Exception):
                process.kill()
    executor.shutdown(wait=True, cancel_futures=True)

"""Grading many candidates: a pool of warm sandboxes on this machine (a dask cluster: quiz.batch.remote)."""

from __future__ import annotations

import contextlib
import multiprocessing
import os
import signal
import time
from collections.abc import Iterator, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from multiprocessing.queues import SimpleQueue

from engine import GradeReport, grade_file
from engine.runner import Runner
from quiz.batch.candidates import Candidate, tasks_defined
from quiz.batch.policy import Policy
from quiz.batch.results import CandidateResult, weighted_total

# What the fork server imports once, in this order, before it forks the first worker: one BLAS thread, the engine.
PRELOAD = ["quiz.batch._one_blas_thread", "quiz.batch.pool"]


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
_worker_failure: str | None = None  # why this worker cannot grade (its set-up failed): every candidate's error row


def _init_worker(environ: dict[str, str], pack: str | None, fingerprint: str, pids: SimpleQueue[int]) -> None:
    """In each worker process: report our pid (so a broken pool's survivors can be killed), ignore ctrl+c (the
    parent stops the pool), take the grading process's environment and task pack, and start our own sandbox.

    The worker is forked from a fork server started once, so its environment is the grading process's as it was
    then; ``environ`` is the one this pool started with (HOME, TMPDIR... reach the sandbox as a forked copy had)."""
    global _worker_sandbox, _worker_failure
    pids.put(os.getpid())
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    os.environ.clear()
    os.environ.update(environ)
    if pack is not None:
        from engine.packs import load_pack, use_pack

        try:
            loaded = load_pack(pack)
        except Exception as e:  # changed or removed since the batch started: say so on each row, do not die
            _worker_failure = (f"not graded: a grading worker could not load the task pack {pack} "
                               f"({type(e).__name__}: {e}); was it changed during the batch?")
            return
        if loaded.fingerprint != fingerprint:  # one batch is graded by one version of the pack
            _worker_failure = (f"not graded: the task pack {pack} changed on disk since this batch started; "
                               "grade these candidates again")
            return
        use_pack(loaded)
    from engine.sandbox import Sandbox

    try:
        _worker_sandbox = Sandbox()
    except Exception as e:
        _worker_failure = f"not graded: a grading worker could not start its sandbox ({type(e).__name__}: {e})"


def _grade_in_worker(candidate: Candidate, policy_json: str, task_ids: Sequence[str]) -> str:
    """One candidate's result as JSON; a failure of ours while grading it is that candidate's error row, so the
    batch goes on with the others."""
    if _worker_failure is not None:
        return CandidateResult(candidate=candidate.id, path=candidate.shown, error=_worker_failure).model_dump_json()
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
    too, so throughput scales with cores. Workers are forked by a fork server, a fresh single-threaded process that
    imports the engine once (``PRELOAD``), never by this process: this one may run threads (NumPy's BLAS, a progress
    bar, the TUI, dask), and a child forked from a multi-threaded process can deadlock on a lock another thread
    held. Starting a worker costs a fork of the server and a zygote.
    """

    def __init__(self, workers: int) -> None:
        self.workers = max(1, workers)
        self._context = multiprocessing.get_context("forkserver")
        self._context.set_forkserver_preload(PRELOAD)  # used when this process first starts the server
        self._executor, self._pids = self._start()

    def _start(self) -> tuple[ProcessPoolExecutor, SimpleQueue[int]]:
        """A new executor, and the queue its workers report their pids on (new too: a worker killed while writing
        to a queue would leave its lock taken, and the next pool's workers waiting on it)."""
        from engine.packs import pack_fingerprint_in_use, pack_in_use

        pack = pack_in_use()
        pids: SimpleQueue[int] = self._context.SimpleQueue()
        executor = ProcessPoolExecutor(
            max_workers=self.workers, mp_context=self._context, initializer=_init_worker,
            initargs=(dict(os.environ), None if pack is None else str(pack), pack_fingerprint_in_use(), pids),
        )
        return executor, pids

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
                self._kill_workers()
                self._stop()
                self._executor, self._pids = self._start()
                if retrying is not None and in_flight == [retrying]:
                    yield _died_twice(retrying)
                else:
                    suspects.extend(reversed(in_flight))
            retrying = None if not owner else retrying

    def _kill_workers(self) -> None:
        """Kill this pool's live workers: after one died, the pool is broken, and Python 3.12's clean-up of a broken
        pool joined workers still blocked reading their task queue, and waited forever (found by a 3.12 run)."""
        ours = set()
        while not self._pids.empty():
            ours.add(self._pids.get())
        for process in multiprocessing.active_children():
            if process.pid in ours:
                with contextlib.suppress(OSError):
                    process.kill()

    def _stop(self) -> None:
        """Shut the executor down: the candidates not started are dropped, those in flight are waited for."""
        self._executor.shutdown(wait=True, cancel_futures=True)
        self._pids.close()

    def close(self) -> None:
        self._stop()

    def __enter__(self) -> LocalPool:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

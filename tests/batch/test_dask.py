"""`nnprep grade --dask ADDRESS` when the cluster is not usable: one line, exit 2, within a bounded wait.

Each test shortens the module's waits; the clusters live on the loopback interface and are torn down at the end.
"""

from __future__ import annotations

import gc
import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from quiz.batch import remote
from quiz.cli import main

distributed = pytest.importorskip("distributed")

CORRECT = (Path(__file__).resolve().parents[1] / "submissions" / "linear" / "correct_reference.py").read_text()
# A dask worker on which nnprep cannot be imported (as on a machine where it is not installed).
WORKER_WITHOUT_NNPREP = (
    "import sys\n"
    "sys.modules['quiz'] = None\n"
    "from distributed.cli.dask_worker import main\n"
    "sys.argv = ['dask-worker', sys.argv[1], '--nthreads', '1', '--no-nanny', '--no-dashboard']\n"
    "main()\n"
)


@pytest.fixture(autouse=True)
def _short_waits(monkeypatch: pytest.MonkeyPatch) -> None:
    # Reaching a scheduler on this machine is quick, but can take seconds on a loaded one: only the tests of an
    # unreachable scheduler shorten this wait (a 2 s bound failed a run under load).
    monkeypatch.setattr(remote, "CONNECT_TIMEOUT_S", 60.0)
    monkeypatch.setattr(remote, "WORKER_WAIT_S", 2.0)
    monkeypatch.setattr(remote, "NO_WORKERS_GRACE_S", 2.0)
    monkeypatch.setattr(remote, "POLL_S", 0.2)


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    folder = tmp_path / "class"
    folder.mkdir()
    (folder / "a.py").write_text(CORRECT)
    (folder / "b.py").write_text(CORRECT)
    return folder


@pytest.fixture
def empty_cluster() -> Iterator[str]:
    """A scheduler on 127.0.0.1 over TCP (other processes can join it) with no worker."""
    with distributed.LocalCluster(n_workers=0, processes=False, protocol="tcp://", host="127.0.0.1",
                                  dashboard_address=":0") as cluster:
        yield cluster.scheduler_address


@pytest.fixture
def worker_without_nnprep(empty_cluster: str, tmp_path: Path) -> Iterator[str]:
    log = (tmp_path / "worker.log").open("w")
    worker = subprocess.Popen([sys.executable, "-c", WORKER_WITHOUT_NNPREP, empty_cluster], cwd=tmp_path,
                              stdout=log, stderr=log, stdin=subprocess.DEVNULL)
    try:
        with distributed.Client(empty_cluster, timeout=30) as client:
            client.wait_for_workers(1, timeout=60)
        yield empty_cluster
    finally:
        worker.kill()
        worker.wait(timeout=30)
        log.close()


def _grade(folder: Path, address: str, capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    status = main(["grade", str(folder), "--task", "linear", "--format", "csv", "--dask", address])
    return status, capsys.readouterr().err


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_unreachable_scheduler(
    folder: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(remote, "CONNECT_TIMEOUT_S", 2.0)
    address = f"tcp://127.0.0.1:{_closed_port()}"
    status, err = _grade(folder, address, capsys)
    assert status == 2
    assert err.startswith(f"nnprep: cannot reach the dask scheduler at {address} within 2 s (")
    assert err.count("\n") == 1


def test_malformed_address(
    folder: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(remote, "CONNECT_TIMEOUT_S", 2.0)
    status, err = _grade(folder, "nonsense://x", capsys)
    assert status == 2 and err.startswith("nnprep: cannot reach the dask scheduler at nonsense://x") and (
        err.count("\n") == 1)


def test_a_failed_connect_leaves_no_client_running(
    folder: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """A client whose start failed must not be left for the garbage collector to stop later: collected inside the
    start of the next Client (as a full test run on Python 3.13 did), it made that start fail after 10 s."""
    monkeypatch.setattr(remote, "CONNECT_TIMEOUT_S", 2.0)
    gc.disable()  # only the grader's own collection may find the half-made client
    try:
        status, _ = _grade(folder, "nonsense://x", capsys)
        running = [c for c in gc.get_objects() if isinstance(c, distributed.Client) and c.status != "closed"]
    finally:
        gc.enable()
    assert status == 2 and running == []


def test_cluster_without_workers(folder: Path, empty_cluster: str, capsys: pytest.CaptureFixture[str]) -> None:
    status, err = _grade(folder, empty_cluster, capsys)
    assert (status, err) == (2, f"nnprep: the dask scheduler at {empty_cluster} has no workers (none joined "
                                "within 2 s)\n")


def test_worker_without_nnprep_is_named(folder: Path, worker_without_nnprep: str,
                                        capsys: pytest.CaptureFixture[str]) -> None:
    status, err = _grade(folder, worker_without_nnprep, capsys)
    assert status == 2 and err.count("\n") == 1
    assert err.startswith("nnprep: dask worker tcp://127.0.0.1:") and "cannot run nnprep (ModuleNotFoundError" in err
    assert "install nnprep[dask]" in err


def test_lost_workers_end_the_wait(folder: Path, worker_without_nnprep: str, monkeypatch: pytest.MonkeyPatch,
                                   capsys: pytest.CaptureFixture[str]) -> None:
    """Without the up-front check this is the old hang: the worker cannot load the task, leaves the cluster, and
    the tasks wait for a worker forever. The wait is bounded on its own too."""
    monkeypatch.setattr(remote, "check_workers", lambda client, address: None)
    status, err = _grade(folder, worker_without_nnprep, capsys)
    assert (status, err) == (2, f"nnprep: the dask cluster at {worker_without_nnprep} has had no workers for 2 s "
                                "with 2 candidate(s) left (see the workers' logs)\n")


def test_other_nnprep_version_on_a_worker(folder: Path, monkeypatch: pytest.MonkeyPatch,
                                          capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setattr(remote, "_installed_version", lambda: "0.0.0-client")
    with distributed.LocalCluster(n_workers=1, threads_per_worker=1, processes=False,
                                  dashboard_address=":0") as cluster:
        status, err = _grade(folder, cluster.scheduler_address, capsys)
    from importlib.metadata import version

    assert status == 2 and err.count("\n") == 1
    assert f"has nnprep {version('nnprep')} and this machine 0.0.0-client" in err

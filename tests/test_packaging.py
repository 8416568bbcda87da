"""The source distribution: built with the project's own backend, it carries the license metadata and everything
the tests need, and tests run from it."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import tarfile
from collections.abc import Iterator
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
NEEDED_FOLDERS = ("engine", "questions", "quiz", "tests", "bench")
NEEDED_FILES = ("pyproject.toml", "README.md", "LICENSE", "Makefile", "constraints.txt", "MANIFEST.in")


def _source_files() -> Iterator[str]:
    """Every file of the project's source folders (what a checkout has, less bytecode)."""
    for folder in NEEDED_FOLDERS:
        for path in (REPO / folder).rglob("*"):
            if path.is_file() and "__pycache__" not in path.parts and path.suffix != ".pyc":
                yield str(path.relative_to(REPO))


@pytest.fixture(scope="module")
def sdist(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("sdist")
    # The PEP 517 hook in a child process (setuptools changes directories and logging while it builds).
    done = subprocess.run(
        [sys.executable, "-c", "import sys, setuptools.build_meta as b; print(b.build_sdist(sys.argv[1]))", str(out)],
        cwd=REPO, capture_output=True, text=True, timeout=300,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    return out / done.stdout.strip().splitlines()[-1]


def test_sdist_has_license_metadata_and_every_file_the_tests_need(sdist: Path) -> None:
    with tarfile.open(sdist) as tar:
        root = tar.getnames()[0].split("/")[0]
        names = {name.removeprefix(root + "/") for name in tar.getnames()}
        pkg_info = tar.extractfile(f"{root}/PKG-INFO").read().decode()  # type: ignore[union-attr]
    assert "License-Expression: MIT" in pkg_info.splitlines()
    assert "License-File: LICENSE" in pkg_info.splitlines()
    assert {"tests/conftest.py", "tests/support/__init__.py", "tests/support/inprocess.py"} <= names
    missing = sorted(set(_source_files()) - names) + [f for f in NEEDED_FILES if f not in names]
    assert missing == []
    assert not [n for n in names if "__pycache__" in n or n.endswith(".pyc")]


def test_tests_run_from_the_unpacked_sdist(sdist: Path, tmp_path: Path) -> None:
    """A sample of the suite, run inside the unpacked sdist against its own copy of the packages."""
    with tarfile.open(sdist) as tar:
        tar.extractall(tmp_path, filter="data")
    root = next(tmp_path.iterdir())
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "NNPREP_DB")}
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "-o", "addopts=", "-q", "-p", "no:cacheprovider", "tests/test_architecture.py",
         "tests/store/test_layout.py", "tests/test_cli_outputs.py::test_output_problem_cases", "-c",
         "pyproject.toml", "--rootdir", "."],
        cwd=root, capture_output=True, text=True, timeout=300, env=env,
    )
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-2000:]
    summary = done.stdout.strip().splitlines()[-1]
    assert re.fullmatch(r"\d+ passed in .*", summary) and int(summary.split()[0]) >= 6, summary
    # and the packages imported were the sdist's, not the checkout's
    where = subprocess.run([sys.executable, "-c", "import quiz, engine; print(quiz.__file__); print(engine.__file__)"],
                           cwd=root, capture_output=True, text=True, timeout=60, env=env)
    assert [Path(p).resolve().is_relative_to(root.resolve()) for p in where.stdout.split()] == [True, True]

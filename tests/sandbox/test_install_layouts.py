"""Grading from a global install: site-packages (and so nnprep) inside the standard library's folder, as in the
official Python Docker images, conda base or a pyenv global.

The test copies this interpreter and its standard library to a temp prefix (``PREFIX/bin``, ``PREFIX/lib/pythonX.Y``)
and puts nnprep, NumPy and pydantic in ``PREFIX/lib/pythonX.Y/site-packages``; a grading process started from there
must pass a correct file that imports many standard modules, and still keep nnprep's own files from the child.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import sysconfig
import tempfile
import textwrap
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support.installs import copy_distributions

REPO = Path(__file__).resolve().parents[2]
CORRECT = (REPO / "tests/submissions/linear/correct_reference.py").read_text()
MODULES = ("csv", "dataclasses", "logging", "pathlib", "statistics", "decimal", "fractions", "heapq", "pprint",
           "string", "timeit", "unittest", "doctest")
SKIP = shutil.ignore_patterns("test", "tests", "site-packages", "dist-packages", "idlelib", "tkinter", "turtledemo",
                              "ensurepip", "lib2to3", "config-*")

GRADE = """
import json, sys
from engine import grade
from engine.sandbox import Sandbox
with Sandbox() as sb:
    report = grade(sys.stdin.read(), "linear", runner=sb)
print(json.dumps({"verdict": report.verdict.value, "message": report.message, "stdout": report.stdout,
                  "landlock": report.isolation.landlock_abi, "notes": report.isolation.notes}))
"""


@pytest.fixture(scope="module")
def global_python() -> Iterator[tuple[str, Path]]:
    """(interpreter, its site-packages) of a copied install whose site-packages is inside the stdlib folder.

    Outside /tmp (a child sees a private /tmp, which would hide the install whatever Landlock does)."""
    if not sys.platform.startswith("linux"):
        pytest.skip("the sandbox's Landlock rules exist on Linux only")
    prefix = Path(tempfile.mkdtemp(prefix="nnprep-global-", dir="/var/tmp" if os.path.isdir("/var/tmp") else None))
    try:
        yield _lay_out(prefix)
    finally:
        shutil.rmtree(prefix, ignore_errors=True)


def _lay_out(prefix: Path) -> tuple[str, Path]:
    version = f"python{sys.version_info[0]}.{sys.version_info[1]}"
    stdlib = prefix / "lib" / version
    shutil.copytree(sysconfig.get_path("stdlib"), stdlib, symlinks=True, ignore=SKIP)
    (prefix / "bin").mkdir()
    python = prefix / "bin" / version
    shutil.copy2(os.path.realpath(getattr(sys, "_base_executable", sys.executable)), python)
    site = stdlib / "site-packages"
    for name in ("engine", "questions", "quiz"):
        shutil.copytree(REPO / name, site / name, ignore=shutil.ignore_patterns("__pycache__"))
    copy_distributions(("numpy", "pydantic"), site)
    probe = subprocess.run([str(python), "-c", "import sys; print(sys.prefix)"], capture_output=True, text=True,
                           env={"PATH": "/usr/bin:/bin"}, timeout=60)
    if probe.returncode != 0 or probe.stdout.strip() != str(prefix):
        pytest.skip(f"this interpreter does not run from a copied prefix: {probe.stderr.strip()[-200:]}")
    return str(python), site


def test_a_global_install_grades_a_file_that_imports_the_standard_library(global_python: tuple[str, Path]) -> None:
    python, site = global_python
    engine_file = site / "engine" / "grader.py"
    source = textwrap.dedent(f"""
        import {", ".join(MODULES)}
        print("imported", len([{", ".join(MODULES)}]))
        try:
            open({str(engine_file)!r}).read(1)
            print("READ nnprep's sources")
        except OSError as e:
            print("sources hidden", type(e).__name__)
    """) + CORRECT
    run = subprocess.run([python, "-c", GRADE], input=source, capture_output=True, text=True, cwd="/",
                         env={"PATH": "/usr/bin:/bin", "PYTHONPATH": str(site), "LANG": "C.UTF-8"}, timeout=120)
    assert run.returncode == 0, run.stderr[-3000:]
    result = json.loads(run.stdout.strip().splitlines()[-1])
    assert result["verdict"] == "passed", result
    assert f"imported {len(MODULES)}" in result["stdout"]
    if result["landlock"]:
        assert "sources hidden PermissionError" in result["stdout"], result

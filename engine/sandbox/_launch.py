"""Starting a zygote process: stdlib only, so a command can start one before it imports NumPy and pydantic.

``prestart()`` launches a zygote right away and parks it; the first ``Sandbox`` of this process adopts it, so the
zygote's own start (an interpreter and NumPy) overlaps the caller's imports instead of following them.
"""

from __future__ import annotations

import atexit
import contextlib
import importlib.util
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile

ZYGOTE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "zygote.py")
# Runs zygote.py by path as a module, not as a script: a module's bytecode is cached in __pycache__ (compiled at
# install), where a script is compiled anew at every start (10 ms on the path to the first grade).
BOOTSTRAP = (
    "import sys, importlib.util as u; sys.argv = sys.argv[1:]; "
    "s = u.spec_from_file_location('_nnprep_zygote', sys.argv[0]); m = u.module_from_spec(s); "
    "s.loader.exec_module(m); m.main()"
)
BLAS_VARIABLES = (
    "OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS", "NUMEXPR_NUM_THREADS", "VECLIB_MAXIMUM_THREADS",
    "BLIS_NUM_THREADS",
)

Launched = tuple[str, socket.socket, "subprocess.Popen[bytes]"]
_parked: tuple[int, Launched] | None = None


def new_base() -> str:
    """A folder for one zygote's children's private temp dirs (children may enter their own, not list others)."""
    base = tempfile.mkdtemp(prefix="nnprep-sandbox-")
    os.chmod(base, 0o711)
    return base


def numpy_path() -> str:
    """The folder that holds the numpy package, found without importing it."""
    spec = importlib.util.find_spec("numpy")
    if spec is None or spec.origin is None:
        raise RuntimeError("NumPy is not installed")
    return os.path.dirname(os.path.dirname(os.path.abspath(spec.origin)))


def launch(base: str) -> tuple[socket.socket, subprocess.Popen[bytes]]:
    """Start a zygote serving children in ``base``; returns our end of its control socket and the process."""
    ours, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_STREAM)
    config = {"ctl_fd": theirs.fileno(), "numpy_path": numpy_path(), "base": base, "home": os.path.expanduser("~")}
    env = {"PATH": "/usr/bin:/bin", "LANG": "C.UTF-8", "LC_ALL": "C.UTF-8", **dict.fromkeys(BLAS_VARIABLES, "1")}
    debug = os.environ.get("NNPREP_SANDBOX_DEBUG") == "1"
    try:
        proc = subprocess.Popen(
            [sys.executable, "-I", "-S", "-c", BOOTSTRAP, ZYGOTE, json.dumps(config)],
            pass_fds=[theirs.fileno()], env=env, cwd="/", stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL, stderr=None if debug else subprocess.DEVNULL, start_new_session=True,
        )
    finally:
        theirs.close()
    return ours, proc


def prestart() -> None:
    """Launch a zygote now for the first Sandbox of this process to adopt (no-op if one is already parked)."""
    global _parked
    if _parked is None:
        base = new_base()
        ctl, proc = launch(base)
        _parked = (os.getpid(), (base, ctl, proc))
        atexit.register(_discard)


def _discard() -> None:
    """At exit, stop a parked zygote nobody adopted and remove its folder."""
    left = adopt()
    if left is not None:
        base, ctl, proc = left
        ctl.close()
        with contextlib.suppress(OSError):
            proc.kill()
            proc.wait(timeout=5)
        shutil.rmtree(base, ignore_errors=True)


def adopt() -> Launched | None:
    """The parked zygote, if this process started one and nobody has taken it."""
    global _parked
    parked, _parked = _parked, None
    if parked is None or parked[0] != os.getpid():
        return None
    return parked[1]

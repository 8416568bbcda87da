"""The sandbox that runs untrusted candidate code: ``Sandbox`` (an ``engine.runner.Runner``) and
``default_sandbox()``, the shared instance ``engine.grade`` uses.

Candidate code never runs in the grading process. A zygote (``zygote.py``, started by path with ``python -I -S``
so it never imports the engine and its reference answers) imports NumPy once with one BLAS thread and forks one
sandboxed child per submission: rlimits, scrubbed environment, uid 65534 when root, and where the OS offers them
network, PID, IPC and mount namespaces (a capped tmpfs on /tmp, the grading user's home covered), no_new_privs,
Landlock and a seccomp filter without sockets -- as an ordinary user too, inside a user namespace of its own
(``_protections.py``; ``Sandbox.isolation`` says what is active and why anything is not). Children send results as
JSON headers plus ``.npy`` blobs, read here without pickle and validated as hostile input.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from engine.sandbox._sandbox import Sandbox, SandboxError, default_sandbox

__all__ = ["Sandbox", "SandboxError", "default_sandbox", "prestart"]


def prestart() -> None:
    """Start this process's zygote now, so its start overlaps the caller's own imports; the first Sandbox adopts
    it (a no-op if one is already waiting). Cheap to import: only ``_launch`` is loaded."""
    from engine.sandbox._launch import prestart as launch_zygote

    launch_zygote()


def __getattr__(name: str) -> Any:  # loaded on first use: `engine.sandbox._launch` must stay light to import
    if name in __all__:
        from engine.sandbox import _sandbox

        return getattr(_sandbox, name)
    raise AttributeError(f"module 'engine.sandbox' has no attribute {name!r}")

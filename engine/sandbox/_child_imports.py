"""How a sandboxed child imports: only the stdlib and NumPy, never nnprep's own packages, and through file
descriptors where it can no longer walk to the real folders.

Stdlib and NumPy only: the zygote loads this file by path (it must not import the engine package) and calls
``isolate_imports`` once before its first fork, so every child inherits the result.
"""

from __future__ import annotations

import os
import sys
from typing import Any

import numpy

BLOCKED_PACKAGES = frozenset({"engine", "quiz", "questions", "nnprep"})


class _ImportBlocker:
    """Refuses to import nnprep's own packages (their files are also outside Landlock's allowed paths)."""

    @classmethod
    def find_spec(cls, name: str, path: object = None, target: object = None) -> None:
        if name.partition(".")[0] in BLOCKED_PACKAGES:
            raise ModuleNotFoundError(f"No module named {name!r}", name=name)
        return None


class PathTable:
    """Where import paths point, prepared once in the zygote so a child can remap them without syscalls.

    A child dropped to uid 65534 may be unable to walk to the stdlib (e.g. under a 0700 /root); it then imports
    through ``/proc/self/fd/N`` of an O_PATH fd the zygote opened while privileged (Landlock still applies to the
    real files).
    """

    def __init__(self, read_dirs: dict[str, int]) -> None:
        self.prefixes: list[tuple[str, str, str]] = []  # (text prefix, allowed real dir, rest below it)
        texts = {p for p in sys.path if p} | {os.path.dirname(numpy.__file__)}
        for text in sorted(texts, key=len, reverse=True):
            real = os.path.realpath(text)
            for d in read_dirs:
                if real == d or real.startswith(d + "/"):
                    self.prefixes.append((text, d, real[len(d):]))
                    break
        self.lists: list[Any] = [
            m.__path__ for m in list(sys.modules.values())
            if isinstance(getattr(m, "__path__", None), list)
            and any(isinstance(e, str) and e.startswith(t) for e in m.__path__ for t, _, _ in self.prefixes)
        ]
        self.sys_path = [p for p in sys.path if p and "site-packages" not in p and "dist-packages" not in p]

    def remapper(self, remap: dict[str, str]) -> list[tuple[str, str]]:
        return [(text, remap[d] + rest) for text, d, rest in self.prefixes if d in remap]


def _fix(path: str, table: list[tuple[str, str]]) -> str:
    for text, target in table:
        if path == text or path.startswith(text + "/"):
            return target + path[len(text):]
    return path


def isolate_imports(caps: Any) -> None:
    """Done once in the zygote, inherited by every child: only the stdlib on sys.path (reached through
    /proc/self/fd when the child will drop its uid), no editable finders, and a blocker for our own packages."""
    paths = PathTable(caps.read_dirs)
    reroute = caps.drop_uid or caps.hide_homes  # the child may be unable to reach the real paths
    remap = {d: f"/proc/self/fd/{fd}" for d, fd in caps.read_dirs.items()} if reroute else {}
    table = paths.remapper(remap)
    sys.path[:] = [_fix(p, table) for p in paths.sys_path]
    sys.meta_path[:] = [f for f in sys.meta_path if "editable" not in repr(f)]
    sys.meta_path.insert(0, _ImportBlocker)
    sys.path_hooks[:] = [h for h in sys.path_hooks if "editable" not in repr(h)]
    sys.path_importer_cache.clear()
    for name in [n for n in sys.modules if n.partition(".")[0] in BLOCKED_PACKAGES or "editable" in n]:
        del sys.modules[name]
    for entries in paths.lists:
        entries[:] = [_fix(e, table) if isinstance(e, str) else e for e in entries]
    caps.kept_fds = set(caps.read_dirs.values()) if remap else set()

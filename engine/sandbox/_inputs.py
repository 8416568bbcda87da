"""What the grading process sends a child: one frame with the source, the function names and every call's
arguments (``encode_inputs``), in a sealed memfd every child of a run reads with pread (``input_fd``)."""

from __future__ import annotations

import contextlib
import fcntl
import os
import tempfile
from collections.abc import Sequence
from typing import Any

import numpy as np

from engine.sandbox import _wire as wire
from engine.task import Call, FunctionRef, Ref, RngSeed


def _call_tree(call: Call, blobs: list[bytes]) -> dict[str, Any]:
    """One call as the child reads it; a ``Ref`` (a kept object, by the name the parent gave it) only as a whole
    argument."""
    args = {
        k: {"t": "ref", "name": v.name} if isinstance(v, Ref) else _arg_tree(v, blobs) for k, v in call.args.items()
    }
    tree: dict[str, Any] = {"function": call.function, "args": args}
    if call.uses_objects:
        tree.update(kind=call.kind, target=call.target, store=call.store_as)
        if call.keep:
            tree["keep"] = [[i, name] for i, name in sorted(call.keep.items())]
    return tree


def _arg_tree(value: object, blobs: list[bytes]) -> dict[str, Any]:
    if isinstance(value, RngSeed):
        return {"t": "rng", "seed": str(int(value.seed))}
    if isinstance(value, FunctionRef):
        return {"t": "fn", "name": value.name}
    if isinstance(value, str):
        return {"t": "str", "v": value}
    if isinstance(value, np.generic):
        blobs.append(wire.encode_array(np.asarray(value)))
        return {"t": "scalar", "b": len(blobs) - 1}
    if isinstance(value, tuple | list):
        return {"t": "seq", "items": [_arg_tree(v, blobs) for v in value]}
    if isinstance(value, dict):  # a parameter dict (CS231n's bn_param, conv_param): str keys, plain values
        if not all(isinstance(k, str) for k in value):
            raise TypeError("a dict argument has str keys only")
        return {"t": "dict", "keys": list(value), "items": [_arg_tree(v, blobs) for v in value.values()]}
    return wire.encode_value(value, blobs)


def encode_inputs(source: str, calls: Sequence[Call], functions: Sequence[str]) -> bytes:
    """The one frame a child reads: the source, the function names and every call's arguments."""
    blobs: list[bytes] = []
    encoded = [_call_tree(c, blobs) for c in calls]
    header = {"source": source, "functions": list(functions), "calls": encoded}
    return wire.encode_frame(header, blobs)


def input_fd(data: bytes) -> int:
    """A sealed memfd (or an unlinked temp file) holding ``data``; every child of the run reads it with pread."""
    if hasattr(os, "memfd_create"):
        fd = os.memfd_create("nnprep-inputs", os.MFD_CLOEXEC | getattr(os, "MFD_ALLOW_SEALING", 0))
    else:  # pragma: no cover - non-Linux
        f = tempfile.TemporaryFile()  # noqa: SIM115
        fd = os.dup(f.fileno())
        f.close()
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view) :]
    seals = sum(getattr(fcntl, n, 0) for n in ("F_SEAL_SEAL", "F_SEAL_SHRINK", "F_SEAL_GROW", "F_SEAL_WRITE"))
    if seals and hasattr(fcntl, "F_ADD_SEALS"):
        with contextlib.suppress(OSError):
            fcntl.fcntl(fd, fcntl.F_ADD_SEALS, seals)
    return fd



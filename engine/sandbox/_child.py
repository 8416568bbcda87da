"""The child runtime: executes a submission and its calls inside the sandboxed process.

Loaded BY PATH by the zygote (never as part of the engine package), so it imports only the stdlib, NumPy and the
sibling ``_wire.py`` handed in by the zygote. It holds no reference answers: the parent sends inputs only.

Everything it reports is a claim by code the submission controls; the parent validates each frame and computes
every verdict about values itself.
"""

from __future__ import annotations

import contextlib
import linecache
import os
import sys
import time
import traceback
import types
from typing import Any, NoReturn

import numpy as np

FILENAME = "submission.py"
# Scalar test functions a call may receive by name (engine/known_functions.py); the zygote fills this in.
KNOWN_FUNCTIONS: dict[str, Any] = {}
# engine/objects.py (how method, attribute and operator calls run), loaded by path by the zygote.
OBJECTS: Any = None
MAX_MESSAGE = 2000

# Exit codes of the child when it cannot talk to the parent any more.
EXIT_CHANNEL_LOST = 122
EXIT_SETUP_FAILED = 121

_ndarray = np.ndarray
_perf_counter = time.perf_counter
_write = os.write
_exit = os._exit


class Channel:
    """Writes frames to the result pipe with raw ``os.write`` calls captured before the submission runs."""

    def __init__(self, fd: int, wire: Any, streams: tuple[Any, ...] = ()) -> None:
        self.fd = fd
        self.encode_frame = wire.encode_frame
        self.streams = streams  # our stdout/stderr wrappers: flushed first, so output precedes the frame

    def send(self, header: dict[str, Any], blobs: list[bytes] | None = None) -> None:
        for stream in self.streams:
            with contextlib.suppress(BaseException):
                stream.flush()
        data = memoryview(self.encode_frame(header, blobs or []))
        try:
            while data:
                n = _write(self.fd, data)
                data = data[n:]
        except BaseException:
            _exit(EXIT_CHANNEL_LOST)


def describe_exception(e: BaseException) -> str:
    """``ExcType: message`` plus the last lines of the traceback that point into the submission."""
    name = type(e).__name__
    try:
        text = str(e)
    except BaseException:
        text = "<exception text unavailable>"
    message = f"{name}: {text}" if text else name
    try:
        frames = [f for f in traceback.extract_tb(e.__traceback__) if f.filename == FILENAME]
    except BaseException:
        frames = []
    for f in frames[-2:]:
        line = (f.line or "").strip()
        message += f"\n  {FILENAME}, line {f.lineno}, in {f.name}" + (f": {line}" if line else "")
    return message[:MAX_MESSAGE]


def _verdict_for(e: BaseException) -> str:
    return "memory_limit_exceeded" if isinstance(e, MemoryError) else "runtime_error"


def _arrays_in(args: dict[str, Any]) -> dict[str, Any]:
    """Every array argument, including those inside tuple arguments (named ``grads[1]``), to check for mutation."""
    found: dict[str, Any] = {}
    for name, value in args.items():
        if type(value) is _ndarray:
            found[name] = value
        elif type(value) is tuple:
            for i, item in enumerate(value):
                if type(item) is _ndarray:
                    found[f"{name}[{i}]"] = item
    return found


def argument_node(wire: Any, blobs: list[Any]) -> Any:
    """Decodes the value nodes only arguments use (the parent's ``_inputs`` writes them): str, a NumPy scalar, a
    generator from its seed, a known test function by name, a dict with str keys (a parameter dict)."""

    def decode(tree: dict[str, Any]) -> Any:
        t = tree.get("t")
        if t == "str" and isinstance(tree.get("v"), str):
            return tree["v"]
        if t == "scalar" and type(tree.get("b")) is int:
            return wire.decode_array(blobs[tree["b"]])[()]
        if t == "rng" and isinstance(tree.get("seed"), str):
            return np.random.default_rng(int(tree["seed"]))
        if t == "fn" and tree.get("name") in KNOWN_FUNCTIONS:
            return KNOWN_FUNCTIONS[tree["name"]]
        keys, items = tree.get("keys"), tree.get("items")
        if t == "dict" and type(keys) is list and type(items) is list and len(keys) == len(items) \
                and all(type(k) is str for k in keys):  # a fresh dict for every call: what the code stores is its own
            return {k: wire.decode_value(v, blobs, argument=decode) for k, v in zip(keys, items, strict=True)}
        raise wire.ProtocolError(f"unknown argument node {t!r}")

    return decode


def _digest(wire: Any, arr: Any) -> str:
    """The digest of an argument after the call; one that no longer hashes (its dtype changed to object, say) was
    modified."""
    try:
        return str(wire.array_digest(arr))
    except BaseException:
        return "0" * 64


def _ref_names(call: dict[str, Any]) -> list[str]:
    """The kept objects a call uses: its target and its ``Ref`` arguments."""
    names = [tree.get("name") for tree in call["args"].values() if tree.get("t") == "ref"]
    if call.get("target") is not None:
        names.insert(0, call["target"])
    return [str(n) for n in names]


def _drop(kept: dict[str, Any], name: str) -> None:
    """Forget a kept object (its finaliser, if any, runs now, inside the call that replaces it)."""
    with contextlib.suppress(BaseException):
        kept.pop(name, None)


def run_job(inputs: bytes, start: int, channel: Channel, wire: Any, applied: dict[str, Any]) -> NoReturn:
    """Run the submission in ``inputs`` and its calls from index ``start``; report each over ``channel``."""
    header, blobs = wire.parse_frame(inputs)
    source: str = header["source"]
    calls: list[dict[str, Any]] = header["calls"]
    functions: list[str] = header["functions"]
    channel.send({"kind": "setup", "applied": applied})

    try:
        code = compile(source, FILENAME, "exec", dont_inherit=True)
    except SyntaxError as e:
        where = f"line {e.lineno}: " if e.lineno else ""
        channel.send({"kind": "fatal", "verdict": "syntax_error", "message": f"{where}{e.msg}"[:MAX_MESSAGE]})
        _exit(0)
    except BaseException as e:  # ValueError (null bytes), RecursionError / MemoryError in the compiler
        channel.send({"kind": "fatal", "verdict": "syntax_error", "message": describe_exception(e)})
        _exit(0)
    linecache.cache[FILENAME] = (len(source), None, source.splitlines(True), FILENAME)
    module = types.ModuleType("submission")
    module.__file__ = FILENAME
    sys.modules["submission"] = module
    try:
        exec(code, module.__dict__)
    except SystemExit as e:
        channel.send({"kind": "fatal", "verdict": "runtime_error",
                      "message": f"the file called sys.exit({e.code!r}) while being imported"[:MAX_MESSAGE]})
        _exit(0)
    except BaseException as e:
        channel.send({"kind": "fatal", "verdict": _verdict_for(e),
                      "message": "error while importing the file: " + describe_exception(e)})
        _exit(0)

    missing: dict[str, str] = {}
    namespace = module.__dict__
    for name in functions:
        obj = namespace.get(name)
        if obj is None and name not in namespace:
            missing[name] = f"{name} is not defined"
        elif not callable(obj):
            missing[name] = f"{name} is not callable (it is a {type(obj).__name__})"
    channel.send({"kind": "imported", "missing": missing})

    argument = argument_node(wire, blobs)
    kept: dict[str, Any] = {}  # objects calls keep (store_as), by the names the PARENT gave them
    for index in range(start, len(calls)):
        call = calls[index]
        fname = call["function"]
        kind = call.get("kind", "function")
        store = call.get("store")
        keep = {int(i): str(name) for i, name in call.get("keep") or ()}
        for name in ([store] if store is not None else []) + list(keep.values()):
            _drop(kept, name)  # a failing call must not leave an older object under this name
        if kind == "function" and (fname in missing or fname not in functions):
            problem = missing.get(fname, f"{fname} is not one of the task's functions")
            channel.send({"kind": "result", "index": index, "verdict": "missing_function", "message": problem,
                          "seconds": 0.0})
            continue
        absent = [n for n in _ref_names(call) if n not in kept]
        if absent:
            channel.send({"kind": "result", "index": index, "verdict": "runtime_error", "seconds": 0.0,
                          "message": f"not run: the object {absent[0]} does not exist in this process (the call"
                                     " that makes it failed, or a failure stopped the process that held it)"})
            continue
        plain = {k: wire.decode_value(tree, blobs, argument=argument)
                 for k, tree in call["args"].items() if tree.get("t") != "ref"}
        watched = _arrays_in(plain)  # the parent compares their digests after the call with what it sent
        args = {k: kept[tree["name"]] if tree.get("t") == "ref" else plain[k] for k, tree in call["args"].items()}
        target = kept[call["target"]] if call.get("target") is not None else None
        started = _perf_counter()
        try:
            value = OBJECTS.perform(kind, fname, target, args, namespace.__getitem__)
        except SystemExit as e:
            seconds = _perf_counter() - started
            channel.send({"kind": "result", "index": index, "verdict": "runtime_error", "seconds": seconds,
                          "message": f"SystemExit: the function called sys.exit({e.code!r})"[:MAX_MESSAGE]})
            continue
        except BaseException as e:
            seconds = _perf_counter() - started
            channel.send({"kind": "result", "index": index, "verdict": _verdict_for(e), "seconds": seconds,
                          "message": describe_exception(e)})
            continue
        seconds = _perf_counter() - started
        after = {k: _digest(wire, v) for k, v in watched.items()}
        out: list[bytes] = []
        if store is not None:  # kept here; the parent holds only the name it chose
            kept[store] = value
            tree = {"t": "none"}
        elif keep and (type(value) not in (tuple, list) or len(value) <= max(keep)):
            tree = {"t": "invalid", "what": f"a {type(value).__name__} where a tuple (..., cache) was expected"}
        else:
            if keep:  # items kept here (a cache); the others come back, None in the kept items' places
                for i, name in keep.items():
                    kept[name] = value[i]
                value = [None if i in keep else item for i, item in enumerate(value)]
            try:
                tree = wire.encode_value(value, out)
            except ValueError as e:
                tree, out = {"t": "invalid", "what": str(e)[:200]}, []
            except BaseException as e:
                tree, out = {"t": "invalid", "what": f"a value that could not be converted ({type(e).__name__})"}, []
        # dropped before the result is sent: a finaliser (__del__) that runs now is timed as part of this call
        del value, args, target
        channel.send({"kind": "result", "index": index, "value": tree, "inputs": after, "seconds": seconds}, out)
    channel.send({"kind": "done"})
    _exit(0)

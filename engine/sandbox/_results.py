"""What a run keeps of its children's results, and the parent's own checks on each one.

A child's word is never taken for anything the verdict depends on:

- **Inputs modified in place**: the parent hashes every array argument it sends (``input_digests``); after a call
  the child must send the digest of each argument's current dtype, shape and bytes, and the parent compares. A
  child that lies can only hide a change to its own inputs, which it could equally undo before returning: that
  gains nothing, and an honest submission is never flagged by a lie.
- **Kept objects**: a call with ``store_as`` keeps its result in the child under the name the parent chose; the
  child must answer it with no value at all, and the parent's result holds its own ``Ref`` to that name.
- **Size**: an output array larger than ``SMALL_OUTPUT`` whose shape is not the reference's is replaced, right
  after decoding, by a zero-byte stand-in of its shape and dtype (the judge only needs its shape to say it is
  wrong); and the bytes of arrays kept per run are capped at ``MAX_KEPT``.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from dataclasses import dataclass, field

import numpy as np

from engine.limits import Limits
from engine.report import Verdict
from engine.runner import ExpectedShapes
from engine.sandbox import _messages as messages
from engine.sandbox import _wire as wire
from engine.task import Call, CallResult, Ref

SMALL_OUTPUT = 1 << 20  # an output this small is kept whatever its shape (detectors look at wrong shapes' values)
MAX_KEPT = 128 << 20  # bytes of returned arrays one run keeps in all


@dataclass
class Output:
    """Captured stdout+stderr of every child of a run, capped at ``limit`` bytes."""

    limit: int
    data: bytearray = field(default_factory=bytearray)
    over: bool = False

    def add(self, chunk: bytes) -> bool:
        """Keep what fits; True when the limit has just been exceeded."""
        room = self.limit - len(self.data)
        self.data += chunk[: max(room, 0)]
        if len(chunk) > room and not self.over:
            self.over = True
            return True
        return False

    def text(self) -> str:
        text = self.data.decode("utf-8", errors="replace")
        return text + ("\n[output truncated]" if self.over else "")


@dataclass
class RunState:
    """What every child of one run shares: the calls, the results so far, the captured output, the digests of
    the inputs sent (one dict per call), the expected output shapes (if the caller knows them) and the bytes of
    returned arrays kept so far."""

    calls: list[Call]
    limits: Limits
    total_deadline: float
    digests: list[dict[str, str]]
    expected_shapes: ExpectedShapes | None = None
    cancel: threading.Event | None = None  # set from another thread to stop the run (the child is killed)
    results: list[CallResult | None] = field(init=False)
    output: Output = field(init=False)
    kept: int = 0

    def __post_init__(self) -> None:
        self.results = [None] * len(self.calls)
        self.output = Output(self.limits.max_output_kb * 1024)


def watched_arguments(args: dict[str, object]) -> Iterator[tuple[str, np.ndarray]]:
    """The array arguments a call must not modify, as the child sees them: top-level arrays and the arrays inside
    tuple or list arguments (named like ``grads[1]``)."""
    for name, value in args.items():
        if isinstance(value, np.ndarray):
            yield name, value
        elif isinstance(value, tuple | list):
            for i, item in enumerate(value):
                if isinstance(item, np.ndarray):
                    yield f"{name}[{i}]", item


def input_digests(call: Call) -> dict[str, str]:
    """The digest of each watched argument in the form the child decodes it (plain, native byte order)."""
    out: dict[str, str] = {}
    for name, value in watched_arguments(dict(call.args)):
        plain = np.ndarray.view(value, np.ndarray)
        out[name] = wire.array_digest(plain.astype(plain.dtype.newbyteorder("="), copy=False))
    return out


def call_result(state: RunState, index: int, message: messages.Message, seconds: float) -> CallResult:
    """The CallResult of a validated result message for call ``index``; ``ProtocolError`` if its input digests do
    not name exactly the arguments sent."""
    call = state.calls[index]
    if message.verdict:
        verdict = Verdict(message.verdict)
        text = message.text
        if verdict is Verdict.MEMORY_LIMIT_EXCEEDED:
            text = f"{text}\n(memory limit {state.limits.memory_mb} MiB)"
        return CallResult(call, error=text, error_verdict=verdict, seconds=seconds)
    sent = state.digests[index]
    if set(message.inputs) != set(sent):
        raise wire.ProtocolError("input digests do not match the arguments")
    mutated = tuple(sorted(name for name, digest in sent.items() if message.inputs[name] != digest))
    if call.store_as is not None:  # the object stays in the child; what the parent holds is its own name for it
        if message.invalid or message.value is not None:
            raise wire.ProtocolError("a value came back for a call whose result stays in the sandbox")
        return CallResult(call, value=Ref(call.store_as), mutated=mutated, seconds=seconds)
    if message.invalid:
        return CallResult(
            call, error=f"returned {message.invalid}; return NumPy arrays, numbers, None or tuples of these",
            error_verdict=Verdict.INVALID_OUTPUT, mutated=mutated, seconds=seconds,
        )
    value = _drop_wrong_shapes(state, call, message.value)
    if call.keep:  # the kept items stay in the child: the parent's result holds its own names for them
        if not isinstance(value, tuple) or len(value) <= max(call.keep) or any(value[i] is not None for i in call.keep):
            raise wire.ProtocolError("a value came back in place of an item kept in the sandbox")
        value = tuple(Ref(call.keep[i]) if i in call.keep else item for i, item in enumerate(value))
    size = sum(a.nbytes for a in _arrays(value) if a.base is None)  # stand-ins (views of one zero) hold nothing
    if state.kept + size > MAX_KEPT:
        return CallResult(
            call, error=f"returned more than {MAX_KEPT >> 20} MiB of arrays in all over this run's calls",
            error_verdict=Verdict.OUTPUT_LIMIT_EXCEEDED, mutated=mutated, seconds=seconds,
        )
    state.kept += size
    return CallResult(call, value=value, mutated=mutated, seconds=seconds)


def _arrays(value: object) -> Iterator[np.ndarray]:
    if isinstance(value, np.ndarray):
        yield value
    elif isinstance(value, tuple):
        for item in value:
            yield from _arrays(item)


def _drop_wrong_shapes(state: RunState, call: Call, value: object) -> object:
    """``value`` with every large output array whose shape is not the expected one replaced by a stand-in."""
    if state.expected_shapes is None or sum(a.nbytes for a in _arrays(value)) <= SMALL_OUTPUT:
        return value
    try:
        shapes = state.expected_shapes(call)
    except Exception:  # the reference could not say: keep the value (the per-run cap still holds)
        return value
    if shapes is None:
        return value
    if len(shapes) == 1:
        return _stand_in(value, shapes[0])
    if not isinstance(value, tuple) or len(value) != len(shapes):
        return _stand_in(value, None)
    return tuple(_stand_in(v, s) for v, s in zip(value, shapes, strict=True))


def _stand_in(value: object, shape: tuple[int, ...] | None) -> object:
    if isinstance(value, np.ndarray):
        if value.nbytes <= SMALL_OUTPUT or (shape is not None and tuple(value.shape) == tuple(shape)):
            return value
        return np.broadcast_to(np.zeros((), value.dtype), value.shape)
    if isinstance(value, tuple):
        return tuple(_stand_in(v, None) for v in value)
    return value

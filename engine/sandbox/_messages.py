"""The messages a sandboxed child sends: each frame's header validated into a ``Message``, the only thing the
grading process acts on. Everything in a frame is hostile; anything malformed is a ``ProtocolError``.

The child writes these frames (``_child.py``); only the grading process reads them, so unlike ``_wire.py`` this
module is never loaded by the zygote.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from typing import Any, cast

from engine.sandbox._wire import MAX_BLOBS, InvalidValue, ProtocolError, clean_text, decode_value

CALL_VERDICTS = frozenset({"runtime_error", "memory_limit_exceeded", "missing_function"})  # a call may claim
FATAL_VERDICTS = frozenset({"syntax_error", "runtime_error", "memory_limit_exceeded"})  # the import may claim
MAX_TEXT = 4000  # characters of a message kept
_DIGEST = re.compile("[0-9a-f]{64}")


class Message:
    """One validated frame from a child. ``kind`` is setup, setup_failed, fatal, imported, result or done.

    A result carries ``index`` and the ``seconds`` the child claims, then either an error (``verdict``, ``text``)
    or a ``value`` (``invalid`` names a value the child could not send) with ``inputs``: the digest of each
    watched argument after the call, for the parent to compare with what it sent.
    """

    def __init__(
        self, kind: str, *, index: int = -1, seconds: float = 0.0, verdict: str = "", text: str = "",
        value: object = None, invalid: str = "", inputs: dict[str, str] | None = None,
        applied: dict[str, Any] | None = None,
    ) -> None:
        self.kind, self.index, self.seconds, self.verdict, self.text = kind, index, seconds, verdict, text
        self.value, self.invalid, self.inputs, self.applied = value, invalid, inputs or {}, applied or {}


def decode_message(header: dict[str, Any], blobs: Sequence[memoryview | bytes]) -> Message:
    """The message a parsed frame holds; ``ProtocolError`` (and nothing else) for anything malformed."""
    try:
        return _decode_message(header, blobs)
    except ProtocolError:
        raise
    except Exception as e:  # whatever a validator missed is still just a bad frame, never the grader's failure
        raise ProtocolError(f"undecodable frame ({type(e).__name__})") from None


def _decode_message(header: dict[str, Any], blobs: Sequence[memoryview | bytes]) -> Message:
    kind = header.get("kind")
    if kind in ("imported", "done"):
        return Message(kind)
    if kind == "setup":
        applied = header.get("applied")
        if not isinstance(applied, dict):
            raise ProtocolError("bad setup frame")
        return Message(kind, applied=applied)
    if kind == "setup_failed":
        return Message(kind, text=_text(header.get("message")))
    if kind == "fatal":
        verdict = header.get("verdict")
        if verdict not in FATAL_VERDICTS:
            raise ProtocolError("bad fatal frame")
        return Message(kind, verdict=str(verdict), text=_text(header.get("message")))
    if kind != "result":
        raise ProtocolError(f"unknown frame kind {clean_text(str(kind), 40)!r}")
    index = header.get("index")
    if type(index) is not int or not 0 <= index < 2**31:
        raise ProtocolError("bad result index")
    seconds = _seconds(header.get("seconds"))
    if "verdict" in header:
        verdict = header.get("verdict")
        if verdict not in CALL_VERDICTS:
            raise ProtocolError("bad error result")
        return Message(kind, index=index, seconds=seconds, verdict=str(verdict), text=_text(header.get("message")))
    inputs = header.get("inputs")
    if not isinstance(inputs, dict) or len(inputs) > MAX_BLOBS or not all(
        isinstance(k, str) and len(k) <= 200 and isinstance(v, str) and _DIGEST.fullmatch(v)
        for k, v in inputs.items()
    ):
        raise ProtocolError("bad input digests")
    try:
        return Message(kind, index=index, seconds=seconds, value=decode_value(header.get("value"), blobs),
                       inputs=inputs)
    except InvalidValue as e:
        return Message(kind, index=index, seconds=seconds, invalid=str(e), inputs=inputs)


def _text(value: object) -> str:
    if not isinstance(value, str):
        raise ProtocolError("bad message text")
    return clean_text(value, MAX_TEXT)


def _seconds(value: object) -> float:
    if type(value) not in (int, float):
        raise ProtocolError("bad seconds")
    try:
        seconds = float(cast(float, value))
    except OverflowError:
        raise ProtocolError("bad seconds") from None
    if not math.isfinite(seconds) or seconds < 0:
        raise ProtocolError("bad seconds")
    return seconds

"""The sandbox wire format: frames of a JSON header plus NumPy ``.npy`` blobs; nothing in it can run code.

This module is shared by both sides. The grading process imports it as ``engine.sandbox._wire``; the zygote loads
the same file BY PATH (it must not import the engine package), so it may import only the stdlib and NumPy.

A frame is ``MAGIC``, two big-endian u32 (header length, payload length), the UTF-8 JSON header, then the payload:
the concatenation of the ``.npy`` blobs whose lengths the header lists under ``"blobs"``. Values are JSON trees:

``{"t": "none"}``, ``{"t": "bool", "v": true}``, ``{"t": "int", "v": "12"}`` (decimal text),
``{"t": "float", "v": "0x1.8p+1"}`` (``float.hex``), ``{"t": "array", "b": 0}`` (blob index),
``{"t": "seq", "items": [...]}``, ``{"t": "invalid", "what": "a str"}`` (a return value the child refused to
encode); arguments also use str, NumPy scalar, generator-seed and known-function nodes, written by ``_inputs`` and
read by ``_child.argument_node``, never by the grading process.

The reader side (``FrameReader``, ``decode_value``) treats its input as hostile: bounded sizes, strict
validation, ``allow_pickle`` never, no object or complex dtypes, and ``ProtocolError`` for anything malformed.
What a frame means to the grading process (a validated ``Message``) is ``_messages.py``.
"""

from __future__ import annotations

import hashlib
import itertools
import json
import re
import struct
from collections.abc import Callable, Sequence
from typing import Any, cast

import numpy as np

MAGIC = b"NNPS"
_PREFIX = struct.Struct(">4sII")
PREFIX_SIZE = _PREFIX.size
MAX_HEADER = 1 << 20  # bytes of JSON header in one frame
MAX_PAYLOAD = 64 << 20  # bytes of blobs in one frame
MAX_BLOBS = 256
MAX_NODES = 2048
MAX_DEPTH = 16
MAX_INT_DIGITS = 1000
MAX_NPY_HEADER = 4096
ARRAY_KINDS = frozenset("biuf")  # bool, signed, unsigned, floating

_NPY_HEADER = re.compile(
    r"\{'descr': '([<>|=]?[a-zA-Z]\d{1,2})', 'fortran_order': (True|False), "
    r"'shape': \(((?:\d{1,13}, ?)*\d{0,13})\), \} *\n"
)
_INT = re.compile(rf"-?[0-9]{{1,{MAX_INT_DIGITS}}}")


class ProtocolError(Exception):
    """What the other side sent is not a valid frame or value."""


# ---------------------------------------------------------------------------------------------------- frames


def encode_frame(header: dict[str, Any], blobs: Sequence[bytes] = ()) -> bytes:
    """One frame: ``header`` (``"blobs"`` is filled in here) followed by ``blobs``."""
    header = dict(header)
    header["blobs"] = [len(b) for b in blobs]
    head = json.dumps(header, separators=(",", ":"), allow_nan=False).encode()
    payload = b"".join(blobs)
    return _PREFIX.pack(MAGIC, len(head), len(payload)) + head + payload


class FrameReader:
    """Splits a byte stream into frames. Garbage ends the stream: ``error`` says what was wrong, the frames that
    came before it are still returned, and everything after it is ignored.

    Each frame is read into a buffer of its exact size, allocated once its prefix has been checked: a frame of up
    to 64 MiB costs its own size, never a growing buffer's reallocations and copies.
    """

    def __init__(self, max_payload: int = MAX_PAYLOAD) -> None:
        self._prefix = bytearray()
        self._frame: bytearray | None = None
        self._filled = 0
        self._max_payload = max_payload
        self.error: str | None = None

    def feed(self, data: bytes) -> list[tuple[dict[str, Any], list[memoryview]]]:
        """Add bytes; return the frames now complete (never raises)."""
        frames: list[tuple[dict[str, Any], list[memoryview]]] = []
        view = memoryview(data)
        while self.error is None:
            if self._frame is None:
                if not view:
                    break
                need = PREFIX_SIZE - len(self._prefix)
                self._prefix += view[:need]
                view = view[need:]
                if len(self._prefix) < PREFIX_SIZE:
                    break
                magic, head_len, payload_len = _PREFIX.unpack(self._prefix)
                if magic != MAGIC:
                    self._fail("bad frame magic")
                    break
                if head_len > MAX_HEADER or payload_len > self._max_payload:
                    self._fail("frame too large")
                    break
                self._frame = bytearray(PREFIX_SIZE + head_len + payload_len)
                self._frame[:PREFIX_SIZE] = self._prefix
                self._filled, self._prefix = PREFIX_SIZE, bytearray()
            take = min(len(self._frame) - self._filled, len(view))
            self._frame[self._filled : self._filled + take] = view[:take]
            self._filled += take
            view = view[take:]
            if self._filled < len(self._frame):
                break
            frame, self._frame = self._frame, None
            try:
                frames.append(parse_frame(frame))
            except ProtocolError as e:
                self._fail(str(e))
        return frames

    def _fail(self, what: str) -> None:
        self.error = what
        self._prefix, self._frame = bytearray(), None

    @property
    def pending(self) -> int:
        """Bytes of an incomplete frame held back."""
        return len(self._prefix) + (self._filled if self._frame is not None else 0)


def parse_frame(frame: bytes | bytearray) -> tuple[dict[str, Any], list[memoryview]]:
    """Header and blobs of one complete frame."""
    if len(frame) < PREFIX_SIZE:
        raise ProtocolError("short frame")
    magic, head_len, payload_len = _PREFIX.unpack_from(frame)
    if magic != MAGIC or len(frame) != PREFIX_SIZE + head_len + payload_len:
        raise ProtocolError("bad frame")
    try:
        header = json.loads(frame[PREFIX_SIZE : PREFIX_SIZE + head_len].decode("utf-8"))
    except (ValueError, UnicodeDecodeError, RecursionError) as e:
        raise ProtocolError(f"bad frame header: {type(e).__name__}") from None
    if not isinstance(header, dict):
        raise ProtocolError("frame header is not an object")
    sizes = header.get("blobs")
    if (
        not isinstance(sizes, list)
        or len(sizes) > MAX_BLOBS
        or not all(type(s) is int and s >= 0 for s in sizes)
        or sum(sizes) != payload_len
    ):
        raise ProtocolError("bad blob table")
    view = memoryview(frame)[PREFIX_SIZE + head_len :]
    ends = itertools.accumulate(sizes)
    return header, [view[end - size : end] for size, end in zip(sizes, ends, strict=True)]


# ---------------------------------------------------------------------------------------------------- arrays


def encode_array(arr: np.ndarray) -> bytes:
    """A ``.npy`` (version 1.0) blob of a plain, C-ordered copy of ``arr`` (bool/int/uint/float only)."""
    plain = np.ndarray.view(arr, np.ndarray)
    dtype = plain.dtype
    if dtype.kind not in ARRAY_KINDS or dtype.fields is not None or dtype.subdtype is not None:
        raise ValueError(f"an array of dtype {dtype}")
    header = f"{{'descr': {dtype.str!r}, 'fortran_order': False, 'shape': {tuple(plain.shape)!r}, }}"
    total = len(header) + 11  # magic(6) + version(2) + length(2) + newline(1)
    header += " " * ((64 - total % 64) % 64) + "\n"
    prefix = b"\x93NUMPY\x01\x00" + struct.pack("<H", len(header)) + header.encode("latin1")
    if len(prefix) + plain.nbytes > MAX_PAYLOAD:  # what one frame may carry, header included
        raise ValueError(f"an array of {plain.nbytes} bytes (more than {MAX_PAYLOAD >> 20} MiB)")
    return prefix + np.ndarray.tobytes(plain, order="C")


def decode_array(blob: memoryview | bytes) -> np.ndarray:
    """A plain, writable, native-order ndarray from a ``.npy`` blob; ``ProtocolError`` if it is anything else.

    Only the version 1.0 header ``encode_array`` (and ``np.save``) writes is accepted, matched by a regular
    expression (no pickle, no ``literal_eval``); its dtype and shape are checked against the blob's length before
    any allocation.
    """
    data = bytes(blob[:10])
    if len(data) < 10 or data[:8] != b"\x93NUMPY\x01\x00":
        raise ProtocolError("not an npy 1.0 blob")
    (hlen,) = struct.unpack_from("<H", data, 8)
    if hlen > MAX_NPY_HEADER or 10 + hlen > len(blob):
        raise ProtocolError("npy header too large")
    match = _NPY_HEADER.fullmatch(bytes(blob[10 : 10 + hlen]).decode("latin1"))
    if match is None:
        raise ProtocolError("bad npy header")
    descr, fortran = match.group(1), match.group(2) == "True"
    dims = match.group(3).replace(" ", "").rstrip(",")
    shape = tuple(int(d) for d in dims.split(",")) if dims else ()
    if len(shape) > 32 or not all(type(n) is int and 0 <= n < 2**40 for n in shape):
        raise ProtocolError("bad npy shape")
    try:
        dtype = np.dtype(descr)
    except (TypeError, ValueError):
        raise ProtocolError("bad npy dtype") from None
    if dtype.kind not in ARRAY_KINDS or dtype.fields is not None or dtype.subdtype is not None:
        raise ProtocolError(f"unsupported dtype {dtype}")
    count = nonzero = 1
    for n in shape:
        count *= n
        nonzero *= max(n, 1)
    if nonzero > MAX_PAYLOAD:  # numpy refuses shapes whose extent overflows, even with a zero in them
        raise ProtocolError("bad npy shape")
    body = blob[10 + hlen :]
    if count * dtype.itemsize != len(body):
        raise ProtocolError("npy size does not match its shape")
    try:
        flat = np.frombuffer(body, dtype=dtype, count=count)
        arr = flat.reshape(shape, order="F" if fortran else "C")
        return np.array(arr, dtype=dtype.newbyteorder("="), order="C", copy=True)
    except (ValueError, TypeError, MemoryError, OverflowError) as e:
        raise ProtocolError(f"bad npy data ({type(e).__name__})") from None


# ---------------------------------------------------------------------------------------------------- values


def encode_value(value: object, blobs: list[bytes], *, depth: int = 0) -> dict[str, Any]:
    """The JSON tree of ``value``, appending array blobs to ``blobs``.

    Raises ``ValueError`` naming the offending part ("a str", "an array of dtype complex128") if not encodable.
    Subclasses of ndarray are sent as plain ndarrays via the base class's own methods, so their overrides never run.
    """
    if depth > MAX_DEPTH:
        raise ValueError("nested too deeply")
    kind = type(value)
    if value is None:
        return {"t": "none"}
    if kind is bool:
        return {"t": "bool", "v": value is True}
    # type(), never isinstance(): a fake __class__ cannot fool it; base-class methods, never the value's own
    if issubclass(kind, np.ndarray):
        blobs.append(encode_array(np.ndarray.view(cast(np.ndarray, value), np.ndarray)))
        return {"t": "array", "b": len(blobs) - 1}
    if issubclass(kind, np.generic):
        blobs.append(encode_array(np.asarray(cast(np.generic, value))))
        return {"t": "array", "b": len(blobs) - 1}
    if issubclass(kind, int):
        try:
            text = int.__repr__(cast(int, value))
        except ValueError:  # more digits than Python itself will print
            text = ""
        if not text or len(text.lstrip("-")) > MAX_INT_DIGITS:
            raise ValueError(f"an int of more than {MAX_INT_DIGITS} digits")
        return {"t": "int", "v": text}
    if issubclass(kind, float):
        return {"t": "float", "v": float.hex(cast(float, value))}
    if kind is tuple or kind is list:
        items = [encode_value(v, blobs, depth=depth + 1) for v in cast(Sequence[object], value)]
        if sum(len(b) for b in blobs) > MAX_PAYLOAD:
            raise ValueError(f"arrays of more than {MAX_PAYLOAD >> 20} MiB in all")
        return {"t": "seq", "items": items}
    raise ValueError(f"a {kind.__name__}")


class _Counter:
    def __init__(self) -> None:
        self.n = 0


def decode_value(
    tree: object,
    blobs: Sequence[memoryview | bytes],
    *,
    argument: Callable[[dict[str, Any]], object] | None = None,
    _count: _Counter | None = None,
    _depth: int = 0,
) -> object:
    """The value a JSON tree stands for: plain ndarrays, bool/int/float, None, tuples. ``ProtocolError`` for
    anything else, ``InvalidValue`` for ``"invalid"``. The child passes ``argument`` to decode the node types only
    arguments use (str, NumPy scalars, generators, known functions: see ``_child.argument_node``)."""
    count = _count or _Counter()
    count.n += 1
    if count.n > MAX_NODES or _depth > MAX_DEPTH:
        raise ProtocolError("value too large or nested too deeply")
    if not isinstance(tree, dict):
        raise ProtocolError("value node is not an object")
    t = tree.get("t")
    if t == "none":
        return None
    if t == "bool":
        v = tree.get("v")
        if type(v) is not bool:
            raise ProtocolError("bad bool")
        return v
    if t == "int":
        v = tree.get("v")
        if not isinstance(v, str) or not _INT.fullmatch(v):
            raise ProtocolError("bad int")
        return int(v)
    if t == "float":
        v = tree.get("v")
        if not isinstance(v, str) or len(v) > 64:
            raise ProtocolError("bad float")
        try:
            return float.fromhex(v)
        except (ValueError, OverflowError):
            raise ProtocolError("bad float") from None
    if t == "array":
        b = tree.get("b")
        if type(b) is not int or not 0 <= b < len(blobs):
            raise ProtocolError("bad blob index")
        return decode_array(blobs[b])
    if t == "seq":
        items = tree.get("items")
        if not isinstance(items, list):
            raise ProtocolError("bad sequence")
        return tuple(
            decode_value(i, blobs, argument=argument, _count=count, _depth=_depth + 1)
            for i in items
        )
    if t == "invalid":
        what = tree.get("what")
        raise InvalidValue(clean_text(what if isinstance(what, str) else "an unsupported value", 200))
    if argument is not None:
        return argument(tree)
    raise ProtocolError("unknown value type")


class InvalidValue(Exception):
    """The child reported a return value it could not send (a str, an object array, ...); the text says what."""


def clean_text(text: str, limit: int) -> str:
    """``text`` cut to ``limit`` characters, without control characters other than newline and tab."""
    out = "".join(c if c.isprintable() or c in "\n\t" else "?" for c in text[: limit + 1])
    return out if len(out) <= limit else out[: limit - 3] + "..."


def array_digest(arr: np.ndarray) -> str:
    """SHA-256 of an array's dtype, shape and C-order bytes (base-class methods: a subclass cannot fake it)."""
    h = hashlib.sha256(f"{np.ndarray.__getattribute__(arr, 'dtype').str}{tuple(arr.shape)}".encode())
    h.update(np.ndarray.tobytes(arr, order="C"))
    return h.hexdigest()

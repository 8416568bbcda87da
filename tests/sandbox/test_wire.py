"""The wire format treats what a child sends as hostile: malformed input raises ProtocolError, never anything
worse (no pickle, no huge allocations, no crash)."""

from __future__ import annotations

import io
import json
import struct

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from engine.sandbox import _wire as wire


def frame(header: object, payload: bytes = b"") -> bytes:
    head = json.dumps(header).encode()
    return b"NNPS" + struct.pack(">II", len(head), len(payload)) + head + payload


def test_round_trip() -> None:
    arrays = [np.arange(6.0).reshape(2, 3), np.asarray(np.float32(2.5)), np.zeros((0, 4), bool),
              np.arange(12, dtype=">i4").reshape(3, 4).T, np.ones(5, np.uint8)]
    value = (*arrays, None, True, 7, -(10**50), 1.5, float("nan"), [np.float16(3)])
    blobs: list[bytes] = []
    tree = wire.encode_value(value, blobs)
    (header, got_blobs), = wire.FrameReader().feed(wire.encode_frame({"value": tree}, blobs))
    back = wire.decode_value(header["value"], got_blobs)
    assert isinstance(back, tuple) and len(back) == len(value)
    for a, b in zip(arrays, back, strict=False):
        assert type(b) is np.ndarray and b.dtype == a.dtype.newbyteorder("=") and b.flags.writeable
        np.testing.assert_array_equal(a, b)
    assert back[5:10] == (None, True, 7, -(10**50), 1.5)
    assert np.isnan(back[10])  # type: ignore[arg-type]
    assert back[11][0].dtype == np.float16  # type: ignore[index]


def test_reader_handles_split_and_joined_frames() -> None:
    data = wire.encode_frame({"a": 1}) + wire.encode_frame({"b": 2}, [b"xyz"])
    reader = wire.FrameReader()
    got = []
    for i in range(len(data)):
        got.extend(reader.feed(data[i : i + 1]))
    assert [h for h, _ in got] == [{"a": 1, "blobs": []}, {"b": 2, "blobs": [3]}]
    assert bytes(got[1][1][0]) == b"xyz"
    assert reader.pending == 0


@pytest.mark.parametrize(
    "data",
    [
        b"garbage!" * 4,
        b"NNPS" + struct.pack(">II", 2**31, 0),
        b"NNPS" + struct.pack(">II", 10, 2**31),
        frame([1, 2]),
        frame({"blobs": [5]}, b"abc"),
        frame({"blobs": [-1]}),
        frame({"blobs": "x"}),
        b"NNPS" + struct.pack(">II", 3, 0) + b"\xff\xfe\xfd",
        b"NNPS" + struct.pack(">II", 40000, 0) + b"[" * 40000,
    ],
)
def test_reader_rejects_garbage(data: bytes) -> None:
    with pytest.raises(wire.ProtocolError):
        wire.FrameReader().feed(data)


def _npy(array: np.ndarray, allow_pickle: bool = False) -> bytes:
    buf = io.BytesIO()
    np.save(buf, array, allow_pickle=allow_pickle)
    return buf.getvalue()


def test_decode_array_accepts_numpy_files() -> None:
    np.testing.assert_array_equal(wire.decode_array(_npy(np.arange(4.0))), np.arange(4.0))
    np.testing.assert_array_equal(wire.decode_array(_npy(np.asfortranarray(np.eye(3)))), np.eye(3))


@pytest.mark.parametrize(
    "blob",
    [
        _npy(np.array([1, "a"], dtype=object), allow_pickle=True),
        _npy(np.ones(3, complex)),
        _npy(np.array(["abc"])),
        _npy(np.zeros(2, dtype=[("a", "f8")])),
        _npy(np.arange(3.0))[:-8],  # truncated
        _npy(np.arange(3.0)) + b"\x00" * 8,  # too long
        b"\x93NUMPY\x01\x00" + struct.pack("<H", 60) + b"{'descr': '<f8', 'fortran_order': False, 'shape': (2**40,), }",
        b"\x93NUMPY\x01\x00" + struct.pack("<H", 40) + b"__import__('os').system('echo pwned')   ",
        b"\x93NUMPY\x09\x00",
        b"not npy at all",
    ],
)
def test_decode_array_rejects(blob: bytes) -> None:
    with pytest.raises(wire.ProtocolError):
        wire.decode_array(blob)


@pytest.mark.parametrize(
    "tree",
    [
        {"t": "int", "v": "1" * 5000},
        {"t": "int", "v": "0x10"},
        {"t": "int", "v": 3},
        {"t": "float", "v": "1e5000x"},
        {"t": "bool", "v": 1},
        {"t": "array", "b": 5},
        {"t": "rng", "seed": "3"},  # arguments only
        {"t": "str", "v": "x"},  # arguments only
        {"t": "pickle", "v": "..."},
        [],
        {"t": "seq", "items": "abc"},
        {"t": "seq", "items": [{"t": "none"}] * 5000},
    ],
)
def test_decode_value_rejects(tree: object) -> None:
    with pytest.raises(wire.ProtocolError):
        wire.decode_value(tree, [])


def test_deep_nesting_is_refused() -> None:
    tree: dict[str, object] = {"t": "none"}
    for _ in range(100):
        tree = {"t": "seq", "items": [tree]}
    with pytest.raises(wire.ProtocolError):
        wire.decode_value(tree, [])


def test_invalid_marker_names_the_type() -> None:
    with pytest.raises(wire.InvalidValue, match="a str"):
        wire.decode_value({"t": "invalid", "what": "a str\x00\x1b[31m"}, [])


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=300), st.integers(min_value=1, max_value=64))
def test_reader_fuzz(data: bytes, step: int) -> None:
    reader = wire.FrameReader()
    try:
        for i in range(0, len(data), step):
            for header, _blobs in reader.feed(data[i : i + step]):
                assert isinstance(header, dict)
    except wire.ProtocolError:
        pass


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=200))
def test_decode_array_fuzz(tail: bytes) -> None:
    for prefix in (b"", b"\x93NUMPY\x01\x00", b"\x93NUMPY\x02\x00"):
        try:
            arr = wire.decode_array(prefix + tail)
        except wire.ProtocolError:
            continue
        assert type(arr) is np.ndarray and arr.dtype.kind in "biuf"

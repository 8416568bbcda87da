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

from engine.limits import Limits
from engine.sandbox import _messages as messages
from engine.sandbox import _wire as wire
from engine.sandbox._driver import Attempt, Driver
from engine.sandbox._results import RunState, input_digests
from engine.task import Call


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
    reader = wire.FrameReader()
    assert reader.feed(data) == []
    assert reader.error
    assert reader.feed(wire.encode_frame({"kind": "done"})) == []  # nothing after garbage is believed


def test_valid_frames_before_garbage_in_one_read_are_kept() -> None:
    good = wire.encode_frame({"kind": "imported"}) + wire.encode_frame({"kind": "done"})
    reader = wire.FrameReader()
    frames = reader.feed(good + b"garbage" * 10 + wire.encode_frame({"kind": "done"}))
    assert [h["kind"] for h, _ in frames] == ["imported", "done"]
    assert reader.error == "bad frame magic"


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
    for i in range(0, len(data), step):
        for header, _blobs in reader.feed(data[i : i + step]):
            assert isinstance(header, dict)


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=200))
def test_decode_array_fuzz(tail: bytes) -> None:
    for prefix in (b"", b"\x93NUMPY\x01\x00", b"\x93NUMPY\x02\x00"):
        try:
            arr = wire.decode_array(prefix + tail)
        except wire.ProtocolError:
            continue
        assert type(arr) is np.ndarray and arr.dtype.kind in "biuf"


# ------------------------------------------------------------------------------------------------ messages


def _result(value: dict[str, object], payload: list[bytes] | None = None, **extra: object) -> bytes:
    header = {"kind": "result", "index": 0, "seconds": 0.5, "value": value, "inputs": {}, **extra}
    return wire.encode_frame(header, payload or [])


def decode(data: bytes) -> messages.Message | None:
    """The parent's whole decoding of one frame's bytes: split, parse, validate (None: the frame is incomplete)."""
    reader = wire.FrameReader()
    frames = reader.feed(data)
    if reader.error is not None:
        raise wire.ProtocolError(reader.error)
    if not frames:
        assert reader.pending == len(data)
        return None
    (header, blobs), = frames
    return messages.decode_message(header, blobs)


def _npy_header(text: str) -> bytes:
    head = text + " " * (-(len(text) + 11) % 64) + "\n"
    return b"\x93NUMPY\x01\x00" + struct.pack("<H", len(head)) + head.encode()


@pytest.mark.parametrize(
    "data",
    [
        _result({"t": "int", "v": "--5"}),
        _result({"t": "int", "v": "+5"}),
        _result({"t": "int", "v": "٣"}),  # a digit, but not an ASCII one
        _result({"t": "none"}, seconds=10**400),
        _result({"t": "none"}, seconds=-1.0),
        _result({"t": "none"}, seconds=True),
        _result({"t": "none"}, index=-1),
        _result({"t": "none"}, index=2**40),
        _result({"t": "none"}, inputs={"x": "not a digest"}),
        _result({"t": "none"}, inputs=["x"]),
        _result({"t": "array", "b": 0}, [_npy_header("{'descr': '<f8', 'fortran_order': False, "
                                                     f"'shape': (0, {2**40 - 1}, {2**40 - 1}), }}")]),
        _result({"t": "array", "b": 0}, [_npy_header("{'descr': '<f8', 'fortran_order': False, "
                                                     f"'shape': ({2**39}, {2**39}, 0), }}")]),
        wire.encode_frame({"kind": "result", "index": 0, "seconds": 0, "verdict": "passed", "message": "x"}),
        wire.encode_frame({"kind": "fatal", "verdict": "internal_error", "message": "x"}),
        wire.encode_frame({"kind": "fatal", "verdict": "syntax_error", "message": 5}),
        wire.encode_frame({"kind": "setup", "applied": []}),
        wire.encode_frame({"kind": "launch"}),
        wire.encode_frame({"kind": ["result"]}),
    ],
)
def test_forged_messages_are_protocol_errors(data: bytes) -> None:
    with pytest.raises(wire.ProtocolError):
        decode(data)


@pytest.mark.parametrize("digits", [1, 17, 999, 1000])
def test_honest_ints_with_a_sign_round_trip(digits: int) -> None:
    for value in (int("9" * digits), -int("9" * digits)):
        msg = decode(_result(wire.encode_value(value, [])))
        assert msg is not None and msg.value == value


def test_ints_too_long_to_send_are_refused_by_the_child_as_values() -> None:
    for value in (10**1000, -(10**1000), 10**5000):  # 10**5000 is past Python's own str() limit
        with pytest.raises(ValueError, match="more than 1000 digits"):
            wire.encode_value(value, [])


def test_a_result_message_carries_its_parts() -> None:
    digest = wire.array_digest(np.arange(3.0))
    blobs: list[bytes] = []
    tree = wire.encode_value((np.eye(2), 1.5), blobs)
    msg = decode(_result(tree, blobs, inputs={"x": digest}, seconds=2))
    assert msg is not None
    assert (msg.kind, msg.index, msg.seconds, msg.inputs) == ("result", 0, 2.0, {"x": digest})
    assert isinstance(msg.value, tuple) and msg.value[1] == 1.5
    np.testing.assert_array_equal(msg.value[0], np.eye(2))
    invalid = decode(_result({"t": "invalid", "what": "a str"}))
    assert invalid is not None and invalid.invalid == "a str" and invalid.value is None


def test_array_digest_sees_dtype_shape_and_bytes() -> None:
    a = np.arange(6.0)
    digests = {wire.array_digest(x) for x in (a, a.reshape(2, 3), a.astype(np.float32), a + 1)}
    assert len(digests) == 4
    assert wire.array_digest(a.reshape(2, 3).T.copy()) != wire.array_digest(a.reshape(3, 2))
    assert wire.array_digest(np.asfortranarray(a.reshape(2, 3))) == wire.array_digest(a.reshape(2, 3))


# A JSON-ish header with the keys and value nodes a child sends, in any combination and any type.
_json = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=8),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=6), inner, max_size=4),
    max_leaves=12,
)
_node = st.recursive(
    st.fixed_dictionaries({"t": st.sampled_from(["none", "bool", "int", "float", "array", "invalid", "str"])},
                          optional={"v": _json, "b": st.integers(-2, 4), "what": _json}),
    lambda inner: st.fixed_dictionaries({"t": st.just("seq"), "items": st.lists(inner, max_size=4)}) | _json,
    max_leaves=10,
)
_npy_blobs = st.sampled_from([
    _npy(np.arange(4.0)), _npy(np.ones((2, 3), np.int8)), _npy(np.zeros(0)), b"\x93NUMPY\x01\x00", b"",
    _npy_header("{'descr': '<f8', 'fortran_order': False, 'shape': (0, 1099511627775, 1099511627775), }"),
]) | st.binary(max_size=80)
_header = st.fixed_dictionaries(
    {"kind": st.sampled_from(["setup", "setup_failed", "fatal", "imported", "result", "done", "x"]) | _json},
    optional={
        "index": st.integers(-3, 3) | _json, "seconds": st.floats() | st.integers() | _json,
        "verdict": st.sampled_from(["runtime_error", "syntax_error", "missing_function", "passed"]) | _json,
        "message": st.text(max_size=20) | _json, "value": _node, "applied": _json,
        "inputs": st.dictionaries(st.text(max_size=5), st.sampled_from(["0" * 64, "x"]) | _json, max_size=3),
    },
)


@settings(max_examples=500, deadline=None)
@given(_header, st.lists(_npy_blobs, max_size=3))
def test_message_decoder_fuzz(header: dict[str, object], blobs: list[bytes]) -> None:
    """Whatever a child sends, the parent's decoder returns a message or says the frame is bad: nothing else."""
    try:  # json.dumps as a child might call it: NaN and Infinity allowed
        msg = decode(frame({**header, "blobs": [len(b) for b in blobs]}, b"".join(blobs)))
    except wire.ProtocolError:
        return
    assert isinstance(msg, messages.Message) and msg.kind in ("setup", "setup_failed", "fatal", "imported", "result",
                                                          "done")


@settings(max_examples=300, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 10**6), st.integers(0, 255)), min_size=1, max_size=6))
def test_corrupted_result_frames_fuzz(flips: list[tuple[int, int]]) -> None:
    """A real result frame with bytes overwritten anywhere: a message or a ProtocolError, nothing else."""
    blobs: list[bytes] = []
    tree = wire.encode_value((np.arange(6.0).reshape(2, 3), -(10**30), 2.5, None, True), blobs)
    data = bytearray(_result(tree, blobs, inputs={"x": "a" * 64}))
    for where, byte in flips:
        data[where % len(data)] = byte
    try:
        msg = decode(bytes(data))
    except wire.ProtocolError:
        return
    assert msg is None or isinstance(msg, messages.Message)


class _QuietSandbox:
    _ctl = None

    def _send(self, message: dict[str, object]) -> None:
        pass


_task_calls = [Call("f", {"x": np.arange(3.0), "parts": (np.ones(2),)}), Call("f", {"x": np.zeros((2, 2))})]


_plausible_result = st.fixed_dictionaries({
    "kind": st.just("result"), "index": st.integers(0, 2), "seconds": st.floats(0, 5),
    "value": _node | st.just({"t": "array", "b": 0}),
    "inputs": st.sampled_from([input_digests(_task_calls[0]), input_digests(_task_calls[1]), {},
                               {"x": "0" * 64, "parts[0]": "0" * 64}]),
})


@settings(max_examples=300, deadline=None)
@given(st.lists(st.tuples(_header | _plausible_result, st.lists(_npy_blobs, max_size=2)), max_size=6),
       st.integers(0, 1))
def test_the_driver_acts_on_any_message_or_calls_it_tampering(
    frames: list[tuple[dict[str, object], list[bytes]]], start: int
) -> None:
    """Whatever sequence of frames a child sends, the driver records results or raises ProtocolError (which ends the
    child as tampering), never anything else."""
    state = RunState(list(_task_calls), Limits(), float("inf"), [input_digests(c) for c in _task_calls],
                     lambda call: [(3,)])
    driver = Driver(_QuietSandbox(), Attempt(start=start), state, False, -1, -1, run_id=1)  # type: ignore[arg-type]
    sequence = [({"kind": "setup", "applied": {}}, []), ({"kind": "imported"}, []), *frames]
    for header, blobs in sequence:
        try:
            msg = decode(frame({**header, "blobs": [len(b) for b in blobs]}, b"".join(blobs)))
            if msg is not None:
                driver._frame(msg)
        except wire.ProtocolError:
            break
    for call, result in zip(_task_calls, state.results, strict=True):
        assert result is None or result.call is call

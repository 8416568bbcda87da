"""The zygote's end of its control socket to the grading process: length-prefixed JSON messages, ``run`` messages
carrying file descriptors.

Stdlib only: the zygote loads this file by path (it must not import the engine package).
"""

from __future__ import annotations

import json
import socket
import struct
from typing import Any


class Control:
    """Length-prefixed JSON messages with the grading process; ``run`` messages carry file descriptors."""

    def __init__(self, sock: socket.socket) -> None:
        self.sock = sock
        self.buf = bytearray()
        self.fds: list[int] = []
        self.pending: list[dict[str, Any]] = []  # read while a child ran, not about it: served after it

    def send(self, message: dict[str, Any]) -> None:
        data = json.dumps(message).encode()
        self.sock.sendall(struct.pack(">I", len(data)) + data)

    def buffered(self) -> dict[str, Any] | None:
        """The next complete message already read from the socket, if any (never blocks)."""
        if len(self.buf) < 4:
            return None
        (n,) = struct.unpack_from(">I", self.buf)
        if len(self.buf) < 4 + n:
            return None
        message: dict[str, Any] = json.loads(bytes(self.buf[4 : 4 + n]))
        del self.buf[: 4 + n]
        return message

    def recv(self) -> dict[str, Any] | None:
        """The next message (blocking), those kept while a child ran first; None at end of file."""
        return self.pending.pop(0) if self.pending else self.read()

    def read(self) -> dict[str, Any] | None:
        """The next message from the socket (blocking); None at end of file."""
        while True:
            message = self.buffered()
            if message is not None:
                return message
            data, fds, _flags, _addr = socket.recv_fds(self.sock, 1 << 16, 16)
            self.fds.extend(fds)
            if not data:
                return None
            self.buf += data

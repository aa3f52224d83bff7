# genlet/io/streams.py
"""Stream: buffered reads and whole writes over a socket, a TLS socket or a pipe.

::

    line = yield from stream.readline()          # up to and including b"\\n"
    header = yield from stream.read_exactly(4)   # exactly 4 bytes, or IncompleteRead
    yield from stream.write(b"OK\\n")             # returns once all is handed to the socket

A stream reads from a *transport*: anything with ``recv(n)`` and ``sendall(data)`` to
``yield from``, and plain ``close()`` (a ``Socket``, a ``TLSSocket``, a ``FileDescriptor``). It
keeps what it has received but not yet returned in one ``bytearray``.

Discussion: the fast path. ``read(n)`` with an empty buffer does not go through the buffer at
all: it returns the transport's own ``recv(n)`` for the caller to ``yield from``, so an echo
loop costs one generator and one system call per read, the same as a bare socket. Likewise
``write(data)`` is the transport's ``sendall``. That is why these methods are plain functions
that return an operation, not generator functions: one less frame to resume on every switch.

Discussion: no ``__iter__``. ``for line in stream`` cannot wait (a ``for`` loop calls
``next()``, which cannot ``yield from``), so a stream deliberately is not iterable; write
``while True: line = yield from stream.readline()``.
"""

try:
    from typing import Any, Generator, Optional
except ImportError:
    pass

from ..kernel.errors import plural
from ..kernel.lowlevel import completed
from .errors import IncompleteRead, LimitExceeded

DEFAULT_LIMIT = 65536  # the longest line readline() accepts by default
CHUNK = 65536  # how much one buffered read asks the transport for


class Stream:
    """Buffered reading and writing over a transport (a ``Socket``, a pipe...).

    ``Stream(sock)`` also takes a standard ``socket.socket``, and wraps it in a ``Socket``.
    ``limit`` is the default maximum length of a line for ``readline`` / ``read_until``.
    """

    __slots__ = ("transport", "limit", "_buffer", "_eof")

    def __init__(self, transport: "Any", limit: int = DEFAULT_LIMIT) -> None:
        if not hasattr(transport, "sendall") or not hasattr(transport, "close"):
            raise TypeError("Stream() needs a socket or a transport (recv, sendall, close), got %r" % (transport,))
        if hasattr(transport, "setblocking"):  # a standard socket: make it cooperative
            from .sockets import Socket

            transport = Socket(transport)
        self.transport = transport
        self.limit = limit
        self._buffer = bytearray()
        self._eof = False

    # -- reading ----------------------------------------------------------------------------
    def read(self, n: int = -1) -> "Generator[Any, Any, bytes]":
        """``yield from stream.read(n)``: up to ``n`` bytes (``b''`` at the end of the stream).

        ``read()`` (or ``n < 0``) reads everything up to the end of the stream.
        """
        if n < 0:
            return self._read_all()
        buffer = self._buffer
        if buffer:
            data = bytes(buffer[:n])
            buffer[:n] = b""
            return completed(data)
        if self._eof or n == 0:
            return completed(b"")
        return self.transport.recv(n)  # type: ignore[no-any-return]

    def _read_all(self) -> "Generator[Any, Any, bytes]":
        chunks = [bytes(self._buffer)]
        self._buffer[:] = b""
        recv = self.transport.recv
        while not self._eof:
            data = yield from recv(CHUNK)
            if not data:
                self._eof = True
            else:
                chunks.append(data)
        return b"".join(chunks)

    def _fill(self, size: int = CHUNK) -> "Generator[Any, Any, bool]":
        """Receive once into the buffer; False at the end of the stream."""
        if self._eof:
            return False
        data = yield from self.transport.recv(size)
        if not data:
            self._eof = True
            return False
        self._buffer += data
        return True

    def read_exactly(self, n: int) -> "Generator[Any, Any, bytes]":
        """``yield from stream.read_exactly(n)``: exactly ``n`` bytes.

        Raises ``IncompleteRead`` (an ``EOFError``) if the stream ends first; its ``.partial``
        holds the bytes that did arrive (they are no longer in the stream).
        """
        if n < 0:
            raise ValueError("read_exactly(%r): the count cannot be negative" % (n,))
        buffer = self._buffer
        while len(buffer) < n:
            if not (yield from self._fill(max(CHUNK, n - len(buffer)))):
                partial = bytes(buffer)
                buffer[:] = b""
                raise IncompleteRead(partial, n)
        data = bytes(buffer[:n])
        buffer[:n] = b""
        return data

    def readline(self, limit: "Optional[int]" = None) -> "Generator[Any, Any, bytes]":
        """``yield from stream.readline()``: one line, with its ``b"\\n"``.

        At the end of the stream: the last, unterminated line, then ``b''``. A line longer
        than ``limit`` (default: the stream's ``limit``) raises ``LimitExceeded``.
        """
        return self._read_until(b"\n", limit, "readline", True)

    def read_until(self, separator: bytes, limit: "Optional[int]" = None) -> "Generator[Any, Any, bytes]":
        """``yield from stream.read_until(sep)``: everything up to and including ``sep``.

        Raises ``IncompleteRead`` if the stream ends first (``.partial`` holds what came),
        ``LimitExceeded`` if ``limit`` bytes arrive without ``sep``.
        """
        if not separator:
            raise ValueError("read_until() needs a non-empty separator")
        return self._read_until(separator, limit, "read_until", False)

    def _read_until(self, separator: bytes, limit: "Optional[int]", what: str, eof_ok: bool) -> "Generator[Any, Any, bytes]":
        if limit is None:
            limit = self.limit
        buffer = self._buffer
        start = 0  # where to resume the search: the bytes before were searched already
        while True:
            found = buffer.find(separator, start)
            if found >= 0:
                end = found + len(separator)
                if end > limit:
                    break
                data = bytes(buffer[:end])
                buffer[:end] = b""
                return data
            if len(buffer) >= limit:
                break
            start = max(0, len(buffer) - len(separator) + 1)
            if not (yield from self._fill()):
                data = bytes(buffer)
                buffer[:] = b""
                if eof_ok:
                    return data
                raise IncompleteRead(data, None, "the separator %r arrived" % (separator,))
        raise LimitExceeded(
            "%s: no %r within the first %s; pass a larger limit (%s(limit=...)), or "
            "read the data with read(n)" % (what, separator, plural(limit, "byte"), what),
            limit,
        )

    @property
    def buffered(self) -> int:
        """How many received bytes wait in the buffer."""
        return len(self._buffer)

    # -- writing ----------------------------------------------------------------------------
    def write(self, data: "Any") -> "Generator[Any, Any, None]":
        """``yield from stream.write(data)``: returns once all of it is handed to the system."""
        return self.transport.sendall(data)  # type: ignore[no-any-return]

    def write_eof(self) -> "Generator[Any, Any, None]":
        """``yield from stream.write_eof()``: tell the peer nothing more will be written."""
        import socket

        return self.transport.shutdown(getattr(socket, "SHUT_WR", 1))  # type: ignore[no-any-return]

    # -- the rest ---------------------------------------------------------------------------
    def close(self) -> None:
        """Close the transport (a plain call; a second close does nothing)."""
        self.transport.close()

    @property
    def closed(self) -> bool:
        return bool(getattr(self.transport, "closed", False))

    def getpeername(self) -> "Any":
        return self.transport.getpeername()

    def getsockname(self) -> "Any":
        return self.transport.getsockname()

    def fileno(self) -> int:
        return self.transport.fileno()  # type: ignore[no-any-return]

    def __enter__(self) -> "Stream":
        return self

    def __exit__(self, *exc_info: "Any") -> None:
        self.close()

    def __repr__(self) -> str:
        return "<Stream %r, %d bytes buffered>" % (self.transport, len(self._buffer))

"""A response whose body is read as it arrives: what ``client.stream(...)`` returns.

::

    response = yield from client.stream("GET", url)
    with response:                                   # closes it, however the block ends
        while True:
            piece = yield from response.read_chunk()  # the next piece, b"" at the end
            if not piece:
                break
            out.write(piece)

Discussion: a generator-based task cannot wait inside a ``for`` loop's ``__next__``, so there
is no ``for piece in response``: ``read_chunk()`` is the loop's step, as ``readline()`` is a
stream's. ``read(n)`` gives up to ``n`` bytes (fewer only at the end), ``read()`` the rest.

The connection goes back to the pool when the body has been read to its end; ``close()``
before that closes the connection instead (the unread rest would otherwise be read by the
next request as its response). An error or a cancellation while reading closes it too.
"""

try:
    from typing import Any, Generator, List, Optional
except ImportError:
    pass

from .errors import ProtocolError
from .message import Response
from .parser import NEED_DATA, EndOfMessage


class StreamResponse(Response):
    """A ``Response`` with its body still on the connection (see the module's docstring).

    ``.body`` stays ``b""``: the body is what ``read`` / ``read_chunk`` return.
    """

    __slots__ = ("_pool", "_conn", "_decoder", "_read_timeout", "_leftover", "_keep_alive")

    def __init__(self, head: "Any", pool: "Any", conn: "Any", decoder: "Any", read_timeout: "Optional[float]") -> None:
        Response.__init__(self, head.status, head.headers, b"", head.reason)
        self.http_version = head.http_version
        self._pool = pool
        self._conn = conn  # None once the body is read to its end or the response is closed
        self._decoder = decoder
        self._read_timeout = read_timeout
        self._leftover = b""  # what read(n) took off a piece and did not return
        self._keep_alive = head.keep_alive

    @property
    def closed(self) -> bool:
        """True once the body has been read to its end, or ``close()`` was called."""
        return self._conn is None and not self._leftover

    def read_chunk(self) -> "Generator[Any, Any, bytes]":
        """``yield from response.read_chunk()``: the next piece of the body, ``b""`` at the end."""
        if self._leftover:
            data, self._leftover = self._leftover, b""
            return data
        while self._conn is not None:
            data = yield from self._next()
            if data:
                return data
        return b""

    def read(self, n: int = -1) -> "Generator[Any, Any, bytes]":
        """``yield from response.read(n)``: up to ``n`` bytes (fewer only at the end; ``b""``
        once it is read); ``read()``: all the rest."""
        pieces = []  # type: List[bytes]
        count = 0
        while n < 0 or count < n:
            piece = yield from self.read_chunk()
            if not piece:
                break
            pieces.append(piece)
            count += len(piece)
        data = b"".join(pieces)
        if 0 <= n < len(data):
            data, self._leftover = data[:n], data[n:]
        return data

    def close(self) -> None:
        """Stop reading: the connection is closed (not pooled) unless the body was all read."""
        self._leftover = b""
        conn, self._conn = self._conn, None
        if conn is not None:
            self._pool.release(conn, False)

    def __enter__(self) -> "StreamResponse":
        return self

    def __exit__(self, *exc_info: "Any") -> None:
        self.close()

    def _next(self) -> "Generator[Any, Any, bytes]":
        """The next piece from the parser, decoded (maybe b""); at the end, the connection goes
        back to the pool. Any error or cancellation closes it."""
        conn = self._conn
        parser = conn.parser
        try:
            while True:
                event = parser.next_event()
                if event is NEED_DATA:
                    parser.feed((yield from conn.recv(self._read_timeout)))
                    continue
                decoder = self._decoder
                if isinstance(event, bytes):
                    return decoder[0](event) if decoder is not None else event
                if isinstance(event, EndOfMessage):
                    tail = decoder[1]() if decoder is not None else b""
                    self._conn = None
                    self._pool.release(conn, self._keep_alive)
                    return tail
                raise ProtocolError(502, "unexpected", "unexpected %r in the body from %s" % (event, conn.where))
        except BaseException:
            self.close()
            raise


def read_body(response: StreamResponse) -> "Generator[Any, Any, bytes]":
    """The whole body of ``response``; a body cut short raises ProtocolError with ``.partial``."""
    pieces = []  # type: List[bytes]
    try:
        while response._conn is not None:
            pieces.append((yield from response._next()))
    except ProtocolError as exc:
        if exc.partial is None:
            exc.partial = b"".join(pieces)
        raise
    return b"".join(pieces)

# genlet/io/tls.py
"""TLS over a genlet Socket, with a standard ``ssl.SSLContext``.

::

    context = ssl.create_default_context()
    stream = yield from genlet.io.open_connection("example.org", 443, ssl=context)

The standard library does the cryptography; genlet only makes it cooperative. The socket is
wrapped with ``do_handshake_on_connect=False`` while non-blocking, and then every TLS call
(the handshake, ``recv``, ``send``) may say ``SSLWantReadError`` or ``SSLWantWriteError``:
"call me again when the socket is readable / writable". We wait for exactly that, and call
again. Note that a *read* may need the socket to be *writable* (TLS sends records of its own,
for instance after a renegotiation or a key update), and the other way round.

Discussion: why always try first, never wait first? TLS decrypts whole records. One ``recv``
from the network may bring several records, of which ``recv(n)`` returns only ``n`` bytes;
the rest waits inside the ``SSLSocket``, where the poller cannot see it. So the socket may
not be readable while data is ready; only asking ``recv`` tells.

``ssl`` is imported only when TLS is used.
"""

try:
    from typing import Any, Generator, Optional
except ImportError:
    pass

from ..kernel import notify_closing, read_wait, write_wait
from .errors import EBADF, EOPNOTSUPP, WOULD_BLOCK
from .sockets import FAIR_SHARE, Socket

_WantRead = _WantWrite = None  # type: Any  # ssl.SSLWantReadError, ssl.SSLWantWriteError


def _load_ssl() -> "Any":
    global _WantRead, _WantWrite
    import ssl

    if not hasattr(ssl, "SSLWantReadError"):  # MicroPython's ssl: no non-blocking handshake API
        raise RuntimeError(
            "TLS in genlet.io needs the ssl module of CPython or PyPy (SSLContext, "
            "SSLWantReadError); this interpreter's ssl module has no non-blocking handshake"
        )
    _WantRead, _WantWrite = ssl.SSLWantReadError, ssl.SSLWantWriteError
    return ssl


class TLSSocket(Socket):
    """A Socket speaking TLS: the same ``yield from`` calls, through an ``ssl.SSLSocket``."""

    __slots__ = ()

    def handshake(self) -> "Generator[Any, Any, None]":
        """``yield from tls.handshake()``: negotiate; raises ``ssl.SSLError`` on failure."""
        yield from self._retry(self._sock.do_handshake, (), read_wait)

    def _retry(self, call: "Any", args: "Any", would_block: "Any") -> "Generator[Any, Any, Any]":
        """Call ``call(*args)`` until it stops asking to wait; wait for what TLS asks for.

        Discussion: a TLS read may need the socket writable (a renegotiation), and a write may
        need it readable: OpenSSL says which with SSLWantReadError / SSLWantWriteError. A plain
        "would block" from the socket below means ``would_block`` (read_wait or write_wait).
        """
        while True:
            try:
                return call(*args)
            except _WantRead:
                wait = read_wait
            except _WantWrite:
                wait = write_wait
            except OSError as exc:
                if exc.errno not in WOULD_BLOCK:
                    raise self._failed(exc)
                wait = would_block
            yield from self._wait(wait)

    def _fair(self) -> bool:
        """Count a receive; True when it is time for a fairness checkpoint (see sockets.py)."""
        self._streak += 1
        if self._streak >= FAIR_SHARE:
            self._streak = 0
            return True
        return False

    def recv(self, maxsize: int, flags: int = 0) -> "Generator[Any, Any, bytes]":
        if flags:
            raise ValueError("TLS sockets take no recv() flags")
        if self._fair():
            yield
        return (yield from self._retry(self._sock.recv, (maxsize,), read_wait))  # type: ignore[no-any-return]

    def recv_into(self, buffer: "Any", nbytes: int = 0, flags: int = 0) -> "Generator[Any, Any, int]":
        if flags:
            raise ValueError("TLS sockets take no recv_into() flags")
        if self._fair():
            yield
        return (yield from self._retry(self._sock.recv_into, (buffer, nbytes), read_wait))  # type: ignore[no-any-return]

    def send(self, data: "Any", flags: int = 0) -> "Generator[Any, Any, int]":
        if flags:
            raise ValueError("TLS sockets take no send() flags")
        return (yield from self._retry(self._sock.send, (data,), write_wait))  # type: ignore[no-any-return]

    def sendall(self, data: "Any", flags: int = 0) -> "Generator[Any, Any, None]":
        view = memoryview(data)
        total = len(view)
        sent = 0
        while sent < total:
            sent += yield from self.send(view[sent:], flags)

    def recvfrom(self, maxsize: int, flags: int = 0) -> "Any":
        raise OSError(EOPNOTSUPP, "recvfrom() is not available on TLS sockets; use recv()")

    def sendto(self, data: "Any", address: "Any") -> "Any":
        raise OSError(EOPNOTSUPP, "sendto() is not available on TLS sockets; use send()")

    def shutdown(self, how: int) -> "Generator[Any, Any, None]":
        """Not available: a TLS connection cannot be half-closed here.

        Discussion: a half-close in TLS is a ``close_notify`` alert, after which this side
        could still read. Python's ``ssl`` sends one only in ``unwrap()``, which ends TLS
        altogether; and a plain ``shutdown`` of the socket underneath makes the peer's TLS
        library see a truncated stream (OpenSSL 3 answers with a ``decode_error`` alert). So
        we say so plainly instead (asyncio's TLS transports do the same).
        """
        raise OSError(
            EOPNOTSUPP,
            "a TLS connection cannot be half-closed (write_eof / shutdown): close() the stream "
            "when you are done, or mark the end of the message in the protocol itself",
        )

    @property
    def ssl_object(self) -> "Any":
        """The ``ssl.SSLSocket``: ``getpeercert()``, ``version()``, ``cipher()``..."""
        return self._sock

    def __repr__(self) -> str:
        return "<TLS" + Socket.__repr__(self)[1:]


def wrap(
    sock: Socket, context: "Any", server_side: bool = False, server_hostname: "Optional[str]" = None
) -> "Generator[Any, Any, TLSSocket]":
    """``yield from wrap(sock, context)``: a handshaken ``TLSSocket`` (``sock`` is consumed).

    ``context`` is an ``ssl.SSLContext``, or True for ``ssl.create_default_context()``. On any
    failure (or cancellation) the connection is closed.
    """
    ssl = _load_ssl()
    if context is True:
        context = ssl.create_default_context()
    if not isinstance(context, ssl.SSLContext):
        raise TypeError("ssl= takes an ssl.SSLContext (or True for the default one), got %r" % (context,))
    if sock.closed:
        raise OSError(EBADF, "cannot start TLS on a closed socket")
    raw = sock.socket
    try:
        wrapped = context.wrap_socket(
            raw, server_side=server_side, do_handshake_on_connect=False, server_hostname=server_hostname
        )
    except BaseException:
        sock.close()
        raise
    # The SSLSocket took over the descriptor (wrap_socket detached `raw`): retire the old
    # wrapper without closing it, and tell the kernel it is gone.
    try:
        notify_closing(wrapped)
    finally:
        sock._closed = True
    tls = TLSSocket(wrapped)
    try:
        yield from tls.handshake()
    except BaseException:
        tls.close()
        raise
    return tls

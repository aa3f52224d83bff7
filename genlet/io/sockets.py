# genlet/io/sockets.py
"""Socket: a standard socket whose blocking calls are genlet operations.

::

    sock = genlet.io.Socket(socket.socket())
    yield from sock.connect(("127.0.0.1", 8000))
    yield from sock.sendall(b"hello")
    reply = yield from sock.recv(100)

Every blocking call follows one pattern (curio's): try the non-blocking call first; if it
says "would block", park on the kernel's ``read_wait`` / ``write_wait`` until the descriptor is
ready, then try again. The pattern needs nothing from the interpreter but non-blocking sockets
and ``select.poll``, so it runs on MicroPython's unix port too.

Discussion: how do we recognise "would block"? CPython raises ``BlockingIOError``; MicroPython
has no such class and raises ``OSError(EAGAIN)``. Both carry the errno, so the one test
``exc.errno in WOULD_BLOCK`` covers every interpreter, and costs nothing on the fast path (no
exception at all when the call succeeds).

Discussion: the socket waits on the standard socket it wraps, always the same object, so that
the kernel keeps its poller registration from one wait to the next (no system call to
re-register in the usual recv-wait-recv loop). MicroPython's poller takes only its own stream
objects, so that is also the one choice that works everywhere. ``close()`` tells the kernel
first (``notify_closing``): a task waiting on the socket gets an ``OSError`` instead of waiting
forever on a number that the operating system may already have given to another file.

Discussion: fairness. A receive that finds data waiting returns without suspending (Go's and
gevent's rule), so a loop that reads from a peer that never stops sending (and writes into a
socket that never fills) would never let another task run. So every ``FAIR_SHARE``-th
receive in a row that did not have to wait checkpoints first (a bare ``yield``, before
anything is read: a cancellation there loses no data). It costs one counter per receive.
"""

try:
    from typing import Any, Generator, Optional, Tuple
except ImportError:
    pass

from ..kernel import clock, notify_closing, read_wait, write_wait
from ..kernel.lowlevel import DONE
from .addresses import address_text
from .errors import EISCONN, EOPNOTSUPP, WOULD_BLOCK, IdleTimeout, translate

FAIR_SHARE = 64  # receives in a row without waiting, after which the next one checkpoints


class Socket:
    """A socket set to non-blocking; ``yield from`` its blocking calls.

    ``Socket(sock)`` takes a standard ``socket.socket`` (and owns it from then on).
    """

    __slots__ = ("_sock", "_closed", "_streak", "_drained", "idle_timeout", "_error")

    def __init__(self, sock: "Any") -> None:
        if isinstance(sock, Socket):
            raise TypeError("Socket() got a genlet Socket; pass the standard socket.socket it wraps")
        if not hasattr(sock, "setblocking"):
            raise TypeError("Socket() needs a standard socket.socket, got %r" % (sock,))
        sock.setblocking(False)
        self._sock = sock
        self._closed = False
        self._streak = 0  # receives in a row that did not wait (see the Discussion on fairness)
        self._drained = False  # the last receive emptied the socket (see recv)
        self.idle_timeout = None  # type: Optional[float]  # bounds each wait (see _idle_wait)
        self._error = None  # type: Optional[OSError]  # the last error it raised (see _failed)

    # -- receiving --------------------------------------------------------------------------
    def recv(self, maxsize: int, flags: int = 0) -> "Generator[Any, Any, bytes]":
        """``yield from sock.recv(n)``: up to ``n`` bytes; ``b''`` when the peer has closed.

        Discussion: when the last receive emptied the socket (it returned less than it was
        allowed to), the next one usually finds nothing yet: a request-response peer is still
        thinking. Trying anyway costs a failed system call and an exception, so then we wait
        for the poller to say "readable" first, as an event loop would.
        """
        sock = self._sock
        self._streak += 1
        if self._drained:
            self._drained = False
            self._streak = 0
            yield from self._wait(read_wait)
        elif self._streak >= FAIR_SHARE:
            self._streak = 0
            yield
        while True:
            try:
                data = sock.recv(maxsize, flags) if flags else sock.recv(maxsize)
            except OSError as exc:
                if exc.errno not in WOULD_BLOCK:
                    raise self._failed(exc)
                self._streak = 0
                yield from self._wait(read_wait)
                continue
            if 0 < len(data) < maxsize:
                self._drained = True
            return data  # type: ignore[no-any-return]

    def recv_into(self, buffer: "Any", nbytes: int = 0, flags: int = 0) -> "Generator[Any, Any, int]":
        """``yield from sock.recv_into(buf)``: fill ``buf`` with up to ``nbytes``; the count."""
        sock = self._sock
        if not hasattr(sock, "recv_into"):  # MicroPython: receive, then copy
            data = yield from self.recv(nbytes or len(buffer), flags)
            buffer[: len(data)] = data
            return len(data)
        self._streak += 1
        if self._streak >= FAIR_SHARE:
            self._streak = 0
            yield
        while True:
            try:
                return sock.recv_into(buffer, nbytes, flags)  # type: ignore[no-any-return]
            except OSError as exc:
                if exc.errno not in WOULD_BLOCK:
                    raise self._failed(exc)
            self._streak = 0
            yield from self._wait(read_wait)

    def recvfrom(self, maxsize: int, flags: int = 0) -> "Generator[Any, Any, Tuple[bytes, Any]]":
        """``yield from sock.recvfrom(n)``: ``(data, address)`` of one datagram."""
        sock = self._sock
        self._streak += 1
        if self._streak >= FAIR_SHARE:
            self._streak = 0
            yield
        while True:
            try:
                return sock.recvfrom(maxsize, flags) if flags else sock.recvfrom(maxsize)  # type: ignore[no-any-return]
            except OSError as exc:
                if exc.errno not in WOULD_BLOCK:
                    raise self._failed(exc)
            self._streak = 0
            yield from self._wait(read_wait)

    def accept(self) -> "Generator[Any, Any, Tuple[Socket, Any]]":
        """``yield from listener.accept()``: ``(Socket, address)`` of the next connection."""
        sock = self._sock
        while True:
            try:
                client, address = sock.accept()
            except OSError as exc:
                if exc.errno not in WOULD_BLOCK:
                    raise self._failed(exc)
            else:
                return Socket(client), address
            yield from read_wait(sock)  # waiting for clients is not idling: never bounded

    # -- waiting ----------------------------------------------------------------------------
    def _wait(self, wait: "Any") -> "Generator[Any, Any, None]":
        """``wait(sock)`` (``read_wait`` or ``write_wait``), bounded by ``idle_timeout`` if set."""
        if self.idle_timeout is None:
            return wait(self._sock)  # type: ignore[no-any-return]
        return self._idle_wait(wait)

    def _idle_wait(self, wait: "Any") -> "Generator[Any, Any, None]":
        """Wait at most ``idle_timeout`` seconds; then raise ``IdleTimeout`` (nothing is lost).

        Discussion: each wait is bounded on its own, so the bound is on silence, not on the
        whole conversation: a peer that sends a byte every few seconds keeps the connection
        alive, as it should; a handler that is busy elsewhere (a database, a sleep) is not
        waiting here, and is never timed out. Only a call that has to wait pays for the bound:
        one deadline on the wait itself (cheaper than a cancel scope around it).
        """
        seconds = self.idle_timeout
        ready = yield from wait(self._sock, clock() + seconds, False)  # type: ignore[operator]
        if ready is False:  # the deadline's reply: nothing happened for `seconds`
            raise self._failed(IdleTimeout(_peer(self._sock), seconds, wait is read_wait))  # type: ignore[arg-type]

    def _failed(self, exc: OSError) -> OSError:
        """The exception to raise for ``exc`` (translated, see errors.py), remembered.

        Discussion: a server asks its connection's socket for the last error it raised, to tell
        the peer's doing (this socket was reset) from a handler's own failure (a reset from a
        backend the handler talks to, or a bug): only the second deserves a traceback.
        """
        error = translate(exc)
        self._error = error
        return error

    # -- sending ----------------------------------------------------------------------------
    def send(self, data: "Any", flags: int = 0) -> "Generator[Any, Any, int]":
        """``yield from sock.send(data)``: how many bytes went out (at least one)."""
        sock = self._sock
        while True:
            try:
                return sock.send(data, flags) if flags else sock.send(data)  # type: ignore[no-any-return]
            except OSError as exc:
                if exc.errno not in WOULD_BLOCK:
                    raise self._failed(exc)
            yield from self._wait(write_wait)

    def sendall(self, data: "Any", flags: int = 0) -> "Generator[Any, Any, None]":
        """``yield from sock.sendall(data)``: returns once every byte is handed to the system."""
        sock = self._sock
        try:
            sent = sock.send(data, flags) if flags else sock.send(data)
        except OSError as exc:
            if exc.errno not in WOULD_BLOCK:
                raise self._failed(exc)
            sent = 0
        total = len(data)
        if sent == total:
            return  # the usual case: one system call, nothing else
        view = memoryview(data)
        while sent < total:
            yield from self._wait(write_wait)
            try:
                sent += sock.send(view[sent:], flags) if flags else sock.send(view[sent:])
            except OSError as exc:
                if exc.errno not in WOULD_BLOCK:
                    raise self._failed(exc)

    def sendto(self, data: "Any", address: "Any") -> "Generator[Any, Any, int]":
        """``yield from sock.sendto(data, address)``: send one datagram; the bytes sent."""
        sock = self._sock
        while True:
            try:
                return sock.sendto(data, address)  # type: ignore[no-any-return]
            except OSError as exc:
                if exc.errno not in WOULD_BLOCK:
                    raise self._failed(exc)
            yield from self._wait(write_wait)

    # -- connecting -------------------------------------------------------------------------
    def connect(self, address: "Any") -> "Generator[Any, Any, None]":
        """``yield from sock.connect(address)``: returns once connected; raises if refused."""
        try:
            self._sock.connect(address)
            return
        except OSError as exc:
            if exc.errno not in WOULD_BLOCK and exc.errno != EISCONN:
                raise self._failed(exc)
        yield from write_wait(self._sock)
        self._check_connected(address)

    def _check_connected(self, address: "Any") -> None:
        """After a non-blocking connect became writable: did it succeed?

        Discussion: ``SO_ERROR`` holds the outcome where there is ``getsockopt``. MicroPython's
        sockets have none, so we ask by connecting again: "already connected" (``EISCONN``)
        means success, anything else is the error the first attempt ran into.
        """
        sock = self._sock
        if hasattr(sock, "getsockopt"):
            import socket

            code = sock.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR)
            if code:
                import os

                raise self._failed(OSError(code, os.strerror(code)))  # the class its errno calls for
            return
        try:
            sock.connect(address)
        except OSError as exc:
            if exc.errno != EISCONN:
                raise self._failed(exc)

    def shutdown(self, how: int) -> "Generator[Any, Any, None]":
        """``yield from sock.shutdown(socket.SHUT_WR)``: half-close (plain sockets never wait)."""
        sock = self._sock
        if not hasattr(sock, "shutdown"):
            raise OSError(EOPNOTSUPP, "this interpreter's sockets have no shutdown(); close() the socket instead")
        try:
            sock.shutdown(how)
        except OSError as exc:
            raise self._failed(exc)
        return DONE  # type: ignore[no-any-return]

    # -- plain calls ------------------------------------------------------------------------
    def close(self) -> None:
        """Close the socket (a plain call; again does nothing). A task waiting on it gets OSError."""
        if self._closed:
            return
        self._closed = True
        try:
            notify_closing(self._sock)
        finally:
            self._sock.close()

    @property
    def closed(self) -> bool:
        return self._closed

    def fileno(self) -> int:
        return self._sock.fileno()  # type: ignore[no-any-return]

    def getsockname(self) -> "Any":
        return self._sock.getsockname()

    def getpeername(self) -> "Any":
        return self._sock.getpeername()

    def setsockopt(self, level: int, option: int, value: "Any") -> None:
        self._sock.setsockopt(level, option, value)

    def getsockopt(self, level: int, option: int, *args: "Any") -> "Any":
        return self._sock.getsockopt(level, option, *args)

    def bind(self, address: "Any") -> None:
        self._sock.bind(address)

    def listen(self, backlog: int = 128) -> None:
        self._sock.listen(backlog)

    @property
    def socket(self) -> "Any":
        """The standard socket inside (non-blocking: do not call its blocking methods)."""
        return self._sock

    @property
    def family(self) -> "Optional[int]":
        return getattr(self._sock, "family", None)

    @property
    def type(self) -> "Optional[int]":
        return getattr(self._sock, "type", None)

    def __enter__(self) -> "Socket":
        return self

    def __exit__(self, *exc_info: "Any") -> None:
        self.close()

    def __repr__(self) -> str:
        if self._closed:
            return "<Socket closed>"
        try:
            return "<Socket fd=%d %s>" % (self._sock.fileno(), _endpoints(self._sock))
        except Exception:
            return "<Socket %r>" % (self._sock,)


def _peer(sock: "Any") -> str:
    """The peer's address as text, for a message ("the peer" if the system cannot tell)."""
    try:
        return address_text(sock.getpeername())
    except Exception:
        return "the peer"


def _endpoints(sock: "Any") -> str:
    """``local -> peer`` for a repr, as far as the interpreter can tell."""
    try:
        local = sock.getsockname()
    except Exception:
        return ""
    try:
        return "%s -> %s" % (address_text(local), address_text(sock.getpeername()))
    except Exception:
        return address_text(local)

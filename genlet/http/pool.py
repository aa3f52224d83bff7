"""The client's connections: one keep-alive connection (``Connection``) and the pool of them.

``ConnectionPool`` keeps the idle connections of each origin (scheme, host, port), bounds the
open ones per origin (``max_per_host``) and in all (``max_connections``), and makes the tasks
beyond the bounds wait their turn, first come first served. A connection goes back to the pool
only when its response was read to the end and both sides want to keep it (HTTP/1.1, no
``Connection: close``); anything else (an error, a cancellation, a body left unread) closes
it, so the next request never finds a half-read response on a pooled connection.

An idle connection expires after ``keepalive_expiry`` seconds (a server closes idle ones after
a few seconds: nginx 75 s, genlet's own 5 s, waitress 120 s); the pool checks when it hands
one out, so no task or timer runs for it.
"""

try:
    from typing import Any, Callable, Dict, Generator, List, Optional, Tuple

    Origin = Tuple[str, str, int]
except ImportError:
    pass

from ..io.errors import strerror, translate
from ..kernel import clock
from ..kernel.cancel import move_on_after
from ..kernel.errors import TimeoutError, plural
from ..sync.events import Event
from .parser import ResponseParser

RECV_SIZE = 65536


class Connection:
    """One connection to an origin, with the parser that reads its responses."""

    __slots__ = ("stream", "parser", "origin", "where", "idle_since", "requests")

    def __init__(self, stream: "Any", origin: "Origin", max_head_bytes: int) -> None:
        self.stream = stream
        self.parser = ResponseParser(max_head_bytes=max_head_bytes)
        self.origin = origin
        host = origin[1]
        self.where = "%s:%d" % ("[%s]" % host if ":" in host else host, origin[2])  # for messages
        self.idle_since = 0.0
        self.requests = 0  # requests sent on it so far

    def send(self, data: bytes) -> "Generator[Any, Any, None]":
        try:
            yield from self.stream.write(data)
        except OSError as exc:
            raise self.explained(exc, "sending to") from None

    def recv(self, read_timeout: "Optional[float]") -> "Generator[Any, Any, bytes]":
        """The next bytes from the server; ``read_timeout``: the most seconds to wait for them."""
        try:
            if read_timeout is None:
                return (yield from self.stream.read(RECV_SIZE))  # type: ignore[no-any-return]
            with move_on_after(read_timeout):
                return (yield from self.stream.read(RECV_SIZE))  # type: ignore[no-any-return]
        except OSError as exc:
            raise self.explained(exc, "receiving from") from None
        raise TimeoutError(
            "no data from %s for %s (read_timeout=%r)" % (self.where, plural(read_timeout, "second"), read_timeout)
        )

    def explained(self, exc: OSError, doing: str) -> OSError:
        """The same kind of error, with the server's host and port in its message."""
        exc = translate(exc)
        errno = getattr(exc, "errno", None)
        if not isinstance(errno, int) or isinstance(exc, TimeoutError):
            return exc
        try:
            return exc.__class__(errno, "%s %s: %s" % (doing, self.where, strerror(exc)))
        except Exception:  # a class that does not take (errno, message)
            return exc

    def close(self) -> None:
        self.stream.close()

    def __repr__(self) -> str:
        return "<Connection to %s, %d requests>" % (self.where, self.requests)


class ConnectionPool:
    """Idle connections by origin, and the bounds on open ones (see the module's docstring)."""

    __slots__ = ("max_per_host", "max_connections", "keepalive_expiry", "_idle", "_open", "_total", "_waiters",
                 "closed", "opened")  # fmt: skip

    def __init__(self, max_per_host: int, max_connections: "Optional[int]", keepalive_expiry: float) -> None:
        for name, value in (("max_per_host", max_per_host), ("max_connections", max_connections)):
            if value is not None and (not isinstance(value, int) or value < 1):
                raise ValueError("%s must be a positive int, not %r" % (name, value))
        self.max_per_host = max_per_host
        self.max_connections = max_connections
        self.keepalive_expiry = keepalive_expiry
        self._idle = {}  # type: Dict[Origin, List[Connection]]  # most recently used last
        self._open = {}  # type: Dict[Origin, int]  # open connections (busy or idle) by origin
        self._total = 0
        self._waiters = {}  # type: Dict[Origin, List[Event]]  # tasks waiting for room, in order
        self.closed = False
        self.opened = 0  # connections opened so far

    def acquire(
        self, origin: "Origin", connect: "Callable[[], Generator[Any, Any, Connection]]", fresh: bool = False
    ) -> "Generator[Any, Any, Tuple[Connection, bool]]":
        """``conn, reused = yield from pool.acquire(origin, connect)``: an idle connection to
        ``origin`` (unless ``fresh``), or a new one from ``connect()`` once there is room."""
        while True:
            self._check_open()
            conn = None if fresh else self._take_idle(origin)
            if conn is not None:
                return conn, True
            if self._room(origin):
                self._open[origin] = self._open.get(origin, 0) + 1
                self._total += 1
                try:
                    conn = yield from connect()
                except BaseException:
                    self._forget(origin)
                    raise
                self.opened += 1
                return conn, False
            yield from self._wait(origin)

    def release(self, conn: Connection, reusable: bool) -> None:
        """Give a connection back: kept idle if ``reusable``, else closed."""
        if reusable and not self.closed:
            conn.idle_since = clock()
            self._idle.setdefault(conn.origin, []).append(conn)
            self._wake(conn.origin)
        else:
            conn.close()
            self._forget(conn.origin)

    def close(self) -> None:
        """Close every idle connection; busy ones close when they are released."""
        self.closed = True
        for conns in self._idle.values():
            for conn in conns:
                conn.close()
                self._forget(conn.origin, wake=False)
        self._idle.clear()
        for waiters in self._waiters.values():
            for event in waiters:
                event.set()  # they find the pool closed
        self._waiters.clear()

    def statistics(self) -> "Dict[str, int]":
        idle = sum([len(conns) for conns in self._idle.values()])
        waiting = sum([len(waiters) for waiters in self._waiters.values()])
        return {"open": self._total, "idle": idle, "busy": self._total - idle, "waiting": waiting, "opened": self.opened}

    # -- inside ------------------------------------------------------------------------------

    def _check_open(self) -> None:
        if self.closed:
            raise RuntimeError("this genlet.http.Client is closed; make a new one (or leave requests inside its `with`)")

    def _take_idle(self, origin: "Origin") -> "Optional[Connection]":
        conns = self._idle.get(origin)
        now = clock()
        while conns:
            conn = conns.pop()
            if now - conn.idle_since < self.keepalive_expiry:
                return conn
            # Discussion: this one has been idle too long; the server has most likely closed
            # it already (and so would the older ones, left of it in the list).
            conn.close()
            self._forget(origin, wake=False)
        return None

    def _room(self, origin: "Origin") -> bool:
        if self._open.get(origin, 0) >= self.max_per_host:
            return False
        if self.max_connections is None or self._total < self.max_connections:
            return True
        oldest = None  # type: Optional[Connection]  # every slot is taken: free an idle one
        for conns in self._idle.values():
            if conns and (oldest is None or conns[0].idle_since < oldest.idle_since):
                oldest = conns[0]
        if oldest is None:
            return False
        self._idle[oldest.origin].remove(oldest)
        oldest.close()
        self._forget(oldest.origin, wake=False)
        return True

    def _forget(self, origin: "Origin", wake: bool = True) -> None:
        """A connection to ``origin`` was closed (or never opened): its slot is free."""
        count = self._open.get(origin, 0) - 1
        if count > 0:
            self._open[origin] = count
        else:
            self._open.pop(origin, None)
        self._total -= 1
        if wake:
            self._wake(origin)

    def _wait(self, origin: "Origin") -> "Generator[Any, Any, None]":
        event = Event()
        waiters = self._waiters.setdefault(origin, [])
        waiters.append(event)
        # Discussion: a task woken here and cancelled before it runs still gets its wake-up
        # (the kernel's hand-off rule): it returns, finds room, and is cancelled at its next
        # checkpoint, in connect(), whose failure frees the slot and wakes the next in line.
        # So a turn is never lost. One cancelled while still in line just leaves the line.
        try:
            yield from event.wait()
        except BaseException:
            if event in waiters:
                waiters.remove(event)
            raise
        finally:
            if not waiters and self._waiters.get(origin) is waiters:
                del self._waiters[origin]

    def _wake(self, origin: "Origin") -> None:
        """A slot of ``origin`` (and one in all) is free: wake its first waiter, else everyone
        (a slot in all may be what the others wait for; each checks again)."""
        waiters = self._waiters.get(origin)
        if waiters:
            waiters.pop(0).set()
            return
        for waiters in self._waiters.values():
            while waiters:
                waiters.pop(0).set()

# genlet/io/servers.py
"""Servers: a listening socket, and one task per connection under a supervisor.

::

    def echo(stream, address):
        while True:
            data = yield from stream.read(65536)
            if not data:
                return
            yield from stream.write(data)

    def main():
        server = genlet.io.tcp_server("127.0.0.1", 0, echo)   # bound and listening already
        print("listening on", server.address)
        yield from server.serve_forever()

``tcp_server`` is a plain call: it binds and listens at once, so ``server.address`` tells the
port the system picked for port 0 before anything is served. ``serve_forever`` accepts
connections and spawns ``handler(stream, address)`` for each, in its own task.

The server supervises its handlers:

- a handler that raises is logged (with its traceback, on the ``genlet`` logger) and its
  connection closed; the server and the other handlers carry on;
- but a connection that its peer reset (or broke: a broken pipe, an abort) is the peer's doing,
  not a bug: one DEBUG line, and a count in ``statistics()``;
- with ``idle_timeout`` (seconds; None by default), a read or a write of the connection that
  waits longer raises ``IdleTimeout`` in the handler; if the handler lets it out, the
  connection is closed quietly (one DEBUG line, counted), so silent clients cannot hold every
  slot forever;
- every connection is closed when its handler ends, however it ends;
- with ``max_connections``, the server stops accepting while that many handlers run (the
  waiting clients queue in the listen backlog);
- ``server.close()`` stops accepting at once and lets the handlers finish; after ``grace``
  seconds it cancels those still running; ``serve_forever`` returns when the last has ended;
- if the task running ``serve_forever`` is cancelled, every handler is cancelled too, and
  ``serve_forever`` re-raises once they have all ended.
"""

import socket

try:
    from typing import Any, Callable, Dict, Generator, Optional
except ImportError:
    pass

from ..kernel import report, sleep
from ..kernel.cancel import CancelScope, fail_after
from ..kernel.lowlevel import WaitQueue, current_task, park, parking_task, reschedule
from ..kernel.spawning import spawn
from ..kernel.waiting import joinall
from .addresses import address_text, readable, resolve_now
from .connections import _explained, set_nodelay
from .errors import (
    ECONNABORTED,
    EINTR,
    EMFILE,
    ENFILE,
    ENOBUFS,
    ENOMEM,
    EOPNOTSUPP,
    ETIMEDOUT,
    ConnectionError,
    IdleTimeout,
)
from .sockets import Socket
from .streams import DEFAULT_LIMIT, Stream

_OUT_OF_RESOURCES = (EMFILE, ENFILE, ENOBUFS, ENOMEM)  # back off, then retry
_ACCEPTS_PER_CHECKPOINT = 32  # let the handlers run at least this often while clients pour in
DEFAULT_IDLE_TIMEOUT = None  # no bound unless asked for: why, in docs/io.md ("idle_timeout")


class Server:
    """A listening socket and the handlers serving its connections (see the module doc)."""

    def __init__(
        self,
        listener: Socket,
        handler: "Callable[..., Any]",
        ssl: "Any" = None,
        max_connections: "Optional[int]" = None,
        limit: int = DEFAULT_LIMIT,
        handshake_timeout: "Optional[float]" = 60.0,
        address: "Any" = None,
        unix_path: "Optional[str]" = None,
        idle_timeout: "Optional[float]" = DEFAULT_IDLE_TIMEOUT,
    ) -> None:
        self.listener = listener
        self.handler = handler
        self.ssl = ssl
        self.max_connections = max_connections
        self.limit = limit
        self.handshake_timeout = handshake_timeout
        self.idle_timeout = idle_timeout
        self._address = address
        self._unix_path = unix_path
        self._handlers = {}  # type: Dict[Any, Socket]  # the tasks serving connections now
        self._slots = WaitQueue(self, "a free connection slot (max_connections)")
        self._serving = None  # type: Any  # the task in serve_forever
        self._closing = False
        self._grace = 5.0  # type: Optional[float]
        self.accepted = 0  # connections accepted so far
        self._ended = {"idle_timeouts": 0, "peer_resets": 0, "handler_errors": 0, "handshake_failures": 0}

    @property
    def address(self) -> "Any":
        """The bound address: ``(host, port)`` (the real port, also for port 0), or a path."""
        try:
            bound = self.listener.getsockname()
        except Exception:  # closed, or an interpreter without getsockname
            return self._address
        if isinstance(bound, tuple) and len(bound) > 2:  # IPv6: (host, port, flowinfo, scope)
            return bound[:2]
        return bound

    @property
    def closed(self) -> bool:
        return self._closing

    @property
    def connections(self) -> int:
        """How many handlers are running now."""
        return len(self._handlers)

    def statistics(self) -> "Any":
        """A dict (a snapshot): connections now, accepted so far, how many ended badly, and how.

        ``idle_timeouts``: closed because a read or write waited ``idle_timeout`` seconds;
        ``peer_resets``: the peer reset or broke the connection; ``handler_errors``: a handler
        raised (logged with its traceback); ``handshake_failures``: a TLS handshake failed.
        """
        stats = {"connections": len(self._handlers), "accepted": self.accepted}  # type: Dict[str, Any]
        stats.update(self._ended)
        stats["serving"] = self._serving is not None
        stats["closed"] = self._closing
        return stats

    # -- serving ----------------------------------------------------------------------------
    def serve_forever(self) -> "Generator[Any, Any, None]":
        """``yield from server.serve_forever()``: accept and serve until ``close()``."""
        if self._serving is not None:
            raise RuntimeError("serve_forever() is already running for this server, in task %r" % self._serving.name)
        if self._closing:
            return
        self._serving = current_task()
        try:
            yield from self._accept_loop()
            yield from self._drain()
        except GeneratorExit:  # closed by force: no waiting possible any more
            self._stop(None)
            for task in list(self._handlers):
                task.cancel()
            raise
        except BaseException:
            self._stop(0.0)
            with CancelScope(shield=True):
                yield from self._cancel_handlers()
            raise
        finally:
            self._serving = None

    def _accept_loop(self) -> "Generator[Any, Any, None]":
        listener = self.listener
        tcp = self._unix_path is None
        burst = 0
        while not self._closing:
            if self.max_connections is not None and len(self._handlers) >= self.max_connections:
                task = parking_task()
                yield from park(task, self._slots.push(task))
                continue
            try:
                sock, address = yield from listener.accept()
            except OSError as exc:
                if self._closing:
                    return
                yield from self._accept_failed(exc)
                continue
            self.accepted += 1
            address = readable(address)
            if tcp:
                set_nodelay(sock)
            task = spawn(self._serve, sock, address, name="%s %s" % (_name(self.handler), address_text(address)))
            self._handlers[task] = sock
            burst += 1
            if burst == _ACCEPTS_PER_CHECKPOINT:
                burst = 0
                yield

    def _accept_failed(self, exc: OSError) -> "Generator[Any, Any, None]":
        """Some accept errors are about one client, some are a passing shortage: carry on."""
        if exc.errno in (ECONNABORTED, EINTR):
            return  # that client gave up before we took its connection
        if exc.errno in _OUT_OF_RESOURCES:
            report.warning("server %s: accept() failed (%s); retrying in 0.1 s" % (address_text(self.address), exc))
            yield from sleep(0.1)
            return
        raise exc

    def _serve(self, sock: Socket, address: "Any") -> "Generator[Any, Any, None]":
        """One connection's task: (TLS,) the handler, then close, whatever happened."""
        me = current_task()
        try:
            if self.ssl is not None:
                tls = yield from self._handshake(sock, address)
                if tls is None:
                    return
                sock = tls
            sock.idle_timeout = self.idle_timeout
            stream = Stream(sock, self.limit)
            job = self.handler(stream, address)
            if not hasattr(job, "send"):
                raise TypeError(
                    "the server's handler %s returned %r, not a generator: make it a generator "
                    "function (def handler(stream, address): ... yield from stream.read(...))" % (_name(self.handler), job)
                )
            yield from job
        except Exception as exc:
            self._handler_failed(exc, sock, address)
        finally:
            self._handler_ended(me, sock)

    def _handler_failed(self, exc: Exception, sock: Socket, address: "Any") -> None:
        """Log a handler's failure: a traceback for a bug, one DEBUG line for the peer's doing.

        Discussion: whose fault? Only an error that this connection's own socket raised (the
        socket remembers the last one) can be the peer's: an idle timeout, a reset, a broken
        pipe, an abort, a TCP timeout. The same error from another socket (a backend the
        handler talks to) or one the handler raised itself is the handler's business, and
        keeps its traceback.
        """
        kind = None
        if exc is sock._error:
            if isinstance(exc, IdleTimeout):
                kind = "idle_timeouts"
            elif isinstance(exc, ConnectionError) or getattr(exc, "errno", None) == ETIMEDOUT:
                kind = "peer_resets"
        if kind is None:
            self._ended["handler_errors"] += 1
            report.failure("handler %s() for connection %s failed" % (_name(self.handler), address_text(address)), exc)
            return
        self._ended[kind] += 1
        _debug("connection %s closed: %s: %s", address_text(address), type(exc).__name__, exc)

    def _handshake(self, sock: Socket, address: "Any") -> "Generator[Any, Any, Any]":
        from .tls import wrap

        try:
            if self.handshake_timeout is None:
                return (yield from wrap(sock, self.ssl, server_side=True))
            with fail_after(self.handshake_timeout):
                return (yield from wrap(sock, self.ssl, server_side=True))
        except Exception as exc:  # a client's failure, not ours: a line in the log is enough
            self._ended["handshake_failures"] += 1
            report.warning("TLS handshake with %s failed: %r" % (address_text(address), exc))
            return None

    def _handler_ended(self, task: "Any", sock: Socket) -> None:
        if self._handlers.pop(task, None) is not None:
            sock.close()
            self._slot_freed()

    def _slot_freed(self) -> None:
        waiter = self._slots.pop()
        if waiter is not None:
            reschedule(waiter.task, None)

    # -- stopping ---------------------------------------------------------------------------
    def close(self, grace: "Optional[float]" = 5.0) -> None:
        """Stop accepting now; cancel handlers still running ``grace`` seconds later (plain call).

        ``serve_forever`` returns once every handler has ended. ``grace=None`` waits for them
        however long they take; ``grace=0`` cancels them at once.
        """
        if self._closing:
            return
        self._stop(grace)
        if self._serving is None:  # nobody is in serve_forever to wind the handlers down
            for task in list(self._handlers):
                task.cancel()

    def _stop(self, grace: "Optional[float]") -> None:
        if not self._closing:
            self._closing = True
            self._grace = grace
            self.listener.close()  # a task blocked in accept() gets OSError, and sees _closing
            if self._unix_path is not None:
                _remove_socket_file(self._unix_path)
        waiter = self._slots.pop()
        while waiter is not None:
            reschedule(waiter.task, None)
            waiter = self._slots.pop()

    def _drain(self) -> "Generator[Any, Any, None]":
        """After close(): wait ``grace`` seconds for the handlers, then cancel the rest."""
        if self._handlers and self._grace != 0:
            yield from joinall(list(self._handlers), timeout=self._grace)
        yield from self._cancel_handlers()

    def _cancel_handlers(self) -> "Generator[Any, Any, None]":
        tasks = list(self._handlers)
        for task in tasks:
            task.cancel()
        yield from joinall(tasks)
        # Discussion: a handler task cancelled before it ever ran never starts (the kernel's
        # rule), so its `finally` never closed its connection: close what is left here.
        for task, sock in list(self._handlers.items()):
            self._handler_ended(task, sock)

    def __enter__(self) -> "Server":
        return self

    def __exit__(self, *exc_info: "Any") -> None:
        self.close()

    def __repr__(self) -> str:
        state = "closed" if self._closing else ("serving" if self._serving is not None else "listening")
        return "<Server %s %s, %d connections>" % (address_text(self.address), state, len(self._handlers))


def _debug(message: str, *args: "Any") -> None:
    """One line at DEBUG on the ``genlet`` logger (formatted only if someone listens)."""
    logger = report.logger
    if logger is not None:
        logger.debug(message, *args)


def _name(fn: "Any") -> str:
    return getattr(fn, "__name__", None) or repr(fn)


def _check_handler(handler: "Any", ssl: "Any", max_connections: "Optional[int]", idle_timeout: "Any") -> None:
    if not callable(handler):
        raise TypeError("the server's handler must be a generator function handler(stream, address), got %r" % (handler,))
    if ssl is True:
        raise TypeError("a server needs an ssl.SSLContext with its certificate loaded, not ssl=True")
    if max_connections is not None and max_connections < 1:
        raise ValueError("max_connections must be at least 1 (or None for no limit), got %r" % (max_connections,))
    if idle_timeout is not None and not idle_timeout > 0:
        raise ValueError("idle_timeout must be a number of seconds above 0 (or None: no bound), got %r" % (idle_timeout,))


def tcp_server(
    host: "Optional[str]",
    port: int,
    handler: "Callable[..., Any]",
    ssl: "Any" = None,
    backlog: int = 511,
    max_connections: "Optional[int]" = None,
    reuse_address: bool = True,
    reuse_port: bool = False,
    limit: int = DEFAULT_LIMIT,
    handshake_timeout: "Optional[float]" = 60.0,
    idle_timeout: "Optional[float]" = DEFAULT_IDLE_TIMEOUT,
) -> Server:
    """Bind to ``(host, port)`` and listen, now; return the ``Server`` (a plain call).

    ``host`` None or ``""`` means every interface; ``port`` 0 lets the system pick one
    (``server.address`` says which). ``ssl``: an ``ssl.SSLContext`` with a certificate, to
    serve TLS (each handshake runs in the connection's own task, bounded by
    ``handshake_timeout``). ``idle_timeout``: the seconds one read or write of a connection
    may wait for its peer before it raises ``IdleTimeout`` (None: no bound; see the module doc).
    """
    _check_handler(handler, ssl, max_connections, idle_timeout)
    family, address = resolve_now(host, port, socket.SOCK_STREAM, passive=True)[0]
    sock = Socket(socket.socket(family, socket.SOCK_STREAM))
    try:
        if reuse_address:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        if reuse_port:
            sock.setsockopt(socket.SOL_SOCKET, getattr(socket, "SO_REUSEPORT"), 1)
        sock.bind(address)
        sock.listen(backlog)
    except OSError as exc:
        sock.close()
        raise _explained(exc, "tcp_server: cannot listen on %s port %s" % (host or "*", port)) from None
    return Server(sock, handler, ssl, max_connections, limit, handshake_timeout, (host, port), idle_timeout=idle_timeout)


def unix_server(
    path: str,
    handler: "Callable[..., Any]",
    ssl: "Any" = None,
    backlog: int = 511,
    max_connections: "Optional[int]" = None,
    limit: int = DEFAULT_LIMIT,
    handshake_timeout: "Optional[float]" = 60.0,
    idle_timeout: "Optional[float]" = DEFAULT_IDLE_TIMEOUT,
) -> Server:
    """Listen on a unix socket at ``path``, now; return the ``Server`` (a plain call).

    A stale socket file left at ``path`` by an earlier server is replaced; ``close()``
    removes the file.
    """
    _check_handler(handler, ssl, max_connections, idle_timeout)
    family = getattr(socket, "AF_UNIX", None)
    if family is None:
        raise OSError(EOPNOTSUPP, "this interpreter has no unix sockets (socket.AF_UNIX)")
    _remove_socket_file(path)
    sock = Socket(socket.socket(family, socket.SOCK_STREAM))
    try:
        sock.bind(path)
        sock.listen(backlog)
    except OSError as exc:
        sock.close()
        raise _explained(exc, "unix_server: cannot listen on %r" % (path,)) from None
    return Server(sock, handler, ssl, max_connections, limit, handshake_timeout, path, path, idle_timeout)


def _remove_socket_file(path: str) -> None:
    """Remove ``path`` if it is a socket file (never a regular file someone mistyped)."""
    import os

    try:
        mode = os.stat(path)[0]
    except OSError:
        return
    if mode & 0o170000 == 0o140000:  # S_IFSOCK
        try:
            os.remove(path)
        except OSError:
            pass


__all__ = ["Server", "tcp_server", "unix_server"]

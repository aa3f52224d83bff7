# genlet/http/server.py
"""Server: the cooperative HTTP/1.1 server, whose handlers are generator functions.

::

    def hello(request):
        yield from genlet.sleep(1)              # wait on anything genlet offers
        return genlet.http.Response(200, [("Content-Type", "text/plain")], b"Hello, World!")

    server = genlet.http.Server(("127.0.0.1", 8000), hello)
    server.serve_forever()                      # no kernel running: runs one until SIGINT/SIGTERM

Inside a task: ``yield from server.serve_forever()``. ``server.address`` is the bound
``(host, port)`` at once (port 0 works); ``server.close(grace=5.0)`` is a plain call.

The listening and the supervision of connections are genlet.io's ``tcp_server``; this module
adds HTTP's limits and the graceful stop: idle keep-alive connections are closed at once,
requests in flight may finish within ``grace``.
"""

try:
    from typing import Any, Callable, Dict, Generator, Optional, Set
except ImportError:
    pass

from ..kernel.driving import run
from ..kernel.lowlevel import running_kernel
from ..kernel.spawning import spawn
from . import _log
from .connection import Connection
from .forwarded import DEFAULT_FORWARDED_ALLOW, Trusted
from .parser import DEFAULT_MAX_BODY_BYTES, DEFAULT_MAX_HEAD_BYTES, DEFAULT_MAX_HEADERS

DEFAULTS = {
    "max_head_bytes": DEFAULT_MAX_HEAD_BYTES,  # request line + headers; over it: 431 (414)
    "max_headers": DEFAULT_MAX_HEADERS,  # field lines; over it: 431
    "max_body_bytes": DEFAULT_MAX_BODY_BYTES,  # over it: 413 (None: no limit)
    "header_timeout": 10.0,  # a new connection's first head, and any head once begun
    "body_timeout": 30.0,  # the longest wait for the next piece of a request body
    "keepalive_timeout": 5.0,  # idle between two requests
    "send_timeout": 30.0,  # the longest wait for the client to read a piece of the response
    "max_connections": 1000,  # open connections; beyond them the server stops accepting
}  # type: Dict[str, Any]


class Server:
    """An HTTP/1.1 server whose ``handler(request)`` is a generator function returning a
    ``Response``. Limits are keyword arguments (see ``DEFAULTS`` and docs/http.md); ``log=True``
    writes an access log line per request (common log format) at INFO on ``genlet.http``.

    ``address`` is ``(host, port)``, or a listening socket to serve on (a process manager's).
    ``ssl``: an ``ssl.SSLContext`` with its certificate: HTTPS. ``forwarded_allow``: the peers
    (proxies) whose ``X-Forwarded-For`` / ``-Proto`` are believed (see forwarded.py)."""

    # A handler that waits gets a watcher task that cancels it if its client leaves meanwhile
    # (connection.py's _watch). WSGIServer turns it off (see its _handle).
    watch_handlers = True

    def __init__(
        self,
        address: "Any",
        handler: "Callable[..., Any]",
        backlog: int = 511,
        reuse_port: bool = False,
        log: bool = False,
        ssl: "Any" = None,
        forwarded_allow: "Any" = DEFAULT_FORWARDED_ALLOW,
        **limits: "Any"
    ) -> None:

        if not callable(handler):
            raise TypeError("the handler must be a generator function handler(request), got %r" % (handler,))
        for key in limits:
            if key not in DEFAULTS:
                raise TypeError("Server() got an unknown limit %r; the limits are: %s" % (key, ", ".join(sorted(DEFAULTS))))
        settings = dict(DEFAULTS)
        settings.update(limits)
        self.max_head_bytes = settings["max_head_bytes"]  # type: int
        self.max_headers = settings["max_headers"]  # type: int
        self.max_body_bytes = settings["max_body_bytes"]  # type: Optional[int]
        self.header_timeout = settings["header_timeout"]  # type: float
        self.body_timeout = settings["body_timeout"]  # type: Optional[float]
        self.keepalive_timeout = settings["keepalive_timeout"]  # type: float
        self.send_timeout = settings["send_timeout"]  # type: Optional[float]
        self.max_connections = settings["max_connections"]  # type: Optional[int]
        self.handler = handler
        self.log = log  # an access log line per request (common log format), INFO on genlet.http
        self.handler_name = _log.name(handler)  # for log messages
        self.closing = False
        self.grace = 5.0  # type: Optional[float]  # close()'s grace on SIGINT/SIGTERM at the top level
        self.idle = set()  # type: Set[Connection]  # connections waiting for a request
        self.scheme = "http" if ssl is None else "https"
        self.forwarded = Trusted(forwarded_allow)  # the proxies whose X-Forwarded-* are believed
        self._io = _listen(address, self._connection, ssl, backlog, reuse_port, self.max_connections, self.header_timeout)

    @property
    def address(self) -> "Any":
        """The bound ``(host, port)``: the real port, also for port 0."""
        return self._io.address

    @property
    def connections(self) -> int:
        """How many connections are open now."""
        return int(self._io.connections)

    def _connection(self, stream: "Any", remote: "Any") -> "Generator[Any, Any, None]":
        return Connection(self, stream.transport, remote).serve()

    def serve_forever(self) -> "Any":
        """Serve until ``close()``.

        In a task: ``yield from server.serve_forever()``. With no genlet kernel running in this
        thread (a script's top level), a plain call: it runs a kernel and serves until SIGINT
        or SIGTERM, then stops gracefully (see ``close``) and returns.
        """
        if running_kernel() is not None:
            return self._io.serve_forever()
        run(self._main)
        return None

    def _main(self) -> "Generator[Any, Any, None]":
        serving = spawn(self._io.serve_forever, name="http-server %s:%s" % tuple(self.address[:2]))
        spawn(self._stop_on_signal, daemon=True, name="http-server signals")
        yield from serving.join()

    def _stop_on_signal(self) -> "Generator[Any, Any, None]":
        import signal

        from ..io.signals import signal_wait

        yield from signal_wait(signal.SIGINT, signal.SIGTERM)
        self.close(self.grace)

    def close(self, grace: "Optional[float]" = 5.0) -> None:
        """Stop accepting now, close idle keep-alive connections now, let requests in flight
        finish, and cancel those still running ``grace`` seconds later (a plain call).
        ``serve_forever`` returns when the last connection has ended."""
        self.closing = True
        for conn in list(self.idle):
            conn.sock.close()  # its task, waiting in recv, gets an OSError and ends quietly
        self.idle.clear()
        self._io.close(grace)

    def __enter__(self) -> "Server":
        return self

    def __exit__(self, *exc_info: "Any") -> None:
        self.close()

    def __repr__(self) -> str:
        return "<genlet.http.Server %s:%s, %d connections>" % (self.address[0], self.address[1], self.connections)


def _listen(address: "Any", handler: "Any", ssl: "Any", backlog: int, reuse_port: bool, max_connections: "Any", handshake_timeout: float) -> "Any":
    """The genlet.io server: bound to ``address`` now, or on ``address`` itself when it is a
    listening socket already (a process manager's, such as gunicorn's: as gevent's pywsgi).

    Discussion: a TLS handshake is part of the request's head, as far as a slow client goes: it
    is bounded by ``header_timeout`` too.
    """
    from ..io.servers import Server as IOServer
    from ..io.servers import tcp_server
    from ..io.sockets import Socket

    if hasattr(address, "accept"):
        if ssl is True:
            raise TypeError("a server needs an ssl.SSLContext with its certificate loaded, not ssl=True")
        try:
            bound = address.getsockname()
        except OSError:
            bound = None
        return IOServer(Socket(address), handler, ssl, max_connections, handshake_timeout=handshake_timeout, address=bound)
    if not isinstance(address, tuple) or len(address) != 2:
        raise TypeError("a server's address is (host, port) or a listening socket, got %r" % (address,))
    host, port = address
    return tcp_server(host, port, handler, ssl=ssl, backlog=backlog, max_connections=max_connections, reuse_port=reuse_port, handshake_timeout=handshake_timeout)

"""The HTTP/1.1 client: ``Client``, and ``request``/``get``/... on a default client per kernel.

::

    r = yield from genlet.http.get("http://127.0.0.1:8000/", timeout=10)
    with genlet.http.Client(max_per_host=10) as client:
        r = yield from client.post(url, json={"a": 1})

One request is: take a connection from the pool (or open one), send the head and the body,
read the response's head with the same parser the server uses (``ResponseParser``), read the
body, and give the connection back only if the response was read to its end and both sides keep
it alive. Redirects, cookies, decompression and timeouts wrap that. docs/http.md has the user's
view; the Discussion comments say why each corner is the way it is.
"""

try:
    from typing import Any, Callable, Dict, Generator, List, Optional, Tuple
except ImportError:
    pass

from ..io.connections import open_connection
from ..kernel import clock
from ..kernel.cancel import CancelScope, move_on_after
from ..kernel.errors import TimeoutError, plural
from ..kernel.lowlevel import current_kernel
from .cookies import CookieJar
from .decoding import accept_encoding, decoder_for
from .errors import ConnectTimeout, ProtocolError, TooManyRedirects
from .headers import Headers
from .message import Response
from .outgoing import IDEMPOTENT, Outgoing
from .parser import CLOSED, DEFAULT_MAX_HEAD_BYTES, NEED_DATA, ResponseHead
from .pool import Connection, ConnectionPool
from .streaming import StreamResponse, read_body
from .url import URL

USER_AGENT = "genlet/0.1"
REDIRECTS = (301, 302, 303, 307, 308)
_UNSET = object()  # a keyword not given: the client's default applies
_OPTIONS = ("timeout", "connect_timeout", "read_timeout", "follow_redirects")


class _Stale(Exception):
    """A reused connection failed before any byte of the response came (the keep-alive race)."""

    def __init__(self, error: BaseException) -> None:
        super().__init__(str(error))
        self.error = error


class Client:
    """A pool of keep-alive connections, with defaults for its requests. See docs/http.md.

    ``headers``: sent with every request (a request's own headers win); ``timeout``,
    ``connect_timeout``, ``read_timeout``, ``follow_redirects``: defaults for each request;
    ``max_redirects`` (10); ``max_per_host`` (10) and ``max_connections`` (100; None: no cap)
    bound the open connections; ``keepalive_expiry`` (5 s): an idle connection older than that
    is closed, not reused; ``verify`` (True: the system's CAs; False: no check; a path: a CA
    file) or ``ssl`` (an ``ssl.SSLContext``, used as it is) for https.
    """

    def __init__(
        self,
        headers: "Any" = None,
        timeout: "Optional[float]" = None,
        connect_timeout: "Optional[float]" = None,
        read_timeout: "Optional[float]" = None,
        follow_redirects: bool = True,
        max_redirects: int = 10,
        max_per_host: int = 10,
        max_connections: "Optional[int]" = 100,
        keepalive_expiry: float = 5.0,
        verify: "Any" = True,
        ssl: "Any" = None,
        max_head_bytes: int = DEFAULT_MAX_HEAD_BYTES,
    ) -> None:
        self.headers = headers.copy() if isinstance(headers, Headers) else Headers(headers)
        self.defaults = {
            "timeout": _seconds("timeout", timeout),
            "connect_timeout": _seconds("connect_timeout", connect_timeout),
            "read_timeout": _seconds("read_timeout", read_timeout),
            "follow_redirects": follow_redirects,
        }  # type: Dict[str, Any]
        self.max_redirects = max_redirects
        self.cookies = CookieJar()
        self.max_head_bytes = max_head_bytes
        self._pool = ConnectionPool(max_per_host, max_connections, keepalive_expiry)
        self._verify = verify
        self._ssl = ssl
        self._context = None  # type: Any  # the SSLContext made for verify=, on first use
        self._extra = [("User-Agent", USER_AGENT), ("Accept", "*/*"), ("Accept-Encoding", accept_encoding())]

    # -- the API -----------------------------------------------------------------------------

    def request(self, method: str, url: "Any", **options: "Any") -> "Generator[Any, Any, Response]":
        """``r = yield from client.request(method, url, params=None, headers=None, body=None,
        json=None, timeout=..., connect_timeout=..., read_timeout=..., follow_redirects=...)``:
        the response, its body read (and decoded) in full."""
        outgoing, settings = self._prepare(method, url, options)
        return self._within(self._send(outgoing, settings, False), settings["timeout"], outgoing)

    def stream(self, method: str, url: "Any", **options: "Any") -> "Generator[Any, Any, StreamResponse]":
        """``r = yield from client.stream(method, url, ...)``: the response once its head has
        come, its body still to read (``read``, ``read_chunk``; ``close`` when done; ``with``).
        ``timeout`` covers the wait for the head; ``read_timeout`` each read of the body."""
        outgoing, settings = self._prepare(method, url, options)
        return self._within(self._send(outgoing, settings, True), settings["timeout"], outgoing)

    def get(self, url: "Any", **options: "Any") -> "Generator[Any, Any, Response]":
        return self.request("GET", url, **options)

    def head(self, url: "Any", **options: "Any") -> "Generator[Any, Any, Response]":
        return self.request("HEAD", url, **options)

    def post(self, url: "Any", **options: "Any") -> "Generator[Any, Any, Response]":
        return self.request("POST", url, **options)

    def put(self, url: "Any", **options: "Any") -> "Generator[Any, Any, Response]":
        return self.request("PUT", url, **options)

    def patch(self, url: "Any", **options: "Any") -> "Generator[Any, Any, Response]":
        return self.request("PATCH", url, **options)

    def delete(self, url: "Any", **options: "Any") -> "Generator[Any, Any, Response]":
        return self.request("DELETE", url, **options)

    def options(self, url: "Any", **options: "Any") -> "Generator[Any, Any, Response]":
        return self.request("OPTIONS", url, **options)

    def close(self) -> None:
        """Close the idle connections; a request still running closes its own when it ends.
        Later requests raise RuntimeError."""
        self._pool.close()

    @property
    def closed(self) -> bool:
        return self._pool.closed

    def statistics(self) -> "Dict[str, int]":
        """The pool: ``open``, ``idle``, ``busy`` connections, tasks ``waiting`` for one, and
        connections ``opened`` so far."""
        return self._pool.statistics()

    def __enter__(self) -> "Client":
        return self

    def __exit__(self, *exc_info: "Any") -> None:
        self.close()

    def __repr__(self) -> str:
        return "<genlet.http.Client %s>" % " ".join(["%s=%d" % item for item in sorted(self.statistics().items())])

    # -- one request -------------------------------------------------------------------------

    def _prepare(self, method: str, url: "Any", options: "Dict[str, Any]") -> "Tuple[Outgoing, Dict[str, Any]]":
        """Check everything before any I/O: bad input fails here, with nothing sent."""
        params = options.pop("params", None)
        headers = options.pop("headers", None)
        body = options.pop("body", None)
        json = options.pop("json", None)
        settings = dict(self.defaults)
        for name, value in options.items():
            if name not in settings:
                known = "params, headers, body, json, " + ", ".join(_OPTIONS)
                raise TypeError("unknown keyword %r for a request; the keywords are: %s" % (name, known))
            settings[name] = value if name == "follow_redirects" else _seconds(name, value)
        merged = self.headers
        if headers:
            own = headers if isinstance(headers, Headers) else Headers(headers)
            merged = self.headers.copy()
            for name, _ in own:
                merged.remove(name)
            for name, value in own:
                merged.add(name, value)
        self._pool._check_open()
        return Outgoing.prepare(method, url, params, merged, body, json), settings

    def _within(self, operation: "Any", timeout: "Optional[float]", outgoing: Outgoing) -> "Generator[Any, Any, Any]":
        """Run the request within ``timeout`` seconds (a cancel scope), else TimeoutError."""
        if timeout is None:
            return (yield from operation)
        with CancelScope(clock() + timeout):
            return (yield from operation)
        raise TimeoutError(
            "%s %s: no response within %s (timeout=%r)" % (outgoing.method, outgoing.url, plural(timeout, "second"), timeout)
        )

    def _send(self, outgoing: Outgoing, settings: "Dict[str, Any]", streaming: bool) -> "Generator[Any, Any, Any]":
        """Send, and follow the redirects (at most ``max_redirects``)."""
        history = []  # type: List[Response]
        while True:
            response = yield from self._exchange(outgoing, settings, streaming)
            response.url = str(outgoing.url)
            location = response.headers.get("location")
            if not settings["follow_redirects"] or response.status not in REDIRECTS or location is None:
                response.history = tuple(history)
                return response
            if streaming:  # a redirect's body is short: read it, so its connection is kept
                yield from response.read()
            history.append(response)
            if len(history) > self.max_redirects:
                message = "%s %s: more than max_redirects=%d redirects (the last to %s)"
                raise TooManyRedirects(message % (outgoing.method, history[0].url, self.max_redirects, location), tuple(history))
            outgoing = outgoing.redirected(response.status, location)

    def _exchange(self, outgoing: Outgoing, settings: "Dict[str, Any]", streaming: bool) -> "Generator[Any, Any, Any]":
        """One request and its response, on a pooled connection; retried once on a fresh one
        when a reused connection turns out to have been closed by the server meanwhile."""
        url = outgoing.url
        fresh = False
        while True:
            conn, reused = yield from self._pool.acquire(url.origin, self._connector(url, settings["connect_timeout"]), fresh)
            try:
                head = yield from self._ask(conn, outgoing, settings["read_timeout"])
                break
            except _Stale as stale:
                self._pool.release(conn, False)
                # Discussion: the server closed this idle connection just as we sent on it
                # (the keep-alive race): nothing was processed, so a request that may be sent
                # twice without harm is sent again, once, on a new connection. Never a POST:
                # the server may have acted on it before closing.
                if reused and not fresh and outgoing.method in IDEMPOTENT and outgoing.replayable:
                    fresh = True
                    continue
                raise stale.error from None
            except BaseException:
                self._pool.release(conn, False)
                raise
        jar_path = url.target.partition("?")[0]
        set_cookies = head.headers.get_all("set-cookie")
        if set_cookies:
            self.cookies.extract(url.host, jar_path, set_cookies)
        response = StreamResponse(head, self._pool, conn, decoder_for(head.headers), settings["read_timeout"])
        if streaming:
            return response
        try:
            body = yield from read_body(response)
        except BaseException:
            response.close()
            raise
        plain = Response(head.status, head.headers, body, head.reason)
        plain.http_version = head.http_version
        return plain

    def _ask(self, conn: Connection, outgoing: Outgoing, read_timeout: "Optional[float]") -> "Generator[Any, Any, ResponseHead]":
        """Send the request; return the response's head (a final one: 1xx are skipped)."""
        url = outgoing.url
        extra = self._extra + [("Cookie", self.cookies.header(url.host, url.target.partition("?")[0], url.scheme == "https"))]
        head = outgoing.head(extra)
        parser = conn.parser
        parser.expect_response(outgoing.method)
        conn.requests += 1
        got = False  # any byte of the response yet?
        try:
            pieces = outgoing.pieces()
            first = next(iter(pieces), b"") if outgoing.stream is None else b""
            yield from conn.send(head + first if len(first) < 65536 else head)
            if len(first) >= 65536:
                yield from conn.send(first)
            for piece in pieces:
                yield from conn.send(piece)
            while True:
                event = parser.next_event()
                if event is NEED_DATA:
                    data = yield from conn.recv(read_timeout)
                    got = got or bool(data)
                    parser.feed(data)
                elif isinstance(event, ResponseHead):
                    if event.status == 101:
                        raise ProtocolError(502, "upgrade", "%s switched protocols (101): genlet.http's client speaks HTTP/1.1 only" % conn.where)
                    if event.status >= 200:
                        return event
                elif event is CLOSED:
                    raise _closed_early(conn)
                else:
                    raise ProtocolError(502, "unexpected", "unexpected %r before the response head from %s" % (event, conn.where))
        except OSError as exc:
            if got or isinstance(exc, TimeoutError):
                raise
            raise _Stale(exc) from None

    def _connector(self, url: URL, connect_timeout: "Optional[float]") -> "Callable[[], Generator[Any, Any, Connection]]":
        def connect() -> "Generator[Any, Any, Connection]":
            context = self._ssl_context() if url.scheme == "https" else None
            stream = yield from _open(url, context, connect_timeout)
            return Connection(stream, url.origin, self.max_head_bytes)

        return connect

    def _ssl_context(self) -> "Any":
        if self._ssl is not None:
            return self._ssl
        if self._context is None:
            import ssl

            verify = self._verify
            context = ssl.create_default_context(cafile=verify if isinstance(verify, str) else None)
            if verify is False:
                context.check_hostname = False
                context.verify_mode = ssl.CERT_NONE
            self._context = context
        return self._context


def _open(url: URL, context: "Any", connect_timeout: "Optional[float]") -> "Generator[Any, Any, Any]":
    """A stream to ``url``'s host and port (TLS if ``context``), within ``connect_timeout``.

    Discussion: the lookup, the TCP handshake and the TLS handshake all count. A server whose
    accept queue is full never answers the handshake (the kernel retries it for minutes): the
    case ``connect_timeout`` is for, so its error names the setting to raise.
    """
    if connect_timeout is None:
        return (yield from open_connection(url.host, url.port, ssl=context))
    with move_on_after(connect_timeout):
        return (yield from open_connection(url.host, url.port, ssl=context))
    where = "[%s]:%d" % (url.host, url.port) if ":" in url.host else "%s:%d" % (url.host, url.port)
    raise ConnectTimeout(
        "the connect to %s timed out: no connection within %s (connect_timeout=%r); raise "
        "connect_timeout if the server is slow to accept, or check that it is up" % (where, plural(connect_timeout, "second"), connect_timeout)
    )


def _closed_early(conn: Connection) -> OSError:
    from ..io.errors import ConnectionResetError

    return ConnectionResetError(104, "%s closed the connection without sending a response" % conn.where)


def _seconds(name: str, value: "Any") -> "Optional[float]":
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not value > 0:
        raise ValueError("%s is a number of seconds above 0 (or None for no limit), not %r" % (name, value))
    return float(value)


# -- the default client of each kernel ------------------------------------------------------

_DEFAULT = {}  # type: Dict[Any, Client]  # kernel -> its default client


def default_client() -> Client:
    """The running kernel's default client (made on first use, closed when the kernel ends)."""
    kernel = current_kernel()
    client = _DEFAULT.get(kernel)
    if client is None or client.closed:
        from ..kernel.spawning import spawn

        client = _DEFAULT[kernel] = Client()
        spawn(_keep, kernel, client, name="genlet.http default client", daemon=True)
    return client


def _keep(kernel: "Any", client: Client) -> "Generator[Any, Any, None]":
    """Discussion: a daemon task holds the default client until the kernel ends, which cancels
    it; its ``finally`` then closes the pooled connections (no descriptor outlives the run)."""
    from ..sync.events import Event

    try:
        yield from Event().wait()
    finally:
        client.close()
        if _DEFAULT.get(kernel) is client:
            del _DEFAULT[kernel]


def request(method: str, url: "Any", **options: "Any") -> "Generator[Any, Any, Response]":
    """``yield from genlet.http.request(method, url, ...)`` on the kernel's default client."""
    return default_client().request(method, url, **options)


def stream(method: str, url: "Any", **options: "Any") -> "Generator[Any, Any, StreamResponse]":
    return default_client().stream(method, url, **options)


def get(url: "Any", **options: "Any") -> "Generator[Any, Any, Response]":
    return default_client().request("GET", url, **options)


def head(url: "Any", **options: "Any") -> "Generator[Any, Any, Response]":
    return default_client().request("HEAD", url, **options)


def post(url: "Any", **options: "Any") -> "Generator[Any, Any, Response]":
    return default_client().request("POST", url, **options)


def put(url: "Any", **options: "Any") -> "Generator[Any, Any, Response]":
    return default_client().request("PUT", url, **options)


def delete(url: "Any", **options: "Any") -> "Generator[Any, Any, Response]":
    return default_client().request("DELETE", url, **options)

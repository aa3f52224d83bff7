# genlet/http/message.py
"""Request and Response: what a server's handler receives and returns.

``Response(status, headers, body)`` is the one response class of genlet.http (the client will
return the same class, with ``.url`` and ``.history`` filled in). ``headers`` is always a
``Headers`` (the case-insensitive multi-dict), whatever was passed: a list of pairs, a dict,
or None. ``body`` is ``bytes``, or, to stream a response without holding it in memory:

- an iterable of ``bytes`` (a list, a plain generator): each piece is sent as it comes;
- a *body writer*, a generator function ``body(writer)`` that sends with
  ``yield from writer.write(chunk)``: the write returns once the piece is handed to the
  system, so a client that reads slowly slows the writer down (backpressure), and the writer
  may wait on anything genlet offers between two pieces (``genlet.sleep``, a queue...).

A streamed body goes out chunked (HTTP/1.1) unless the headers give a ``Content-Length``; an
HTTP/1.0 client gets it close-delimited.

``Request`` is what a handler gets: ``method``, ``path`` (percent-decoded), ``query`` (raw),
``headers``, ``http_version``, ``remote`` (the peer's address, or the client's behind a
trusted proxy: see forwarded.py), ``scheme`` (``"http"`` or ``"https"``), and ``body = yield from
request.read()``.
"""

try:
    from typing import Any, Generator, Optional
except ImportError:
    pass

from .headers import Headers
from .serialize import REASONS


class Response:
    """An HTTP response: ``Response(status, headers=None, body=b"")``.

    ``reason`` defaults to the standard phrase for ``status``.
    """

    __slots__ = ("status", "headers", "body", "reason", "url", "history", "http_version")

    def __init__(self, status: int = 200, headers: "Any" = None, body: "Any" = b"", reason: "Optional[str]" = None) -> None:
        if isinstance(status, bool) or not isinstance(status, int) or not 100 <= status <= 999:
            raise ValueError("a response status is an int from 100 to 999, such as 200 or 404; got %r" % (status,))
        self.status = status
        self.headers = headers if isinstance(headers, Headers) else Headers(headers)
        if isinstance(body, str):
            raise TypeError(
                "a response body is bytes, not str: encode it (body=text.encode()) and say "
                "which encoding in Content-Type (text/plain; charset=utf-8)"
            )
        self.body = body
        self.reason = REASONS.get(status, "") if reason is None else reason
        self.url = None  # type: Optional[str]  # (the client's side)
        self.history = ()  # type: Any
        self.http_version = "1.1"  # (the client's side: the version the server answered with)

    def text(self, encoding: "Optional[str]" = None) -> str:
        """The body decoded by ``encoding``, else the charset of Content-Type, else UTF-8
        (undecodable bytes become U+FFFD: a page with one bad byte still reads)."""
        body = self.body
        if not isinstance(body, (bytes, bytearray)):
            raise TypeError("text() needs the body as bytes; this response's body is %r" % (type(body).__name__,))
        codec = encoding or charset(self.headers.get("content-type")) or "utf-8"
        try:
            return bytes(body).decode(codec, "replace")
        except LookupError:
            return bytes(body).decode("utf-8", "replace")  # an unknown charset: the common default

    def json(self) -> "Any":
        """The body read as JSON (``json.loads``)."""
        import json

        return json.loads(self.text())

    def raise_for_status(self) -> "Response":
        """Raise ``HTTPStatusError`` for a 4xx or 5xx status; else return the response."""
        if self.status >= 400:
            from .errors import HTTPStatusError

            kind = "client error" if self.status < 500 else "server error"
            where = " for %s" % self.url if self.url else ""
            raise HTTPStatusError("%d %s (%s)%s" % (self.status, self.reason, kind, where), self)
        return self

    def __repr__(self) -> str:
        return "<Response %d %s>" % (self.status, self.reason)


def charset(content_type: "Optional[str]") -> "Optional[str]":
    """The ``charset`` parameter of a Content-Type value, or None."""
    if not content_type:
        return None
    for part in content_type.split(";")[1:]:
        name, _, value = part.partition("=")
        if name.strip().lower() == "charset":
            return value.strip().strip('"').lower() or None
    return None


class Request:
    """One request, as a handler sees it. See the module's docstring."""

    __slots__ = ("method", "path", "query", "target", "headers", "http_version", "remote", "scheme", "head", "_reader", "_body")

    def __init__(self, head: "Any", remote: "Any", reader: "Any", scheme: str = "http") -> None:
        self.head = head  # the parser's RequestHead
        self.method = head.method  # type: str
        self.path = head.path  # type: str
        self.query = head.query  # type: str
        self.target = head.target  # type: str
        self.headers = head.headers  # type: Headers
        self.http_version = head.http_version  # type: str
        self.remote = remote  # the peer's (host, port); behind a trusted proxy: the client's (host, 0)
        self.scheme = scheme  # "http" or "https" (as the client used it, behind a trusted proxy)
        self._reader = reader  # the connection, which reads the body off the socket
        self._body = None  # type: Optional[bytes]

    def read(self) -> "Generator[Any, Any, bytes]":
        """``body = yield from request.read()``: the whole body (``b""`` if it has none).

        Bounded by the server's ``max_body_bytes`` (a larger body ends the request with 413).
        An ``Expect: 100-continue`` client is told to send its body now, not before. A second
        call returns the same bytes.
        """
        if self._body is None:
            self._body = yield from self._reader.read_body(self)
        return self._body

    def __repr__(self) -> str:
        return "<Request %s %s HTTP/%s>" % (self.method, self.target, self.http_version)

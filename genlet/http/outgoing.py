"""What the client sends: a request made ready before any I/O, and redirected when told to.

``Outgoing(method, url, params, headers, body, json)`` checks everything a request needs
(a known scheme, a token method, header values that cannot inject, a body of a kind it can
send) as a plain call, so bad input fails at once with a ``ValueError`` / ``TypeError`` that
says what to pass instead, and nothing has been sent.

The body: ``bytes`` (sent with its ``Content-Length``), a ``str`` (UTF-8, with
``Content-Type: text/plain; charset=utf-8`` unless the headers name one), ``json=`` (JSON, with
``Content-Type: application/json``), or an iterable of ``bytes`` (each piece sent as a chunk,
``Transfer-Encoding: chunked``: for bodies made as they go, or too big for memory). A list or
tuple of bytes can be sent again (a 307/308 redirect, a retry); a one-shot iterator cannot:
a redirect that needs it again raises ``StreamConsumed``.

Credentials in the URL (``http://user:pw@host/``) become an ``Authorization: Basic`` header.
"""

try:
    from typing import Any, Iterable, Optional
except ImportError:
    pass

from .errors import StreamConsumed
from .headers import Headers, is_token
from .serialize import chunk, last_chunk, request_head
from .url import URL, encode_query, unquote_bytes

# RFC 9110 §9.2.2: a request with one of these methods may be sent again without harm.
IDEMPOTENT = ("GET", "HEAD", "PUT", "DELETE", "OPTIONS", "TRACE")
_BODY_EXPECTED = ("POST", "PUT", "PATCH")


def _iterable(value: "Any") -> bool:
    try:
        iter(value)  # (MicroPython's iterators have no __iter__ attribute to look for)
    except TypeError:
        return False
    return True


def basic_auth(userinfo: str) -> str:
    """A URL's ``user:password`` (percent-encoded) as an ``Authorization`` value (RFC 7617).

    Discussion: as requests and httpx do, ``http://user:pw@host/`` sends its credentials in
    this header, never in the request line or ``Host`` (``str(url)`` leaves them out too, so
    they show in no message or ``response.url``). Being a plain ``Authorization`` header, it
    is dropped on a redirect to another host, and one the caller gives wins.
    """
    import binascii

    user, _, password = userinfo.partition(":")
    token = binascii.b2a_base64(unquote_bytes(user) + b":" + unquote_bytes(password)).strip()
    return "Basic " + token.decode()


class Outgoing:
    """One request, ready to send (and to send again after a redirect or a retry)."""

    __slots__ = ("method", "url", "headers", "body", "stream", "sent")

    def __init__(self, method: str, url: URL, headers: Headers, body: "Optional[bytes]" = None, stream: "Any" = None) -> None:
        self.method = method
        self.url = url
        self.headers = headers
        self.body = body  # bytes, or None; an iterable body is in .stream
        self.stream = stream
        self.sent = False  # the iterable body has been consumed

    @classmethod
    def prepare(cls, method: str, url: "Any", params: "Any", headers: "Any", body: "Any", json: "Any") -> "Outgoing":
        """Check the arguments of a request and make it (see the module's docstring)."""
        if not isinstance(method, str) or not is_token(method):
            raise ValueError("invalid method %r: a method is a token such as 'GET' or 'POST'" % (method,))
        target = url if isinstance(url, URL) else URL.parse(url)
        if params:
            query = encode_query(params)
            if query:
                path, mark, old = target.target.partition("?")
                joined = "%s?%s&%s" % (path, old, query) if mark and old else "%s?%s" % (path, query)
                target = URL(target.scheme, target.host, target.port, joined, target.userinfo)
        own = headers.copy() if isinstance(headers, Headers) else Headers(headers)
        if target.userinfo and "authorization" not in own:
            own.set("Authorization", basic_auth(target.userinfo))
        outgoing = cls(method.upper(), target, own)
        outgoing._set_body(body, json)
        return outgoing

    def _set_body(self, body: "Any", json: "Any") -> None:
        if json is not None:
            if body is not None:
                raise ValueError("pass either body= or json=, not both")
            import json as json_module

            body = json_module.dumps(json).encode()
            self._default("Content-Type", "application/json")
        if body is None:
            if self.method in _BODY_EXPECTED:
                self.body = b""
        elif isinstance(body, str):
            self.body = body.encode()
            self._default("Content-Type", "text/plain; charset=utf-8")
        elif isinstance(body, (bytes, bytearray, memoryview)):
            self.body = bytes(body)
        elif isinstance(body, dict) or not _iterable(body):
            raise TypeError(
                "body= takes bytes, a str or an iterable of bytes, not %s; for JSON pass json=, "
                "for a form encode it (genlet.http.url.encode_query(fields).encode())" % type(body).__name__
            )
        else:
            self.stream = body
        if self.stream is not None:
            if "content-length" not in self.headers:
                self.headers.set("Transfer-Encoding", "chunked")
        elif self.body is not None:
            self.headers.set("Content-Length", str(len(self.body)))

    def _default(self, name: str, value: str) -> None:
        if name not in self.headers:
            self.headers.set(name, value)

    @property
    def replayable(self) -> bool:
        """Can it be sent again (a retry, a 307)? Not once a one-shot iterable body was read.

        Discussion: a list or tuple of bytes is read again from its start; any other iterable
        (a generator, ``iter(...)``, ``map(...)``, a file) may give nothing the second time,
        and sending an empty body in its place would lose the data without a word.
        """
        return not self.sent or isinstance(self.stream, (list, tuple))

    def head(self, extra: "Iterable[Any]") -> bytes:
        """The request line and headers: the request's own, then ``extra`` where not given."""
        own = self.headers
        headers = own.copy() if "host" in own else Headers([("Host", self.url.authority)])
        if "host" not in own:
            for name, value in own:
                headers.add(name, value)
        for name, value in extra:
            if value is not None and name not in headers:
                headers.add(name, value)
        return request_head(self.method, self.url.target, headers)

    def pieces(self) -> "Iterable[bytes]":
        """The body as it goes on the wire, piece by piece (after the head)."""
        if self.stream is None:
            if self.body:
                yield self.body
            return
        if not self.replayable:
            raise StreamConsumed("the request body was a one-shot iterable, already sent once: it cannot be sent again")
        self.sent = True
        chunked = self.headers.get("transfer-encoding") is not None
        for piece in self.stream:
            if isinstance(piece, str):
                piece = piece.encode()
            if not isinstance(piece, (bytes, bytearray, memoryview)):
                raise TypeError("a request body iterable gave %s; it must give bytes" % type(piece).__name__)
            if piece:
                yield chunk(bytes(piece)) if chunked else bytes(piece)
        if chunked:
            yield last_chunk()

    def redirected(self, status: int, location: str) -> "Outgoing":
        """The request to send for a ``status`` redirect to ``location`` (RFC 9110 §15.4).

        301, 302, 303: a GET without a body (browsers do that for 301 and 302 too; HEAD stays
        HEAD); 307, 308: the same method and body. ``Authorization`` is dropped when the host
        changes, so a password never goes to a site it was not meant for.
        """
        url = self.url.join(location)
        new = Outgoing(self.method, url, self.headers.copy())
        if status in (307, 308):
            if not self.replayable:
                raise StreamConsumed(
                    "%s %s: the %d redirect to %s needs the request body again, but it was a one-shot "
                    "iterator, used up by the first send; pass the body as bytes or a list of bytes, or "
                    "pass follow_redirects=False" % (self.method, self.url, status, url)
                )
            new.body, new.stream = self.body, self.stream
        else:
            new.method = "HEAD" if self.method == "HEAD" else "GET"
            for name in ("Content-Length", "Transfer-Encoding", "Content-Type"):
                new.headers.remove(name)
        if url.host != self.url.host:
            new.headers.remove("Authorization")  # (and a Cookie the caller set by hand)
            new.headers.remove("Cookie")
        return new

# genlet/http/parser.py
"""The HTTP/1.1 message parser: bytes in, events out, no I/O (a "sans-IO" parser).

``RequestParser`` reads what a client sends a server; ``ResponseParser`` reads what a server
sends back. Both work the same way: ``feed(data)`` hands over the bytes that arrived
(``feed(b"")`` says the peer closed its end), and ``next_event()`` returns the next thing the
bytes say, one at a time:

- a ``RequestHead`` / ``ResponseHead``: the start line and the headers, and how the body is
  framed (``framing``: ``"content-length"``, ``"chunked"``, ``"none"``, ``"until-close"``);
- ``bytes``: a piece of the body (chunked framing already removed);
- ``EndOfMessage``: the body is complete (``trailers``: a chunked body's trailer fields);
- ``NEED_DATA``: feed more bytes; ``CLOSED``: the peer closed between messages;
- ``SWITCHED``: the connection left HTTP (101, or a 2xx to CONNECT): ``take_leftover()``.

Pipelined messages come out in order: after one ``EndOfMessage`` the next head follows. A
message that breaks the rules raises ``ProtocolError`` (which carries the status a server
answers), and every later ``next_event()`` raises it again: the connection must close, since
nothing after a malformed message can be framed safely.

Strict where RFC 9112 allows leniency: no bare LF line ends, no obs-fold, no Content-Length
together with Transfer-Encoding, no duplicate Content-Length, no transfer coding but chunked.
docs/http.md lists every rule and where genlet is stricter than h11.
"""

try:
    from typing import Dict, List, Optional, Tuple, Union

    Event = Union["RequestHead", "ResponseHead", bytes, "EndOfMessage", "_Sentinel"]
except ImportError:
    pass

from ..kernel._typing import TYPE_CHECKING
from . import _grammar as g
from .errors import ProtocolError
from .headers import Headers, latin1

DEFAULT_MAX_HEAD_BYTES = 16384
DEFAULT_MAX_HEADERS = 100
DEFAULT_MAX_BODY_BYTES = 1048576

CONTENT_LENGTH = "content-length"
CHUNKED = "chunked"
NO_BODY = "none"
UNTIL_CLOSE = "until-close"


class _Sentinel:
    __slots__ = ("_name",)

    def __init__(self, name: str) -> None:
        self._name = name

    def __repr__(self) -> str:
        return self._name


NEED_DATA = _Sentinel("NEED_DATA")
CLOSED = _Sentinel("CLOSED")
SWITCHED = _Sentinel("SWITCHED")


class RequestHead:
    """A request's start line and headers, and what the parser decided about its body.

    ``path`` is the target's path percent-decoded (``str``); ``query`` is the raw text after
    ``?``; ``content_length`` is None for a chunked body; ``keep_alive`` says whether the
    connection may carry another request after this one; ``expect_continue`` is True when an
    HTTP/1.1 client waits for ``100 Continue`` before it sends the body.
    """

    __slots__ = ("method", "target", "path", "query", "http_version", "headers", "framing",
                 "content_length", "keep_alive", "expect_continue")  # fmt: skip

    if TYPE_CHECKING:  # the slots' types, for the type checker: the parser sets them
        method = target = path = query = http_version = framing = ""
        headers = Headers()
        content_length = None  # type: Optional[int]
        keep_alive = expect_continue = False

    def __repr__(self) -> str:
        return "<RequestHead %s %s HTTP/%s>" % (self.method, self.target, self.http_version)


class ResponseHead:
    """A response's status line and headers, and how its body is framed."""

    __slots__ = ("http_version", "status", "reason", "headers", "framing", "content_length", "keep_alive")

    if TYPE_CHECKING:  # the slots' types, for the type checker: the parser sets them
        http_version = reason = framing = ""
        status = 0
        headers = Headers()
        content_length = None  # type: Optional[int]
        keep_alive = False

    def __repr__(self) -> str:
        return "<ResponseHead HTTP/%s %d %s>" % (self.http_version, self.status, self.reason)


class EndOfMessage:
    """The body is complete; ``trailers`` holds a chunked body's trailer fields (or None)."""

    __slots__ = ("trailers",)

    def __init__(self, trailers: "Optional[Headers]" = None) -> None:
        self.trailers = trailers

    def __repr__(self) -> str:
        return "EndOfMessage(%r)" % (self.trailers,)


# The states: what the next bytes are.
_HEAD, _LENGTH, _CHUNK_SIZE, _CHUNK_DATA, _CHUNK_END, _TRAILERS, _END, _UNTIL_CLOSE = range(8)
_CLOSED, _SWITCHED, _ERROR = 8, 9, 10


class _Parser:
    """What both parsers share: the buffer, the limits, bodies and the state machine."""

    __slots__ = ("max_head_bytes", "max_headers", "max_body_bytes", "_buf", "_pos", "_eof", "_scan",
                 "_state", "_remaining", "_length", "_error", "_what")  # fmt: skip

    def __init__(self, max_head_bytes: int, max_headers: int, max_body_bytes: "Optional[int]", what: str) -> None:
        self.max_head_bytes = max_head_bytes
        self.max_headers = max_headers
        self.max_body_bytes = max_body_bytes
        self._buf = b""
        self._pos = 0  # where the unread bytes of _buf start
        self._scan = 0  # where to resume looking for the end of a head
        self._eof = False
        self._state = _HEAD
        self._remaining = 0  # bytes left of the body (content-length) or of the chunk
        self._length = 0  # the Content-Length, or the chunked body's bytes so far
        self._error = None  # type: Optional[ProtocolError]
        self._what = what  # "request" or "response", for messages

    def feed(self, data: bytes) -> None:
        """Hand over bytes that arrived; ``b""`` means the peer closed its sending side."""
        if not data:
            self._eof = True
            return
        if self._eof:
            raise RuntimeError("feed() after feed(b''): the peer had already closed")
        pos = self._pos
        if pos >= len(self._buf):
            self._buf = bytes(data)
            self._scan = 0
        else:
            # Discussion: keep one immutable buffer and an offset, not a bytearray: in the
            # common case (a whole message per read) nothing is ever copied here.
            self._buf = self._buf[pos:] + data
            self._scan = max(0, self._scan - pos)
        self._pos = 0

    def take_leftover(self) -> bytes:
        """The unread bytes (after SWITCHED: the first bytes of the new protocol)."""
        data = self._buf[self._pos :]
        self._buf, self._pos, self._scan = b"", 0, 0
        return data

    def next_event(self) -> "Event":
        """The next event the fed bytes make; ProtocolError if they break HTTP/1.1's rules."""
        state = self._state
        try:
            if state == _HEAD:
                return self._head()
            if state == _LENGTH:
                return self._length_data()
            if state == _END:
                self._state = _HEAD
                return EndOfMessage(None)
            if state <= _TRAILERS:
                return self._chunked()
            if state == _UNTIL_CLOSE:
                return self._until_close()
            if state == _CLOSED:
                return CLOSED
            if state == _SWITCHED:
                return SWITCHED
        except ProtocolError as exc:
            self._state = _ERROR
            self._error = exc
            raise
        assert self._error is not None
        raise self._error

    # -- heads -----------------------------------------------------------------------------

    def _head(self) -> "Event":
        buf, pos = self._buf, self._pos
        end = buf.find(b"\r\n\r\n", max(pos, self._scan))
        if end < 0:
            return self._head_incomplete()
        if end + 4 - pos > self.max_head_bytes:
            raise self._too_big(buf, pos)
        self._pos = self._scan = end + 4
        return self._parse_head(buf[pos:end])

    def _head_incomplete(self) -> "Event":
        buf, pos = self._buf, self._pos
        pending = len(buf) - pos
        if pending >= self.max_head_bytes:
            raise self._too_big(buf, pos)
        if pending:
            # Discussion: refuse early what can never become a head, rather than wait for
            # max_head_bytes or a timeout: a TLS ClientHello, lines ending in a bare LF.
            if buf[pos] == 0x16:
                raise g.tls_error()
            if buf.count(b"\n", pos) != buf.count(b"\r\n", pos):
                g.check_head_bytes(buf[pos : buf.rfind(b"\n") + 1], "%s head" % self._what)
        if self._eof:
            if pending:
                raise g.bad("truncated", "the connection closed in the middle of a %s head" % self._what)
            self._state = _CLOSED
            return CLOSED
        self._scan = max(pos, len(buf) - 3)
        return NEED_DATA

    def _too_big(self, buf: bytes, pos: int) -> ProtocolError:
        limit = self.max_head_bytes
        if buf.find(b"\r\n", pos, pos + limit) < 0:
            return g.bad("line-too-long", "the %s line is longer than max_head_bytes=%d" % (self._what, limit), 414)
        return g.bad(
            "head-too-big", "the %s head is longer than max_head_bytes=%d (start line and headers)" % (self._what, limit), 431
        )

    def _parse_head(self, head: bytes) -> "Event":
        raise NotImplementedError

    def _lines(self, head: bytes, what: str) -> "List[str]":
        """The head's lines, after the checks that apply to its bytes as a whole."""
        g.check_head_bytes(head, what)
        lines = latin1(head).split("\r\n")
        if len(lines) > self.max_headers + 1:
            message = "the %s has %d fields, more than max_headers=%d" % (what, len(lines) - 1, self.max_headers)
            raise g.bad("too-many-headers", message, 431)
        return lines

    def _framing(self, special: "Dict[str, List[str]]", http_version: str) -> "Tuple[str, Optional[int]]":
        """Content-Length or chunked (RFC 9112 §6.3, strict); sets the state for the body."""
        te = special.get("transfer-encoding")
        cl = special.get("content-length")
        if te is not None:
            if cl is not None:
                raise g.bad(
                    "cl-te", "both Content-Length and Transfer-Encoding: a %s smuggling attempt; refused" % self._what
                )
            if http_version == "1.0":
                message = "Transfer-Encoding in an HTTP/1.0 %s: its framing is faulty (RFC 9112 §6.1); refused"
                raise g.bad("te-http10", message % self._what)
            g.check_chunked(te)
            self._state = _CHUNK_SIZE
            self._length = 0
            return CHUNKED, None
        if cl is None:
            return NO_BODY, 0
        length = g.content_length(cl)
        self._check_body_size(length)
        self._state = _LENGTH if length else _END
        self._remaining = self._length = length
        return CONTENT_LENGTH, length

    def _check_body_size(self, size: int) -> None:
        limit = self.max_body_bytes
        if limit is not None and size > limit:
            raise g.bad("body-too-big", "the %s body is larger than max_body_bytes=%d" % (self._what, limit), 413)

    # -- bodies ----------------------------------------------------------------------------

    def _take(self, most: int) -> "Optional[bytes]":
        """Up to ``most`` unread bytes, or None when there are none."""
        buf, pos = self._buf, self._pos
        count = min(most, len(buf) - pos)
        if count <= 0:
            return None
        self._pos = pos + count
        if pos == 0 and count == len(buf):
            return buf
        return buf[pos : pos + count]

    def _need(self, where: str) -> "Event":
        if self._eof:
            raise g.bad("truncated", "the connection closed %s" % where)
        return NEED_DATA

    def _length_data(self) -> "Event":
        data = self._take(self._remaining)
        if data is None:
            done = self._length - self._remaining
            return self._need("after %d of the %d bytes of the %s body" % (done, self._length, self._what))
        self._remaining -= len(data)
        if not self._remaining:
            self._state = _END
        return data

    def _until_close(self) -> "Event":
        data = self._take(len(self._buf))
        if data is not None:
            self._length += len(data)
            self._check_body_size(self._length)
            return data
        if self._eof:
            self._state = _HEAD  # then CLOSED: the buffer is empty and the peer has closed
            return EndOfMessage(None)
        return NEED_DATA

    def _chunked(self) -> "Event":
        while True:
            state = self._state
            if state == _CHUNK_DATA:
                data = self._take(self._remaining)
                if data is None:
                    return self._need("in the middle of a chunk")
                self._remaining -= len(data)
                if not self._remaining:
                    self._state = _CHUNK_END
                return data
            if state == _TRAILERS:
                return self._trailers()
            buf, pos = self._buf, self._pos
            if state == _CHUNK_END:
                if buf[pos : pos + 2] != b"\r\n":
                    if len(buf) - pos < 2 and buf[pos : pos + 1] in (b"", b"\r"):
                        return self._need("at the end of a chunk")
                    raise g.bad("chunk-end", "chunk data not followed by CRLF: the chunk is longer than its size says; refused")
                self._pos = pos + 2
                self._state = _CHUNK_SIZE
                continue
            end = buf.find(b"\r\n", pos)
            if end < 0:
                newline = buf.find(b"\n", pos)
                if newline >= 0:  # a bare LF: never valid in a size line; say where it is
                    g.chunk_size(buf[pos : newline + 1])
                if len(buf) - pos > self.max_head_bytes:
                    raise g.bad("chunk-size", "a chunk size line longer than max_head_bytes=%d" % self.max_head_bytes)
                return self._need("in a chunk size line")
            size = g.chunk_size(buf[pos:end])
            self._pos = end + 2
            if size:
                self._length += size
                self._check_body_size(self._length)
                self._remaining = size
                self._state = _CHUNK_DATA
            else:
                self._state = _TRAILERS

    def _trailers(self) -> "Event":
        buf, pos = self._buf, self._pos
        if buf[pos : pos + 2] == b"\r\n":
            self._pos = pos + 2
            self._state = _HEAD
            return EndOfMessage(None)
        end = buf.find(b"\r\n\r\n", pos)
        if end < 0 or end + 4 - pos > self.max_head_bytes:
            if len(buf) - pos > self.max_head_bytes:
                raise g.bad("head-too-big", "the trailer section is longer than max_head_bytes=%d" % self.max_head_bytes, 431)
            if b"\n" in buf[pos:] and buf.count(b"\n", pos) != buf.count(b"\r\n", pos):
                g.check_head_bytes(buf[pos : buf.rfind(b"\n") + 1], "trailer section")
            return self._need("before the end of the chunked body")
        self._pos = end + 4
        lines = self._lines(buf[pos:end], "trailer section")
        lines.insert(0, "")  # parse_fields reads lines[1:], after a start line
        items, special = g.parse_fields(lines, "trailer section")
        for name in ("content-length", "transfer-encoding", "host"):
            if name in special:
                message = "a %s field in the trailer section: it must come before the body; refused"
                raise g.bad("trailer-framing", message % name)
        self._state = _HEAD
        return EndOfMessage(Headers._parsed(items))


def _keep_alive(special: "Dict[str, List[str]]", http_version: str) -> bool:
    """HTTP/1.1 keeps the connection unless ``Connection: close``; 1.0 only with keep-alive."""
    connection = special.get("connection")
    if connection is None:
        return http_version == "1.1"
    options = g.tokens(connection)
    if "close" in options:
        return False
    return http_version == "1.1" or "keep-alive" in options


class RequestParser(_Parser):
    """Reads requests (a server's side of a connection). See the module's docstring.

    ``max_head_bytes`` bounds the request line and headers (over it: 431, or 414 when the
    request line alone is longer); ``max_headers`` bounds the number of fields (431);
    ``max_body_bytes`` bounds a body (413; None for no limit).
    """

    __slots__ = ()

    def __init__(
        self,
        max_head_bytes: int = DEFAULT_MAX_HEAD_BYTES,
        max_headers: int = DEFAULT_MAX_HEADERS,
        max_body_bytes: "Optional[int]" = DEFAULT_MAX_BODY_BYTES,
    ) -> None:
        super().__init__(max_head_bytes, max_headers, max_body_bytes, "request")

    def _head(self) -> "Event":
        # Discussion: RFC 9112 §2.2 says a server SHOULD ignore empty lines before a request
        # line (some clients send a CRLF after a body); each costs the client two bytes.
        buf, pos = self._buf, self._pos
        while buf[pos : pos + 2] == b"\r\n":
            pos += 2
        self._pos = pos
        return _Parser._head(self)

    def _parse_head(self, head: bytes) -> "Event":
        lines = self._lines(head, "request head")
        method, target, http_version = g.parse_request_line(lines[0])
        path, query = g.split_target(method, target)
        items, special = g.parse_fields(lines, "request head")
        g.check_host(special.get("host", []), http_version)
        request = RequestHead()
        request.framing, request.content_length = self._framing(special, http_version)
        request.method = method
        request.target = target
        request.path = path
        request.query = query
        request.http_version = http_version
        request.headers = Headers._parsed(items)
        request.keep_alive = _keep_alive(special, http_version)
        expect = special.get("expect")
        request.expect_continue = expect is not None and http_version == "1.1" and g.tokens(expect) == ["100-continue"]
        if request.framing == NO_BODY:
            self._state = _END
        return request


class ResponseParser(_Parser):
    """Reads responses (a client's side of a connection). See the module's docstring.

    A response's framing depends on the request it answers (a HEAD's response has no body),
    so call ``expect_response(method)`` for each request sent, in order; without one the
    parser assumes GET. ``max_body_bytes`` is None (no limit) unless given.
    """

    __slots__ = ("_methods",)

    def __init__(
        self,
        max_head_bytes: int = DEFAULT_MAX_HEAD_BYTES,
        max_headers: int = DEFAULT_MAX_HEADERS,
        max_body_bytes: "Optional[int]" = None,
    ) -> None:
        super().__init__(max_head_bytes, max_headers, max_body_bytes, "response")
        self._methods = []  # type: List[str]

    def expect_response(self, method: str) -> None:
        """Say that a request with this method was sent: its response comes after the others'."""
        self._methods.append(method)

    def _parse_head(self, head: bytes) -> "Event":
        lines = self._lines(head, "response head")
        http_version, status, reason = g.parse_status_line(lines[0])
        items, special = g.parse_fields(lines, "response head")
        method = self._methods[0] if self._methods else "GET"
        if status >= 200 and self._methods:
            self._methods.pop(0)
        response = ResponseHead()
        response.http_version = http_version
        response.status = status
        response.reason = reason
        response.headers = Headers._parsed(items)
        response.keep_alive = _keep_alive(special, http_version)
        # RFC 9112 §6.3: these responses never have a body, whatever their headers say.
        if status == 101 or (method == "CONNECT" and 200 <= status < 300):
            self._state = _SWITCHED
        elif status < 200:
            self._state = _HEAD  # an interim response: the final one follows
        elif status in (204, 304) or method == "HEAD":
            self._state = _END
        else:
            response.framing, response.content_length = self._framing(special, http_version)
            if response.framing == NO_BODY:
                response.framing, response.content_length = UNTIL_CLOSE, None
                response.keep_alive = False
                self._state = _UNTIL_CLOSE
                self._length = 0
            return response
        response.framing, response.content_length = NO_BODY, 0
        return response

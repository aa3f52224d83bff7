"""genlet.http's parser and headers on any interpreter: a plain script, no pytest, no hypothesis.

Run from the repository root:
    MICROPYPATH=. micropython tests/mpy/check_http_parser.py   (unix port; MPY_BACKEND=wasm too)
    python3 tests/mpy/check_http_parser.py                       (CPython; also run by pytest)
Prints "http parser: ok" at the end; any failure raises.
"""

import sys

if "genlet" not in sys.modules:
    sys.path.insert(0, ".")  # run from the repository root: genlet/ is there

from genlet.http import (  # noqa: E402
    CLOSED,
    NEED_DATA,
    EndOfMessage,
    Headers,
    ProtocolError,
    RequestParser,
    ResponseParser,
    chunk,
    last_chunk,
    response_head,
)


def events(parser, data, eof=True, step=0):
    """Every event the parser makes of ``data`` (fed whole, or ``step`` bytes at a time)."""
    out = []
    pieces = [data] if not step else [data[i : i + step] for i in range(0, len(data), step)]
    for piece in [piece for piece in pieces if piece] + ([b""] if eof else []):
        parser.feed(piece)
        while True:
            event = parser.next_event()
            if event is NEED_DATA:
                break
            out.append(event)
            if event is CLOSED:
                return out
    return out


def messages(data, parser=None, step=0):
    """[(head, body bytes, trailers)] of each message in ``data``."""
    parser = parser or RequestParser()
    found = []
    for event in events(parser, data, step=step):
        if event is CLOSED:
            break
        if isinstance(event, bytes):
            found[-1][1].append(event)
        elif isinstance(event, EndOfMessage):
            found[-1][2].append(event.trailers)
        else:
            found.append((event, [], []))
    return [(head, b"".join(body), end[0] if end else "missing") for head, body, end in found]


def refused(data, parser=None):
    try:
        messages(data, parser)
    except ProtocolError as exc:
        return exc
    raise AssertionError("not refused: %r" % (data,))


# -- requests --------------------------------------------------------------------------------
PIPELINE = (
    b"GET /a%20b/%C3%A9?x=1&y HTTP/1.1\r\nHost: example.com\r\nX-Thing:  v\xe9 \t\r\n\r\n"
    b"POST /up HTTP/1.1\r\nhost: h\r\nContent-Length: 5\r\n\r\nhello"
    b"PUT /c HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: Chunked\r\n\r\n"
    b"3;ext=1;q=\"a;b\"\r\nabc\r\n2\r\nde\r\n0\r\nDigest: x\r\n\r\n"
    b"GET / HTTP/1.0\r\n\r\n"
)
for step in (0, 1, 7):
    found = messages(PIPELINE, step=step)
    assert len(found) == 4, found
    head, body, trailers = found[0]
    assert (head.method, head.path, head.query, head.http_version) == ("GET", "/a b/\xe9", "x=1&y", "1.1")
    assert head.headers.get("x-thing") == "v\xe9" and head.headers.get("HOST") == "example.com"
    assert head.keep_alive and body == b"" and trailers is None
    head, body, trailers = found[1]
    assert (head.method, head.framing, head.content_length, body) == ("POST", "content-length", 5, b"hello")
    head, body, trailers = found[2]
    assert head.framing == "chunked" and body == b"abcde" and trailers.get("digest") == "x"
    head, body, trailers = found[3]
    assert head.http_version == "1.0" and not head.keep_alive

BAD = [
    (b"GET / HTTP/1.1\r\nHost: a\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n", 400, "cl-te"),
    (b"POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 3\r\nContent-Length: 4\r\n\r\n", 400, "cl-conflict"),
    (b"POST / HTTP/1.1\r\nHost: a\r\nContent-Length: -3\r\n\r\n", 400, "cl-invalid"),
    (b"POST / HTTP/1.1\r\nHost: a\r\nContent-Length: +3\r\n\r\n", 400, "cl-invalid"),
    (b"POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: gzip\r\n\r\n", 501, "te-unsupported"),
    (b"POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\nx\r\n", 400, "chunk-size"),
    (b"GET / HTTP/1.1\r\nHost: a\r\nX: a\r\n b\r\n\r\n", 400, "obs-fold"),
    (b"GET / HTTP/1.1\r\nHost: a\r\nX: a\x00b\r\n\r\n", 400, "nul"),
    (b"GET / HTTP/1.1\r\nHost: a\r\nX: a\rb\r\n\r\n", 400, "bare-cr"),
    (b"GET / HTTP/1.1\nHost: a\n\n", 400, "bare-lf"),
    (b"G(T / HTTP/1.1\r\nHost: a\r\n\r\n", 400, "method"),
    (b"GET nowhere HTTP/1.1\r\nHost: a\r\n\r\n", 400, "target"),
    (b"GET / HTTP/1.1\r\n\r\n", 400, "host"),
    (b"GET / HTTP/1.1\r\nHost : a\r\n\r\n", 400, "ws-before-colon"),
    (b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n", 505, "http2"),
    (b"\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03", 400, "tls"),
]
for data, status, kind in BAD:
    exc = refused(data)
    assert (exc.status, exc.kind) == (status, kind), (data, exc)

exc = refused(b"GET /" + b"a" * 100 + b" HTTP/1.1\r\n", RequestParser(max_head_bytes=64))
assert exc.status == 414, exc
exc = refused(b"GET / HTTP/1.1\r\nHost: a\r\nX: " + b"a" * 100 + b"\r\n\r\n", RequestParser(max_head_bytes=64))
assert exc.status == 431, exc
exc = refused(b"GET / HTTP/1.1\r\nHost: a\r\nA: 1\r\nB: 2\r\n\r\n", RequestParser(max_headers=2))
assert exc.status == 431, exc
exc = refused(b"POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 11\r\n\r\n", RequestParser(max_body_bytes=10))
assert exc.status == 413, exc

# -- responses -------------------------------------------------------------------------------
parser = ResponseParser()
parser.expect_response("HEAD")
parser.expect_response("GET")
parser.expect_response("GET")
found = messages(
    b"HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\n"
    b"HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n1\r\nx\r\n0\r\n\r\n"
    b"HTTP/1.0 200\r\n\r\nuntil the end",
    parser,
)
assert [(h.status, h.framing, b) for h, b, t in found] == [
    (200, "none", b""),
    (100, "none", b""),
    (200, "chunked", b"x"),
    (200, "until-close", b"until the end"),
], found

# -- headers and writing ---------------------------------------------------------------------
headers = Headers([("Set-Cookie", "a=1"), ("Content-Type", "text/plain"), ("set-cookie", "b=2")])
assert headers.get_all("SET-COOKIE") == ["a=1", "b=2"] and "content-type" in headers
headers.set("Content-Type", "text/html")
assert headers.remove("set-cookie") == 2 and list(headers) == [("Content-Type", "text/html")]
headers.add("X-Latin", "\xe9")
assert response_head(200, headers) == b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nX-Latin: \xe9\r\n\r\n"
assert chunk(b"hello") + last_chunk() == b"5\r\nhello\r\n0\r\n\r\n"
try:
    headers.add("X", "a\r\nInjected: 1")
except ValueError:
    pass
else:
    raise AssertionError("a header value with CRLF was accepted")

print("http parser: ok")

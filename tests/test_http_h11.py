"""genlet's request parser against h11's, on generated requests: valid ones and mutated ones.

When h11 reads a request, genlet must read the same method, target, version, headers, body and
trailers; when h11 refuses one as malformed, genlet must refuse it too. The only exceptions are
the deliberate ones docs/http.md lists ("Where it differs from h11"): each is checked here
against the bytes themselves, not only against the reason genlet gives.
"""

import re
import urllib.parse

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from genlet.http import CLOSED, EndOfMessage, ProtocolError, RequestHead, RequestParser, ResponseHead, ResponseParser
from genlet.http.headers import TCHARS, to_latin1

h11 = pytest.importorskip("h11", reason="h11 is in the dev extra: pip install -e '.[dev]'")


# -- the two parsers, driven the same way ------------------------------------------------------
def read_h11(data):
    """(requests, how it ended): each request (method, target, version, fields, body, trailers)."""
    conn = h11.Connection(h11.SERVER, max_incomplete_event_size=1 << 20)
    conn.receive_data(data)
    conn.receive_data(b"")
    found, current = [], None
    try:
        while True:
            event = conn.next_event()
            if isinstance(event, h11.Request):
                version = event.http_version.decode()
                version = "1.1" if re.match(r"1\.[2-9]$", version) else version  # as genlet reads it
                current = [event.method.decode(), event.target.decode(), version, fields(event.headers), b""]
            elif isinstance(event, h11.Data):
                current[4] += bytes(event.data)
            elif isinstance(event, h11.EndOfMessage):
                found.append(tuple(current) + (fields(event.headers),))
                if conn.our_state is h11.SEND_RESPONSE:
                    conn.send(h11.Response(status_code=200, headers=[("Content-Length", "0")]))
                    conn.send(h11.EndOfMessage())
                if not (conn.our_state is conn.their_state is h11.DONE):
                    return found, "stop", None  # not keep-alive, or a protocol switch
                conn.start_next_cycle()
            elif isinstance(event, h11.ConnectionClosed):
                return found, "closed", None
            else:  # NEED_DATA after the end of the data, or PAUSED
                return found, "stop" if event is h11.PAUSED else "error", None
    except h11.RemoteProtocolError as exc:
        return found, "error", exc


def read_genlet(data):
    parser = RequestParser(max_head_bytes=1 << 20, max_headers=1 << 20, max_body_bytes=None)
    parser.feed(data)
    parser.feed(b"")
    found, current = [], None
    try:
        while True:
            event = parser.next_event()
            if event is CLOSED:
                return found, "closed", None
            if isinstance(event, RequestHead):
                current = [event.method, event.target, event.http_version, fields(event.headers), b""]
                head = event
            elif isinstance(event, bytes):
                current[4] += event
            else:
                assert isinstance(event, EndOfMessage)
                found.append(tuple(current) + (fields(event.trailers or ()),))
                # where h11 stops too: it keeps no HTTP/1.0 connection, and it pauses at a switch
                upgrade = [t for v in head.headers.get_all("upgrade") for t in v.split(",") if t.strip(" \t")]
                if not head.keep_alive or head.http_version == "1.0" or head.method == "CONNECT" or upgrade:
                    return found, "stop", None
    except ProtocolError as exc:
        return found, "error", exc


def fields(headers):
    """(lowercased name, value bytes) pairs; h11 lowercases a Transfer-Encoding value."""
    out = []
    for name, value in headers:
        name = name.decode() if isinstance(name, bytes) else name
        value = value if isinstance(value, bytes) else to_latin1(value)
        out.append((name.lower(), value.lower() if name.lower() == "transfer-encoding" else value))
    return out


# -- the deliberate differences: each a test of the bytes --------------------------------------
def lower(data):
    return data.lower()


def _has_field_twice(name):
    return lambda data: len(re.findall(rb"(?:^|\n)" + name + rb"[ \t]*:", lower(data))) >= 2 or bool(
        re.search(rb"(?:^|\n)" + name + rb"[ \t]*:[^\n]*,", lower(data))
    )


def _bad_target(data):
    """Some request line's target is one genlet refuses, by an independent reading of RFC 9112 §3.2."""
    for method, target in re.findall(rb"([!-~]+) ([!-~]+) HTTP/", data):  # after a body too
        method, target = method.decode(), target.decode()
        if target == "*":
            ok = method == "OPTIONS"
        elif method == "CONNECT":
            ok = re.fullmatch(r"[A-Za-z0-9\-._~!$&'()*+,;=\[\]:%]+:[0-9]+", target) is not None
        elif target.startswith("/") or re.match(r"[A-Za-z][A-Za-z0-9+.-]*://[^/?]", target):
            path = urllib.parse.urlsplit(target).path if not target.startswith("/") else target.partition("?")[0]
            ok = "#" not in target and not re.search(r"%(?![0-9A-Fa-f]{2})", path)
            try:
                urllib.parse.unquote_to_bytes(path).decode("utf-8")
            except UnicodeDecodeError:
                ok = False
        else:
            ok = False
        if not ok:
            return True
    return False


STRICTER = {  # kind of genlet's refusal -> what the bytes must hold for h11 to accept them
    "bare-lf": lambda data: re.search(rb"(?<!\r)\n", data) is not None,
    "obs-fold": lambda data: re.search(rb"\n[ \t]", data) is not None,
    "ctl": lambda data: re.search(rb"[\x01-\x08\x0e-\x1f\x7f]", data) is not None,
    "cl-duplicate": _has_field_twice(b"content-length"),
    "cl-te": lambda data: b"content-length" in lower(data) and b"transfer-encoding" in lower(data),
    "te-http10": lambda data: b"HTTP/1.0" in data and b"transfer-encoding" in lower(data),
    "chunk-ext": lambda data: b";" in data,
    "chunk-size-ws": lambda data: re.search(rb"(?:^|\n)[0-9a-fA-F]+[ \t]+\r\n", data) is not None,
    "trailer-framing": lambda data: b"chunked" in lower(data),
    "target": _bad_target,
    "host": lambda data: re.search(rb"HTTP/1\.[2-9]", data) is not None
    or any(not re.fullmatch(rb"[a-z0-9\-._~!$&'()*+,;=:\[\]%]*", value.strip(b" \t"))
           for value in re.findall(rb"(?:^|\n)host:([^\r\n]*)", lower(data))),  # fmt: skip
    "version": lambda data: re.search(rb"HTTP/(?!1\.)[0-9]\.[0-9]", data) is not None,
    "http2": lambda data: b"PRI * HTTP/2.0" in data,
}

LENIENT = {  # what h11 refuses and genlet reads: h11's message, and what the bytes must hold
    "leading-crlf": lambda exc, data: "no request line received" in str(exc),
    "chunk-ext-bws": lambda exc, data: "illegal chunk header" in str(exc)
    and re.search(rb"(?:^|\n)[0-9a-fA-F]+[ \t]+;", data) is not None,
}


def compare(data):
    """Assert that genlet reads ``data`` as h11 does, or differs only as documented."""
    h_found, h_end, h_exc = read_h11(data)
    g_found, g_end, g_exc = read_genlet(data)
    k = 0
    while k < min(len(h_found), len(g_found)) and h_found[k] == g_found[k]:
        k += 1
    h_next = "request" if k < len(h_found) else h_end
    g_next = "request" if k < len(g_found) else g_end
    if h_next == g_next == "request":  # both read a k-th request, and read it differently
        assert h_found[k] == g_found[k], data
    if h_next == g_next or (h_next, g_next) in (("closed", "stop"), ("stop", "closed")):
        return "same"
    if g_next == "error":
        assert g_exc.kind in STRICTER, (g_exc, data, h_found, h_end)
        assert STRICTER[g_exc.kind](data), (g_exc, data)
        return g_exc.kind
    if h_next == "error":
        reasons = [name for name, holds in LENIENT.items() if holds(h_exc, data)]
        assert reasons, (h_exc, data, g_found, g_end)
        return reasons[0]
    raise AssertionError((data, h_found, h_end, g_found, g_end))


# -- valid requests, from the RFC's grammars ---------------------------------------------------
VCHAR = "".join(chr(c) for c in range(0x21, 0x7F))
OBS_TEXT = "".join(chr(c) for c in range(0x80, 0x100))
PCHAR = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~!$&'()*+,;=:@"
HEXCASE = st.sampled_from(["%x", "%X", "%04x"])

methods = st.sampled_from(["GET", "POST", "PUT", "DELETE", "PATCH", "HEAD"]) | st.text(TCHARS, min_size=1, max_size=6)
segment = st.text(PCHAR, max_size=6) | st.text(max_size=3).map(lambda s: urllib.parse.quote(s, safe=""))
targets = st.builds(
    lambda segments, query: "/" + "/".join(segments) + ("" if query is None else "?" + query),
    st.lists(segment, max_size=3),
    st.none() | st.text(PCHAR + "/?%", max_size=8),
)
names = st.text(TCHARS, min_size=1, max_size=8).filter(
    lambda n: n.lower() not in ("host", "content-length", "transfer-encoding", "connection", "upgrade", "expect")
)
words = st.text(VCHAR + OBS_TEXT, min_size=1, max_size=6)
values = st.builds(lambda ws, sep: sep.join(ws), st.lists(words, max_size=3), st.sampled_from([" ", "\t", " \t "]))
ows = st.sampled_from(["", " ", "\t", "  "])
field_lines = st.builds(lambda n, a, v, b: "%s:%s%s%s" % (n, a, v, b), names, ows, values, ows)
hosts = st.from_regex(r"[a-z0-9][a-z0-9.-]{0,8}(:[0-9]{1,5})?", fullmatch=True)
chunk_ext = st.sampled_from(["", ";a", ";a=b", ';q="x;y"', ';q="\\"\t"', ";a;b=c"])


@st.composite
def requests(draw):
    version = draw(st.sampled_from(["1.1", "1.1", "1.0"]))
    lines = ["%s %s HTTP/%s" % (draw(methods), draw(targets), version), "Host: " + draw(hosts)]
    lines += draw(st.lists(field_lines, max_size=4))
    if draw(st.booleans()):
        lines.append("Connection: " + draw(st.sampled_from(["keep-alive", "close", "Keep-Alive, foo"])))
    body = draw(st.binary(max_size=30))
    framing = draw(st.sampled_from(["none", "length", "chunked"] if version == "1.1" else ["none", "length"]))
    if framing == "none":
        body = b""
    elif framing == "length":
        lines.append("Content-Length: %d" % len(body))
    else:
        lines.append("Transfer-Encoding: " + draw(st.sampled_from(["chunked", "Chunked"])))
    lines.insert(draw(st.integers(1, len(lines))), lines.pop())  # the framing field anywhere
    head = to_latin1("\r\n".join(lines) + "\r\n\r\n")
    if framing != "chunked":
        return head + body
    cuts = sorted(draw(st.lists(st.integers(1, max(1, len(body))), max_size=3)))
    pieces = [body[a:b] for a, b in zip([0] + cuts, cuts + [len(body)]) if body[a:b]]
    chunks = b"".join((draw(HEXCASE) % len(p) + draw(chunk_ext)).encode() + b"\r\n" + p + b"\r\n" for p in pieces)
    trailers = "".join(line + "\r\n" for line in draw(st.lists(field_lines, max_size=2)))
    return head + chunks + b"0" + draw(chunk_ext).encode() + b"\r\n" + to_latin1(trailers) + b"\r\n"


pipelines = st.lists(requests(), min_size=1, max_size=3).map(b"".join)


@given(pipelines)
def test_genlet_reads_every_valid_request_as_h11_does(data):
    assert compare(data) == "same"
    h_found, h_end, _ = read_h11(data)
    assert h_end != "error" and read_genlet(data)[0] == h_found


# -- mutated requests ------------------------------------------------------------------------------
INSERTS = [b"\r", b"\n", b"\x00", b" ", b"\t", b"\r\n", b":", b",", b"\x01", b"\x7f", b"\r\n ", b"\xe9", b";", b"#",
           b"%", b"\r\nContent-Length: 3", b"\r\nTransfer-Encoding: chunked", b"\r\nHost: x", b"\r\n\r\n"]  # fmt: skip


@st.composite
def mutated(draw):
    data = bytearray(draw(pipelines))
    for _ in range(draw(st.integers(1, 3))):
        at = draw(st.integers(0, len(data)))
        op = draw(st.sampled_from(["flip", "insert", "delete", "duplicate-line", "lf-only"]))
        if op == "flip" and at < len(data):
            data[at] = draw(st.integers(0, 255))
        elif op == "insert":
            data[at:at] = draw(st.sampled_from(INSERTS))
        elif op == "delete":
            del data[at : at + draw(st.integers(1, 3))]
        elif op == "duplicate-line":
            start = data.rfind(b"\n", 0, at) + 1
            end = data.find(b"\n", at)
            if end > 0:
                data[end + 1 : end + 1] = data[start : end + 1]
        elif op == "lf-only":
            crlf = data.find(b"\r\n", at)
            if crlf >= 0:
                del data[crlf]
    return bytes(data)


@given(mutated())
@example(b"GET / HTTP/1.1\r\nHost: a\r\nX: a\r\n b\r\n\r\n")  # obs-fold
@example(b"GET / HTTP/1.1\nHost: a\n\n")  # bare LF
@example(b"GET / HTTP/1.1\r\nHost: a\r\nX: \x01\r\n\r\n")  # a control character
@example(b"POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 1\r\nContent-Length: 1\r\n\r\nx")
@example(b"POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 1, 1\r\n\r\nx")
@example(b"POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 1\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n")
@example(b"POST / HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n")
@example(b"POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n1;a\rb\r\nx\r\n0\r\n\r\n")
@example(b"POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n1 \r\nx\r\n0\r\n\r\n")
@example(b"POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n1 ;a\r\nx\r\n0\r\n\r\n")
@example(b"POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n0\r\nContent-Length: 1\r\n\r\n")
@example(b"GET /a#b HTTP/1.1\r\nHost: a\r\n\r\n")
@example(b"GET /%zz HTTP/1.1\r\nHost: a\r\n\r\n")
@example(b"GET / HTTP/1.1\r\nHost: a/b\r\n\r\n")
@example(b"GET / HTTP/1.2\r\n\r\n")
@example(b"GET / HTTP/2.0\r\n\r\n")
@example(b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n")
@example(b"\r\nGET / HTTP/1.1\r\nHost: a\r\n\r\n")
def test_genlet_refuses_what_h11_refuses_and_reads_the_rest_alike(data):
    compare(data)


@pytest.mark.parametrize(
    "data,difference",
    [
        (b"GET / HTTP/1.1\r\nHost: a\r\nX: a\r\n b\r\n\r\n", "obs-fold"),
        (b"GET / HTTP/1.1\nHost: a\n\n", "bare-lf"),
        (b"POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 1\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n", "cl-te"),
        (b"\r\nGET / HTTP/1.1\r\nHost: a\r\n\r\n", "leading-crlf"),
        (b"POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n1 ;a\r\nx\r\n0\r\n\r\n", "chunk-ext-bws"),
        (b"GET / HTTP/1.1\r\nHost: a\r\n\r\n", "same"),
    ],
)
def test_the_documented_differences_are_the_ones_found(data, difference):
    assert compare(data) == difference


def test_every_documented_difference_is_in_the_docs():
    import pathlib

    text = (pathlib.Path(__file__).resolve().parent.parent / "docs" / "http.md").read_text()
    section = text[text.index("### Where it differs from h11") :]
    for words in ("bare LF", "obs-fold", "control characters", "`Content-Length` twice", "`Content-Length` with",
                  "HTTP/1.0", "chunk extensions", "after a chunk size", "before `;`", "trailer section",
                  "four forms", "`Host` value", "HTTP/1.2", "other versions", "empty lines"):  # fmt: skip
        assert words in section, words


# -- responses: what the client issue's parser reads -------------------------------------------
def read_h11_responses(data, methods):
    """(responses, how it ended): each response (status, reason, version, fields, body, trailers);
    an interim (1xx) response has body and trailers None."""
    conn = h11.Connection(h11.CLIENT, max_incomplete_event_size=1 << 20)
    found, current = [], None
    conn.receive_data(data)
    conn.receive_data(b"")
    try:
        for method in methods:
            conn.send(h11.Request(method=method, target="/", headers=[("Host", "a")]))
            conn.send(h11.EndOfMessage())
            while True:
                event = conn.next_event()
                if isinstance(event, (h11.Response, h11.InformationalResponse)):
                    current = [event.status_code, event.reason.decode("latin-1"), event.http_version.decode(),
                               fields(event.headers), None, None]  # fmt: skip
                    if isinstance(event, h11.InformationalResponse):
                        found.append(tuple(current))
                    else:
                        current[4] = b""
                elif isinstance(event, h11.Data):
                    current[4] += bytes(event.data)
                elif isinstance(event, h11.EndOfMessage):
                    found.append(tuple(current[:5]) + (fields(event.headers),))
                    break
                else:
                    return found, "closed" if isinstance(event, h11.ConnectionClosed) else "error"
            if not (conn.our_state is conn.their_state is h11.DONE):
                return found, "stop"
            conn.start_next_cycle()
    except h11.RemoteProtocolError:
        return found, "error"
    return found, "stop"


def read_genlet_responses(data, methods):
    parser = ResponseParser(max_head_bytes=1 << 20, max_headers=1 << 20)
    for method in methods:
        parser.expect_response(method)
    parser.feed(data)
    parser.feed(b"")
    found, current, finals = [], None, 0
    try:
        while True:
            event = parser.next_event()
            if event is CLOSED:
                return found, "closed"
            if isinstance(event, ResponseHead):
                current = [event.status, event.reason, event.http_version, fields(event.headers), None, None]
                if event.status < 200:
                    found.append(tuple(current))
                else:
                    current[4], head = b"", event
            elif isinstance(event, bytes):
                current[4] += event
            else:
                found.append(tuple(current[:5]) + (fields(event.trailers or ()),))
                finals += 1
                if not head.keep_alive or head.http_version == "1.0" or finals == len(methods):
                    return found, "stop"
    except ProtocolError:
        return found, "error"


reasons = st.text(VCHAR + OBS_TEXT + " \t", max_size=12).map(lambda r: r.strip(" \t"))


@st.composite
def responses(draw, method, last):
    """A valid response to ``method``, perhaps after interim ones; ``last``: it may end by close."""
    out = b""
    for _ in range(draw(st.integers(0, 2))):
        out += b"HTTP/1.1 %d %s\r\n" % (draw(st.sampled_from([100, 102, 103])), to_latin1(draw(reasons)))
        out += b"".join(to_latin1(line) + b"\r\n" for line in draw(st.lists(field_lines, max_size=2))) + b"\r\n"
    version = draw(st.sampled_from(["1.1", "1.1", "1.0"]))
    status = draw(st.sampled_from([200, 201, 204, 304, 404, 500, 301]))
    reason = draw(reasons)
    lines = ["HTTP/%s %d%s" % (version, status, "" if draw(st.booleans()) and not reason else " " + reason)]
    lines += draw(st.lists(field_lines, max_size=3))
    body = draw(st.binary(max_size=30))
    choices = ["length", "chunked"] if version == "1.1" else ["length"]
    framing = draw(st.sampled_from(choices + (["close"] if last else [])))
    if status in (204, 304) or method == "HEAD":
        framing, body = "length" if status != 204 and draw(st.booleans()) else "none", b""
        if framing == "length":
            lines.append("Content-Length: %d" % draw(st.integers(0, 99)))  # says the size of a GET's body
    elif framing == "length":
        lines.append("Content-Length: %d" % len(body))
    elif framing == "chunked":
        lines.append("Transfer-Encoding: chunked")
    if framing not in ("close",) and version == "1.0" and not last:
        lines.append("Connection: keep-alive")  # h11 closes after an HTTP/1.0 response anyway
    out += to_latin1("\r\n".join(lines) + "\r\n\r\n")
    if framing == "chunked":
        return out + b"%x\r\n" % len(body) + body + b"\r\n0\r\n\r\n" if body else out + b"0\r\n\r\n"
    return out + (body if framing in ("length", "close") else b"")


@st.composite
def response_streams(draw):
    methods = draw(st.lists(st.sampled_from(["GET", "POST", "HEAD"]), min_size=1, max_size=3))
    data = b"".join(draw(responses(m, i == len(methods) - 1)) for i, m in enumerate(methods))
    return methods, data


@given(response_streams())
def test_genlet_reads_every_valid_response_as_h11_does(stream):
    methods, data = stream
    h_found, h_end = read_h11_responses(data, methods)
    g_found, g_end = read_genlet_responses(data, methods)
    assert h_end != "error", (data, h_found)
    assert g_found == h_found, data

"""genlet.http's parser and headers: what they accept, what they refuse and with which status."""

import os
import runpy

import pytest
from hypothesis import given
from hypothesis import strategies as st

from genlet.http import (
    CLOSED,
    NEED_DATA,
    SWITCHED,
    EndOfMessage,
    Headers,
    ProtocolError,
    RequestParser,
    ResponseParser,
    chunk,
    last_chunk,
    request_head,
    response_head,
)

CHECK = runpy.run_path(os.path.join(os.path.dirname(__file__), "mpy", "check_http_parser.py"), run_name="check")
messages, refused, events = CHECK["messages"], CHECK["refused"], CHECK["events"]

GET = b"GET / HTTP/1.1\r\nHost: a\r\n\r\n"


def request(*fields, line=b"POST / HTTP/1.1", body=b""):
    return line + b"\r\n" + b"".join(f + b"\r\n" for f in (b"Host: a",) + fields) + b"\r\n" + body


def test_the_portable_script_passes_under_cpython():
    assert CHECK["PIPELINE"]  # it ran to its end when loaded above


# -- refusals: each malformed request gets its status and a message that names the problem ----
REFUSALS = [
    # smuggling and framing
    (request(b"Content-Length: 3", b"Transfer-Encoding: chunked"), 400, "cl-te", "smuggling"),
    (request(b"Transfer-Encoding: chunked", b"Content-Length: 3"), 400, "cl-te", "smuggling"),
    (request(b"Content-Length: 3", b"Content-Length: 4"), 400, "cl-conflict", "differing"),
    (request(b"Content-Length: 3, 4"), 400, "cl-conflict", "differing"),
    (request(b"Content-Length: 3", b"Content-Length: 3"), 400, "cl-duplicate", "more than once"),
    (request(b"Content-Length: 3, 3"), 400, "cl-duplicate", "more than once"),
    (request(b"Content-Length: -1"), 400, "cl-invalid", "digits only"),
    (request(b"Content-Length: +5"), 400, "cl-invalid", "digits only"),
    (request(b"Content-Length: 0x5"), 400, "cl-invalid", "digits only"),
    (request(b"Content-Length: 5 5"), 400, "cl-invalid", "digits only"),
    (request(b"Content-Length: \xb2"), 400, "cl-invalid", "digits only"),  # a latin-1 digit
    (request(b"Content-Length: "), 400, "cl-invalid", "digits only"),
    (request(b"Content-Length: 1" + b"0" * 20), 400, "cl-invalid", "20 digits"),
    (request(b"Transfer-Encoding: gzip"), 501, "te-unsupported", "only 'chunked'"),
    (request(b"Transfer-Encoding: gzip, chunked"), 501, "te-unsupported", "only 'chunked'"),
    (request(b"Transfer-Encoding: xchunked"), 501, "te-unsupported", "only 'chunked'"),
    (request(b"Transfer-Encoding: chunked, chunked"), 400, "te-invalid", "more than once"),
    (request(b"Transfer-Encoding: chunked", b"Transfer-Encoding: chunked"), 400, "te-invalid", "more than once"),
    (request(b"Transfer-Encoding: , chunked"), 400, "te-invalid", "empty element"),
    (request(b"Transfer-Encoding: chunked", line=b"POST / HTTP/1.0"), 400, "te-http10", "HTTP/1.0"),
    (request(b"Transfer-Encoding: chunked", body=b"5 \r\nhello\r\n0\r\n\r\n"), 400, "chunk-size-ws", "chunk size"),
    (request(b"Transfer-Encoding: chunked", body=b"-5\r\nhello\r\n0\r\n\r\n"), 400, "chunk-size", "chunk size"),
    (request(b"Transfer-Encoding: chunked", body=b"0x5\r\nhello\r\n0\r\n\r\n"), 400, "chunk-size", "chunk size"),
    (request(b"Transfer-Encoding: chunked", body=b"\r\nhello\r\n0\r\n\r\n"), 400, "chunk-size", "chunk size"),
    (request(b"Transfer-Encoding: chunked", body=b"1" * 21 + b"\r\n"), 400, "chunk-size", "chunk size"),
    (request(b"Transfer-Encoding: chunked", body=b"5\nhello\r\n0\r\n\r\n"), 400, "chunk-size", "chunk size"),
    (request(b"Transfer-Encoding: chunked", body=b"5;a\nb\r\nhello\r\n0\r\n\r\n"), 400, "chunk-ext", "extension"),
    (request(b"Transfer-Encoding: chunked", body=b"5;a\rb\r\nhello\r\n0\r\n\r\n"), 400, "chunk-ext", "extension"),
    (request(b"Transfer-Encoding: chunked", body=b"5;\r\nhello\r\n0\r\n\r\n"), 400, "chunk-ext", "extension"),
    (request(b"Transfer-Encoding: chunked", body=b'5;a="b\r\nhello\r\n0\r\n\r\n'), 400, "chunk-ext", "extension"),
    (request(b"Transfer-Encoding: chunked", body=b"5;a=\r\nhello\r\n0\r\n\r\n"), 400, "chunk-ext", "extension"),
    (request(b"Transfer-Encoding: chunked", body=b"5;a=b \r\nhello\r\n0\r\n\r\n"), 400, "chunk-ext", "extension"),
    (request(b"Transfer-Encoding: chunked", body=b"5\r\nhelloXX0\r\n\r\n"), 400, "chunk-end", "not followed by CRLF"),
    (request(b"Transfer-Encoding: chunked", body=b"5\r\nhello\n0\r\n\r\n"), 400, "chunk-end", "not followed by CRLF"),
    (request(b"Transfer-Encoding: chunked", body=b"0\r\nContent-Length: 5\r\n\r\n"), 400, "trailer-framing", "trailer"),
    (request(b"Transfer-Encoding: chunked", body=b"0\r\nX: a\nY: b\r\n\r\n"), 400, "bare-lf", "bare LF"),
    (request(b"Transfer-Encoding: chunked", body=b"0\r\nX: a\r\n b\r\n\r\n"), 400, "obs-fold", "obs-fold"),
    # the head's bytes
    (request(b"X: a", b" folded"), 400, "obs-fold", "obs-fold"),
    (request(b"X: a", b"\tfolded"), 400, "obs-fold", "obs-fold"),
    (request(b"Content-Length: 5", b" 5"), 400, "obs-fold", "obs-fold"),
    (request(b"X: a\x00b"), 400, "nul", "NUL"),
    (request(b"X: a\rb"), 400, "bare-cr", "bare CR"),
    (request(b"X: a\x01b"), 400, "ctl", "0x01"),
    (request(b"X: a\x7fb"), 400, "ctl", "0x7f"),
    (b"GET / HTTP/1.1\nHost: a\n\n", 400, "bare-lf", "bare LF"),
    (b"GET / HTTP/1.1\r\nHost: a\n\r\n", 400, "bare-lf", "bare LF"),
    (request(b"Host : a"), 400, "ws-before-colon", "whitespace between"),
    (request(b"X\t: a"), 400, "ws-before-colon", "whitespace between"),
    (request(b"X(y): a"), 400, "field-name", "token"),
    (request(b"\xe9: a"), 400, "field-name", "token"),
    (request(b": a"), 400, "field", "not 'Name: value'"),
    (request(b"no colon"), 400, "field", "not 'Name: value'"),
    # the request line
    (b"G@T / HTTP/1.1\r\nHost: a\r\n\r\n", 400, "method", "token"),
    (b"GET  / HTTP/1.1\r\nHost: a\r\n\r\n", 400, "request-line", "single spaces"),
    (b"GET / HTTP/1.1 \r\nHost: a\r\n\r\n", 400, "version", "malformed HTTP version"),
    (b"GET /\r\nHost: a\r\n\r\n", 400, "request-line", "single spaces"),
    (b"GET / http/1.1\r\nHost: a\r\n\r\n", 400, "version", "malformed"),
    (b"GET / HTTP/1.10\r\nHost: a\r\n\r\n", 400, "version", "malformed"),
    (b"GET / HTTP/2.0\r\nHost: a\r\n\r\n", 505, "version", "not supported"),
    (b"GET / HTTP/0.9\r\nHost: a\r\n\r\n", 505, "version", "not supported"),
    (b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n", 505, "http2", "HTTP/2"),
    (b"GET nowhere HTTP/1.1\r\nHost: a\r\n\r\n", 400, "target", "none of the forms"),
    (b"GET * HTTP/1.1\r\nHost: a\r\n\r\n", 400, "target", "none of the forms"),
    (b"GET /a#frag HTTP/1.1\r\nHost: a\r\n\r\n", 400, "target", "fragment"),
    (b"GET /a%zz HTTP/1.1\r\nHost: a\r\n\r\n", 400, "target", "bad escape"),
    (b"GET /a%2 HTTP/1.1\r\nHost: a\r\n\r\n", 400, "target", "bad escape"),
    (b"GET /%ff HTTP/1.1\r\nHost: a\r\n\r\n", 400, "target", "not UTF-8"),
    (b"GET /\xe9 HTTP/1.1\r\nHost: a\r\n\r\n", 400, "target", "non-ASCII"),
    (b"GET /a\tb HTTP/1.1\r\nHost: a\r\n\r\n", 400, "target", "a tab"),  # found by tests/test_http_h11.py
    (b"GET http:/// HTTP/1.1\r\nHost: a\r\n\r\n", 400, "target", "none of the forms"),
    (b"CONNECT /x HTTP/1.1\r\nHost: a\r\n\r\n", 400, "target", "host:port"),
    (b"CONNECT a.b HTTP/1.1\r\nHost: a\r\n\r\n", 400, "target", "host:port"),
    (b"GET / HTTP/1.1\r\n\r\n", 400, "host", "without a Host"),
    (b"GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n", 400, "host", "2 Host headers"),
    (b"GET / HTTP/1.0\r\nHost: a\r\nHost: a\r\n\r\n", 400, "host", "2 Host headers"),
    (b"GET / HTTP/1.1\r\nHost: a/b\r\n\r\n", 400, "host", "invalid Host"),
    (b"GET / HTTP/1.1\r\nHost: a b\r\n\r\n", 400, "host", "invalid Host"),
    # not HTTP at all
    (b"\x16\x03\x01\x00\xa5\x01\x00\x00\xa1\x03\x03", 400, "tls", "TLS"),
    (b"\x16\x03\x01\x00\xa5\x01\x00\n\x00\xa1\x03\x03\r\n\r\n", 400, "tls", "TLS"),
    # cut short
    (b"GET / HTTP/1.1\r\nHost: a\r\n", 400, "truncated", "middle of a request head"),
    (request(b"Content-Length: 5", body=b"abc"), 400, "truncated", "after 3 of the 5 bytes"),
    (request(b"Transfer-Encoding: chunked", body=b"5\r\nab"), 400, "truncated", "middle of a chunk"),
    (request(b"Transfer-Encoding: chunked", body=b"5\r\nabcde"), 400, "truncated", "end of a chunk"),
    (request(b"Transfer-Encoding: chunked", body=b"5\r\nabcde\r\n0\r\n"), 400, "truncated", "chunked body"),
]


@pytest.mark.parametrize("data,status,kind,words", REFUSALS, ids=[r[2] for r in REFUSALS])
def test_each_malformed_request_is_refused_with_its_status(data, status, kind, words):
    exc = refused(data)
    assert (exc.status, exc.kind) == (status, kind), exc
    assert words in str(exc), str(exc)


@pytest.mark.parametrize("data,status,kind,words", REFUSALS, ids=[r[2] for r in REFUSALS])
def test_a_refusal_is_the_same_whatever_the_bytes_arrive_in(data, status, kind, words):
    parser = RequestParser()
    with pytest.raises(ProtocolError) as caught:
        events(parser, data, step=1)
    assert caught.value.kind == kind
    # and the parser stays refused: nothing after a malformed message can be framed
    with pytest.raises(ProtocolError):
        parser.next_event()


def test_a_refusal_comes_before_the_message_is_complete_where_it_can():
    """TLS bytes and bare-LF lines can never become a head: no need to wait for more."""
    for data in (b"\x16\x03\x01", b"GET / HTTP/1.1\nHost: a\n"):
        parser = RequestParser()
        parser.feed(data)
        with pytest.raises(ProtocolError):
            parser.next_event()


# -- limits ------------------------------------------------------------------------------------
def test_max_head_bytes_counts_the_request_line_and_the_headers():
    head = request(b"X: " + b"a" * 40)
    assert messages(head, RequestParser(max_head_bytes=len(head)))
    exc = refused(head, RequestParser(max_head_bytes=len(head) - 1))
    assert (exc.status, exc.kind) == (431, "head-too-big")
    exc = refused(b"GET /" + b"a" * 60, RequestParser(max_head_bytes=32))  # no end in sight
    assert (exc.status, exc.kind) == (414, "line-too-long")


def test_max_head_bytes_refuses_without_waiting_for_the_end_of_the_head():
    parser = RequestParser(max_head_bytes=64)
    parser.feed(b"GET / HTTP/1.1\r\nX: " + b"a" * 100)
    with pytest.raises(ProtocolError) as caught:
        parser.next_event()
    assert caught.value.status == 431


def test_max_headers_counts_field_lines():
    data = request(b"A: 1", b"B: 2")  # Host, A, B
    assert messages(data, RequestParser(max_headers=3))
    assert refused(data, RequestParser(max_headers=2)).status == 431


def test_max_body_bytes_refuses_a_content_length_at_once_and_a_chunked_body_when_it_passes():
    parser = RequestParser(max_body_bytes=4)
    parser.feed(request(b"Content-Length: 5"))  # no body sent: the head is enough to refuse
    with pytest.raises(ProtocolError) as caught:
        parser.next_event()
    assert caught.value.status == 413 and "max_body_bytes=4" in str(caught.value)
    body = b"3\r\nabc\r\n2\r\nde\r\n0\r\n\r\n"
    parser = RequestParser(max_body_bytes=4)
    parser.feed(request(b"Transfer-Encoding: chunked", body=body))
    assert parser.next_event().framing == "chunked"
    assert parser.next_event() == b"abc"
    with pytest.raises(ProtocolError) as caught:
        parser.next_event()
    assert caught.value.status == 413
    assert messages(request(b"Transfer-Encoding: chunked", body=body), RequestParser(max_body_bytes=5))


def test_trailers_are_bounded_like_a_head():
    body = b"0\r\nA: 1\r\nB: 2\r\n\r\n"
    assert messages(request(b"Transfer-Encoding: chunked", body=body), RequestParser(max_headers=2))[0][2]
    assert refused(request(b"Transfer-Encoding: chunked", body=body), RequestParser(max_headers=1)).status == 431
    long = b"0\r\nA: " + b"x" * 100 + b"\r\n\r\n"
    assert refused(request(b"Transfer-Encoding: chunked", body=long), RequestParser(max_head_bytes=90)).status == 431


# -- what is accepted --------------------------------------------------------------------------
def test_a_request_head_says_what_the_server_needs():
    data = request(b"Content-Type: text/plain", b"Expect: 100-continue", b"Content-Length: 2", body=b"hi",
                   line=b"POST /caf%C3%A9/a%2Fb?q=%20x HTTP/1.1")  # fmt: skip
    ((head, body, trailers),) = messages(data)
    assert (head.method, head.target) == ("POST", "/caf%C3%A9/a%2Fb?q=%20x")
    assert (head.path, head.query) == ("/caf\xe9/a/b", "q=%20x")
    assert head.expect_continue and head.keep_alive and head.content_length == 2
    assert head.headers.get("content-type") == "text/plain" and body == b"hi" and trailers is None


@pytest.mark.parametrize(
    "line,path,query",
    [
        (b"GET http://example.com/a%20b?q HTTP/1.1", "/a b", "q"),
        (b"GET http://example.com HTTP/1.1", "/", ""),
        (b"GET http://example.com?q=1 HTTP/1.1", "/", "q=1"),
        (b"OPTIONS * HTTP/1.1", "*", ""),
        (b"CONNECT example.com:443 HTTP/1.1", "example.com:443", ""),
        (b"GET /?a=b?c/d HTTP/1.1", "/", "a=b?c/d"),
        (b"get / HTTP/1.1", "/", ""),  # methods are case-sensitive tokens: "get" is one
    ],
)
def test_every_form_of_request_target(line, path, query):
    ((head, _, _),) = messages(request(line=line))
    assert (head.path, head.query) == (path, query)


@pytest.mark.parametrize(
    "version,fields,keep_alive",
    [
        (b"1.1", (), True),
        (b"1.1", (b"Connection: close",), False),
        (b"1.1", (b"Connection: Upgrade, CLOSE",), False),
        (b"1.0", (), False),
        (b"1.0", (b"Connection: keep-alive",), True),
        (b"1.0", (b"Connection: Keep-Alive, close",), False),
        (b"1.5", (), True),  # a higher minor version is read as 1.1 (RFC 9110 §2.5)
    ],
)
def test_keep_alive(version, fields, keep_alive):
    ((head, _, _),) = messages(request(*fields, line=b"GET / HTTP/" + version))
    assert head.keep_alive is keep_alive and head.http_version in ("1.0", "1.1")


def test_expect_continue_only_on_http11():
    assert messages(request(b"Expect: 100-Continue"))[0][0].expect_continue
    assert not messages(request(b"Expect: 100-continue", line=b"POST / HTTP/1.0"))[0][0].expect_continue
    assert not messages(request(b"Expect: something"))[0][0].expect_continue


def test_fields_keep_their_order_case_and_obs_text():
    data = request(b"X-A: 1", b"x-a:2", b"Cookie: a=1", b"X-Latin: caf\xe9 \t", b"Empty:", b"Tab: a\tb")
    ((head, _, _),) = messages(data)
    assert list(head.headers) == [("Host", "a"), ("X-A", "1"), ("x-a", "2"), ("Cookie", "a=1"),
                                  ("X-Latin", "caf\xe9"), ("Empty", ""), ("Tab", "a\tb")]  # fmt: skip
    assert head.headers.get_all("X-a") == ["1", "2"] and head.headers.get("x-a") == "1"
    assert head.headers.raw() == data[data.index(b"\r\n") + 2 : -2].replace(b"x-a:2", b"x-a: 2").replace(
        b" \t\r", b"\r").replace(b"Empty:", b"Empty: ")  # fmt: skip


def test_chunked_bodies_with_extensions_and_trailers():
    body = (b'4;name=value;quoted="a;\\"b" ; bare\r\nWiki\r\n'  # BWS before ';' is allowed
            b"9\r\npedia in \r\n0000e\r\n chunks.abcdef\r\n0;last\r\nExpires: never\r\nX: 1\r\n\r\n")  # fmt: skip
    ((head, data, trailers),) = messages(request(b"Transfer-Encoding: chunked", body=body))
    assert head.content_length is None and data == b"Wikipedia in  chunks.abcdef"
    assert list(trailers) == [("Expires", "never"), ("X", "1")]


def test_empty_lines_before_a_request_are_skipped():
    found = messages(b"\r\n\r\n" + GET + b"\r\n" + GET)
    assert len(found) == 2


PIPELINE = [
    GET,
    request(b"Content-Length: 3", body=b"abc"),
    request(b"Transfer-Encoding: chunked", body=b"3\r\nabc\r\n0\r\nT: 1\r\n\r\n"),
    request(b"Content-Length: 0"),
    b"OPTIONS * HTTP/1.1\r\nHost: a\r\n\r\n",
]


@given(st.lists(st.sampled_from(PIPELINE), min_size=1, max_size=6), st.data())
def test_pipelined_requests_come_out_in_order_however_the_bytes_are_split(reqs, data):
    stream = b"".join(reqs)
    cuts = sorted(data.draw(st.lists(st.integers(0, len(stream)), max_size=8)))
    parser = RequestParser()
    found = []
    for start, end in zip([0] + cuts, cuts + [len(stream)]):
        found.extend(events(parser, stream[start:end], eof=False))
    parser.feed(b"")
    assert parser.next_event() is CLOSED
    expected = []
    for req in reqs:
        expected.extend(events(RequestParser(), req)[:-1])  # without its CLOSED
    assert describe(found) == describe(expected)


def describe(found):
    """Events as comparable values, adjacent body pieces joined."""
    out = []
    for event in found:
        if isinstance(event, bytes):
            if out and isinstance(out[-1], bytes):
                out[-1] += event
            else:
                out.append(event)
        elif isinstance(event, EndOfMessage):
            out.append(("end", list(event.trailers or ())))
        else:
            out.append((event.method, event.target, list(event.headers), event.framing))
    return out


def test_need_data_and_closed():
    parser = RequestParser()
    assert parser.next_event() is NEED_DATA
    parser.feed(GET[:10])
    assert parser.next_event() is NEED_DATA
    parser.feed(GET[10:])
    assert parser.next_event().method == "GET"
    assert isinstance(parser.next_event(), EndOfMessage)
    assert parser.next_event() is NEED_DATA
    parser.feed(b"")
    assert parser.next_event() is CLOSED and parser.next_event() is CLOSED
    with pytest.raises(RuntimeError, match="after feed"):
        parser.feed(b"more")


# -- responses ---------------------------------------------------------------------------------
def response_messages(data, *methods):
    parser = ResponseParser()
    for method in methods:
        parser.expect_response(method)
    return [(h.status, h.framing, body, trailers) for h, body, trailers in messages(data, parser)]


def test_response_framing_follows_rfc9112_section_6_3():
    cl = b"HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\n"
    assert response_messages(cl + b"abc") == [(200, "content-length", b"abc", None)]
    assert response_messages(cl, "HEAD") == [(200, "none", b"", None)]  # HEAD: no body, whatever CL says
    for status in (b"204 No Content", b"304 Not Modified"):
        assert response_messages(b"HTTP/1.1 " + status + b"\r\nContent-Length: 3\r\n\r\n")[0][1:3] == ("none", b"")
    assert response_messages(b"HTTP/1.1 103 Early Hints\r\nLink: </a>\r\n\r\n" + cl + b"abc") == [
        (103, "none", b"", "missing"),  # an interim response has no EndOfMessage
        (200, "content-length", b"abc", None),
    ]
    chunked = b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nab\r\n0\r\nT: x\r\n\r\n"
    assert response_messages(chunked)[0][2] == b"ab"
    assert response_messages(b"HTTP/1.1 200 OK\r\n\r\nall of it") == [(200, "until-close", b"all of it", None)]
    assert response_messages(b"HTTP/1.1 200\r\nContent-Length: 0\r\n\r\n") == [(200, "content-length", b"", None)]


def test_a_response_body_until_close_means_the_connection_is_not_kept():
    parser = ResponseParser()
    ((head, body, _),) = messages(b"HTTP/1.1 200 OK\r\nConnection: keep-alive\r\n\r\nabc", parser)
    assert head.framing == "until-close" and not head.keep_alive


def test_switching_protocols_hands_over_the_leftover_bytes():
    for method, data in (("GET", b"HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n\r\n\x81\x00"),
                         ("CONNECT", b"HTTP/1.1 200 OK\r\n\r\n\x81\x00")):  # fmt: skip
        parser = ResponseParser()
        parser.expect_response(method)
        parser.feed(data)
        assert parser.next_event().status in (101, 200)
        assert parser.next_event() is SWITCHED
        assert parser.take_leftover() == b"\x81\x00"


@pytest.mark.parametrize(
    "data,kind",
    [
        (b"HTTP/1.1 20 OK\r\n\r\n", "status-line"),
        (b"HTTP/1.1 2000 OK\r\n\r\n", "status-line"),
        (b"HTTP/1.1 099 OK\r\n\r\n", "status-line"),
        (b"HTTP/1.1 200 OK\r\nContent-Length: 1\r\nTransfer-Encoding: chunked\r\n\r\n", "cl-te"),
        (b"HTTP/1.0 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n", "te-http10"),
        (b"HTTP/1.1 200 OK\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n", "cl-conflict"),
        (b"HTTP/1.1 200 OK\r\nX: a\r\n b\r\n\r\n", "obs-fold"),
        (b"HTTP/3.0 200 OK\r\n\r\n", "version"),
    ],
)
def test_malformed_responses_are_refused(data, kind):
    assert refused(data, ResponseParser()).kind == kind


# -- headers and writing -----------------------------------------------------------------------
def test_headers_lookups_ignore_case_and_keep_order():
    headers = Headers({"Content-Type": "text/plain", "X-A": "1"})
    headers.add("x-a", "2")
    assert headers.get("X-a") == "1" and headers.get_all("X-A") == ["1", "2"] and headers.get("nope") is None
    assert "CONTENT-TYPE" in headers and "nope" not in headers and 3 not in headers
    headers.set("x-A", "3")
    assert list(headers) == [("Content-Type", "text/plain"), ("x-A", "3")] and len(headers) == 2
    headers.set("New", "n")
    assert list(headers)[-1] == ("New", "n")
    assert headers.remove("X-A") == 1 and headers.remove("X-A") == 0
    assert headers == Headers([("content-type", "text/plain"), ("NEW", "n")]) and headers != Headers()
    copy = headers.copy()
    copy.add("Y", "y")
    assert "Y" not in headers and "Headers([" in repr(copy)


@pytest.mark.parametrize(
    "name,value,error,words",
    [
        ("X", "a\r\nSet-Cookie: evil", ValueError, "header injection"),
        ("X", "a\nb", ValueError, "header injection"),
        ("X", "a\x00", ValueError, "header injection"),
        ("X Y", "a", ValueError, "invalid header name"),
        ("", "a", ValueError, "invalid header name"),
        ("X", " a", ValueError, "whitespace"),
        ("X", b"a", TypeError, "decode bytes"),
    ],
)
def test_headers_refuse_what_would_break_a_message(name, value, error, words):
    with pytest.raises(error, match=words):
        Headers().add(name, value)


def test_writing_heads_and_chunks():
    assert response_head(404) == b"HTTP/1.1 404 Not Found\r\n\r\n"
    assert response_head(299, [("A", "b")]) == b"HTTP/1.1 299 \r\nA: b\r\n\r\n"
    assert response_head(200, reason="Fine", http_version="1.0") == b"HTTP/1.0 200 Fine\r\n\r\n"
    assert request_head("GET", "/x", Headers([("Host", "h")])) == b"GET /x HTTP/1.1\r\nHost: h\r\n\r\n"
    assert chunk(b"") == b"" and chunk(bytearray(b"ab")) == b"2\r\nab\r\n" and chunk(b"x" * 26)[:4] == b"1a\r\n"
    assert last_chunk([("T", "1")]) == b"0\r\nT: 1\r\n\r\n"
    with pytest.raises(ValueError, match="latin-1"):
        response_head(200, [("X", "\u20ac")])
    for bad_call in (lambda: response_head(99), lambda: response_head(200, reason="a\r\nb"),
                     lambda: request_head("G T", "/"), lambda: request_head("GET", "/a b")):  # fmt: skip
        with pytest.raises(ValueError):
            bad_call()


def test_what_genlet_writes_genlet_reads_back():
    head = request_head("POST", "/p", [("Host", "h"), ("Transfer-Encoding", "chunked")])
    body = chunk(b"hello ") + chunk(b"world") + last_chunk([("T", "1")])
    ((req, data, trailers),) = messages(head + body)
    assert data == b"hello world" and trailers.get("t") == "1"
    resp = response_head(200, [("Content-Length", "2")]) + b"ok"
    assert response_messages(resp) == [(200, "content-length", b"ok", None)]

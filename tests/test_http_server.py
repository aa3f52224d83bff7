"""genlet.http.Server: cooperative handlers, Request/Response, the HTTP/1.1 protocol."""

import logging
import re
import socket
import struct

import pytest

import genlet
import genlet.http
import genlet.kernel
from genlet.http import Headers, Response

from .http_support import ask, connect, read_responses, serving
from .io_support import NoLeaks, iorun

GET = b"GET / HTTP/1.1\r\nHost: x\r\n\r\n"


def hello(request):
    yield from genlet.sleep(0)
    return Response(200, [("Content-Type", "text/plain")], b"Hello, World!")


def echo(request):
    body = yield from request.read()
    text = "%s %s %s %s %r" % (request.method, request.path, request.query, request.http_version, body)
    return Response(200, {"X-Remote": request.remote[0]}, text.encode())


def test_response_class():
    response = Response(404, [("Content-Type", "text/plain")], b"no")
    assert response.reason == "Not Found"
    assert isinstance(response.headers, Headers) and response.headers.get("content-type") == "text/plain"
    assert Response(200, None).headers == Headers() and Response(599).reason == ""
    with pytest.raises(TypeError, match="encode it"):
        Response(200, None, "text")
    with pytest.raises(ValueError, match="from 100 to 999"):
        Response(42)


def test_hello_on_port_zero_keep_alive_and_headers():
    def main(server):
        assert server.address[1] > 0
        stream = yield from connect(server)
        with stream:
            yield from stream.write(GET)
            first = yield from read_responses(stream, ["GET"])
            yield from stream.write(GET)
            second = yield from read_responses(stream, ["GET"])
        return first + second

    with NoLeaks():
        responses = iorun(serving(hello, main))
    for head, body, _ in responses:
        assert (head.status, body, head.keep_alive) == (200, b"Hello, World!", True)
        assert head.headers.get("server") == "genlet" and head.headers.get("date").endswith(" GMT")
        assert head.headers.get("content-length") == "13"


def test_request_fields_and_percent_decoded_path():
    def main(server):
        return (yield from ask(server, b"GET /caf%C3%A9/x?a=1&b=%20 HTTP/1.1\r\nHost: x\r\n\r\n"))

    [(head, body, _)] = iorun(serving(echo, main))
    assert body == "GET /caf\xe9/x a=1&b=%20 1.1 b''".encode()
    assert head.headers.get("x-remote") == "127.0.0.1"


def test_pipelined_requests_answered_in_order():
    def slow_first(request):
        yield from genlet.sleep(0.01 if request.path == "/1" else 0)
        return Response(200, None, request.path.encode())

    def main(server):
        data = b"".join(b"GET /%d HTTP/1.1\r\nHost: x\r\n\r\n" % i for i in range(1, 4))
        return (yield from ask(server, data, ["GET"] * 3))

    assert [body for _, body, _ in iorun(serving(slow_first, main))] == [b"/1", b"/2", b"/3"]


def test_http10_closes_unless_keep_alive():
    def main(server):
        closed = yield from ask(server, b"GET / HTTP/1.0\r\n\r\n")
        stream = yield from connect(server)
        with stream:
            yield from stream.write(b"GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n")
            kept = yield from read_responses(stream, ["GET"])
            yield from stream.write(b"GET / HTTP/1.0\r\n\r\n")
            last = yield from read_responses(stream, ["GET"])
            rest = yield from stream.read()
        return closed[0][0], kept[0][0], last[0][0], rest

    closed, kept, last, rest = iorun(serving(hello, main))
    assert closed.headers.get("connection") == "close" and not closed.keep_alive
    assert kept.headers.get("connection") == "keep-alive" and kept.http_version == "1.1"
    assert last.headers.get("connection") == "close" and rest == b""


def test_connection_close_is_honoured():
    def main(server):
        stream = yield from connect(server)
        with stream:
            yield from stream.write(b"GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
            [(head, _, _)] = yield from read_responses(stream, ["GET"])
            return head.headers.get("connection"), (yield from stream.read())

    assert iorun(serving(hello, main)) == ("close", b"")


def test_content_length_and_chunked_request_bodies():
    def main(server):
        data = (
            b"POST /a HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\nhello"
            b"POST /b HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n2\r\nde\r\n0\r\n\r\n"
        )
        return (yield from ask(server, data, ["POST", "POST"]))

    bodies = [body for _, body, _ in iorun(serving(echo, main))]
    assert bodies == [b"POST /a  1.1 b'hello'", b"POST /b  1.1 b'abcde'"]


def test_unread_body_is_skipped_when_it_is_here():
    def main(server):
        data = b"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\n\r\nabc" + GET
        return (yield from ask(server, data, ["POST", "GET"]))

    assert [body for _, body, _ in iorun(serving(hello, main))] == [b"Hello, World!"] * 2


def test_expect_continue_sent_when_the_body_is_read():
    def main(server):
        stream = yield from connect(server)
        with stream:
            yield from stream.write(b"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\nExpect: 100-continue\r\n\r\n")
            interim = yield from stream.read_until(b"\r\n\r\n")
            yield from stream.write(b"hi")
            return interim, (yield from read_responses(stream, ["POST"]))

    interim, [(_, body, _)] = iorun(serving(echo, main))
    assert interim == b"HTTP/1.1 100 Continue\r\n\r\n" and body == b"POST /  1.1 b'hi'"


def test_expect_continue_never_sent_when_the_body_is_not_read():
    def main(server):
        stream = yield from connect(server)
        with stream:
            yield from stream.write(b"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\nExpect: 100-continue\r\n\r\n")
            [(head, body, _)] = yield from read_responses(stream, ["POST"])
            return head, body, (yield from stream.read())

    head, body, rest = iorun(serving(hello, main))
    assert head.status == 200 and body == b"Hello, World!"
    assert head.headers.get("connection") == "close" and rest == b""  # the body was never framed


def test_head_sends_no_body():
    def main(server):
        return (yield from ask(server, b"HEAD / HTTP/1.1\r\nHost: x\r\n\r\n" + GET, ["HEAD", "GET"]))

    (head, body, _), (_, second, _) = iorun(serving(hello, main))
    assert head.headers.get("content-length") == "13" and body == b"" and second == b"Hello, World!"


@pytest.mark.parametrize(
    "request_bytes, status",
    [
        (b"GET / HTTP/1.1\r\n\r\n", 400),  # no Host
        (b"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 1\r\nTransfer-Encoding: chunked\r\n\r\n", 400),
        (b"GET / HTTP/1.1\r\nHost: x\r\n folded\r\n\r\n", 400),
        (b"POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: gzip\r\n\r\n", 501),
        (b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n", 505),
    ],
)
def test_malformed_requests_get_the_parsers_status_and_close(request_bytes, status):
    def main(server):
        stream = yield from connect(server)
        with stream:
            yield from stream.write(request_bytes)
            [(head, body, _)] = yield from read_responses(stream, ["GET"])
            return head, body, (yield from stream.read())

    head, body, rest = iorun(serving(hello, main))
    assert head.status == status and head.headers.get("connection") == "close" and rest == b""
    assert body.endswith(b"\n") and b"Traceback" not in body


def test_bad_chunk_found_while_reading_answers_400():
    def main(server):
        data = b"POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n"
        return (yield from ask(server, data, ["POST"]))

    [(head, body, _)] = iorun(serving(echo, main))
    assert head.status == 400 and b"chunk" in body


def test_handler_that_raises_gets_500_and_the_server_keeps_serving(caplog):
    def broken(request):
        if request.path == "/boom":
            raise RuntimeError("secret detail")
        return (yield from hello(request))

    def main(server):
        failed = yield from ask(server, b"GET /boom HTTP/1.1\r\nHost: x\r\n\r\n")
        fine = yield from ask(server, GET)
        return failed + fine

    with caplog.at_level(logging.ERROR, logger="genlet.http"):
        (bad, body, _), (good, _, _) = iorun(serving(broken, main))
    assert bad.status == 500 and b"secret" not in body and good.status == 200
    [record] = [r for r in caplog.records if r.name == "genlet.http"]
    assert record.levelno == logging.ERROR and "broken" in record.getMessage() and record.exc_info


def test_handler_mistakes_are_explained(caplog):
    def not_a_generator(request):
        return Response(200)

    def returns_bytes(request):
        yield from genlet.sleep(0)
        return b"hello"

    def main(server):
        return (yield from ask(server, GET))

    with caplog.at_level(logging.ERROR, logger="genlet.http"):
        for handler in (not_a_generator, returns_bytes):
            [(head, _, _)] = iorun(serving(handler, main))
            assert head.status == 500
    messages = [str(r.exc_info[1]) for r in caplog.records if r.name == "genlet.http"]
    assert "make it a generator function" in messages[0] and "must return a genlet.http.Response" in messages[1]


def test_many_sleeping_handlers_are_served_at_once():
    def sleepy(request):
        yield from genlet.sleep(1)
        return Response(200, None, b"ok")

    def one(server):
        return (yield from ask(server, GET))

    def main(server):
        start = genlet.clock()
        tasks = [genlet.spawn(one, server) for _ in range(200)]
        yield from genlet.joinall(tasks, raise_error=True)
        return genlet.clock() - start, [task.result for task in tasks]

    elapsed, results = iorun(serving(sleepy, main))
    assert all(r[0][1] == b"ok" for r in results)
    assert elapsed < 1.5  # virtual seconds: all slept at once


def test_close_drops_idle_connections_at_once_and_lets_requests_finish():
    def sleepy(request):
        yield from genlet.sleep(0.5)
        return Response(200, None, b"finished")

    def main():
        server = genlet.http.Server(("127.0.0.1", 0), sleepy)
        serving_task = genlet.spawn(server.serve_forever)
        idle = yield from connect(server)
        busy = yield from connect(server)
        yield from busy.write(GET)
        yield from genlet.sleep(0.1)
        start = genlet.clock()
        server.close(grace=5)
        idle_rest = yield from idle.read()
        idle_closed_after = genlet.clock() - start
        [(head, body, _)] = yield from read_responses(busy, ["GET"])
        yield from serving_task.join()
        idle.close()
        busy.close()
        return idle_rest, idle_closed_after, head, body

    with NoLeaks():
        idle_rest, after, head, body = iorun(main)
    assert idle_rest == b"" and after < 0.1
    assert body == b"finished" and head.headers.get("connection") == "close"


# -- streamed responses ------------------------------------------------------------------------


def events(request):
    """Server-sent events: a body writer that waits between pieces."""

    def body(writer):
        for n in range(3):
            yield from writer.write(b"data: %d\n\n" % n)
            yield from genlet.sleep(0.01)

    yield from genlet.sleep(0)
    return Response(200, [("Content-Type", "text/event-stream")], body)


def test_streamed_body_is_chunked_on_http11():
    def main(server):
        stream = yield from connect(server)
        with stream:
            yield from stream.write(GET + GET)
            return (yield from read_responses(stream, ["GET", "GET"]))

    responses = iorun(serving(events, main))
    for head, body, _ in responses:
        assert head.framing == "chunked" and body == b"data: 0\n\ndata: 1\n\ndata: 2\n\n"


def test_streamed_body_is_close_delimited_on_http10():
    def main(server):
        stream = yield from connect(server)
        with stream:
            yield from stream.write(b"GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n")
            return (yield from stream.read())

    data = iorun(serving(events, main))
    head, _, body = data.partition(b"\r\n\r\n")
    assert b"Connection: close" in head and b"Transfer-Encoding" not in head
    assert body == b"data: 0\n\ndata: 1\n\ndata: 2\n\n"


def test_iterable_body_with_length_and_close_called():
    closed = []

    class Body:
        def __iter__(self):
            return iter([b"ab", b"", b"cd"])

        def close(self):
            closed.append(True)

    def handler(request):
        yield from genlet.sleep(0)
        return Response(200, [("Content-Length", "4")], Body())

    def main(server):
        return (yield from ask(server, GET + b"HEAD / HTTP/1.1\r\nHost: x\r\n\r\n" + GET, ["GET", "HEAD", "GET"]))

    responses = iorun(serving(handler, main))
    assert [(h.framing, b) for h, b, _ in responses] == [("content-length", b"abcd"), ("none", b""), ("content-length", b"abcd")]
    assert closed == [True] * 3


def test_head_drops_a_streamed_body_and_its_terminator():
    def main(server):
        stream = yield from connect(server)
        with stream:
            yield from stream.write(b"HEAD / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
            return (yield from stream.read())

    data = iorun(serving(events, main))
    assert data.endswith(b"\r\n\r\n") and b"Transfer-Encoding: chunked" in data and b"data:" not in data


def test_a_client_that_stops_reading_is_dropped_after_send_timeout():
    ended = []

    def endless(request):
        def body(writer):
            try:
                while True:
                    yield from writer.write(b"x" * 65536)
            finally:
                ended.append(genlet.clock())

        yield from genlet.sleep(0)
        return Response(200, None, body)

    def main(server):
        stream = yield from connect(server)
        yield from stream.write(GET)
        start = genlet.clock()
        while not ended:
            yield from genlet.sleep(0.5)
        stream.close()
        return ended[0] - start

    with NoLeaks():
        elapsed = iorun(serving(endless, main, send_timeout=2.0))
    assert 2.0 <= elapsed < 4.0


def test_a_client_that_resets_mid_response_ends_the_stream_and_the_server_serves_on():
    ended = []

    def endless(request):
        def body(writer):
            try:
                while True:
                    yield from writer.write(b"data: tick\n\n")
                    yield from genlet.sleep(0.01)
            finally:
                ended.append(True)

        yield from genlet.sleep(0)
        return Response(200, None, body) if request.path == "/events" else Response(200, None, b"fine")

    def main(server):
        stream = yield from connect(server)
        yield from stream.write(b"GET /events HTTP/1.1\r\nHost: x\r\n\r\n")
        yield from stream.read_until(b"tick")
        stream.transport.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        stream.close()  # a reset
        while not ended:
            yield from genlet.sleep(0.01)
        [(_, body, _)] = yield from ask(server, GET)
        for _ in range(100):  # the server sees the second client's close a moment later
            if not server.connections:
                break
            yield from genlet.sleep(0.01)
        return body, server.connections

    with NoLeaks():
        assert iorun(serving(endless, main)) == (b"fine", 0)
    assert ended == [True]


# -- limits ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "request_bytes, limits, status",
    [
        (b"GET / HTTP/1.1\r\nHost: x\r\nX-Big: " + b"a" * 300 + b"\r\n\r\n", {"max_head_bytes": 256}, 431),
        (b"GET / HTTP/1.1\r\nHost: x\r\n" + b"X-A: 1\r\n" * 5 + b"\r\n", {"max_headers": 4}, 431),
        (b"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 11\r\n\r\nhello world", {"max_body_bytes": 10}, 413),
        (b"POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n6\r\nhello \r\n5\r\nworld\r\n0\r\n\r\n", {"max_body_bytes": 10}, 413),
    ],
)
def test_size_limits(request_bytes, limits, status):
    def main(server):
        return (yield from ask(server, request_bytes, ["POST"]))

    [(head, _, _)] = iorun(serving(echo, main, **limits))
    assert head.status == status and head.headers.get("connection") == "close"


@pytest.mark.parametrize(
    "sent, limits, status",
    [
        (b"GET / HT", {"header_timeout": 3.0}, 408),  # slowloris
        (b"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\n\r\nhal", {"body_timeout": 3.0}, 408),
    ],
)
def test_timeouts_answer_408_and_close(sent, limits, status):
    def main(server):
        stream = yield from connect(server)
        with stream:
            yield from stream.write(sent)
            start = genlet.clock()
            [(head, _, _)] = yield from read_responses(stream, ["GET"])
            return head.status, genlet.clock() - start, (yield from stream.read())

    with NoLeaks():
        got, elapsed, rest = iorun(serving(echo, main, **limits))
    assert got == status and 3.0 <= elapsed < 4.0 and rest == b""


def test_idle_connections_closed_after_keepalive_timeout_and_silent_new_ones_after_header_timeout():
    def main(server):
        stream = yield from connect(server)
        silent = yield from connect(server)
        with stream, silent:
            yield from stream.write(GET)
            yield from read_responses(stream, ["GET"])
            start = genlet.clock()
            assert (yield from stream.read()) == b""
            idle = genlet.clock() - start
            assert (yield from silent.read()) == b""
            return idle, genlet.clock() - start

    with NoLeaks():
        idle, silent = iorun(serving(hello, main, keepalive_timeout=2.0, header_timeout=5.0))
    assert 2.0 <= idle < 3.0 and 4.0 <= silent < 6.0


def test_max_connections_stops_accepting():
    def sleepy(request):
        yield from genlet.sleep(1.0)
        return Response(200, None, b"ok")

    def one(server):
        [(_, body, _)] = yield from ask(server, GET)
        return genlet.clock()

    def main(server):
        start = genlet.clock()
        tasks = [genlet.spawn(one, server) for _ in range(4)]
        yield from genlet.joinall(tasks)
        return sorted(round(task.result - start) for task in tasks)

    assert iorun(serving(sleepy, main, max_connections=2)) == [1, 1, 2, 2]


def test_unknown_limit_is_refused():
    with pytest.raises(TypeError, match="unknown limit 'max_body'"):
        genlet.http.Server(("127.0.0.1", 0), hello, max_body=5)


def test_a_client_that_resets_mid_request_ends_the_handler_and_leaks_nothing():
    ended = []

    def reader(request):
        try:
            return Response(200, None, (yield from request.read()))
        finally:
            ended.append(True)

    def main(server):
        kernel = genlet.kernel.current_kernel()
        before = len(kernel.tasks())
        stream = yield from connect(server)
        yield from stream.write(b"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\nonly part")
        yield from genlet.sleep(0.05)
        stream.transport.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        stream.close()  # a reset, with the body a tenth sent
        for _ in range(100):
            if ended and not server.connections:
                break
            yield from genlet.sleep(0.01)
        [(_, body, _)] = yield from ask(server, b"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\n\r\nok")
        for _ in range(100):
            if not server.connections:
                break
            yield from genlet.sleep(0.01)
        return body, server.connections, len(kernel.tasks()) - before

    with NoLeaks():
        assert iorun(serving(reader, main)) == (b"ok", 0, 0)
    assert ended == [True, True]


@pytest.mark.parametrize("how", ["reset", "close"])
def test_a_client_that_leaves_while_its_handler_waits_gets_the_handler_cancelled(how):
    events = []

    def sleepy(request):
        try:
            yield from genlet.sleep(3600)
        except genlet.Cancelled:
            events.append("cancelled")
            raise
        return Response(200, None, b"late")

    def main(server):
        kernel = genlet.kernel.current_kernel()
        before = len(kernel.tasks())
        stream = yield from connect(server)
        yield from stream.write(GET)
        yield from genlet.sleep(0.05)
        if how == "reset":
            stream.transport.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        start = genlet.clock()
        stream.close()
        for _ in range(100):
            if events and not server.connections:
                break
            yield from genlet.sleep(0.01)
        return genlet.clock() - start, server.connections, len(kernel.tasks()) - before

    with NoLeaks():
        elapsed, connections, tasks = iorun(serving(sleepy, main))
    assert events == ["cancelled"] and elapsed < 1.0 and connections == 0 and tasks == 0


def test_a_request_pipelined_while_the_handler_waits_is_served_after_it():
    def slow_first(request):
        yield from genlet.sleep(0.2 if request.path == "/1" else 0)
        return Response(200, None, request.path.encode())

    def main(server):
        stream = yield from connect(server)
        with stream:
            yield from stream.write(b"GET /1 HTTP/1.1\r\nHost: x\r\n\r\n")
            yield from genlet.sleep(0.05)  # the first handler is waiting now
            yield from stream.write(b"GET /2 HTTP/1.1\r\nHost: x\r\n\r\n")
            return (yield from read_responses(stream, ["GET", "GET"]))

    assert [body for _, body, _ in iorun(serving(slow_first, main))] == [b"/1", b"/2"]


def test_access_log_is_off_by_default_and_common_log_format_when_on(caplog):
    def main(server):
        return (yield from ask(server, GET + b"HEAD / HTTP/1.1\r\nHost: x\r\n\r\nGET / HTTP/1.1\r\n\r\n", ["GET", "HEAD", "GET"]))

    with caplog.at_level(logging.INFO, logger="genlet.http"):
        iorun(serving(hello, main))
        assert not [r for r in caplog.records if r.name == "genlet.http"]
        iorun(serving(hello, main, log=True))
    lines = [r.getMessage() for r in caplog.records if r.name == "genlet.http"]
    assert len(lines) == 3
    pattern = r'127\.0\.0\.1 - - \[\d\d/[A-Z][a-z]{2}/\d{4}:\d\d:\d\d:\d\d \+0000\] "%s" %s'
    for line, rest in zip(lines, ['GET / HTTP/1.1" 200 13', 'HEAD / HTTP/1.1" 200 -', '-" 400 \\d+']):
        assert re.fullmatch(pattern % tuple(rest.split('" ')), line), line


def test_a_malformed_request_after_a_good_one_on_the_same_connection_gets_its_400():
    def main(server):
        return (yield from ask(server, GET + b"GET / HTTP/1.1\r\n\r\n", ["GET", "GET"]))

    (good, _, _), (bad, body, _) = iorun(serving(hello, main))
    assert good.status == 200 and bad.status == 400 and b"Host" in body

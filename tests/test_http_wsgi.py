"""genlet.http.WSGIServer: PEP 3333, every request through wsgiref.validate.validator."""

import logging
import signal
import socket
import struct
import threading
import time
from wsgiref.validate import validator

import pytest

import genlet
import genlet.http
import genlet.io
import genlet.kernel

from .http_support import ask, connect, read_responses, serving
from .io_support import NoLeaks, iorun

GET = b"GET / HTTP/1.1\r\nHost: x\r\n\r\n"
THREADS = [0, 2]


def wsgi_serving(app, main, threads, validate=True, **limits):
    wrapped = validator(app) if validate else app
    return serving(wrapped, main, genlet.http.WSGIServer, threads=threads, **limits)


def hello_app(environ, start_response):
    start_response("200 OK", [("Content-Type", "text/plain"), ("Content-Length", "13")])
    return [b"Hello, World!"]


def environ_app(environ, start_response):
    size = int(environ.get("CONTENT_LENGTH") or 0)
    body = environ["wsgi.input"].read(size) if size else b""
    keys = ("REQUEST_METHOD", "SCRIPT_NAME", "PATH_INFO", "QUERY_STRING", "CONTENT_TYPE", "CONTENT_LENGTH",
            "SERVER_NAME", "SERVER_PROTOCOL", "REMOTE_ADDR", "HTTP_X_A", "HTTP_HOST", "wsgi.url_scheme")  # fmt: skip
    text = repr([environ.get(key) for key in keys] + [body, environ["SERVER_PORT"].isdigit()])
    start_response("200 OK", [("Content-Type", "text/plain")])
    return [text.encode()]


def reader_app(environ, start_response):
    """Reads the body every way wsgi.input allows: readline, read(n), iteration."""
    stream = environ["wsgi.input"]
    first = stream.readline()
    two = stream.read(2)
    rest = list(stream)
    start_response("200 OK", [("Content-Type", "text/plain")])
    return [repr((first, two, rest)).encode()]


@pytest.mark.parametrize("threads", THREADS)
def test_hello_keep_alive(threads):
    def main(server):
        return (yield from ask(server, GET * 3, ["GET"] * 3))

    with NoLeaks():
        responses = iorun(wsgi_serving(hello_app, main, threads))
    assert [(h.status, b, h.headers.get("content-length")) for h, b, _ in responses] == [(200, b"Hello, World!", "13")] * 3


@pytest.mark.parametrize("threads", THREADS)
def test_environ(threads):
    def main(server):
        data = (b"POST /caf%C3%A9?q=%20 HTTP/1.1\r\nHost: h:1\r\nX-A: 1\r\nx-a: 2\r\nX_A: spoof\r\n"
                b"Content-Type: text/plain\r\nContent-Length: 3\r\n\r\nabc")  # fmt: skip
        return (yield from ask(server, data, ["POST"]))

    [(head, body, _)] = iorun(wsgi_serving(environ_app, main, threads))
    assert eval(body) == [
        "POST", "", "/caf\xc3\xa9", "q=%20", "text/plain", "3", "127.0.0.1", "HTTP/1.1", "127.0.0.1",
        "1,2", "h:1", "http", b"abc", True,
    ]  # fmt: skip


@pytest.mark.parametrize("threads", THREADS)
def test_input_reads_a_chunked_body_and_never_past_it(threads):
    def main(server):
        data = (b"POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
                b"4\r\nab\nc\r\n5\r\nde\nfg\r\n0\r\n\r\n") + GET  # fmt: skip
        return (yield from ask(server, data, ["POST", "GET"]))

    (_, first, _), (_, second, _) = iorun(wsgi_serving(reader_app, main, threads))
    assert eval(first) == (b"ab\n", b"cd", [b"e\n", b"fg"])
    assert second == repr((b"", b"", [])).encode()


def test_expect_continue_goes_out_when_the_app_reads():
    def main(server):
        stream = yield from connect(server)
        with stream:
            yield from stream.write(b"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\nExpect: 100-continue\r\n\r\n")
            interim = yield from stream.read_until(b"\r\n\r\n")
            yield from stream.write(b"abc")
            return interim, (yield from read_responses(stream, ["POST"]))

    interim, [(_, body, _)] = iorun(wsgi_serving(environ_app, main, 2))
    assert interim == b"HTTP/1.1 100 Continue\r\n\r\n" and b"b'abc'" in body


def test_expect_continue_never_sent_when_the_app_does_not_read():
    def main(server):
        stream = yield from connect(server)
        with stream:
            yield from stream.write(b"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\nExpect: 100-continue\r\n\r\n")
            return (yield from stream.read())

    data = iorun(wsgi_serving(hello_app, main, 2))
    assert data.startswith(b"HTTP/1.1 200 OK") and b"100 Continue" not in data


@pytest.mark.parametrize("threads", THREADS)
def test_write_callable_and_generator_body_closed(threads):
    closed = []

    def app(environ, start_response):
        write = start_response("200 OK", [("Content-Type", "text/plain")])
        write(b"written ")

        def body():
            try:
                yield b"one "
                yield b""
                yield b"two"
            finally:
                closed.append(True)

        return body()

    def main(server):
        return (yield from ask(server, GET + b"HEAD / HTTP/1.1\r\nHost: x\r\n\r\n", ["GET", "HEAD"]))

    (head, body, _), (head2, body2, _) = iorun(wsgi_serving(app, main, threads))
    assert head.framing == "chunked" and body == b"written one two" and body2 == b""
    assert closed == [True, True]


@pytest.mark.parametrize("threads", THREADS)
def test_error_page_with_exc_info(threads):
    def app(environ, start_response):
        start_response("200 OK", [("Content-Type", "text/plain")])
        try:
            raise ValueError("oops")
        except ValueError:
            import sys

            start_response("500 Internal Server Error", [("Content-Type", "text/plain")], sys.exc_info())
        return [b"sorry"]

    def main(server):
        return (yield from ask(server, GET))

    [(head, body, _)] = iorun(wsgi_serving(app, main, threads))
    assert head.status == 500 and body == b"sorry"


@pytest.mark.parametrize("threads", THREADS)
def test_app_that_raises_gets_500_logged(threads, caplog):
    def app(environ, start_response):
        if environ["PATH_INFO"] == "/boom":
            raise RuntimeError("secret")
        return hello_app(environ, start_response)

    def main(server):
        failed = yield from ask(server, b"GET /boom HTTP/1.1\r\nHost: x\r\n\r\n")
        return failed + (yield from ask(server, GET))

    with caplog.at_level(logging.ERROR, logger="genlet.http"):
        (bad, body, _), (good, _, _) = iorun(wsgi_serving(app, main, threads))
    assert bad.status == 500 and b"secret" not in body and good.status == 200
    assert any(r.name == "genlet.http" and r.exc_info for r in caplog.records)


def test_failure_in_the_body_after_the_head_closes_the_connection(caplog):
    closed = []

    def app(environ, start_response):
        start_response("200 OK", [("Content-Type", "text/plain")])

        def body():
            try:
                yield b"part"
                raise RuntimeError("midway")
            finally:
                closed.append(True)

        return body()

    def main(server):
        stream = yield from connect(server)
        with stream:
            yield from stream.write(GET)
            return (yield from stream.read())

    with caplog.at_level(logging.ERROR, logger="genlet.http"):
        data = iorun(wsgi_serving(app, main, 2))
    assert data.startswith(b"HTTP/1.1 200 OK") and not data.endswith(b"0\r\n\r\n") and closed == [True]


def test_a_blocking_app_does_not_block_other_connections():
    release = threading.Event()

    def app(environ, start_response):
        if environ["PATH_INFO"] == "/slow":
            release.wait(5)
        start_response("200 OK", [("Content-Type", "text/plain")])
        return [environ["PATH_INFO"].encode()]

    def main(server):
        slow = genlet.spawn(ask, server, b"GET /slow HTTP/1.1\r\nHost: x\r\n\r\n")
        [(_, fast, _)] = yield from ask(server, GET)
        done_first = slow.done()
        release.set()
        [(_, slow_body, _)] = yield from slow.join()
        return fast, done_first, slow_body

    assert genlet.run(wsgi_serving(app, main, 2)) == (b"/", False, b"/slow")


def test_a_client_reset_mid_response_closes_the_iterable():
    closed = []

    def app(environ, start_response):
        start_response("200 OK", [("Content-Type", "text/plain")])

        def body():
            try:
                while True:
                    time.sleep(0.005)
                    yield b"tick"
            finally:
                closed.append(True)

        return body()

    def main(server):
        stream = yield from connect(server)
        yield from stream.write(GET)
        yield from stream.read_until(b"tick")
        stream.transport.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        stream.close()
        for _ in range(200):
            if closed and not server.connections:
                break
            yield from genlet.sleep(0.01)
        return server.connections

    with NoLeaks():
        assert genlet.run(wsgi_serving(app, main, 2)) == 0
    assert closed == [True]


def test_an_app_in_a_thread_is_not_watched_by_a_task_of_its_own():
    """Once the application runs in its thread nothing can stop it, so no watcher task reads
    the client meanwhile (it cost every request a task, a failed receive and a trip through
    the poller)."""
    seen = []

    def app(environ, start_response):
        kernel_tasks = genlet.io.from_thread(lambda: [task.name for task in genlet.kernel.current_kernel().tasks()])
        seen.append([name for name in kernel_tasks if "_watch" in name])
        start_response("200 OK", [("Content-Type", "text/plain"), ("Content-Length", "2")])
        return [b"ok"]

    def main(server):
        return (yield from ask(server, GET + GET, ("GET", "GET")))

    responses = iorun(wsgi_serving(app, main, 2))
    assert [body for _, body, _ in responses] == [b"ok", b"ok"] and seen == [[], []], seen


def test_a_client_that_leaves_while_its_request_waits_for_a_thread_gets_no_thread():
    """threads=1, busy: a second client that sends its request and resets while it waits for
    the thread is noticed when its turn comes: the application never runs for it."""
    release = threading.Event()
    paths = []

    def app(environ, start_response):
        paths.append(environ["PATH_INFO"])
        if environ["PATH_INFO"] == "/slow":
            release.wait(5)
        start_response("200 OK", [("Content-Type", "text/plain")])
        return [b"done"]

    def main(server):
        slow = genlet.spawn(ask, server, b"GET /slow HTTP/1.1\r\nHost: x\r\n\r\n")
        while not paths:
            yield from genlet.sleep(0.01)
        stream = yield from connect(server)
        yield from stream.write(b"GET /gone HTTP/1.1\r\nHost: x\r\n\r\n")
        yield from genlet.sleep(0.05)  # its request is read, and waits for the thread
        stream.transport.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        stream.close()
        yield from genlet.sleep(0.05)
        release.set()
        [(_, body, _)] = yield from slow.join()
        [(_, after, _)] = yield from ask(server, GET)  # the thread is free again
        return body, after

    with NoLeaks():
        assert genlet.run(wsgi_serving(app, main, 1)) == (b"done", b"done")
    assert paths == ["/slow", "/"]


def test_threads_is_checked():
    with pytest.raises(ValueError, match="threads must be an int >= 0"):
        genlet.http.WSGIServer(("127.0.0.1", 0), hello_app, threads=-1)
    with pytest.raises(TypeError, match="WSGI application"):
        genlet.http.WSGIServer(("127.0.0.1", 0), None)


def test_flask_app():
    flask = pytest.importorskip("flask")
    app = flask.Flask("genlet_test")

    @app.route("/hello/<name>")
    def hello(name):
        return "Hello, %s! %s" % (name, flask.request.args.get("x"))

    @app.route("/echo", methods=["POST"])
    def echo():
        return flask.jsonify(got=flask.request.get_data().decode())

    def main(server):
        data = (b"GET /hello/caf%C3%A9?x=1 HTTP/1.1\r\nHost: x\r\n\r\n"
                b"POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\n\r\nabc"
                b"GET /missing HTTP/1.1\r\nHost: x\r\n\r\n")  # fmt: skip
        return (yield from ask(server, data, ["GET", "POST", "GET"]))

    # Discussion: not through wsgiref's validator: werkzeug reads a body with read() and no
    # size, as the wsgi.input_terminated extension allows; the validator predates it.
    responses = iorun(wsgi_serving(app.wsgi_app, main, 2, validate=False))
    assert [(h.status, b) for h, b, _ in responses[:2]] == [(200, "Hello, café! 1".encode()), (200, b'{"got":"abc"}\n')]
    assert responses[2][0].status == 404

    def chunked(server):
        data = b"POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n"
        return (yield from ask(server, data, ["POST"]))

    [(head, body, _)] = iorun(wsgi_serving(app.wsgi_app, chunked, 2, validate=False))
    assert (head.status, body) == (200, b'{"got":"abc"}\n')


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT])
def test_wsgi_hello_example_serves_at_top_level_and_stops_gracefully(signum):
    from .test_io_examples import ExampleServer

    server = ExampleServer("wsgi_hello.py")
    try:
        with socket.create_connection(("127.0.0.1", server.port), timeout=10) as client:
            client.sendall(b"GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
            reply = b""
            while True:
                data = client.recv(65536)
                if not data:
                    break
                reply += data
    finally:
        server.process.send_signal(signum)
        out, err = server.process.communicate(timeout=20)
    assert reply.startswith(b"HTTP/1.1 200 OK") and reply.endswith(b"\r\n\r\n<b>hello world</b>")
    assert server.process.returncode == 0, err
    assert out.strip().endswith("stopped") and "Traceback" not in err


@pytest.mark.parametrize("threads", [0, 1])
def test_an_app_that_never_calls_start_response_gets_500_and_frees_its_thread_slot(threads, caplog):
    closed = []

    def app(environ, start_response):
        def body():
            try:
                yield b"no head"
            finally:
                closed.append(True)

        if environ["PATH_INFO"] == "/forgot":
            return body()
        return hello_app(environ, start_response)

    def main(server):
        first = yield from ask(server, b"GET /forgot HTTP/1.1\r\nHost: x\r\n\r\n")
        second = yield from ask(server, b"GET /forgot HTTP/1.1\r\nHost: x\r\n\r\n")
        return first + second + (yield from ask(server, GET))  # threads=1: the slot came back

    with caplog.at_level(logging.ERROR, logger="genlet.http"):
        responses = iorun(wsgi_serving(app, main, threads, validate=False))
    assert [head.status for head, _, _ in responses] == [500, 500, 200] and closed == [True, True]
    assert "without calling start_response" in str(caplog.records[0].exc_info[1])

"""genlet.http's cooperative Server on any interpreter: a plain script, no pytest.

Run from the repository root:
    MICROPYPATH=. micropython tests/mpy/check_http_server.py   (unix port; the wasm port has no sockets: SKIP)
    python3 tests/mpy/check_http_server.py                       (CPython; also run by pytest)
Serves a page on loopback and fetches it with raw HTTP bytes over a genlet connection:
keep-alive, a request body, a streamed (chunked) response, a malformed request. Prints
"http server: ok" at the end; any failure raises.
"""

import support  # tests/mpy/support.py: the way in, and a server on a free port

support.need_sockets("http server")

import genlet  # noqa: E402
import genlet.io  # noqa: E402
from genlet.http import Response  # noqa: E402
from genlet.http.server import Server  # noqa: E402


def free_server(handler):
    return support.free_server(lambda port: Server(("127.0.0.1", port), handler))


def page(request):
    if request.path == "/echo":
        body = yield from request.read()
        return Response(200, [("Content-Type", "text/plain")], b"got " + body)
    if request.path == "/stream":

        def pieces(writer):
            for n in range(3):
                yield from writer.write(b"piece %d;" % n)
                yield from genlet.sleep(0)

        return Response(200, [("Content-Type", "text/plain")], pieces)
    yield from genlet.sleep(0.001)  # a handler may wait on anything genlet offers
    if request.path != "/":
        return Response(404, [("Content-Type", "text/plain")], b"no page at " + request.path.encode())
    return Response(200, [("Content-Type", "text/html")], b"<h1>Hello from genlet.http</h1>")


def read_until(stream, marker):
    data = b""
    while marker not in data:
        piece = yield from stream.read(4096)
        if not piece:
            raise AssertionError("the server closed early; got %r" % data)
        data += piece
    return data


def response(stream):
    """One Content-Length response off the stream: (status line, headers text, body)."""
    data = yield from read_until(stream, b"\r\n\r\n")
    head, _, body = data.partition(b"\r\n\r\n")
    lines = head.split(b"\r\n")
    length = 0
    for line in lines[1:]:
        name, _, value = line.partition(b":")
        if name.lower() == b"content-length":
            length = int(value.strip())
    while len(body) < length:
        body += yield from stream.read(length - len(body))
    return lines[0], head, body


def main():
    server, port = free_server(page)
    serving = genlet.spawn(server.serve_forever)
    stream = yield from genlet.io.open_connection("127.0.0.1", port)
    # keep-alive: three requests on one connection
    yield from stream.write(b"GET / HTTP/1.1\r\nHost: localhost\r\n\r\n")
    status, head, body = yield from response(stream)
    assert status == b"HTTP/1.1 200 OK", status
    assert b"Server: genlet" in head and b"Date: " in head, head
    assert body == b"<h1>Hello from genlet.http</h1>", body
    yield from stream.write(b"POST /echo HTTP/1.1\r\nHost: localhost\r\nContent-Length: 5\r\n\r\nhello")
    status, head, body = yield from response(stream)
    assert (status, body) == (b"HTTP/1.1 200 OK", b"got hello"), (status, body)
    yield from stream.write(b"GET /missing HTTP/1.1\r\nHost: localhost\r\n\r\n")
    status, head, body = yield from response(stream)
    assert (status, body) == (b"HTTP/1.1 404 Not Found", b"no page at /missing"), (status, body)
    # a streamed body: chunked on HTTP/1.1
    yield from stream.write(b"GET /stream HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n")
    data = yield from read_until(stream, b"0\r\n\r\n")
    assert b"Transfer-Encoding: chunked" in data and b"8\r\npiece 0;\r\n" in data, data
    stream.close()
    # a malformed request: 400 and the connection closed
    stream = yield from genlet.io.open_connection("127.0.0.1", port)
    yield from stream.write(b"GET / HTTP/1.1\r\nHost: a\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n")
    data = yield from stream.read()
    assert data.startswith(b"HTTP/1.1 400 Bad Request\r\n"), data
    stream.close()
    server.close()
    yield from serving.join()


genlet.run(main)
print("http server: ok")

"""genlet.http's client on any interpreter: a plain script, no pytest.

Run from the repository root:
    MICROPYPATH=. micropython tests/mpy/check_http_client.py   (unix port; the wasm port has no sockets: SKIP)
    python3 tests/mpy/check_http_client.py                       (CPython; also run by pytest)
Starts genlet's Server on loopback and fetches from it with genlet.http's Client: a GET, a
POST with JSON, keep-alive (one connection), a chunked body, a redirect, a cookie, a 404 with
raise_for_status, streaming. gzip and TLS where the interpreter has zlib and ssl, else a SKIP
line each. Prints "http client: ok" at the end; any failure raises.
"""

import support  # tests/mpy/support.py: the way in, and a server on a free port

support.need_sockets("http client")

import genlet  # noqa: E402
import genlet.http  # noqa: E402
from genlet.http import Response  # noqa: E402
from genlet.http.client import Client  # noqa: E402
from genlet.http.decoding import accept_encoding  # noqa: E402
from genlet.http.server import Server  # noqa: E402


def free_server(handler):
    return support.free_server(lambda port: Server(("127.0.0.1", port), handler), 21000)


def page(request):
    body = yield from request.read()
    path = request.path
    if path == "/old":
        return Response(301, [("Location", "/new")])
    if path == "/login":
        return Response(200, [("Set-Cookie", "sid=7; Path=/")], b"welcome")
    if path == "/stream":

        def pieces(writer):
            for n in range(3):
                yield from writer.write(b"piece %d;" % n)

        return Response(200, None, pieces)
    if path == "/missing":
        return Response(404, None, b"no such page")
    text = "%s %s %s cookie=%s" % (request.method, request.target, body.decode(), request.headers.get("cookie"))
    return Response(200, [("Content-Type", "text/plain; charset=utf-8")], text.encode())


def main():
    server, port = free_server(page)
    serving = genlet.spawn(server.serve_forever)
    base = "http://127.0.0.1:%d" % port
    client = Client(timeout=10)
    r = yield from client.get(base + "/hello", params={"q": "a b"})
    assert (r.status, r.reason, r.http_version) == (200, "OK", "1.1"), r
    assert r.text() == "GET /hello?q=a%20b  cookie=None", r.text()
    assert r.headers.get("CONTENT-TYPE") == "text/plain; charset=utf-8"
    r = yield from client.post(base + "/data", json={"n": 1})
    assert r.text() == 'POST /data {"n": 1} cookie=None' or r.text() == 'POST /data {"n":1} cookie=None', r.text()
    r = yield from client.post(base + "/parts", body=iter([b"one ", b"two"]))
    assert r.text() == "POST /parts one two cookie=None", r.text()
    r = yield from client.get(base + "/old")
    assert r.text().startswith("GET /new "), r.text()
    assert [h.status for h in r.history] == [301] and r.url == base + "/new", (r.history, r.url)
    yield from client.get(base + "/login")
    r = yield from client.get(base + "/me")
    assert r.text().endswith("cookie=sid=7"), r.text()
    r = yield from client.get(base + "/missing")
    try:
        r.raise_for_status()
        raise AssertionError("a 404 passed raise_for_status()")
    except genlet.http.HTTPStatusError as exc:
        assert exc.status == 404
    stream = yield from client.stream("GET", base + "/stream")
    first = yield from stream.read(3)
    rest = yield from stream.read()
    assert first + rest == b"piece 0;piece 1;piece 2;", (first, rest)
    stats = client.statistics()
    assert stats["opened"] == 1 and stats["idle"] == 1, stats  # every request on one connection
    client.close()
    try:
        yield from genlet.http.get("ftp://example.com/")
        raise AssertionError("an ftp URL was accepted")
    except ValueError:
        pass
    server.close()
    yield from serving.join()


genlet.run(main)
if accept_encoding() is None:
    print("http client gzip: SKIP (this interpreter has no zlib.decompressobj)")
try:
    import ssl  # noqa: F401

    tls = hasattr(ssl, "create_default_context")
except ImportError:
    tls = False
if not tls:
    print("http client https: SKIP (this port's ssl has no SSLContext verification; tests/test_http_client_tls.py covers it)")
print("http client: ok")

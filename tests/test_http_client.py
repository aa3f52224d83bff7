"""genlet.http's client against genlet's own server (and raw servers for the odd cases)."""

import json
import socket
import zlib

import pytest

import genlet
import genlet.http
import genlet.io
from genlet.http import Client, Response

from .http_support import serving
from .io_support import NoLeaks, reset


def echo(request):
    """Answers with what it got: method, target, body, and some headers, as JSON."""
    body = yield from request.read()
    info = {
        "method": request.method,
        "target": request.target,
        "body": body.decode("latin-1"),
        "remote": list(request.remote),
        "type": request.headers.get("content-type"),
        "te": request.headers.get("transfer-encoding"),
        "auth": request.headers.get("authorization"),
        "cookie": request.headers.get("cookie"),
        "x": request.headers.get("x-a"),
    }
    status = int(request.path[8:]) if request.path.startswith("/status/") else 200
    return Response(status, [("Content-Type", "application/json; charset=utf-8")], json.dumps(info).encode())


def base(server, host="127.0.0.1"):
    return "http://%s:%d" % (host, server.address[1])


def run(handler, main, **limits):
    with NoLeaks():
        return genlet.run(serving(handler, main, **limits))


def test_get_returns_the_servers_response_class_filled_in():
    def main(server):
        r = yield from genlet.http.get(base(server) + "/a/b?c=d", timeout=5)
        return r

    r = run(echo, main)
    assert isinstance(r, Response)
    assert (r.status, r.reason, r.http_version) == (200, "OK", "1.1")
    assert r.headers.get("CONTENT-TYPE") == "application/json; charset=utf-8"
    assert r.json()["target"] == "/a/b?c=d"
    assert r.text().startswith("{")
    assert r.url.endswith("/a/b?c=d") and r.history == ()
    assert r.raise_for_status() is r


def test_params_json_str_bytes_and_iterable_bodies():
    def main(server):
        url = base(server) + "/p?x=1"
        client = Client(headers={"X-A": "client"})
        with client:
            a = yield from client.get(url, params={"q": "a b&c", "n": 2, "skip": None})
            b = yield from client.post(url, json={"k": [1, 2]})
            c = yield from client.put(url, body="héllo")
            d = yield from client.post(url, body=b"raw", headers={"X-A": "own"})
            e = yield from client.post(url, body=(piece for piece in [b"one ", b"", b"two"]))
            f = yield from client.delete(url)
        return [r.json() for r in (a, b, c, d, e, f)]

    a, b, c, d, e, f = run(echo, main)
    assert a["target"] == "/p?x=1&q=a%20b%26c&n=2" and a["x"] == "client"
    assert json.loads(b["body"]) == {"k": [1, 2]} and b["type"] == "application/json"
    assert c["body"].encode("latin-1").decode() == "héllo" and c["type"] == "text/plain; charset=utf-8"
    assert d["body"] == "raw" and d["x"] == "own"
    assert e["body"] == "one two" and e["te"] == "chunked"
    assert f["method"] == "DELETE"


def test_raise_for_status():
    def main(server):
        r = yield from genlet.http.get(base(server) + "/status/404")
        with pytest.raises(genlet.http.HTTPStatusError, match="404 Not Found .client error. for http://") as info:
            r.raise_for_status()
        assert info.value.response is r and info.value.status == 404
        r = yield from genlet.http.get(base(server) + "/status/503")
        with pytest.raises(genlet.http.HTTPStatusError, match="server error"):
            r.raise_for_status()

    run(echo, main)


def test_sequential_requests_reuse_one_connection():
    def main(server):
        remotes = set()
        with Client() as client:
            for _ in range(5):
                r = yield from client.get(base(server) + "/")
                remotes.add(tuple(r.json()["remote"]))
            assert client.statistics()["opened"] == 1
        return remotes

    assert len(run(echo, main)) == 1


def test_max_per_host_makes_the_rest_wait_their_turn():
    state = {"now": 0, "most": 0}

    def slow(request):
        state["now"] += 1
        state["most"] = max(state["most"], state["now"])
        yield from genlet.sleep(0.02)
        state["now"] -= 1
        return Response(200, None, b"ok")

    def main(server):
        with Client(max_per_host=2) as client:
            tasks = [genlet.spawn(client.get, base(server) + "/") for _ in range(6)]
            bodies = []
            for task in tasks:
                bodies.append((yield from task.join()).body)
            assert client.statistics()["opened"] == 2
        return bodies

    assert run(slow, main) == [b"ok"] * 6
    assert state["most"] == 2


def test_max_connections_caps_across_hosts():
    def main(server):
        with Client(max_per_host=5, max_connections=1) as client:
            a = yield from client.get(base(server, "127.0.0.1") + "/")
            b = yield from client.get(base(server, "localhost") + "/")  # closes the idle one
            stats = client.statistics()
        return a, b, stats

    a, b, stats = run(echo, main)
    assert stats["opened"] == 2 and stats["open"] == 1


def test_an_idle_connection_expires():
    def main(server):
        with Client(keepalive_expiry=0.05) as client:
            a = yield from client.get(base(server) + "/")
            yield from genlet.sleep(0.1)
            b = yield from client.get(base(server) + "/")
            return client.statistics()["opened"], a.json()["remote"] != b.json()["remote"]

    assert run(echo, main) == (2, True)


def test_a_waiting_request_cancelled_passes_its_turn_on():
    def main(server):
        with Client(max_per_host=1) as client:
            first = yield from client.stream("GET", base(server))  # holds the one connection
            second = genlet.spawn(client.get, base(server))
            third = genlet.spawn(client.get, base(server))
            yield from genlet.sleep(0.01)  # both wait their turn
            first.close()  # the turn goes to the second...
            second.cancel()  # ...which is cancelled before it could take it
            with genlet.fail_after(1):
                return (yield from third.join()).status

    assert run(big, main) == 200


# -- raw servers: the keep-alive race, framing, truncation ------------------------------------


def raw(handler, main):
    """Run ``main(address)`` against a genlet.io server whose handler writes raw bytes."""

    def run_it():
        server = genlet.io.tcp_server("127.0.0.1", 0, handler)
        task = genlet.spawn(server.serve_forever)
        try:
            return (yield from main("http://127.0.0.1:%d" % server.address[1]))
        finally:
            server.close(grace=0)
            yield from task.join()

    with NoLeaks():
        return genlet.run(run_it)


def read_request(stream):
    head = yield from stream.read_until(b"\r\n\r\n")
    length = 0
    for line in head.split(b"\r\n"):
        if line.lower().startswith(b"content-length:"):
            length = int(line.split(b":")[1])
    if length:
        yield from stream.read_exactly(length)
    return head


def answer_once_then_close(counter):
    """Answers the first request of each connection with keep-alive, then hangs up."""

    def handler(stream, address):
        counter.append(address)
        yield from read_request(stream)
        yield from stream.write(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok")
        yield from genlet.sleep(0.01)  # the client has pooled the connection by now

    return handler


def test_the_keep_alive_race_is_retried_once_for_get():
    counter = []

    def main(url):
        with Client() as client:
            a = yield from client.get(url)
            yield from genlet.sleep(0.03)  # the server closed the pooled connection meanwhile
            b = yield from client.get(url)
            return a.body, b.body

    assert raw(answer_once_then_close(counter), main) == (b"ok", b"ok")
    assert len(counter) == 2


def test_the_keep_alive_race_is_not_retried_for_post():
    def main(url):
        with Client() as client:
            yield from client.post(url, body=b"x")
            yield from genlet.sleep(0.03)
            with pytest.raises(genlet.io.ConnectionError, match="127.0.0.1:%s" % url.rsplit(":", 1)[1]):
                yield from client.post(url, body=b"x")

    raw(answer_once_then_close([]), main)


@pytest.mark.parametrize(
    "reply",
    [
        b"HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello",
        b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nhe\r\n3\r\nllo\r\n0\r\n\r\n",
        b"HTTP/1.0 200 OK\r\n\r\nhello",
        b"HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello",
    ],
    ids=["content-length", "chunked", "until-close", "interim"],
)
def test_body_framings(reply):
    def handler(stream, address):
        yield from read_request(stream)
        yield from stream.write(reply)

    def main(url):
        with Client() as client:
            r = yield from client.get(url)
            return r.body, client.statistics()

    body, stats = raw(handler, main)
    assert body == b"hello"


@pytest.mark.parametrize("coding", ["gzip", "deflate", "raw-deflate"])
def test_compressed_bodies_are_decoded(coding):
    text = b"compress me " * 500
    wbits = {"gzip": 31, "deflate": 15, "raw-deflate": -15}[coding]
    packer = zlib.compressobj(6, zlib.DEFLATED, wbits)
    packed = packer.compress(text) + packer.flush()

    def handler(request):
        assert request.headers.get("accept-encoding") == "gzip, deflate"
        yield from genlet.sleep(0)
        return Response(200, [("Content-Encoding", coding.replace("raw-", ""))], packed)

    def main(server):
        return (yield from genlet.http.get(base(server))).body

    assert run(handler, main) == text


def test_a_truncated_body_keeps_what_arrived():
    def handler(stream, address):
        yield from read_request(stream)
        yield from stream.write(b"HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\npartial")

    def main(url):
        with Client() as client:
            with pytest.raises(genlet.http.ProtocolError, match="after 7 of the 100 bytes") as info:
                yield from client.get(url)
            assert info.value.partial == b"partial"
            assert client.statistics()["open"] == 0

    raw(handler, main)


def test_a_reset_names_the_host_and_port():
    def handler(stream, address):
        yield from read_request(stream)
        yield from stream.write(b"HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\npart")
        yield from genlet.sleep(0.01)
        reset(stream)

    def main(url):
        with pytest.raises(genlet.io.ConnectionResetError, match="127.0.0.1:"):
            yield from genlet.http.get(url)

    raw(handler, main)


def test_a_malformed_response_is_a_protocol_error():
    def handler(stream, address):
        yield from read_request(stream)
        yield from stream.write(b"HTTP/1.1 200 OK\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\nxx")

    def main(url):
        with pytest.raises(genlet.http.ProtocolError, match="Content-Length"):
            yield from genlet.http.get(url)

    raw(handler, main)


# -- redirects ---------------------------------------------------------------------------


def redirector(request):
    body = yield from request.read()
    parts = request.path.split("/")
    if parts[1] == "r":  # /r/STATUS/LOCATION...
        return Response(int(parts[2]), [("Location", "/" + "/".join(parts[3:]))], b"moved")
    if parts[1] == "loop":
        return Response(302, [("Location", "/loop")], b"")
    if parts[1] == "away":  # to the same server under another host name
        return Response(302, [("Location", "http://localhost:%s/echo" % request.headers.get("host").split(":")[1])])
    request._body = body
    return (yield from echo(request))


@pytest.mark.parametrize("status", [301, 302, 303, 307, 308])
def test_redirects_change_the_method_as_the_rfc_says(status):
    def main(server):
        r = yield from genlet.http.post(base(server) + "/r/%d/echo" % status, body=b"data")
        return r

    r = run(redirector, main)
    info = r.json()
    if status in (307, 308):
        assert (info["method"], info["body"]) == ("POST", "data")
    else:
        assert (info["method"], info["body"]) == ("GET", "")
    assert [h.status for h in r.history] == [status]
    assert r.url.endswith("/echo") and r.history[0].url.endswith("/r/%d/echo" % status)


def test_too_many_redirects_and_follow_redirects_false():
    def main(server):
        with pytest.raises(genlet.http.TooManyRedirects, match="more than max_redirects=10") as info:
            yield from genlet.http.get(base(server) + "/loop")
        assert len(info.value.history) == 11
        r = yield from genlet.http.get(base(server) + "/loop", follow_redirects=False)
        assert r.status == 302 and r.headers.get("location") == "/loop"

    run(redirector, main)


def test_authorization_is_dropped_when_the_host_changes():
    def main(server):
        same = yield from genlet.http.get(base(server) + "/r/302/echo", headers={"Authorization": "secret"})
        other = yield from genlet.http.get(base(server) + "/away", headers={"Authorization": "secret"})
        return same.json()["auth"], other.json()["auth"], other.url

    same, other, url = run(redirector, main)
    assert (same, other) == ("secret", None) and url.startswith("http://localhost:")


def test_cookies_are_kept_per_client():
    def handler(request):
        yield from genlet.sleep(0)
        if request.path == "/login":
            return Response(302, [("Set-Cookie", "sid=42; Path=/; HttpOnly"), ("Location", "/me")])
        if request.path == "/logout":
            return Response(200, [("Set-Cookie", "sid=; Max-Age=0; Path=/")])
        return Response(200, None, (request.headers.get("cookie") or "-").encode())

    def main(server):
        with Client() as client:
            a = yield from client.get(base(server) + "/login")
            b = yield from client.get(base(server) + "/other")
            yield from client.get(base(server) + "/logout")
            c = yield from client.get(base(server) + "/other")
            return a.body, b.body, c.body, client.cookies.get("sid")

    assert run(handler, main) == (b"sid=42", b"sid=42", b"-", None)


# -- streaming -----------------------------------------------------------------------------


def big(request):
    def body(writer):
        for i in range(10):
            yield from writer.write(b"%d" % i * 1000)

    yield from genlet.sleep(0)
    return Response(200, None, body)


def test_streaming_reads_pieces_and_pools_the_connection_at_the_end():
    def main(server):
        with Client() as client:
            r = yield from client.stream("GET", base(server))
            with r:
                first = yield from r.read(10)
                pieces = []
                while True:
                    piece = yield from r.read_chunk()
                    if not piece:
                        break
                    pieces.append(piece)
            assert r.closed and r.body == b""
            assert client.statistics()["idle"] == 1
            again = yield from client.get(base(server))
            return first, b"".join(pieces), again.body, client.statistics()["opened"]

    first, rest, again, opened = run(big, main)
    assert first == b"0" * 10 and first + rest == again and len(again) == 10000
    assert opened == 1


def test_a_stream_closed_early_closes_its_connection():
    def main(server):
        with Client() as client:
            r = yield from client.stream("GET", base(server))
            yield from r.read(5)
            r.close()
            assert client.statistics() == dict(client.statistics(), open=0, idle=0)
            yield from client.get(base(server))
            return client.statistics()["opened"]

    assert run(big, main) == 2


# -- timeouts and cancellation -------------------------------------------------------------


def sleepy(request):
    yield from genlet.sleep(float(request.query or "0"))
    return Response(200, None, b"late")


def test_timeout_raises_timeout_error_and_pools_nothing_half_read():
    def main(server):
        with Client() as client:
            with pytest.raises(genlet.TimeoutError, match=r"GET http://127.0.0.1:\d+/\?1: no response within 0.05 seconds"):
                yield from client.get(base(server) + "/?1", timeout=0.05)
            assert client.statistics()["open"] == 0
            with pytest.raises(genlet.TimeoutError, match=r"no data from 127.0.0.1:\d+ for 0.05 seconds \(read_timeout"):
                yield from client.get(base(server) + "/?1", read_timeout=0.05)
            assert client.statistics()["open"] == 0
            r = yield from client.get(base(server) + "/?0", timeout=1)
            return r.body

    assert run(sleepy, main) == b"late"


def test_an_outer_fail_after_and_a_cancel_also_work():
    def main(server):
        with Client() as client:
            with pytest.raises(genlet.TimeoutError):
                with genlet.fail_after(0.05):
                    yield from client.get(base(server) + "/?1")
            task = genlet.spawn(client.get, base(server) + "/?1")
            yield from genlet.sleep(0.02)
            task.cancel()
            with pytest.raises(genlet.TaskCancelled):
                yield from task.join()
            return client.statistics()

    stats = run(sleepy, main)
    assert stats["open"] == 0 and stats["opened"] == 2


# -- errors --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "url, message",
    [
        ("ftp://example.com/", "unsupported URL scheme 'ftp'"),
        ("example.com/path", "not an absolute URL"),
        ("http:///path", "has no host"),
        ("http://host:99999/", "bad port"),
    ],
)
def test_bad_urls_are_value_errors(url, message):
    def main():
        with pytest.raises(ValueError, match=message):
            yield from genlet.http.get(url)

    genlet.run(main)


def test_bad_arguments_say_what_to_pass():
    def main():
        with Client() as client:
            with pytest.raises(TypeError, match="unknown keyword 'timout'"):
                yield from client.get("http://127.0.0.1/", timout=1)
            with pytest.raises(ValueError, match="timeout is a number of seconds"):
                yield from client.get("http://127.0.0.1/", timeout=-1)
            with pytest.raises(TypeError, match="for JSON pass json="):
                yield from client.post("http://127.0.0.1/", body={"a": 1})
            with pytest.raises(ValueError, match="either body= or json="):
                yield from client.post("http://127.0.0.1/", body=b"", json=1)
            with pytest.raises(ValueError, match="header injection"):
                yield from client.get("http://127.0.0.1/", headers={"X": "a\r\nB: c"})
        with pytest.raises(RuntimeError, match="Client is closed"):
            yield from client.get("http://127.0.0.1/")

    genlet.run(main)


def test_a_refused_connection_names_host_and_port():
    probe = socket.socket()
    probe.bind(("127.0.0.1", 0))
    port = probe.getsockname()[1]
    probe.close()

    def main():
        with pytest.raises(genlet.io.ConnectionRefusedError, match="127.0.0.1 port %d" % port):
            yield from genlet.http.get("http://127.0.0.1:%d/" % port)

    with NoLeaks():
        genlet.run(main)


def test_a_name_that_does_not_resolve_is_a_gaierror_naming_it():
    def main():
        with pytest.raises(socket.gaierror, match="no-such-host.invalid"):
            yield from genlet.http.get("http://no-such-host.invalid/", timeout=5)

    genlet.run(main)


def test_the_default_client_is_per_kernel_and_closed_at_the_end():
    clients = []

    def main(server):
        yield from genlet.http.get(base(server))
        clients.append(genlet.http.client.default_client())
        assert clients[-1].statistics()["idle"] == 1

    run(echo, main)  # NoLeaks: its pooled connection was closed with the kernel
    assert clients[0].closed
    run(echo, main)
    assert clients[1] is not clients[0]


def test_the_micropython_client_check_runs_here_too():
    """tests/mpy/check_http_client.py is what MicroPython's unix port runs; keep it honest."""
    import os
    import subprocess
    import sys

    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    script = os.path.join("tests", "mpy", "check_http_client.py")
    done = subprocess.run([sys.executable, script], cwd=root, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0 and done.stdout.strip().endswith("http client: ok"), done.stderr
    assert "SKIP" not in done.stdout  # CPython has zlib and ssl


def test_a_body_that_does_not_decompress_is_a_protocol_error():
    def handler(request):
        yield from genlet.sleep(0)
        return Response(200, [("Content-Encoding", "gzip")], b"\x1f\x8b\x08\x00 this is not gzip at all")

    def main(server):
        with Client() as client:
            with pytest.raises(genlet.http.ProtocolError, match="the gzip body does not decompress") as info:
                yield from client.get(base(server))
            assert info.value.partial == b"" and client.statistics()["open"] == 0

    run(handler, main)

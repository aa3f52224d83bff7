"""genlet.http's client at its edges: a connect that never completes, credentials in the URL,
a 307/308 redirect after an iterable body."""

import base64
import json
import socket
import sys
import time

import pytest

import genlet
import genlet.http
from genlet.http import Client

from .test_http_client import base, redirector, run

# -- connect_timeout -----------------------------------------------------------------------


def full_listener():
    """A listening socket that never accepts, its accept queue filled: (it, the fillers).

    Discussion: with ``listen(0)`` Linux queues one finished handshake; once that is taken, a
    further SYN is dropped, unanswered, and the connect hangs (the system retries it for
    minutes). Exactly what a server too busy to accept looks like from the client.
    """
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(0)
    fillers = []
    for _ in range(2):
        filler = socket.socket()
        filler.setblocking(False)
        filler.connect_ex(listener.getsockname())
        fillers.append(filler)
    return listener, fillers


def test_connect_timeout_fires_when_the_server_never_answers_the_handshake():
    listener, fillers = full_listener()
    port = listener.getsockname()[1]
    try:
        probe = socket.socket()
        probe.settimeout(0.1)
        try:
            probe.connect(("127.0.0.1", port))
        except OSError:  # (socket.timeout): the trick works
            pass
        else:
            if not sys.platform.startswith("linux"):
                pytest.skip("this system answers a connect to a full accept queue (the trick is Linux's)")
            pytest.fail("a connect to a listener with a full accept queue completed on Linux")
        finally:
            probe.close()

        def main():
            started = time.monotonic()
            with pytest.raises(genlet.http.ConnectTimeout) as info:
                yield from genlet.http.get("http://127.0.0.1:%d/" % port, connect_timeout=0.3)
            elapsed = time.monotonic() - started
            assert genlet.http.client.default_client().statistics()["open"] == 0
            return info.value, elapsed

        error, elapsed = genlet.run(main)
    finally:
        for sock in fillers + [listener]:
            sock.close()
    assert isinstance(error, genlet.TimeoutError)
    assert str(error) == (
        "the connect to 127.0.0.1:%d timed out: no connection within 0.3 seconds (connect_timeout=0.3); "
        "raise connect_timeout if the server is slow to accept, or check that it is up" % port
    )
    assert 0.25 < elapsed < 5


def test_read_timeout_fires_between_two_reads_of_the_body():
    def handler(request):
        def body(writer):
            yield from writer.write(b"first ")
            yield from genlet.sleep(1)
            yield from writer.write(b"late")

        yield from genlet.sleep(0)
        return genlet.http.Response(200, None, body)

    def main(server):
        with Client() as client:
            r = yield from client.stream("GET", base(server), read_timeout=0.1)
            first = yield from r.read(6)
            with pytest.raises(genlet.TimeoutError, match=r"no data from 127.0.0.1:\d+ for 0.1 seconds \(read_timeout"):
                yield from r.read()
            r.close()
            return first, client.statistics()["open"]

    assert run(handler, main) == (b"first ", 0)


# -- user:password@ in the URL -------------------------------------------------------------


def basic(credentials):
    return "Basic " + base64.b64encode(credentials).decode()


def with_credentials(server, path, userinfo="us%40er:p%3Aw%C3%BC"):
    return base(server).replace("//", "//%s@" % userinfo) + path


def test_credentials_in_the_url_become_a_basic_authorization_header():
    def handler(request):
        yield from genlet.sleep(0)
        info = [request.target, request.headers.get("host"), request.headers.get("authorization")]
        return genlet.http.Response(200, None, json.dumps(info).encode())

    def main(server):
        r = yield from genlet.http.get(with_credentials(server, "/p?q=1"))
        user_only = yield from genlet.http.get(with_credentials(server, "/", "user"))
        return r.json(), r.url, user_only.json()[2]

    (target, host, auth), url, user_only = run(handler, main)
    assert auth == basic("us@er:p:wü".encode()) and user_only == basic(b"user:")
    assert (target, host) == ("/p?q=1", "127.0.0.1:%s" % url.split(":")[2].split("/")[0])
    assert "@" not in url and "us" not in url  # response.url shows no credentials either


def test_url_credentials_yield_to_an_explicit_header_and_stay_on_their_host():
    def main(server):
        own = yield from genlet.http.get(with_credentials(server, "/echo"), headers={"Authorization": "Bearer t"})
        client_default = Client(headers={"authorization": "Bearer c"})
        with client_default:
            default = yield from client_default.get(with_credentials(server, "/echo"))
        same = yield from genlet.http.get(with_credentials(server, "/r/302/echo"))
        other = yield from genlet.http.get(with_credentials(server, "/away"))
        return [r.json()["auth"] for r in (own, default, same, other)], other.url

    auths, url = run(redirector, main)
    assert auths == ["Bearer t", "Bearer c", basic("us@er:p:wü".encode()), None]
    assert url.startswith("http://localhost:")


def test_unquote_bytes_leaves_a_stray_percent_as_it_is():
    from genlet.http.url import unquote_bytes

    assert unquote_bytes("a%41%zz%4") == b"aA%zz%4"
    assert unquote_bytes("%e2%82%AC%") == "€%".encode()


# -- 307/308 after an iterable body --------------------------------------------------------


@pytest.mark.parametrize("status", [307, 308])
@pytest.mark.parametrize("kind", [list, tuple])
def test_a_list_or_tuple_body_is_sent_again_after_a_307_or_308(status, kind):
    def main(server):
        r = yield from genlet.http.post(base(server) + "/r/%d/echo" % status, body=kind([b"one ", b"two"]))
        return r.json(), [h.status for h in r.history]

    info, history = run(redirector, main)
    assert (info["method"], info["body"], info["te"], history) == ("POST", "one two", "chunked", [status])


@pytest.mark.parametrize("status", [307, 308])
def test_a_one_shot_body_and_a_307_or_308_is_a_stream_consumed_error_that_says_what_to_do(status):
    def main(server):
        with Client() as client:
            url = base(server) + "/r/%d/echo" % status
            with pytest.raises(genlet.http.StreamConsumed) as info:
                yield from client.post(url, body=(piece for piece in [b"one ", b"two"]))
            stats = client.statistics()
        return str(info.value), url, stats

    message, url, stats = run(redirector, main)
    assert message == (
        "POST %s: the %d redirect to %s needs the request body again, but it was a one-shot iterator, used "
        "up by the first send; pass the body as bytes or a list of bytes, or pass follow_redirects=False"
        % (url, status, url.split("/r/")[0] + "/echo")
    )
    assert stats["busy"] == 0 and stats["idle"] == 1  # the redirect's response was read: the connection kept

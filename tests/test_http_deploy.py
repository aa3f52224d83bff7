"""genlet.http in deployment: behind a proxy (forwarded_allow), over TLS (ssl=), on a socket."""

import logging
import socket

import pytest

import genlet
import genlet.http
import genlet.io
from genlet.http import Response
from genlet.http.forwarded import Trusted

from .http_support import ask, read_responses, serving
from .test_io_tls import certificate, contexts  # noqa: F401  (fixtures)


def whoami(request):
    yield from genlet.sleep(0)
    body = "%s %s %s" % (request.remote[0], request.remote[1], request.scheme)
    return Response(200, [("Content-Type", "text/plain")], body.encode())


def wsgi_whoami(environ, start_response):
    start_response("200 OK", [("Content-Type", "text/plain")])
    return [("%s %s" % (environ["REMOTE_ADDR"], environ["wsgi.url_scheme"])).encode()]


FORWARDED = (
    b"GET / HTTP/1.1\r\nHost: a\r\nX-Forwarded-For: 203.0.113.7, 10.0.0.5\r\n"
    b"X-Forwarded-Proto: https\r\nConnection: close\r\n\r\n"
)


def _body(server_kind, handler, request, **options):
    def main(server):
        [(head, body, _)] = yield from ask(server, request)
        return body.decode()

    return genlet.run(serving(handler, main, server_kind, **options))


# -- forwarded_allow ------------------------------------------------------------------------------
def test_a_trusted_proxy_gives_the_client_address_and_scheme():
    # the peer (127.0.0.1) is trusted by default; 10.0.0.5 is a proxy of ours, 203.0.113.7 the client
    assert _body(None, whoami, FORWARDED, forwarded_allow="127.0.0.1, 10.0.0.0/8") == "203.0.113.7 0 https"
    assert _body(genlet.http.WSGIServer, wsgi_whoami, FORWARDED, threads=0, forwarded_allow=["127.0.0.1", "10.0.0.5"]) == "203.0.113.7 https"


def test_the_default_trusts_loopback_as_gunicorn_does():
    # 10.0.0.5 is not trusted: it is the last address a trusted proxy (us, on loopback) vouches for
    assert _body(None, whoami, FORWARDED) == "10.0.0.5 0 https"


def test_an_untrusted_peer_s_forwarding_headers_are_ignored():
    for allow in ("10.0.0.1", "", None, ["192.168.0.0/16"]):
        text = _body(None, whoami, FORWARDED, forwarded_allow=allow)
        host, port, scheme = text.split()
        assert (host, scheme) == ("127.0.0.1", "http") and port != "0", allow
        assert _body(genlet.http.WSGIServer, wsgi_whoami, FORWARDED, forwarded_allow=allow) == "127.0.0.1 http"


def test_the_access_log_names_the_forwarded_client(caplog):
    caplog.set_level(logging.INFO, logger="genlet.http")
    _body(None, whoami, FORWARDED, log=True)
    assert [r.getMessage().split()[0] for r in caplog.records if "GET / HTTP/1.1" in r.getMessage()] == ["10.0.0.5"]


def test_malformed_forwarding_headers_change_nothing():
    bad = b"GET / HTTP/1.1\r\nHost: a\r\nX-Forwarded-For: 1.2.3.4,,5.6.7.8\r\nX-Forwarded-Proto: gopher\r\nConnection: close\r\n\r\n"
    host, port, scheme = _body(None, whoami, bad, forwarded_allow="*").split()
    assert (host, scheme) == ("127.0.0.1", "http")


def test_trusted_reads_every_hop_from_the_right():
    trusted = Trusted("*")
    assert trusted._client("1.1.1.1, 2.2.2.2") == "1.1.1.1"  # all trusted: the leftmost
    trusted = Trusted(["10.0.0.0/8", "::1"])
    assert trusted.trusts("10.1.2.3") and trusted.trusts("::1") and not trusted.trusts("11.0.0.1")
    assert not trusted.trusts("not an address")
    assert trusted._client("6.6.6.6, 1.1.1.1, 10.0.0.2") == "1.1.1.1"  # 6.6.6.6: the client's own claim
    with pytest.raises(ValueError, match="is not a network"):
        Trusted("10.0.0.0/99")
    with pytest.raises(TypeError, match="addresses as str"):
        Trusted([10])


# -- TLS --------------------------------------------------------------------------------------
def _https(kind, handler, contexts, **options):
    server_context, client_context = contexts

    def main(server):
        replies = []
        for _ in range(2):  # two requests: keep-alive over TLS
            stream = yield from genlet.io.open_connection(*server.address, ssl=client_context, server_hostname="localhost")
            with stream:
                request = b"GET /x HTTP/1.1\r\nHost: localhost\r\n\r\n" * 2
                yield from stream.write(request)
                for head, body, _ in (yield from read_responses(stream, ["GET", "GET"])):
                    replies.append((head.status, body))
        return replies

    return genlet.run(serving(handler, main, kind, ssl=server_context, **options))


def test_https_for_the_cooperative_server(contexts):
    replies = _https(None, whoami, contexts)
    assert len(replies) == 4 and all(status == 200 and body.endswith(b" https") for status, body in replies)


def test_https_for_the_wsgi_server(contexts):
    for threads in (0, 2):
        replies = _https(genlet.http.WSGIServer, wsgi_whoami, contexts, threads=threads)
        assert replies == [(200, b"127.0.0.1 https")] * 4


def test_a_large_streamed_response_over_tls(contexts):
    server_context, client_context = contexts
    piece = b"x" * 65536

    def big(request):
        def body(writer):
            for _ in range(32):
                yield from writer.write(piece)

        yield from genlet.sleep(0)
        return Response(200, [], body)

    def main(server):
        stream = yield from genlet.io.open_connection(*server.address, ssl=client_context, server_hostname="localhost")
        with stream:
            yield from stream.write(b"GET / HTTP/1.1\r\nHost: localhost\r\n\r\n")
            [(head, body, _)] = yield from read_responses(stream, ["GET"])
        return len(body)

    assert genlet.run(serving(big, main, ssl=server_context)) == 32 * 65536


def test_a_malformed_request_over_tls_gets_its_400(contexts):
    server_context, client_context = contexts

    def main(server):
        stream = yield from genlet.io.open_connection(*server.address, ssl=client_context, server_hostname="localhost")
        with stream:
            yield from stream.write(b"GET / HTTP/1.1\r\nHost: a\r\nContent-Length: x\r\n\r\n")
            return (yield from stream.read())

    reply = genlet.run(serving(whoami, main, ssl=server_context))
    assert reply.startswith(b"HTTP/1.1 400 Bad Request\r\n") and b"Connection: close" in reply


def test_ssl_true_is_refused():
    with pytest.raises(TypeError, match="SSLContext"):
        genlet.http.Server(("127.0.0.1", 0), whoami, ssl=True)


# -- serving on a listening socket -----------------------------------------------------------
def test_a_server_on_a_listening_socket():
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(8)
    port = listener.getsockname()[1]

    def main():
        server = genlet.http.WSGIServer(listener, wsgi_whoami, threads=0)
        assert server.address == ("127.0.0.1", port)
        task = genlet.spawn(server.serve_forever)
        [(head, body, _)] = yield from ask(server, b"GET / HTTP/1.1\r\nHost: a\r\n\r\n")
        server.close()
        yield from task.join()
        return body

    assert genlet.run(main) == b"127.0.0.1 http"


def test_a_bad_address_says_what_an_address_is():
    with pytest.raises(TypeError, match=r"\(host, port\) or a listening socket"):
        genlet.http.Server("127.0.0.1:80", whoami)


# -- MicroPython's golden script -------------------------------------------------------------
def test_the_micropython_server_check_runs_here_too():
    """tests/mpy/check_http_server.py is what MicroPython's unix port runs; keep it honest."""
    import os
    import subprocess
    import sys

    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    script = os.path.join("tests", "mpy", "check_http_server.py")
    done = subprocess.run([sys.executable, script], cwd=root, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0 and done.stdout.strip().endswith("http server: ok"), done.stderr


def test_the_package_imports_its_submodules_on_attribute_access():
    # (MicroPython's `from . import _log` goes through the package's __getattr__)
    assert genlet.http.__getattr__("_log").__name__ == "genlet.http._log"
    with pytest.raises(AttributeError, match="no attribute 'no_such_thing'"):
        genlet.http.no_such_thing

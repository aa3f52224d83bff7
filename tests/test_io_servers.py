"""tcp_server / unix_server, serve_forever, close, max_connections; open_connection."""

import errno
import logging
import os
import socket

import pytest

import genlet
import genlet.io
from genlet.io import open_connection, tcp_server

from .io_support import NoLeaks, iorun


def echo(stream, address):
    while True:
        line = yield from stream.readline()
        if not line:
            return
        yield from stream.write(line)


def test_echo_on_port_zero():
    def main():
        server = tcp_server("127.0.0.1", 0, echo)
        host, port = server.address
        assert host == "127.0.0.1" and port > 0
        serving = genlet.spawn(server.serve_forever)
        stream = yield from open_connection(host, port)
        with stream:
            yield from stream.write(b"one\ntwo\n")
            lines = [(yield from stream.readline()), (yield from stream.readline())]
        server.close()
        yield from serving.join()
        assert server.statistics() == {
            "connections": 0, "accepted": 1, "idle_timeouts": 0, "peer_resets": 0, "handler_errors": 0,
            "handshake_failures": 0, "serving": False, "closed": True,
        }  # fmt: skip
        return lines

    with NoLeaks():
        assert iorun(main) == [b"one\n", b"two\n"]


def test_open_connection_resolves_a_name(monkeypatch):
    import genlet.io.dns

    looked_up = []
    real = genlet.io.dns.getaddrinfo

    def recording(host, *args):
        looked_up.append(host)
        return (yield from real(host, *args))

    monkeypatch.setattr(genlet.io.dns, "getaddrinfo", recording)

    def main():
        server = tcp_server("127.0.0.1", 0, echo)
        serving = genlet.spawn(server.serve_forever)
        stream = yield from open_connection("localhost", server.address[1])
        with stream:
            yield from stream.write(b"by name\n")
            line = yield from stream.readline()
        server.close()
        yield from serving.join()
        return line

    with NoLeaks():
        assert iorun(main) == b"by name\n"
    assert looked_up == ["localhost"]  # through the cooperative resolver (a worker thread)


def test_ip_literals_need_no_lookup(monkeypatch):
    import genlet.io.dns

    def no_lookup(*args):
        raise AssertionError("an IP literal was looked up")

    monkeypatch.setattr(genlet.io.dns, "getaddrinfo", no_lookup)

    def main():
        server = tcp_server("::1", 0, echo)
        serving = genlet.spawn(server.serve_forever)
        stream = yield from open_connection("::1", server.address[1])
        with stream:
            yield from stream.write(b"v6\n")
            line = yield from stream.readline()
        assert "[::1]:" in repr(server)
        server.close()
        yield from serving.join()
        return line

    with NoLeaks():
        assert iorun(main) == b"v6\n"


def test_a_failing_handler_is_logged_and_the_others_carry_on(caplog):
    def handler(stream, address):
        line = yield from stream.readline()
        if line == b"boom\n":
            raise ValueError("the handler broke")
        yield from stream.write(b"fine: " + line)

    def client(port, line):
        stream = yield from open_connection("127.0.0.1", port)
        with stream:
            yield from stream.write(line)
            return (yield from stream.read())

    def main():
        server = tcp_server("127.0.0.1", 0, handler)
        serving = genlet.spawn(server.serve_forever)
        port = server.address[1]
        tasks = [genlet.spawn(client, port, line) for line in (b"a\n", b"boom\n", b"b\n")]
        replies = []
        for task in tasks:
            replies.append((yield from task.join()))
        after = yield from client(port, b"c\n")
        server.close()
        yield from serving.join()
        return replies, after, server.statistics()

    with caplog.at_level(logging.ERROR, logger="genlet"), NoLeaks():
        replies, after, stats = iorun(main)
    assert replies == [b"fine: a\n", b"", b"fine: b\n"]  # the broken one's connection was closed
    assert after == b"fine: c\n"
    failures = [r for r in caplog.records if r.name == "genlet" and r.levelno == logging.ERROR]
    assert len(failures) == 1
    assert "handler" in failures[0].getMessage() and "127.0.0.1:" in failures[0].getMessage()
    assert failures[0].exc_info[0] is ValueError  # the traceback is in the log
    assert stats["handler_errors"] == 1 and stats["peer_resets"] == stats["idle_timeouts"] == 0


def test_a_handler_that_is_not_a_generator_gets_an_explanation(caplog):
    def plain(stream, address):
        return None

    def main():
        server = tcp_server("127.0.0.1", 0, plain)
        serving = genlet.spawn(server.serve_forever)
        stream = yield from open_connection(*server.address)
        with stream:
            data = yield from stream.read()
        server.close()
        yield from serving.join()
        return data

    with caplog.at_level(logging.ERROR, logger="genlet"):
        assert iorun(main) == b""
    assert "not a generator" in caplog.text and "generator function" in caplog.text


def test_max_connections_bounds_the_handlers():
    state = {"now": 0, "peak": 0}

    def slow(stream, address):
        state["now"] += 1
        state["peak"] = max(state["peak"], state["now"])
        try:
            yield from genlet.sleep(1)
            yield from stream.write(b"done")
        finally:
            state["now"] -= 1

    def client(port):
        stream = yield from open_connection("127.0.0.1", port)
        with stream:
            return (yield from stream.read())

    def main():
        server = tcp_server("127.0.0.1", 0, slow, max_connections=2)
        serving = genlet.spawn(server.serve_forever)
        tasks = [genlet.spawn(client, server.address[1]) for _ in range(5)]
        results = []
        for task in tasks:
            results.append((yield from task.join()))
        elapsed = genlet.clock()
        server.close()
        yield from serving.join()
        return results, elapsed

    with NoLeaks():
        results, elapsed = iorun(main)
    assert results == [b"done"] * 5
    assert state["peak"] == 2
    assert elapsed >= 3  # three rounds of one (virtual) second


def test_close_refuses_new_clients_cancels_handlers_after_grace_and_closes_everything():
    events = []

    def stubborn(stream, address):
        try:
            yield from stream.read(100)  # the client never sends
        except genlet.Cancelled:
            events.append(("cancelled at", genlet.clock()))
            raise

    def polite(stream, address):
        yield from genlet.sleep(0.5)
        yield from stream.write(b"bye")
        events.append(("polite done at", genlet.clock()))

    def main():
        server = tcp_server("127.0.0.1", 0, stubborn)
        serving = genlet.spawn(server.serve_forever)
        clients = []
        for _ in range(3):
            clients.append((yield from open_connection(*server.address)))
        while server.connections < 3:
            yield from genlet.sleep(0.01)
        start = genlet.clock()
        server.close(grace=2.0)
        with pytest.raises(genlet.io.ConnectionRefusedError):
            yield from open_connection(*server.address)  # no new connections
        yield from serving.join()
        took = genlet.clock() - start
        ends = []
        for stream in clients:
            ends.append((yield from stream.read()))  # the server closed each connection
            stream.close()
        return took, ends

    with NoLeaks():
        took, ends = iorun(main)
    assert 2.0 <= took < 2.5
    assert ends == [b""] * 3
    assert [what for what, _ in events] == ["cancelled at"] * 3


def test_close_lets_handlers_that_finish_in_time_finish():
    finished = []

    def handler(stream, address):
        yield from genlet.sleep(0.5)
        yield from stream.write(b"bye")
        finished.append(genlet.clock())

    def main():
        server = tcp_server("127.0.0.1", 0, handler)
        serving = genlet.spawn(server.serve_forever)
        stream = yield from open_connection(*server.address)
        while server.connections < 1:
            yield from genlet.sleep(0.01)
        server.close(grace=5)
        yield from serving.join()
        with stream:
            return (yield from stream.read())

    with NoLeaks():
        assert iorun(main) == b"bye"
    assert len(finished) == 1 and finished[0] < 1


def test_cancelling_serve_forever_cancels_the_handlers():
    cancelled = []

    def handler(stream, address):
        try:
            yield from stream.read(100)
        except genlet.Cancelled:
            cancelled.append(address)
            raise

    def main():
        server = tcp_server("127.0.0.1", 0, handler)
        serving = genlet.spawn(server.serve_forever)
        stream = yield from open_connection(*server.address)
        while server.connections < 1:
            yield from genlet.sleep(0.01)
        yield from serving.kill()
        assert serving.cancelled() and server.closed and server.connections == 0
        with stream:
            return (yield from stream.read())

    with NoLeaks():
        assert iorun(main) == b""
    assert len(cancelled) == 1


def test_serve_forever_twice_is_an_error():
    def main():
        server = tcp_server("127.0.0.1", 0, echo)
        with server:
            serving = genlet.spawn(server.serve_forever)
            yield from genlet.sleep(0)
            with pytest.raises(RuntimeError, match="already running"):
                yield from server.serve_forever()
        yield from serving.join()
        yield from server.serve_forever()  # closed: returns at once

    with NoLeaks():
        iorun(main)


def test_listening_on_a_busy_port_says_where():
    def main():
        first = tcp_server("127.0.0.1", 0, echo, reuse_address=False)
        with first:
            with pytest.raises(OSError) as info:
                tcp_server("127.0.0.1", first.address[1], echo, reuse_address=False)
        yield
        return str(info.value)

    with NoLeaks():
        message = iorun(main)
    assert "cannot listen on 127.0.0.1 port" in message


def test_bad_server_arguments():
    with pytest.raises(TypeError, match="generator function"):
        tcp_server("127.0.0.1", 0, "not callable")
    with pytest.raises(ValueError, match="max_connections"):
        tcp_server("127.0.0.1", 0, echo, max_connections=0)
    with pytest.raises(TypeError, match="SSLContext"):
        tcp_server("127.0.0.1", 0, echo, ssl=True)


def test_unix_server_and_connection(tmp_path):
    path = str(tmp_path / "echo.sock")
    stale = socket.socket(socket.AF_UNIX)
    stale.bind(path)  # a stale socket file from an earlier run
    stale.close()

    def main():
        server = genlet.io.unix_server(path, echo)
        assert server.address == path
        serving = genlet.spawn(server.serve_forever)
        stream = yield from genlet.io.open_unix_connection(path)
        with stream:
            yield from stream.write(b"over a unix socket\n")
            line = yield from stream.readline()
        server.close()
        yield from serving.join()
        return line

    with NoLeaks():
        assert iorun(main) == b"over a unix socket\n"
    assert not os.path.exists(path)


def test_unix_server_leaves_a_regular_file_alone(tmp_path):
    path = tmp_path / "precious.txt"
    path.write_text("data")
    with pytest.raises(OSError, match="cannot listen"):
        genlet.io.unix_server(str(path), echo)
    assert path.read_text() == "data"


def test_open_connection_refused_says_where():
    def main():
        spare = socket.socket()
        spare.bind(("127.0.0.1", 0))
        port = spare.getsockname()[1]
        spare.close()
        with pytest.raises(genlet.io.ConnectionRefusedError) as info:
            yield from open_connection("127.0.0.1", port)
        return str(info.value), port

    with NoLeaks():
        message, port = iorun(main)
    assert message == "[Errno %d] cannot connect to 127.0.0.1 port %d: Connection refused" % (errno.ECONNREFUSED, port)


def test_open_connection_timeout():
    # A listener that never accepts: TCP connects through the backlog, and the TLS handshake
    # then waits forever for the server's hello.
    import ssl

    def main():
        listener = socket.socket()
        listener.bind(("127.0.0.1", 0))
        listener.listen(1)
        with listener:
            with pytest.raises(TimeoutError) as info:
                yield from open_connection(*listener.getsockname(), ssl=ssl.create_default_context(), timeout=3)
            return str(info.value), genlet.clock()

    with NoLeaks():
        message, when = iorun(main)
    assert "did not connect within 3 seconds" in message and when == 3


def test_a_handler_cancelled_before_it_ran_still_gets_its_connection_closed(monkeypatch):
    import genlet.io.servers

    ran = []
    real_spawn = genlet.io.servers.spawn

    def spawn_and_cancel(fn, *args, **options):  # as if close() came before its first step
        task = real_spawn(fn, *args, **options)
        task.cancel()
        return task

    monkeypatch.setattr(genlet.io.servers, "spawn", spawn_and_cancel)

    def handler(stream, address):
        ran.append(address)
        yield

    def main():
        server = tcp_server("127.0.0.1", 0, handler)
        serving = genlet.spawn(server.serve_forever)
        stream = yield from open_connection(*server.address)
        while server.accepted < 1:
            yield from genlet.sleep(0.01)
        server.close(grace=0)
        yield from serving.join()
        with stream, genlet.fail_after(5):  # the server closed it: the end comes at once
            return server.connections, (yield from stream.read())

    with NoLeaks():
        assert iorun(main) == (0, b"")
    assert ran == []

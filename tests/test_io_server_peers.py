"""Servers against misbehaving peers: idle_timeout, resets and broken pipes, statistics()."""

import logging
import socket

import pytest

import genlet
import genlet.io
from genlet.io import IdleTimeout, open_connection, tcp_server

from .io_support import NoLeaks, iorun, reset
from .test_io_servers import echo


def genlet_records(caplog, level):
    return [r for r in caplog.records if r.name == "genlet" and r.levelno == level]


def finish(server, serving):
    """Wait for the handlers to end; close the server; its statistics at the end."""
    while server.connections:
        yield from genlet.sleep(0.01)
    stats = server.statistics()
    server.close()
    yield from serving.join()
    return stats


# -- idle_timeout -------------------------------------------------------------------------------


def test_silent_clients_are_dropped_after_idle_timeout_and_a_sixth_is_served(caplog):
    def main():
        server = tcp_server("127.0.0.1", 0, echo, max_connections=5, idle_timeout=30)
        serving = genlet.spawn(server.serve_forever)
        silent = []
        for _ in range(5):
            silent.append((yield from open_connection(*server.address)))
        while server.connections < 5:
            yield from genlet.sleep(0.01)
        sixth = yield from open_connection(*server.address)  # waits in the listen backlog
        with sixth:
            yield from sixth.write(b"me too\n")
            with genlet.fail_after(60):
                reply = yield from sixth.readline()
            served_at = genlet.clock()
        ends = []
        for stream in silent:
            with stream:
                ends.append((yield from stream.read()))  # the server hung up on each
        stats = yield from finish(server, serving)
        return reply, served_at, ends, stats

    with caplog.at_level(logging.DEBUG, logger="genlet"), NoLeaks():
        reply, served_at, ends, stats = iorun(main)
    assert reply == b"me too\n" and 30 <= served_at < 31
    assert ends == [b""] * 5
    assert stats["idle_timeouts"] == 5 and stats["accepted"] == 6 and stats["handler_errors"] == 0
    assert genlet_records(caplog, logging.ERROR) == []
    lines = [r.getMessage() for r in genlet_records(caplog, logging.DEBUG) if "IdleTimeout" in r.getMessage()]
    assert len(lines) == 5
    assert "no data from 127.0.0.1:" in lines[0] and "for 30 s (idle_timeout)" in lines[0]


def test_by_default_there_is_no_idle_timeout():
    # idle_timeout=None, the default (see docs/io.md for why): the next client waits as long as
    # the silent one stays.
    def main():
        server = tcp_server("127.0.0.1", 0, echo, max_connections=1)
        serving = genlet.spawn(server.serve_forever)
        silent = yield from open_connection(*server.address)
        sixth = yield from open_connection(*server.address)
        with silent, sixth:
            yield from sixth.write(b"hello?\n")
            with genlet.move_on_after(3600) as scope:
                yield from sixth.readline()
        server.close(grace=0)
        yield from serving.join()
        return scope.cancelled_caught

    with NoLeaks():
        assert iorun(main) is True


def test_the_handler_sees_idle_timeout_and_may_say_goodbye():
    seen = []

    def handler(stream, address):
        try:
            while True:
                data = yield from stream.read(100)
                if not data:
                    return
        except IdleTimeout as exc:
            seen.append((str(exc), exc.seconds, exc.reading, exc.address, genlet.clock()))
            yield from stream.write(b"408 too quiet\n")

    def main():
        server = tcp_server("127.0.0.1", 0, handler, idle_timeout=2)
        serving = genlet.spawn(server.serve_forever)
        stream = yield from open_connection(*server.address)
        with stream:
            for _ in range(3):  # a byte every 1.5 s keeps the connection open
                yield from genlet.sleep(1.5)
                yield from stream.write(b".")
            last = genlet.clock()
            goodbye = yield from stream.read()
        server.close()
        yield from serving.join()
        return goodbye, last, server.statistics()

    with NoLeaks():
        goodbye, last, stats = iorun(main)
    assert goodbye == b"408 too quiet\n"
    [(message, seconds, reading, address, when)] = seen
    assert message.startswith("no data from 127.0.0.1:") and message.endswith(" for 2 s (idle_timeout)")
    assert seconds == 2 and reading is True and address.startswith("127.0.0.1:")
    assert last + 2 <= when < last + 2.5
    assert stats["idle_timeouts"] == 0  # the handler caught it and ended normally


def test_a_peer_that_stops_reading_times_out_the_write():
    attempts, errors = [], []

    def flood(stream, address):
        stream.transport.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, 4096)
        chunk = b"x" * 65536
        try:
            for _ in range(2000):  # bounded: the buffers fill long before
                attempts.append(genlet.clock())
                yield from stream.write(chunk)
        except IdleTimeout as exc:
            errors.append((exc, genlet.clock()))
            raise  # the server closes the connection quietly

    def main():
        server = tcp_server("127.0.0.1", 0, flood, idle_timeout=5)
        serving = genlet.spawn(server.serve_forever)
        raw = socket.socket()
        raw.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
        stream = genlet.io.Stream(raw)
        with stream:
            yield from stream.transport.connect(server.address)
            while not server.accepted:
                yield from genlet.sleep(0.01)
            stats = yield from finish(server, serving)  # never reads a byte
        return stats

    with NoLeaks():
        stats = iorun(main)
    assert len(attempts) < 2000
    [(exc, when)] = errors
    assert exc.reading is False and "took nothing we sent for 5 s: it stopped reading" in str(exc)
    assert attempts[-1] + 5 <= when < attempts[-1] + 7
    assert stats["idle_timeouts"] == 1 and stats["handler_errors"] == 0


def test_idle_timeout_on_a_plain_socket_leaves_it_usable():
    def main():
        left, right = socket.socketpair()
        a, b = genlet.io.Socket(left), genlet.io.Socket(right)
        with a, b:
            a.idle_timeout = 1.5
            with pytest.raises(IdleTimeout) as info:
                yield from a.recv(10)
            waited = genlet.clock()
            yield from b.sendall(b"late")
            data = yield from a.recv(10)  # nothing was lost: the socket still works
        return str(info.value), waited, data

    with NoLeaks():
        message, waited, data = iorun(main)
    assert message.startswith("no data from ") and "1.5 s (idle_timeout)" in message
    assert waited == 1.5 and data == b"late"


def test_bad_idle_timeout():
    for bad in (0, -1.0):
        with pytest.raises(ValueError, match="idle_timeout must be"):
            tcp_server("127.0.0.1", 0, echo, idle_timeout=bad)


# -- resets and broken pipes --------------------------------------------------------------------


def test_peers_that_reset_make_one_debug_line_each_and_are_counted(caplog):
    clients = 20

    def client(port):
        stream = yield from open_connection("127.0.0.1", port)
        yield from stream.write(b"hello\n")
        line = yield from stream.readline()
        reset(stream)  # the echo handler, back in readline(), gets ConnectionResetError
        return line

    def main():
        server = tcp_server("127.0.0.1", 0, echo)
        serving = genlet.spawn(server.serve_forever)
        tasks = [genlet.spawn(client, server.address[1]) for _ in range(clients)]
        lines = []
        for task in tasks:
            lines.append((yield from task.join()))
        stats = yield from finish(server, serving)
        return lines, stats

    with caplog.at_level(logging.DEBUG, logger="genlet"), NoLeaks():
        lines, stats = iorun(main)
    assert lines == [b"hello\n"] * clients
    assert genlet_records(caplog, logging.ERROR) == []
    assert stats["peer_resets"] == clients and stats["handler_errors"] == 0
    debug = [r for r in genlet_records(caplog, logging.DEBUG) if "ConnectionResetError" in r.getMessage()]
    assert len(debug) == clients and all(r.exc_info is None for r in debug)


def test_a_broken_pipe_while_writing_is_the_peers_doing(caplog):
    def talker(stream, address):
        for _ in range(1000):  # bounded: the reset stops it after a few
            yield from stream.write(b"news\n")
            yield from genlet.sleep(0.01)

    def main():
        server = tcp_server("127.0.0.1", 0, talker)
        serving = genlet.spawn(server.serve_forever)
        stream = yield from open_connection(*server.address)
        first = yield from stream.readline()
        reset(stream)
        stats = yield from finish(server, serving)
        return first, stats

    with caplog.at_level(logging.DEBUG, logger="genlet"), NoLeaks():
        first, stats = iorun(main)
    assert first == b"news\n"
    assert stats["peer_resets"] == 1 and genlet_records(caplog, logging.ERROR) == []


def test_a_reset_from_a_backend_is_still_the_handlers_error(caplog):
    def rude_backend(stream, address):
        yield from stream.readline()
        reset(stream)

    def proxy(backend_port):
        def handler(stream, address):
            backend = yield from open_connection("127.0.0.1", backend_port)
            with backend:
                yield from backend.write((yield from stream.readline()))
                yield from stream.write((yield from backend.readline()))  # the backend resets

        return handler

    def main():
        backend = tcp_server("127.0.0.1", 0, rude_backend)
        backend_serving = genlet.spawn(backend.serve_forever)
        front = tcp_server("127.0.0.1", 0, proxy(backend.address[1]))
        front_serving = genlet.spawn(front.serve_forever)
        stream = yield from open_connection(*front.address)
        with stream:
            yield from stream.write(b"query\n")
            reply = yield from stream.read()
        stats = front.statistics()
        for server, serving in ((front, front_serving), (backend, backend_serving)):
            server.close()
            yield from serving.join()
        return reply, stats

    with caplog.at_level(logging.DEBUG, logger="genlet"), NoLeaks():
        reply, stats = iorun(main)
    assert reply == b""
    assert stats["handler_errors"] == 1 and stats["peer_resets"] == 0
    [failure] = genlet_records(caplog, logging.ERROR)
    assert "handler handler() for connection 127.0.0.1:" in failure.getMessage()
    assert failure.exc_info[0] is ConnectionResetError  # a traceback: the handler's business

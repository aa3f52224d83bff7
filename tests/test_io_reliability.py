"""Reliability: resets, half-closes, silent peers, many connections, no descriptor leaks."""

import resource
import socket

import pytest

import genlet
import genlet.io
from genlet.io import IncompleteRead, open_connection, tcp_server

from .io_support import NoLeaks, iorun, reset


def echo(stream, address):
    while True:
        data = yield from stream.read(65536)
        if not data:
            return
        yield from stream.write(data)


def serving(handler, **options):
    server = tcp_server("127.0.0.1", 0, handler, **options)
    return server, genlet.spawn(server.serve_forever)


def check_echo(port, message=b"still serving"):
    stream = yield from open_connection("127.0.0.1", port)
    with stream:
        yield from stream.write(message)
        return (yield from stream.read_exactly(len(message)))


def test_a_peer_that_resets_gives_connection_reset_error_to_the_reader():
    def resetter(stream, address):
        yield from stream.read_exactly(5)
        reset(stream)

    def main():
        server, task = serving(resetter)
        stream = yield from open_connection(*server.address)
        with stream:
            yield from stream.write(b"hello")
            with pytest.raises(genlet.io.ConnectionResetError) as info:
                for _ in range(100):  # the RST may come after the FIN-less close was seen as data
                    yield from stream.read(100)  # (bounded: an EOF instead must fail, not spin)
        server.close()
        yield from task.join()
        return info.value

    with NoLeaks():
        error = iorun(main)
    assert isinstance(error, genlet.io.ConnectionError)


def test_a_client_that_resets_fails_only_its_own_handler(caplog):
    errors = []

    def handler(stream, address):
        try:
            yield from echo(stream, address)
        except genlet.io.ConnectionError as exc:
            errors.append(exc)

    def main():
        server, task = serving(handler)
        stream = yield from open_connection(*server.address)
        yield from stream.write(b"x")
        assert (yield from stream.read_exactly(1)) == b"x"
        reset(stream)
        yield from genlet.sleep(0.1)
        ok = yield from check_echo(server.address[1])
        server.close()
        yield from task.join()
        return ok

    with NoLeaks():
        assert iorun(main) == b"still serving"
    assert len(errors) == 1 and isinstance(errors[0], genlet.io.ConnectionResetError)


def test_a_peer_that_closes_half_way_gives_incomplete_read():
    def half(stream, address):
        yield from stream.write(b"x" * 40)  # promises 100 bytes, sends 40, hangs up

    def main():
        server, task = serving(half)
        stream = yield from open_connection(*server.address)
        with stream:
            with pytest.raises(IncompleteRead) as info:
                yield from stream.read_exactly(100)
        server.close()
        yield from task.join()
        return info.value

    with NoLeaks():
        error = iorun(main)
    assert error.partial == b"x" * 40 and error.expected == 100
    assert isinstance(error, EOFError)


def test_a_client_that_closes_half_way_fails_its_handler_with_incomplete_read(caplog):
    seen = []

    def framed(stream, address):
        try:
            yield from stream.read_exactly(100)
        except IncompleteRead as exc:
            seen.append(exc.partial)

    def main():
        server, task = serving(framed)
        stream = yield from open_connection(*server.address)
        yield from stream.write(b"y" * 30)
        stream.close()
        while not seen:
            yield from genlet.sleep(0.01)
        server.close()
        yield from task.join()

    with NoLeaks():
        iorun(main)
    assert seen == [b"y" * 30]


def test_a_peer_that_never_sends_times_out_through_a_cancel_scope():
    def silent(stream, address):
        yield from genlet.sleep(3600)

    def main():
        server, task = serving(silent)
        stream = yield from open_connection(*server.address)
        with stream:
            start = genlet.clock()
            with pytest.raises(TimeoutError):
                with genlet.fail_after(5):
                    yield from stream.read_exactly(10)
            waited = genlet.clock() - start
            with genlet.move_on_after(1) as scope:
                yield from stream.readline()
        server.close(grace=0)
        yield from task.join()
        return waited, scope.cancelled_caught

    with NoLeaks():
        waited, caught = iorun(main)
    assert 5 <= waited < 5.5 and caught


def test_the_server_times_out_silent_clients_and_keeps_serving():
    timed_out = []

    def impatient(stream, address):
        try:
            with genlet.fail_after(2):
                line = yield from stream.readline()
        except TimeoutError:
            timed_out.append(address)
            return
        yield from stream.write(line)

    def talker(port):
        stream = yield from open_connection("127.0.0.1", port)
        with stream:
            yield from stream.write(b"talk\n")
            return (yield from stream.readline())

    def main():
        server, task = serving(impatient)
        silent = []
        for _ in range(3):
            silent.append((yield from open_connection(*server.address)))
        replies = []
        for _ in range(3):
            replies.append((yield from talker(server.address[1])))
        ends = []
        for stream in silent:
            ends.append((yield from stream.read()))  # closed by the server after its timeout
            stream.close()
        server.close()
        yield from task.join()
        return replies, ends

    with NoLeaks():
        replies, ends = iorun(main)
    assert replies == [b"talk\n"] * 3 and ends == [b""] * 3 and len(timed_out) == 3


def test_cancelling_a_connect_leaves_no_descriptor():
    def main():
        listener = socket.socket()
        listener.bind(("127.0.0.1", 0))
        listener.listen(1)
        with listener:
            import ssl

            with genlet.move_on_after(1):  # the TLS handshake never completes
                yield from open_connection(*listener.getsockname(), ssl=ssl.create_default_context())

    with NoLeaks():
        iorun(main)


def raise_fd_limit(needed):
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft >= needed:
        return None
    if hard != resource.RLIM_INFINITY and hard < needed:
        pytest.fail("this test needs %d descriptors; the hard limit is %d" % (needed, hard))
    resource.setrlimit(resource.RLIMIT_NOFILE, (needed, hard))
    return soft, hard


def test_two_thousand_concurrent_connections_each_echo():
    count = 2000
    previous = raise_fd_limit(2 * count + 200)
    peak = [0]

    def client(port, index, all_connected, release):
        stream = yield from open_connection("127.0.0.1", port)
        with stream:
            message = b"%05d" % index
            yield from stream.write(message)
            reply = yield from stream.read_exactly(5)
            all_connected.append(index)
            while not release:  # hold the connection until every client has its echo
                yield from genlet.sleep(0.05)
            yield from stream.write(message)
            return reply == message and (yield from stream.read_exactly(5)) == message

    def main():
        server, task = serving(echo, backlog=count)
        port = server.address[1]
        connected, release = [], []
        clients = [genlet.spawn(client, port, i, connected, release) for i in range(count)]
        while len(connected) < count:
            yield from genlet.sleep(0.05)
        peak[0] = server.connections
        release.append(True)
        results = []
        for task_ in clients:
            results.append((yield from task_.join()))
        server.close()
        yield from task.join()
        return results

    try:
        with NoLeaks():
            results = genlet.run(main)
    finally:
        if previous is not None:
            resource.setrlimit(resource.RLIMIT_NOFILE, previous)
    assert results == [True] * count
    assert peak[0] == count

"""genlet.io's sockets, streams and servers on any interpreter: a plain script, no pytest.

Run from the repository root:
    MICROPYPATH=. micropython tests/mpy/check_io.py      (unix port; the wasm port has no sockets: SKIP)
    python3 tests/mpy/check_io.py                          (CPython; also run by pytest)
Prints "io: ok" at the end; any failure raises.
"""

import support  # tests/mpy/support.py: the way in, and a server on a free port

support.need_sockets("io")

import genlet  # noqa: E402
import genlet.io  # noqa: E402
from genlet.io import IncompleteRead, LimitExceeded  # noqa: E402


def free_server(handler, **options):
    return support.free_server(lambda port: genlet.io.tcp_server("127.0.0.1", port, handler, **options))


def echo_lines(stream, address):
    while True:
        line = yield from stream.readline()
        if not line:
            return
        yield from stream.write(line.upper())


def broken(stream, address):
    yield from stream.readline()
    raise ValueError("this handler fails on purpose (this logged failure is expected)")


def stubborn(stream, address):
    yield from stream.read(10)  # the client never sends: cancelled when the server closes


def check_echo():
    server, port = free_server(echo_lines)
    serving = genlet.spawn(server.serve_forever)
    stream = yield from genlet.io.open_connection("127.0.0.1", port)
    yield from stream.write(b"hello\nworld\n")
    assert (yield from stream.readline()) == b"HELLO\n"
    assert (yield from stream.read_exactly(6)) == b"WORLD\n"
    yield from stream.write(b"no newline")
    if hasattr(stream.transport.socket, "shutdown"):  # MicroPython's sockets cannot half-close
        yield from stream.write_eof()
        assert (yield from stream.read()) == b"NO NEWLINE"  # readline's last, unterminated line
    else:
        try:
            yield from stream.write_eof()
            raise AssertionError("expected OSError: no shutdown() here")
        except OSError as exc:
            assert "no shutdown" in str(exc)
    stream.close()
    server.close()
    yield from serving.join()
    assert server.statistics()["accepted"] == 1
    return port


def check_errors(port):
    try:
        yield from genlet.io.open_connection("127.0.0.1", port)  # closed above: refused
        raise AssertionError("expected ConnectionRefusedError")
    except genlet.io.ConnectionRefusedError as exc:
        assert isinstance(exc, genlet.io.ConnectionError) and isinstance(exc, OSError)
        assert "cannot connect to 127.0.0.1 port" in str(exc)


def check_failing_handler_and_close():
    server, port = free_server(broken)
    serving = genlet.spawn(server.serve_forever)
    stream = yield from genlet.io.open_connection("127.0.0.1", port)
    yield from stream.write(b"trigger\n")
    assert (yield from stream.read()) == b""  # its connection was closed
    stream.close()
    again = yield from genlet.io.open_connection("127.0.0.1", port)  # the server serves on
    again.close()
    server.close()
    yield from serving.join()

    server, port = free_server(stubborn)
    serving = genlet.spawn(server.serve_forever)
    clients = []
    for _ in range(3):
        clients.append((yield from genlet.io.open_connection("127.0.0.1", port)))
    while server.connections < 3:
        yield from genlet.sleep(0.01)
    server.close(grace=0.05)
    yield from serving.join()
    for stream in clients:
        assert (yield from stream.read()) == b""
        stream.close()
    assert server.connections == 0


def check_incomplete_and_limits():
    def half(stream, address):
        yield from stream.write(b"0123456789")

    server, port = free_server(half)
    serving = genlet.spawn(server.serve_forever)
    stream = yield from genlet.io.open_connection("127.0.0.1", port)
    try:
        yield from stream.read_exactly(20)
        raise AssertionError("expected IncompleteRead")
    except IncompleteRead as exc:
        assert exc.partial == b"0123456789" and isinstance(exc, EOFError)
    stream.close()
    stream = yield from genlet.io.open_connection("127.0.0.1", port)
    try:
        yield from stream.readline(limit=4)
        raise AssertionError("expected LimitExceeded")
    except LimitExceeded:
        pass
    assert (yield from stream.read_exactly(10)) == b"0123456789"
    stream.close()
    server.close()
    yield from serving.join()


def check_timeout_and_close_wakes():
    def silent(stream, address):
        yield from genlet.sleep(3600)

    server, port = free_server(silent)
    serving = genlet.spawn(server.serve_forever)
    stream = yield from genlet.io.open_connection("127.0.0.1", port)
    with genlet.move_on_after(0.05) as scope:
        yield from stream.read(10)
    assert scope.cancelled_caught

    def reader():
        try:
            yield from stream.read(10)
        except OSError as exc:
            return "woken: %s" % exc

    task = genlet.spawn(reader)
    yield from genlet.sleep(0.01)
    stream.close()
    assert "closed while this task waited" in (yield from task.join())
    server.close(grace=0)
    yield from serving.join()


def check_udp():
    import time

    port = 20000 + (time.ticks_ms() % 20000 if hasattr(time, "ticks_ms") else 1234)
    for _ in range(200):
        try:
            receiver = genlet.io.udp_socket("127.0.0.1", port)
            break
        except OSError:
            port += 1
    sender = genlet.io.udp_socket()
    yield from sender.sendto(b"datagram", genlet.io.sockaddr("127.0.0.1", port, 2))
    data, source = yield from receiver.recvfrom(100)
    assert data == b"datagram"
    receiver.close()
    sender.close()


def main():
    port = yield from check_echo()
    yield from check_errors(port)
    yield from check_failing_handler_and_close()
    yield from check_incomplete_and_limits()
    yield from check_timeout_and_close_wakes()
    yield from check_udp()


genlet.run(main)
print("io: ok")

"""Socket: the cooperative socket calls, and what happens around close and contention."""

import errno
import socket

import pytest

import genlet
import genlet.io
from genlet.io import Socket
from genlet.io.errors import translate, would_block

from .io_support import NoLeaks, iorun, socketpair


def listening():
    raw = socket.socket()
    raw.bind(("127.0.0.1", 0))
    raw.listen(8)
    return Socket(raw)


def test_accept_connect_send_recv():
    def server(listener):
        conn, address = yield from listener.accept()
        with conn:
            assert isinstance(conn, Socket) and address[0] == "127.0.0.1"
            data = yield from conn.recv(100)
            yield from conn.sendall(data[::-1])

    def main():
        with listening() as listener:
            task = genlet.spawn(server, listener)
            with Socket(socket.socket()) as client:
                yield from client.connect(listener.getsockname())
                assert client.getpeername() == listener.getsockname()
                yield from client.sendall(b"abc")
                reply = yield from client.recv(100)
                yield from task.join()
                return reply, (yield from client.recv(100))

    with NoLeaks():
        assert iorun(main) == (b"cba", b"")


def test_recv_into_and_send():
    def main():
        a, b = socketpair()
        with a, b:
            count = yield from a.send(b"hello")
            buffer = bytearray(10)
            got = yield from b.recv_into(buffer)
            return count, got, bytes(buffer[:got])

    assert iorun(main) == (5, 5, b"hello")


def test_sendall_larger_than_the_socket_buffer():
    payload = b"x" * 2000000

    def reader(sock):
        got = 0
        while got < len(payload):
            data = yield from sock.recv(65536)
            assert data
            got += len(data)
        return got

    def main():
        a, b = socketpair()
        with a, b:
            task = genlet.spawn(reader, b)
            yield from a.sendall(memoryview(payload))
            return (yield from task.join())

    assert iorun(main) == len(payload)


def test_shutdown_half_closes():
    def main():
        a, b = socketpair()
        with a, b:
            yield from a.sendall(b"last words")
            yield from a.shutdown(socket.SHUT_WR)
            words = yield from b.recv(100)
            end = yield from b.recv(100)
            yield from b.sendall(b"still open")  # the other direction still works
            return words, end, (yield from a.recv(100))

    assert iorun(main) == (b"last words", b"", b"still open")


def test_udp_sendto_recvfrom():
    def main():
        with genlet.io.udp_socket("127.0.0.1", 0) as server, genlet.io.udp_socket() as client:
            address = server.getsockname()
            yield from client.sendto(b"ping", address)
            data, source = yield from server.recvfrom(100)
            yield from server.sendto(data.upper(), source)
            reply, _ = yield from client.recvfrom(100)
            return reply

    with NoLeaks():
        assert iorun(main) == b"PING"


def test_udp_connected_send_recv():
    def main():
        with genlet.io.udp_socket("127.0.0.1", 0) as server, genlet.io.udp_socket() as client:
            yield from client.connect(server.getsockname())
            yield from client.send(b"datagram")
            return (yield from server.recv(100))

    assert iorun(main) == b"datagram"


def test_connect_refused_is_a_connection_refused_error():
    def main():
        with listening() as spare:
            address = spare.getsockname()  # nobody will listen here once it is closed
        with Socket(socket.socket()) as sock:
            with pytest.raises(genlet.io.ConnectionRefusedError) as info:
                yield from sock.connect(address)
            return info.value

    with NoLeaks():
        error = iorun(main)
    assert isinstance(error, genlet.io.ConnectionError) and error.errno == errno.ECONNREFUSED


def test_closing_a_socket_wakes_its_waiting_reader_with_oserror():
    def reader(sock):
        with pytest.raises(OSError) as info:
            yield from sock.recv(100)
        return str(info.value)

    def main():
        a, b = socketpair()
        with b:
            task = genlet.spawn(reader, a)
            yield from genlet.sleep(0)  # let it park
            assert task.state == genlet.WAITING
            a.close()
            message = yield from task.join()
            a.close()  # a second close does nothing
            assert a.closed
            return message

    with NoLeaks():
        assert "closed while this task waited" in iorun(main)


def test_two_readers_on_one_socket_get_an_error_naming_both():
    def reader(sock):
        return (yield from sock.recv(100))

    def main():
        a, b = socketpair()
        with a, b:
            first = genlet.spawn(reader, a, name="first-reader")
            yield from genlet.sleep(0)
            with pytest.raises(RuntimeError) as info:
                second = genlet.spawn(reader, a, name="second-reader")
                yield from second.join()
            yield from b.sendall(b"for the first")
            return str(info.value), (yield from first.join())

    message, data = iorun(main)
    assert "first-reader" in message and "second-reader" in message
    assert "one reader" in message
    assert data == b"for the first"


def test_cancelled_recv_leaves_the_socket_usable():
    def main():
        a, b = socketpair()
        with a, b:
            with genlet.move_on_after(1) as scope:
                yield from a.recv(100)
            assert scope.cancelled_caught
            yield from b.sendall(b"later")
            return (yield from a.recv(100))

    assert iorun(main) == b"later"


def test_socket_rejects_what_it_cannot_wrap():
    with pytest.raises(TypeError, match="socket"):
        Socket(42)
    a, b = socket.socketpair()
    wrapped = Socket(a)
    with pytest.raises(TypeError, match="standard socket"):
        Socket(wrapped)
    wrapped.close()
    b.close()


def test_repr_and_plain_calls():
    def main():
        with listening() as listener:
            text = repr(listener)
            assert "127.0.0.1:" in text and "fd=" in text
            assert listener.family == socket.AF_INET and listener.type == socket.SOCK_STREAM
            assert listener.fileno() == listener.socket.fileno()
            listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            assert listener.getsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR)
        assert repr(listener) == "<Socket closed>"
        yield

    iorun(main)


def test_errors_translate_by_errno():
    reset = translate(OSError(errno.ECONNRESET, "reset"))
    assert isinstance(reset, genlet.io.ConnectionResetError) and reset.errno == errno.ECONNRESET
    assert isinstance(translate(OSError(errno.EPIPE, "pipe")), genlet.io.BrokenPipeError)
    assert isinstance(translate(OSError(errno.ETIMEDOUT, "slow")), genlet.io.TimeoutError)
    other = OSError(errno.EACCES, "no")
    assert translate(other) is other
    specific = ConnectionResetError(errno.ECONNRESET, "x")
    assert translate(specific) is specific
    assert would_block(BlockingIOError(errno.EAGAIN, "again"))
    assert would_block(OSError(errno.EINPROGRESS, "in progress"))
    assert not would_block(OSError(errno.EBADF, "bad"))


def test_portable_names_are_the_builtins_here():
    assert genlet.io.ConnectionError is ConnectionError
    assert genlet.io.ConnectionResetError is ConnectionResetError
    assert genlet.io.BrokenPipeError is BrokenPipeError
    assert genlet.io.ConnectionRefusedError is ConnectionRefusedError
    assert genlet.io.ConnectionAbortedError is ConnectionAbortedError
    assert genlet.io.TimeoutError is TimeoutError
    assert issubclass(genlet.io.IncompleteRead, EOFError)


def test_the_portable_script_passes_under_cpython():
    """tests/mpy/check_io.py is what MicroPython's unix port runs; keep it honest here too."""
    import os
    import subprocess
    import sys

    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    result = subprocess.run(
        [sys.executable, os.path.join("tests", "mpy", "check_io.py")], cwd=root, capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().endswith("io: ok")
    assert "this handler fails on purpose" in result.stderr  # the failing handler was logged


def test_a_reader_that_never_waits_still_lets_others_run():
    from genlet.io.sockets import FAIR_SHARE

    ticks = []

    def ticker():
        while True:
            ticks.append(len(ticks))
            yield

    def main():
        a, b = socketpair()
        with a, b:
            yield from a.sendall(b"x" * (FAIR_SHARE * 20))  # all there before the reads start
            tick = genlet.spawn(ticker)
            yield
            before = len(ticks)
            for _ in range(FAIR_SHARE * 20):  # one byte at a time: no read ever has to wait
                assert (yield from b.recv(1)) == b"x"
            during = len(ticks) - before
            tick.cancel()
            return during

    assert iorun(main) >= 19  # the other task ran about once every FAIR_SHARE reads

"""The kernel's IO waits: read_wait, write_wait, one waiter per direction, notify_closing."""

import socket

import pytest

import genlet
from genlet.kernel import notify_closing, read_wait, write_wait


@pytest.fixture
def pair():
    a, b = socket.socketpair()
    a.setblocking(False)
    b.setblocking(False)
    yield a, b
    a.close()
    b.close()


def test_read_wait_wakes_when_data_arrives(pair):
    a, b = pair

    def reader():
        yield from read_wait(a)
        return a.recv(100)

    def main():
        t = genlet.spawn(reader)
        yield
        assert t.state == genlet.WAITING and "read" in t.waiting_on
        b.send(b"hello")
        return (yield from t.join())

    assert genlet.run(main) == b"hello"


def test_write_wait_on_a_writable_socket_and_by_fd(pair):
    a, b = pair

    def main():
        yield from write_wait(a)
        yield from write_wait(b.fileno())
        return "writable"

    assert genlet.run(main) == "writable"


def test_two_readers_on_one_socket_is_a_clear_error(pair):
    a, b = pair

    def reader():
        yield from read_wait(a)

    def main():
        first = genlet.spawn(reader, name="first-reader")
        yield
        second = genlet.spawn(reader, name="second-reader")
        yield from second.wait()
        assert isinstance(second.exception, RuntimeError)
        message = str(second.exception)
        assert "'second-reader'" in message and "'first-reader'" in message
        assert "one reader and one writer" in message
        b.send(b"x")
        yield from first.join()

    genlet.run(main)


def test_reader_and_writer_on_one_socket_are_fine(pair):
    a, b = pair

    def reader():
        yield from read_wait(a)
        return "read"

    def writer():
        yield from write_wait(a)
        return "wrote"

    def main():
        r = genlet.spawn(reader)
        w = genlet.spawn(writer)
        assert (yield from w.join()) == "wrote"
        b.send(b"x")
        return (yield from r.join())

    assert genlet.run(main) == "read"


def test_notify_closing_wakes_the_waiter_with_oserror(pair):
    a, b = pair

    def reader():
        yield from read_wait(a)

    def main():
        t = genlet.spawn(reader, name="r")
        yield
        notify_closing(a)
        with pytest.raises(OSError, match="closed while this task waited"):
            yield from t.join()

    genlet.run(main)


def test_repeated_waits_on_one_socket_and_stale_interest(pair):
    a, b = pair

    def echo_back(n):
        for i in range(n):
            yield from read_wait(a)
            a.send(a.recv(100))

    def main():
        t = genlet.spawn(echo_back, 50)
        for i in range(50):
            b.send(b"%d" % i)
            yield from read_wait(b)
            assert b.recv(100) == b"%d" % i
        yield from t.join()
        # nobody waits now, but data arrives: the stale interest must not spin or break
        b.send(b"late")
        yield from genlet.sleep(0.002)
        yield from read_wait(a)
        return a.recv(100)

    assert genlet.run(main) == b"late"


def test_cancel_a_reader_then_wait_again(pair):
    a, b = pair

    def main():
        with genlet.move_on_after(0.002) as scope:
            yield from read_wait(a)
        assert scope.cancelled_caught
        b.send(b"now")
        yield from read_wait(a)
        return a.recv(10)

    assert genlet.run(main) == b"now"


def test_io_with_virtual_clock_autojump_threshold(pair):
    a, b = pair

    def main():
        with genlet.move_on_after(3600) as scope:  # an hour of virtual time
            yield from read_wait(a)
        return scope.cancelled_caught, genlet.clock()

    assert genlet.run(main, clock=genlet.VirtualClock(autojump_threshold=0.001)) == (True, 3600)


def test_waiting_on_a_closed_socket_is_an_error():
    s = socket.socket()
    s.close()

    def main():
        with pytest.raises(OSError, match="closed file"):
            yield from read_wait(s)

    genlet.run(main)

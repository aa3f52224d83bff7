"""Stream: buffered reads over any transport; read, read_exactly, readline, read_until."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

import genlet
import genlet.io
from genlet.io import IncompleteRead, LimitExceeded, Stream

from .helpers import vrun
from .io_support import NoLeaks, iorun, socketpair


class ChunkTransport:
    """A transport that delivers ``chunks`` one ``recv`` at a time (a checkpoint before each)."""

    def __init__(self, chunks):
        self.chunks = list(chunks)
        self.sent = []
        self.closed = False
        self.receives = 0

    def recv(self, n):
        yield
        self.receives += 1
        if not self.chunks:
            return b""
        chunk = self.chunks.pop(0)
        if len(chunk) > n:
            self.chunks.insert(0, chunk[n:])
            chunk = chunk[:n]
        return chunk

    def sendall(self, data):
        yield
        self.sent.append(bytes(data))

    def close(self):
        self.closed = True


def run_stream(chunks, body):
    stream = Stream(ChunkTransport(chunks))
    return vrun(body, stream)


def chunked(data, cuts):
    """``data`` cut at the given positions."""
    points = sorted(set(c % (len(data) + 1) for c in cuts))
    pieces, last = [], 0
    for point in points + [len(data)]:
        if point > last:
            pieces.append(data[last:point])
            last = point
    return pieces


# -- properties: any chunking gives the same result ------------------------------------------

lines_strategy = st.lists(st.binary(max_size=30).map(lambda b: b.replace(b"\n", b"")), max_size=12)


@given(lines=lines_strategy, tail=st.binary(max_size=10).map(lambda b: b.replace(b"\n", b"")), cuts=st.lists(st.integers(0, 500), max_size=20))
def test_readline_returns_the_lines_whatever_the_chunking(lines, tail, cuts):
    data = b"".join(line + b"\n" for line in lines) + tail

    def body(stream):
        got = []
        while True:
            line = yield from stream.readline()
            if not line:
                return got
            got.append(line)

    expected = [line + b"\n" for line in lines] + ([tail] if tail else [])
    assert run_stream(chunked(data, cuts), body) == expected


@given(data=st.binary(max_size=300), sizes=st.lists(st.integers(0, 50), max_size=20), cuts=st.lists(st.integers(0, 500), max_size=20))
def test_read_exactly_concatenates_to_the_data(data, sizes, cuts):
    def body(stream):
        got = []
        for size in sizes:
            try:
                got.append((yield from stream.read_exactly(size)))
            except IncompleteRead as exc:
                got.append(exc.partial)
                assert len(exc.partial) < size and exc.expected == size
                break
        rest = yield from stream.read()
        return got, rest

    got, rest = run_stream(chunked(data, cuts), body)
    assert b"".join(got) + rest == data
    for size, piece in zip(sizes, got[:-1]):
        assert len(piece) == size


@given(
    parts=st.lists(st.binary(max_size=20).map(lambda b: b.replace(b"\r\n", b"")), min_size=1, max_size=8),
    cuts=st.lists(st.integers(0, 300), max_size=20),
)
def test_read_until_a_two_byte_separator_split_across_chunks(parts, cuts):
    data = b"\r\n".join(parts) + b"\r\n"

    def body(stream):
        got = []
        for _ in parts:
            got.append((yield from stream.read_until(b"\r\n")))
        return got

    got = run_stream(chunked(data, cuts), body)
    assert b"".join(got) == data
    assert all(piece.endswith(b"\r\n") for piece in got)


@given(data=st.binary(max_size=200), n=st.integers(1, 100), cuts=st.lists(st.integers(0, 300), max_size=10))
def test_read_never_returns_more_than_asked(data, n, cuts):
    def body(stream):
        got = []
        while True:
            piece = yield from stream.read(n)
            if not piece:
                return got
            assert len(piece) <= n
            got.append(piece)

    assert b"".join(run_stream(chunked(data, cuts), body)) == data


# -- examples ------------------------------------------------------------------------------------


def test_read_everything_and_at_the_end():
    def body(stream):
        first = yield from stream.readline()
        rest = yield from stream.read()
        again = yield from stream.read(10)
        return first, rest, again

    assert run_stream([b"one\ntw", b"o\nthree"], body) == (b"one\n", b"two\nthree", b"")


def test_read_zero_bytes_returns_at_once():
    def body(stream):
        return (yield from stream.read(0))

    transport = ChunkTransport([b"abc"])
    assert vrun(body, Stream(transport)) == b""
    assert transport.receives == 0


def test_read_exactly_reports_what_arrived():
    def body(stream):
        with pytest.raises(IncompleteRead) as info:
            yield from stream.read_exactly(10)
        return info.value

    error = run_stream([b"abc", b"de"], body)
    assert isinstance(error, EOFError)
    assert error.partial == b"abcde" and error.expected == 10
    assert "5 of the 10 bytes" in str(error)


def test_readline_at_the_end_returns_the_unterminated_rest_then_nothing():
    def body(stream):
        got = []
        for _ in range(3):
            got.append((yield from stream.readline()))
        return got

    assert run_stream([b"a\nb"], body) == [b"a\n", b"b", b""]


def test_readline_too_long_raises_and_keeps_the_bytes():
    def body(stream):
        with pytest.raises(LimitExceeded) as info:
            yield from stream.readline(limit=8)
        assert "limit" in str(info.value) and info.value.limit == 8
        rest = yield from stream.read_exactly(12)
        line = yield from stream.readline(limit=8)
        return rest, line

    assert run_stream([b"0123456789", b"ab\nok\n"], body) == (b"0123456789ab", b"\n")


def test_readline_limit_counts_the_newline():
    def body(stream):
        first = yield from stream.readline(limit=4)
        with pytest.raises(LimitExceeded):
            yield from stream.readline(limit=4)
        return first

    assert run_stream([b"abc\nabcd\n"], body) == b"abc\n"


def test_stream_default_limit():
    def body(stream):
        with pytest.raises(LimitExceeded):
            yield from stream.readline()

    stream = Stream(ChunkTransport([b"x" * 40]), limit=16)
    vrun(body, stream)


def test_read_until_at_the_end_raises_incomplete_read():
    def body(stream):
        with pytest.raises(IncompleteRead) as info:
            yield from stream.read_until(b"END")
        return info.value.partial, str(info.value)

    partial, message = run_stream([b"abcEN"], body)
    assert partial == b"abcEN" and "END" in message


def test_read_until_rejects_an_empty_separator():
    stream = Stream(ChunkTransport([]))
    with pytest.raises(ValueError, match="separator"):
        stream.read_until(b"")


def test_a_stream_is_not_iterable():
    stream = Stream(ChunkTransport([]))
    with pytest.raises(TypeError):
        iter(stream)


def test_write_and_close_go_to_the_transport():
    transport = ChunkTransport([])
    stream = Stream(transport)

    def body():
        yield from stream.write(b"hello")
        stream.close()

    vrun(body)
    assert transport.sent == [b"hello"] and transport.closed


def test_stream_refuses_what_is_not_a_transport():
    with pytest.raises(TypeError, match="transport"):
        Stream(42)


# -- over real sockets -----------------------------------------------------------------------


def test_stream_over_a_socket_pair_in_both_directions():
    def main():
        a, b = socketpair()
        with Stream(a) as left, Stream(b) as right:
            yield from left.write(b"ping\n")
            assert (yield from right.readline()) == b"ping\n"
            yield from right.write(b"pong")
            return (yield from left.read(100))

    with NoLeaks():
        assert iorun(main) == b"pong"


def test_big_write_while_the_peer_reads():
    payload = bytes(range(256)) * 4000  # 1 MB

    def reader(stream):
        return (yield from stream.read_exactly(len(payload)))

    def main():
        a, b = socketpair()
        with Stream(a) as left, Stream(b) as right:
            task = genlet.spawn(reader, right)
            yield from left.write(payload)
            got = yield from task.join()
            yield from left.write_eof()
            assert (yield from right.read()) == b""
            return got

    with NoLeaks():
        assert iorun(main) == payload


def test_stream_wraps_a_standard_socket():
    import socket

    a, b = socket.socketpair()

    def main():
        with Stream(a) as left, Stream(b) as right:
            assert isinstance(left.transport, genlet.io.Socket)
            yield from left.write(b"abc")
            return (yield from right.read_exactly(3))

    assert iorun(main) == b"abc"
    assert a.fileno() == -1 and b.fileno() == -1

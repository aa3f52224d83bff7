"""genlet.io.dns: getaddrinfo / getnameinfo through the thread pool, IP literals in-line."""

import socket

import pytest
from hypothesis import given
from hypothesis import strategies as st

import genlet
import genlet.io
from genlet.io import threads

from .helpers import vrun


def resolve(*args, **kwargs):
    """Run getaddrinfo in a task; return (result, jobs submitted to the pool meanwhile)."""

    def main():
        before = threads.statistics().submitted
        result = yield from genlet.io.getaddrinfo(*args, **kwargs)
        return result, threads.statistics().submitted - before

    return genlet.run(main)


@pytest.mark.parametrize(
    "host, port",
    [("127.0.0.1", 80), ("::1", 443), ("10.1.2.3", "8080"), (b"192.168.0.1", b"53"), ("fe80::1", None), (None, 0)],
)
def test_ip_literals_take_the_fast_path(host, port):
    result, jobs = resolve(host, port, type=socket.SOCK_STREAM)
    assert jobs == 0
    assert result == socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)


def test_fast_path_keeps_every_argument_and_error():
    result, jobs = resolve("127.0.0.1", 53, socket.AF_INET, socket.SOCK_DGRAM, 0, socket.AI_PASSIVE)
    assert jobs == 0
    assert result == socket.getaddrinfo("127.0.0.1", 53, socket.AF_INET, socket.SOCK_DGRAM, 0, socket.AI_PASSIVE)

    def main():
        yield from genlet.io.getaddrinfo("::1", 80, socket.AF_INET)

    with pytest.raises(socket.gaierror):
        vrun(main)


def test_names_are_resolved_in_a_thread():
    result, jobs = resolve("localhost", 80, type=socket.SOCK_STREAM)
    assert jobs == 1
    assert sorted(result) == sorted(socket.getaddrinfo("localhost", 80, type=socket.SOCK_STREAM))
    assert ("127.0.0.1", 80) in [info[4][:2] for info in result]


def test_service_names_go_to_the_thread():
    result, jobs = resolve("127.0.0.1", "http", type=socket.SOCK_STREAM)
    assert jobs == 1
    assert result == socket.getaddrinfo("127.0.0.1", "http", type=socket.SOCK_STREAM)


def test_resolver_errors_are_raised_in_the_task():
    def main():
        yield from genlet.io.getaddrinfo("name.invalid.", 80, flags=socket.AI_NUMERICHOST)

    with pytest.raises(socket.gaierror):
        genlet.run(main)


def test_getnameinfo_numeric_in_line_and_lookup_in_a_thread():
    def main():
        before = threads.statistics().submitted
        numeric = yield from genlet.io.getnameinfo(("127.0.0.1", 80), socket.NI_NUMERICHOST | socket.NI_NUMERICSERV)
        middle = threads.statistics().submitted
        looked_up = yield from genlet.io.getnameinfo(("127.0.0.1", 80), socket.NI_NUMERICSERV)
        return numeric, middle - before, looked_up, threads.statistics().submitted - middle

    numeric, jobs1, looked_up, jobs2 = genlet.run(main)
    assert (numeric, jobs1) == (("127.0.0.1", "80"), 0)
    assert (looked_up, jobs2) == (socket.getnameinfo(("127.0.0.1", 80), socket.NI_NUMERICSERV), 1)


@given(
    address=st.ip_addresses().map(str),
    port=st.integers(min_value=0, max_value=65535),
    kind=st.sampled_from([0, socket.SOCK_STREAM, socket.SOCK_DGRAM]),
)
def test_property_every_ip_literal_is_answered_in_line_like_the_socket_module(address, port, kind):
    def main():
        before = threads.statistics().submitted
        result = yield from genlet.io.getaddrinfo(address, port, type=kind)
        assert threads.statistics().submitted == before
        return result

    assert vrun(main) == socket.getaddrinfo(address, port, type=kind)

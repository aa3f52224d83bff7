"""Helpers for the genlet.io tests: descriptor counting, clocks for real IO, socket pairs."""

import os
import socket
import struct

import genlet


def open_fds():
    """The descriptors this process has open now (a leak shows as a difference)."""
    return sorted(int(name) for name in os.listdir("/proc/self/fd"))


class NoLeaks:
    """``with NoLeaks():`` fails if the block leaves a descriptor open."""

    def __enter__(self):
        self.before = open_fds()
        return self

    def __exit__(self, exc_type, exc, tb):
        if exc_type is None:
            after = open_fds()
            leaked = sorted(set(after) - set(self.before))
            details = {fd: _describe_fd(fd) for fd in leaked}
            assert not leaked, "descriptors leaked: %r" % (details,)


def _describe_fd(fd):
    try:
        return os.readlink("/proc/self/fd/%d" % fd)
    except OSError:
        return "?"


def iorun(main, *args, threshold=0.05):
    """Run on a VirtualClock that jumps only after ``threshold`` real seconds without IO.

    Discussion: with real sockets a peer's bytes may still be on their way through the
    system's loopback when no task can run; a virtual clock that jumped at once could fire a
    timeout before they arrive. The threshold gives them time; a test whose peer really never
    sends loses just that much real time per jump.
    """
    return genlet.run(main, *args, clock=genlet.VirtualClock(autojump_threshold=threshold))


def socketpair():
    """Two connected genlet Sockets."""
    a, b = socket.socketpair()
    return genlet.io.Socket(a), genlet.io.Socket(b)


def tcp_pair():
    """Two connected loopback TCP sockets (standard, blocking), for tests of the client side."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(1)
    client = socket.create_connection(listener.getsockname())
    server, _ = listener.accept()
    listener.close()
    return client, server


def reset(stream):
    """Close with SO_LINGER 0: the peer gets RST instead of FIN."""
    stream.transport.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    stream.close()

# tests/portable/_portable.py
"""Helpers for the portable scripts: what differs between CPython and MicroPython sockets."""

import time

try:
    import socket
except ImportError:  # the WebAssembly port
    socket = None

HAVE_SOCKETS = socket is not None and hasattr(socket, "socket")


def free_port_hint():
    """A port to start looking from, different between runs.

    Discussion: MicroPython has no getsockname, so it cannot ask which port 0 chose; the
    scripts try ports from here until one binds, on every interpreter alike.
    """
    if hasattr(time, "ticks_ms"):
        return 20000 + time.ticks_ms() % 20000
    return 20000 + int(time.time() * 1000) % 20000


def address(host, port):
    """A connectable address: MicroPython wants getaddrinfo's raw form."""
    return socket.getaddrinfo(host, port)[0][-1]


def listener(host="127.0.0.1"):
    """A listening, non-blocking TCP socket on a free port; returns (socket, port)."""
    sock = socket.socket()
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    port = free_port_hint()
    for _ in range(200):
        try:
            sock.bind(address(host, port))
            break
        except OSError:
            port += 1
    else:
        raise OSError("no free port found")
    sock.listen(8)
    sock.setblocking(False)
    return sock, port


def errno_of(exc):
    return getattr(exc, "errno", None) or (exc.args[0] if exc.args else None)

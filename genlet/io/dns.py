# genlet/io/dns.py
"""Name resolution without blocking the kernel: the system resolver, in a worker thread.

``socket.getaddrinfo`` may block for seconds (a DNS query, a slow ``/etc/nsswitch.conf``
source), so ``getaddrinfo`` runs it through ``run_in_thread``. It does not re-implement a
resolver: the system's own knows ``/etc/hosts``, search domains, mDNS and whatever else the
machine is configured for (eventlet's own DNS client is a long list of bugs from forgetting
one of them).

Fast path: an IP literal (``"127.0.0.1"``, ``"::1"``) or no host at all needs no lookup. Then
the call is made in-line with ``AI_NUMERICHOST``, which tells the resolver not to look
anything up, so it cannot block; the answer is exactly what ``socket.getaddrinfo`` gives.
The same holds for ``getnameinfo`` with ``NI_NUMERICHOST | NI_NUMERICSERV``.
"""

import socket

try:
    from typing import Any, Generator, List, Tuple, Union
except ImportError:
    pass

from ..kernel.lowlevel import completed
from .threads import run_in_thread


def _is_ip_literal(host: str) -> bool:
    for family in (socket.AF_INET, getattr(socket, "AF_INET6", None)):
        if family is None:
            continue
        try:
            socket.inet_pton(family, host)
            return True
        except (OSError, ValueError):
            pass
    return False


def _numeric(host: "Any", port: "Any") -> bool:
    """True if resolving (host, port) needs no lookup at all (see the module docstring)."""
    if port is not None and not isinstance(port, int):
        if isinstance(port, bytes):
            port = port.decode("ascii", "replace")
        if not (isinstance(port, str) and port.isdigit()):
            return False  # a service name ("http"): /etc/services, or worse
    if host is None:
        return True
    if isinstance(host, bytes):
        host = host.decode("ascii", "replace")
    return isinstance(host, str) and _is_ip_literal(host)


def getaddrinfo(
    host: "Union[str, bytes, None]",
    port: "Union[str, bytes, int, None]",
    family: int = 0,
    type: int = 0,
    proto: int = 0,
    flags: int = 0,
) -> "Generator[Any, Any, List[Tuple[Any, Any, int, str, Any]]]":
    """``yield from getaddrinfo(host, port, ...)``: ``socket.getaddrinfo`` without blocking.

    Same arguments and result as ``socket.getaddrinfo``; its errors (``socket.gaierror``) are
    raised in the task. IP literals are answered at once (no thread, not a checkpoint).
    """
    if _numeric(host, port):
        return completed(_getaddrinfo(host, port, family, type, proto, flags | socket.AI_NUMERICHOST))
    return run_in_thread(_getaddrinfo, host, port, family, type, proto, flags)


def _getaddrinfo(host: "Any", port: "Any", family: int, type: int, proto: int, flags: int) -> "Any":
    """``socket.getaddrinfo``, whose error names the host and port it could not resolve.

    Discussion: the resolver's own message ("Name or service not known") names neither, and a
    program that connects to several hosts cannot tell which one failed.
    """
    try:
        return socket.getaddrinfo(host, port, family, type, proto, flags)
    except socket.gaierror as error:
        if isinstance(host, bytes):
            host = host.decode("ascii", "replace")
        if isinstance(port, bytes):
            port = port.decode("ascii", "replace")
        reason = error.strerror or str(error)
        raise socket.gaierror(error.errno, "cannot resolve %r port %r: %s" % (host, port, reason)) from error


def getnameinfo(sockaddr: "Tuple[Any, ...]", flags: int = 0) -> "Generator[Any, Any, Tuple[str, str]]":
    """``yield from getnameinfo(sockaddr, flags)``: ``socket.getnameinfo`` without blocking.

    With ``NI_NUMERICHOST | NI_NUMERICSERV`` in ``flags`` nothing is looked up, and the
    answer comes at once; otherwise the reverse lookup runs in a worker thread.
    """
    numeric = socket.NI_NUMERICHOST | socket.NI_NUMERICSERV
    if flags & numeric == numeric:
        return completed(socket.getnameinfo(sockaddr, flags))
    return run_in_thread(socket.getnameinfo, sockaddr, flags)


# genlet/io/addresses.py
"""From ``(host, port)`` to what ``socket.connect`` and ``socket.bind`` take.

Three cases, cheapest first:

1. an IP literal (``"127.0.0.1"``, ``"::1"``): no lookup at all;
2. a name, for connecting: ``genlet.io.dns.getaddrinfo`` in a thread, so the kernel keeps
   running while the resolver works (a blocking lookup where that module is not available);
3. a name, for binding (``tcp_server``, ``udp_socket`` are plain calls): a blocking
   ``socket.getaddrinfo``. Bind addresses are local ("localhost", "", an interface's address),
   so the lookup does not leave the machine.

Discussion: MicroPython's sockets take only the raw ``sockaddr`` bytes that its
``getaddrinfo`` returns, never a ``(host, port)`` tuple; so there, even a literal goes through
``getaddrinfo`` (which answers a literal at once, without a lookup).
"""

import socket

try:
    from typing import Any, Generator, List, Tuple
except ImportError:
    pass

from .errors import EAI_NONAME

_TAKES_TUPLES = hasattr(socket, "inet_aton")  # CPython, PyPy; not MicroPython's unix port
AF_INET = socket.AF_INET
AF_INET6 = getattr(socket, "AF_INET6", None)


def literal_family(host: str) -> "Any":
    """``AF_INET`` / ``AF_INET6`` if ``host`` is an IP address written out, else None."""
    if ":" in host:
        return AF_INET6 if _is_ipv6(host) else None
    parts = host.split(".")
    if len(parts) != 4:
        return None
    for part in parts:
        if not part.isdigit() or len(part) > 3 or int(part) > 255:
            return None
    return AF_INET


def _is_ipv6(host: str) -> bool:
    if AF_INET6 is None:
        return False
    try:
        socket.inet_pton(AF_INET6, host.split("%", 1)[0])
    except (OSError, ValueError, AttributeError):
        return False
    return True


def readable(address: "Any") -> "Any":
    """``(host, port)`` for an address as a socket reports it (MicroPython: raw bytes)."""
    if isinstance(address, (bytes, bytearray)) and hasattr(socket, "sockaddr") and address:
        try:
            decoded = socket.sockaddr(address)
            return (socket.inet_ntop(decoded[0], decoded[1]), decoded[2])
        except Exception:
            return address
    return address


def address_text(address: "Any") -> str:
    """``host:port`` (``[host]:port`` for IPv6), or the path of a unix socket."""
    address = readable(address)
    if isinstance(address, tuple) and len(address) >= 2:
        host = str(address[0])
        return ("[%s]:%s" if ":" in host else "%s:%s") % (host, address[1])
    if not address:
        return "an unnamed unix socket"
    return str(address)


def resolve_now(host: "Any", port: int, kind: int, passive: bool = False) -> "List[Tuple[int, Any]]":
    """``[(family, sockaddr), ...]`` for ``host`` (a blocking lookup for a name)."""
    if host is None or host == "":
        host = ("0.0.0.0" if passive else "127.0.0.1")
    family = literal_family(host)
    if family is not None and _TAKES_TUPLES:
        return [(family, (host, port) if family == AF_INET else (host, port, 0, 0))]
    if _TAKES_TUPLES:
        flags = getattr(socket, "AI_PASSIVE", 0) if passive else 0
        infos = socket.getaddrinfo(host, port, 0, kind, 0, flags)
    else:
        infos = socket.getaddrinfo(host, port)
    found = []  # type: List[Tuple[int, Any]]
    for info in infos:
        if info[1] not in (kind, 0):
            continue
        if (info[0], info[-1]) not in found:
            found.append((info[0], info[-1]))
    if not found:
        raise OSError(EAI_NONAME, "no address found for %r" % (host,))
    return found


def resolve(host: "Any", port: int, kind: int) -> "Generator[Any, Any, List[Tuple[int, Any]]]":
    """``yield from resolve(host, port, SOCK_STREAM)``: the addresses to try, in order."""
    if host is None or not _TAKES_TUPLES or literal_family(host) is not None:
        return resolve_now(host, port, kind)
    try:
        from .dns import getaddrinfo
    except ImportError:  # no cooperative resolver here: look it up in place
        return resolve_now(host, port, kind)
    infos = yield from getaddrinfo(host, port, 0, kind)
    found = []  # type: List[Tuple[int, Any]]
    for info in infos:
        if (info[0], info[-1]) not in found:
            found.append((info[0], info[-1]))
    if not found:
        raise OSError(EAI_NONAME, "no address found for %r" % (host,))
    return found

# genlet/io/connections.py
"""Opening connections: ``open_connection``, ``open_unix_connection``, ``udp_socket``.

::

    stream = yield from genlet.io.open_connection("127.0.0.1", 8000, timeout=5)
    yield from stream.write(b"ping\\n")
    print((yield from stream.readline()))
    stream.close()

``open_connection`` resolves the name (see ``addresses``), tries each address in turn until
one accepts, turns Nagle's algorithm off (a request-response protocol should not wait 40 ms
for an acknowledgement), does the TLS handshake if asked, and returns a ``Stream``. A socket
that did not make it is closed before the error (or the cancellation) goes on: no descriptor
leaks, whatever happens.
"""

import socket

try:
    from typing import Any, Generator, Optional
except ImportError:
    pass

from ..kernel.cancel import fail_after
from ..kernel.errors import TimeoutError, plural
from .addresses import literal_family, resolve, resolve_now
from .errors import EOPNOTSUPP, strerror, translate
from .sockets import Socket
from .streams import DEFAULT_LIMIT, Stream

SOCK_STREAM = socket.SOCK_STREAM
SOCK_DGRAM = socket.SOCK_DGRAM


def set_nodelay(sock: Socket) -> None:
    """Turn Nagle's algorithm off on a TCP socket, where the interpreter can."""
    nodelay = getattr(socket, "TCP_NODELAY", None)
    if nodelay is not None:
        try:
            sock.setsockopt(getattr(socket, "IPPROTO_TCP", 6), nodelay, 1)
        except OSError:  # not TCP after all (a unix socket): nothing to turn off
            pass


def open_connection(
    host: str,
    port: int,
    ssl: "Any" = None,
    timeout: "Optional[float]" = None,
    server_hostname: "Optional[str]" = None,
    limit: int = DEFAULT_LIMIT,
) -> "Generator[Any, Any, Stream]":
    """``yield from open_connection(host, port)``: a ``Stream`` connected to ``(host, port)``.

    ``ssl``: an ``ssl.SSLContext`` (or True for the default one) to speak TLS, checking the
    certificate against ``server_hostname`` (default: ``host``). ``timeout``: seconds for the
    whole of it (lookup, connect, handshake); then ``TimeoutError``.
    """
    connect = _open_tcp(host, port, ssl, server_hostname, limit)
    return _within(timeout, connect, "open_connection(%r, %r)" % (host, port))


def open_unix_connection(
    path: str,
    ssl: "Any" = None,
    timeout: "Optional[float]" = None,
    server_hostname: "Optional[str]" = None,
    limit: int = DEFAULT_LIMIT,
) -> "Generator[Any, Any, Stream]":
    """``yield from open_unix_connection(path)``: a ``Stream`` connected to a unix socket."""
    family = getattr(socket, "AF_UNIX", None)
    if family is None:
        raise OSError(EOPNOTSUPP, "this interpreter has no unix sockets (socket.AF_UNIX)")
    connect = _open_socket(family, path, ssl, server_hostname, limit, "unix socket %r" % (path,))
    return _within(timeout, connect, "open_unix_connection(%r)" % (path,))


def _within(timeout: "Optional[float]", operation: "Any", what: str) -> "Generator[Any, Any, Any]":
    if timeout is None:
        return (yield from operation)
    scope = fail_after(timeout)
    try:
        with scope:
            return (yield from operation)
    except TimeoutError:
        if scope.cancelled_caught:
            raise TimeoutError("%s did not connect within %s" % (what, plural(timeout, "second")))
        raise


def _open_tcp(host: str, port: int, ssl: "Any", server_hostname: "Optional[str]", limit: int) -> "Generator[Any, Any, Stream]":
    addresses = yield from resolve(host, port, SOCK_STREAM)
    error = None  # type: Optional[BaseException]
    for family, address in addresses:
        try:
            sock = yield from _connect(family, address, "%s port %s" % (host, port))
        except OSError as exc:
            error = exc  # try the next address
            continue
        set_nodelay(sock)
        return (yield from _stream(sock, ssl, server_hostname or host, limit))
    raise error  # type: ignore[misc]


def _open_socket(
    family: int, address: "Any", ssl: "Any", server_hostname: "Optional[str]", limit: int, what: str
) -> "Generator[Any, Any, Stream]":
    sock = yield from _connect(family, address, what)
    return (yield from _stream(sock, ssl, server_hostname, limit))


def _connect(family: int, address: "Any", what: str) -> "Generator[Any, Any, Socket]":
    """One socket connected to one address; closed again on any failure or cancellation."""
    sock = Socket(socket.socket(family, SOCK_STREAM))
    try:
        yield from sock.connect(address)
    except OSError as exc:
        sock.close()
        raise _explained(exc, "cannot connect to %s" % what) from None
    except BaseException:
        sock.close()
        raise
    return sock


def _stream(sock: Socket, ssl: "Any", server_hostname: "Optional[str]", limit: int) -> "Generator[Any, Any, Stream]":
    """The Stream over a connected socket, after the TLS handshake if ``ssl`` asks for one."""
    if ssl is not None and ssl is not False:
        from .tls import wrap

        sock = yield from wrap(sock, ssl, server_side=False, server_hostname=server_hostname)  # closes it on failure
    return Stream(sock, limit)


def _explained(exc: OSError, context: str) -> OSError:
    """The same kind of error, with what we were doing in its message."""
    exc = translate(exc)
    errno = getattr(exc, "errno", None)
    if not isinstance(errno, int):
        return exc
    reason = strerror(exc)
    try:
        return exc.__class__(errno, "%s: %s" % (context, reason))
    except Exception:  # a class that does not take (errno, message)
        return exc


def udp_socket(host: "Optional[str]" = None, port: int = 0, family: "Optional[int]" = None) -> Socket:
    """A UDP ``Socket``, bound to ``(host, port)`` if ``host`` is given (a plain call).

    ``yield from sock.sendto(data, address)`` and ``yield from sock.recvfrom(n)``; or
    ``yield from sock.connect(address)`` first, then ``send`` / ``recv``. Port 0 picks a free
    port: ``sock.getsockname()`` tells which.
    """
    address = None
    if host is not None:
        found = resolve_now(host, port, SOCK_DGRAM, passive=True)
        if family is None:
            family = found[0][0]
        address = next((a for f, a in found if f == family), found[0][1])
    elif family is None:
        family = socket.AF_INET
    sock = Socket(socket.socket(family, SOCK_DGRAM))
    if address is not None:
        try:
            sock.bind(address)
        except OSError as exc:
            sock.close()
            raise _explained(exc, "udp_socket: cannot bind to %s port %s" % (host, port)) from None
    return sock


def sockaddr(host: str, port: int, kind: int = SOCK_STREAM) -> "Any":
    """What ``Socket.connect`` / ``sendto`` take for ``(host, port)`` on this interpreter.

    ``(host, port)`` itself on CPython and PyPy; MicroPython wants the raw address bytes.
    """
    if literal_family(host) is not None and hasattr(socket, "inet_aton"):
        return (host, port)
    return resolve_now(host, port, kind)[0][1]


__all__ = ["open_connection", "open_unix_connection", "set_nodelay", "sockaddr", "udp_socket"]

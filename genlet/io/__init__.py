# genlet/io/__init__.py
"""genlet.io: cooperative sockets, streams, servers, threads (CPython, PyPy; sockets on MicroPython).

Without stack switching nothing can be monkey-patched: a plain blocking call cannot yield. So
genlet.io gives the explicit, cooperative versions of what network programs use, each built on
the kernel's ``read_wait`` / ``write_wait``: try the non-blocking call, and when it would
block, wait for the descriptor, then try again.

Each part is imported when first used (``genlet.io.run_in_thread`` loads ``genlet.io.threads``),
so ``import genlet.io`` costs nothing and imports neither ``socket``, ``ssl``, ``subprocess``,
``threading`` nor ``signal``.

- sockets: ``Socket``; streams: ``Stream``; TLS: ``TLSSocket`` (``ssl=`` on the calls below);
- connections: ``open_connection``, ``open_unix_connection``, ``udp_socket``, ``sockaddr``;
- servers: ``tcp_server``, ``unix_server``, ``Server``;
- errors: ``ConnectionError`` and its kin (one spelling on every interpreter),
  ``IdleTimeout``, ``IncompleteRead``, ``LimitExceeded``, ``TimeoutError``;
- pipes and subprocesses: ``fd_stream``, ``FileDescriptor``, ``run_process``, ``Process``,
  ``PIPE``, ``STDOUT``, ``DEVNULL``;
- threads: ``run_in_thread``, ``from_thread`` (a bounded pool of worker threads);
- dns: ``getaddrinfo``, ``getnameinfo`` (the system resolver, in a worker thread);
- signals: ``signal_wait``, ``catch_signals`` (main thread).
"""

from ..kernel._typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .connections import open_connection, open_unix_connection, sockaddr, udp_socket
    from .dns import getaddrinfo, getnameinfo
    from .errors import (
        BrokenPipeError,
        ConnectionAbortedError,
        ConnectionError,
        ConnectionRefusedError,
        ConnectionResetError,
        IdleTimeout,
        IncompleteRead,
        LimitExceeded,
        TimeoutError,
    )
    from .pipes import FileDescriptor, fd_stream
    from .process import DEVNULL, PIPE, STDOUT, Process, run_process
    from .servers import Server, tcp_server, unix_server
    from .signals import catch_signals, signal_wait
    from .sockets import Socket
    from .streams import Stream
    from .threads import from_thread, run_in_thread
    from .tls import TLSSocket

_LAZY = {
    "Socket": "sockets",
    "Stream": "streams",
    "TLSSocket": "tls",
    "open_connection": "connections",
    "open_unix_connection": "connections",
    "udp_socket": "connections",
    "sockaddr": "connections",
    "Server": "servers",
    "tcp_server": "servers",
    "unix_server": "servers",
    "BrokenPipeError": "errors",
    "ConnectionAbortedError": "errors",
    "ConnectionError": "errors",
    "ConnectionRefusedError": "errors",
    "ConnectionResetError": "errors",
    "IdleTimeout": "errors",
    "IncompleteRead": "errors",
    "LimitExceeded": "errors",
    "TimeoutError": "errors",
    "FileDescriptor": "pipes",
    "fd_stream": "pipes",
    "Process": "process",
    "run_process": "process",
    "PIPE": "process",
    "STDOUT": "process",
    "DEVNULL": "process",
    "run_in_thread": "threads",
    "from_thread": "threads",
    "getaddrinfo": "dns",
    "getnameinfo": "dns",
    "signal_wait": "signals",
    "catch_signals": "signals",
}

__all__ = [
    "BrokenPipeError", "ConnectionAbortedError", "ConnectionError", "ConnectionRefusedError",
    "ConnectionResetError", "DEVNULL", "FileDescriptor", "IdleTimeout", "IncompleteRead", "LimitExceeded", "PIPE",
    "Process", "STDOUT", "Server", "Socket", "Stream", "TLSSocket", "TimeoutError", "catch_signals",
    "fd_stream", "from_thread", "getaddrinfo", "getnameinfo", "open_connection", "open_unix_connection",
    "run_in_thread", "run_process", "signal_wait", "sockaddr", "tcp_server", "udp_socket", "unix_server",
]  # fmt: skip


def __getattr__(name: str) -> "object":
    """Import the module that defines ``name`` on first use (PEP 562).

    Discussion: ``__import__`` with a ``fromlist`` returns the submodule itself; unlike
    ``importlib.import_module`` it exists on MicroPython too, where the sockets must work.
    """
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError("module 'genlet.io' has no attribute %r" % (name,))
    value = getattr(__import__(__name__ + "." + module, None, None, [name]), name)
    globals()[name] = value
    return value


def __dir__() -> "list[str]":
    return sorted(set(globals()) | set(_LAZY))

"""genlet.io: cooperative sockets, streams, servers, threads (CPython, PyPy; sockets on MicroPython).

Without stack switching nothing can be monkey-patched: a plain blocking call cannot yield. So
genlet.io gives the explicit, cooperative versions of what network programs use, each built on
the kernel's ``read_wait`` / ``write_wait``: try the non-blocking call, and when it would
block, wait for the descriptor, then try again. No dependencies; ``ssl`` and ``subprocess``
are imported only when used.
"""

# -- sockets, streams, servers (portable: MicroPython's unix port too) ----------------------------
from .connections import open_connection, open_unix_connection, sockaddr, udp_socket
from .errors import (
    BrokenPipeError,
    ConnectionAbortedError,
    ConnectionError,
    ConnectionRefusedError,
    ConnectionResetError,
    IncompleteRead,
    LimitExceeded,
    TimeoutError,
)
from .servers import Server, tcp_server, unix_server
from .sockets import Socket
from .streams import Stream
from .tls import TLSSocket

# -- pipes, subprocesses (CPython, PyPy) ------------------------------------------------------------
try:
    from .pipes import FileDescriptor, fd_stream
    from .process import DEVNULL, PIPE, STDOUT, Process, run_process
except ImportError:  # an interpreter without os.pipe / os.set_blocking (MicroPython)
    pass

__all__ = [
    "BrokenPipeError", "ConnectionAbortedError", "ConnectionError", "ConnectionRefusedError",
    "ConnectionResetError", "DEVNULL", "FileDescriptor", "IncompleteRead", "LimitExceeded", "PIPE",
    "Process", "STDOUT", "Server", "Socket", "Stream", "TLSSocket", "TimeoutError", "fd_stream", "open_connection",
    "open_unix_connection", "run_process", "sockaddr", "tcp_server", "udp_socket", "unix_server",
]  # fmt: skip

# genlet/monitor/server.py
"""The monitor's server: a loopback-only console, served by daemon tasks of the kernel.

``Monitor(address).start(kernel)`` (what ``Kernel(monitor=...)`` does) binds and listens at
once, so a bad address or a busy port fails right there, and ``monitor.address`` is the real
one (also for port 0); then a daemon task accepts connections and serves each in a daemon
task of its own: read a line, run the command (``commands.py``), write the answer and the
prompt. ``python -m genlet.monitor`` is the client; ``nc 127.0.0.1 48802`` works too.

Discussion: why loopback only? Whoever connects can read every task's stack and cancel any
task, with no password: the monitor is for the person at the machine (or at the other end of
``ssh -L``), as curio's is. So any other address is refused with an explanation.

Discussion: the monitor is a task of the kernel it watches, so it sees the kernel between two
steps, never in the middle of one, and needs no lock; the price: while a task holds the kernel
(a step that never yields), the monitor cannot answer either. The slow-step detector, which
watches from a thread, names such a task. While it listens, the kernel always has IO to wait
for, so a program whose tasks all wait for each other hangs, for you to look at with the
monitor, instead of raising ``Deadlock``.
"""

import logging
import socket

try:
    from typing import Any, Generator, Tuple
except ImportError:
    pass

from ..io.errors import LimitExceeded
from ..io.sockets import Socket
from ..io.streams import Stream
from ..kernel.spawning import spawn
from .accounting import accounting
from .commands import PROMPT, Session
from .tracing import Tracing

DEFAULT_ADDRESS = ("127.0.0.1", 48802)
_LINE_LIMIT = 4096  # the longest command line a client may send


def parse_address(value: "Any", what: str = "monitor=") -> "Tuple[str, int]":
    """``value`` as a loopback ``(host, port)``: True (the default address), ``"host:port"``,
    ``"[::1]:port"``, a port (``48802``, ``"48802"``, ``":48802"``) or ``(host, port)``."""
    if value is True or (isinstance(value, str) and value.strip().lower() in ("1", "on", "true", "yes")):
        return DEFAULT_ADDRESS
    host, port = DEFAULT_ADDRESS[0], None  # type: Tuple[str, Any]
    if isinstance(value, tuple) and len(value) == 2:
        host, port = value
    elif isinstance(value, int) and not isinstance(value, bool):
        port = value
    elif isinstance(value, str):
        text = value.strip()
        if ":" in text:
            host, _, port = text.rpartition(":")
            host = host.strip("[]") or DEFAULT_ADDRESS[0]
        else:
            port = text
    try:
        port = int(port)
    except (TypeError, ValueError):
        port = -1
    if not 0 <= port <= 65535 or not isinstance(host, str):
        raise ValueError(
            "%s takes True (the default, 127.0.0.1:48802), 'host:port' (e.g. '127.0.0.1:48802'; "
            "port 0 picks a free one), a port number, or a (host, port) tuple; got %r" % (what, value)
        )
    check_loopback(host, what)
    return host, port


def check_loopback(host: str, what: str = "monitor=") -> None:
    """Refuse, with the reason, any address that is not a loopback one."""
    import ipaddress

    try:
        addresses = [ipaddress.ip_address(host)]
    except ValueError:
        try:
            found = socket.getaddrinfo(host, None, 0, socket.SOCK_STREAM)
        except OSError as error:
            raise ValueError("%s: cannot resolve the host %r (%s); use 127.0.0.1 or ::1" % (what, host, error))
        addresses = [ipaddress.ip_address(str(info[4][0]).split("%")[0]) for info in found]
    if not addresses or not all(address.is_loopback for address in addresses):
        raise ValueError(
            "%s %r is not a loopback address: the monitor listens only on 127.0.0.1 or ::1, since "
            "whoever connects may read every task's stack and cancel any task. To reach it from "
            "another machine, forward the port over ssh: ssh -L 48802:127.0.0.1:48802 thathost" % (what, host)
        )


class _Labelled(socket.socket):
    """A socket that a task waiting on it names in a few words (ps: "read the monitor's ...")."""

    label = "a monitor socket"

    def __repr__(self) -> str:
        return self.label


class Monitor:
    """The monitor server of one kernel (see the module doc)."""

    def __init__(self, address: "Any" = True, what: str = "Monitor(address)") -> None:
        self.host, self.port = parse_address(address, what)
        self.address = (self.host, self.port)  # the bound address, once started
        self.kernel = None  # type: Any
        self.accounting = None  # type: Any
        self.tracing = None  # type: Any  # trace on / trace off (tracing.py)
        self.sessions = 0  # connections served so far
        self._listener = None  # type: Any

    def start(self, kernel: "Any") -> None:
        """Listen now; serve from a daemon task of ``kernel`` (a plain call)."""
        if self.kernel is not None:
            raise RuntimeError("this Monitor serves a kernel already; make one Monitor per kernel")
        family = socket.AF_INET6 if ":" in self.host else socket.AF_INET
        sock = _Labelled(family, socket.SOCK_STREAM)
        try:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            sock.bind((self.host, self.port))
            sock.listen(8)
        except OSError as error:
            sock.close()
            raise OSError(
                error.errno,
                "the genlet monitor cannot listen on %s port %d: %s (another program, another "
                "genlet kernel's monitor, or for a minute after it closed, an outgoing connection "
                "that had it as its own port, may have it: pick another port, or 0 for a free one)"
                % (self.host, self.port, error.strerror or error),
            )
        self.address = sock.getsockname()[:2]
        sock.label = "the monitor's socket %s:%d" % self.address
        self.kernel = kernel
        self.accounting = accounting(kernel)
        self.tracing = Tracing(kernel)
        self._listener = Socket(sock)
        kernel.spawn(self._serve, name="genlet.monitor", daemon=True)
        logging.getLogger("genlet").info("genlet monitor: python -m genlet.monitor %s:%d" % self.address)

    def close(self) -> None:
        """Stop listening (the daemon tasks end with the run in any case)."""
        if self._listener is not None:
            self._listener.close()

    def _serve(self) -> "Generator[Any, Any, None]":
        listener = self._listener
        try:
            while True:
                conn, peer = yield from listener.accept()
                self.sessions += 1
                name = "genlet.monitor session %d" % self.sessions
                client = conn.socket
                labelled = _Labelled(client.family, client.type, client.proto, fileno=client.detach())
                labelled.label = "the client of %s" % name
                spawn(self._session, Socket(labelled), name=name, daemon=True)
        finally:
            listener.close()

    def _session(self, conn: Socket) -> "Generator[Any, Any, None]":
        stream = Stream(conn, limit=_LINE_LIMIT)
        session = Session(self)
        try:
            yield from stream.write((session.greeting() + "\n" + PROMPT).encode())
            while True:
                line = yield from stream.readline()
                if not line:
                    return
                answer, more = session.execute(line.decode("utf-8", "replace"))
                yield from stream.write((answer + "\n" + (PROMPT if more else "")).encode())
                if not more:
                    return
        except LimitExceeded:
            yield from stream.write(b"that line is too long for a command; bye\n")
        except OSError:
            return  # (the client went away: nothing to report)
        finally:
            stream.close()

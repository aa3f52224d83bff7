# genlet/io/pipes.py
"""FileDescriptor: a pipe, a tty or a FIFO as a cooperative transport for ``Stream``.

::

    stream = genlet.io.fd_stream(sys.stdin.fileno(), close=False)
    line = yield from stream.readline()

The descriptor is set non-blocking, and reads and writes follow the socket pattern: try
``os.read`` / ``os.write``; on "would block", wait on the kernel's poller and try again. Regular
files are always "ready" to a poller (their reads never block in that sense), so this is for
pipes, ttys, FIFOs and character devices; read a regular file in a thread.

Discussion: a tty or a pipe may be shared with other processes (the shell that started us owns
our stdin). Non-blocking mode belongs to the open file, not to our descriptor, so leaving it
set would surprise them; ``close()`` puts back the mode it found.

CPython and PyPy only: MicroPython's ``os`` has no ``read``, ``write`` or ``set_blocking``.
"""

import os

try:
    from typing import Any, Generator
except ImportError:
    pass

from ..kernel import notify_closing, read_wait, write_wait
from ..kernel.lowlevel import DONE
from .errors import EBADF, WOULD_BLOCK, translate
from .sockets import FAIR_SHARE


class FileDescriptor:
    """A cooperative transport over a file descriptor (``recv``, ``sendall``, ``close``)."""

    __slots__ = ("_fd", "_close", "_was_blocking", "closed", "_streak")

    def __init__(self, fd: "Any", close: bool = True) -> None:
        if not isinstance(fd, int):
            fd = fd.fileno()
        self._fd = fd  # type: int
        self._close = close
        self._was_blocking = os.get_blocking(fd)
        os.set_blocking(fd, False)
        self.closed = False
        self._streak = 0  # reads in a row that did not wait (fairness, as in sockets.py)

    def fileno(self) -> int:
        if self.closed:
            raise OSError(EBADF, "this FileDescriptor is closed")
        return self._fd

    def recv(self, maxsize: int) -> "Generator[Any, Any, bytes]":
        """``yield from fd.recv(n)``: up to ``n`` bytes; ``b''`` at the end (writer closed)."""
        fd = self._fd
        self._streak += 1
        if self._streak >= FAIR_SHARE:
            self._streak = 0
            yield
        while True:
            try:
                return os.read(fd, maxsize)  # type: ignore[no-any-return, unused-ignore]
            except OSError as exc:
                if exc.errno not in WOULD_BLOCK:
                    raise translate(exc)
            self._streak = 0
            yield from read_wait(self)

    def send(self, data: "Any") -> "Generator[Any, Any, int]":
        """``yield from fd.send(data)``: the number of bytes written (at least one)."""
        fd = self._fd
        while True:
            try:
                return os.write(fd, data)
            except OSError as exc:
                if exc.errno not in WOULD_BLOCK:
                    raise translate(exc)
            yield from write_wait(self)

    def sendall(self, data: "Any") -> "Generator[Any, Any, None]":
        """``yield from fd.sendall(data)``: returns once every byte is written."""
        view = memoryview(data)
        total = len(view)
        sent = 0
        while sent < total:
            sent += yield from self.send(view[sent:])

    def shutdown(self, how: int) -> "Generator[Any, Any, None]":
        """``write_eof`` on a pipe: closing our end is how a pipe says "no more"."""
        self.close()
        return DONE  # type: ignore[no-any-return]

    def close(self) -> None:
        """Restore the blocking mode, and close the descriptor if we own it (a plain call)."""
        if self.closed:
            return
        try:
            notify_closing(self)
        finally:
            self.closed = True
            try:
                os.set_blocking(self._fd, self._was_blocking)
            except OSError:
                pass
            if self._close:
                os.close(self._fd)

    def __enter__(self) -> "FileDescriptor":
        return self

    def __exit__(self, *exc_info: "Any") -> None:
        self.close()

    def __repr__(self) -> str:
        return "<FileDescriptor %d%s>" % (self._fd, " closed" if self.closed else "")


def fd_stream(fd: "Any", close: bool = True, limit: "Any" = None) -> "Any":
    """A ``Stream`` over a pipe, tty or FIFO descriptor (an int, or an object with ``fileno()``).

    With ``close=True`` closing the stream closes the descriptor; with ``close=False`` it only
    puts back the descriptor's blocking mode.
    """
    from .streams import DEFAULT_LIMIT, Stream

    return Stream(FileDescriptor(fd, close), DEFAULT_LIMIT if limit is None else limit)

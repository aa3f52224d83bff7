# genlet/io/errors.py
"""The errors of genlet.io, spelled the same on every interpreter.

CPython and PyPy raise ``ConnectionResetError``, ``BrokenPipeError`` and friends: subclasses of
``OSError`` chosen by ``errno``. MicroPython raises a bare ``OSError(errno)`` and has none of
those names. So this module exports each name as the builtin where there is one, and as a
subclass of ``OSError`` (with the same family tree) elsewhere; and ``translate(exc)`` turns a
bare ``OSError`` into the matching class. The socket layer translates every error it lets out,
so ``except genlet.io.ConnectionResetError`` catches a reset on every interpreter.

Also here: ``IdleTimeout`` (a connection waited longer than its ``idle_timeout``),
``IncompleteRead`` (the stream ended before ``read_exactly`` had its bytes),
``LimitExceeded`` (``readline`` found no newline within its limit), and the test for "this
call would block" that every non-blocking call in genlet.io uses.
"""

import errno as _errno

try:
    from typing import Any, Dict, Optional
except ImportError:
    pass

from ..kernel._typing import TYPE_CHECKING
from ..kernel.errors import TimeoutError, builtin, plural


def _errno_value(name: str, default: int) -> int:
    """``errno.NAME``; ``default`` (the Linux value) where the port's errno module lacks it."""
    return getattr(_errno, name, default)  # type: ignore[no-any-return, unused-ignore]


EAGAIN = _errno_value("EAGAIN", 11)
EWOULDBLOCK = _errno_value("EWOULDBLOCK", EAGAIN)
EINPROGRESS = _errno_value("EINPROGRESS", 115)
EISCONN = _errno_value("EISCONN", 106)
EALREADY = _errno_value("EALREADY", 114)
EINTR = _errno_value("EINTR", 4)
EBADF = _errno_value("EBADF", 9)
ECONNABORTED = _errno_value("ECONNABORTED", 103)
ECONNREFUSED = _errno_value("ECONNREFUSED", 111)
ECONNRESET = _errno_value("ECONNRESET", 104)
EPIPE = _errno_value("EPIPE", 32)
ESHUTDOWN = _errno_value("ESHUTDOWN", 108)
ETIMEDOUT = _errno_value("ETIMEDOUT", 110)
ENOTCONN = _errno_value("ENOTCONN", 107)
EOPNOTSUPP = _errno_value("EOPNOTSUPP", 95)
EMFILE = _errno_value("EMFILE", 24)
ENFILE = _errno_value("ENFILE", 23)
ENOBUFS = _errno_value("ENOBUFS", 105)
ENOMEM = _errno_value("ENOMEM", 12)
EAI_NONAME = -2  # not an errno: getaddrinfo's "no address for that name" (socket.EAI_NONAME on Linux)

# The errnos of "try again later". A tuple of distinct ints: `in` on it is the fastest test.
WOULD_BLOCK = tuple(set((EAGAIN, EWOULDBLOCK, EINPROGRESS, EINTR)))


def would_block(exc: BaseException) -> bool:
    """Does this exception only mean "not now, wait and retry"?"""
    return getattr(exc, "errno", None) in WOULD_BLOCK


# -- the portable names --------------------------------------------------------------------------
# Discussion: each class is the builtin when the interpreter has it, so that `except
# ConnectionResetError` written against the builtin and against genlet.io catch the same thing.
# The fallbacks keep the builtins' family tree: resets, refusals, aborts and broken pipes are all
# ConnectionErrors, and every one is an OSError that carries its errno.

if TYPE_CHECKING:
    from builtins import (
        BrokenPipeError,
        ConnectionAbortedError,
        ConnectionError,
        ConnectionRefusedError,
        ConnectionResetError,
    )
else:
    ConnectionError = builtin("ConnectionError")
    ConnectionResetError = builtin("ConnectionResetError")
    ConnectionRefusedError = builtin("ConnectionRefusedError")
    ConnectionAbortedError = builtin("ConnectionAbortedError")
    BrokenPipeError = builtin("BrokenPipeError")

    if ConnectionError is None:

        class ConnectionError(OSError):
            """A connection failed: reset, refused, aborted, or a broken pipe."""

    if ConnectionResetError is None:

        class ConnectionResetError(ConnectionError):
            """The peer reset the connection."""

    if ConnectionRefusedError is None:

        class ConnectionRefusedError(ConnectionError):
            """Nobody listens at that address."""

    if ConnectionAbortedError is None:

        class ConnectionAbortedError(ConnectionError):
            """The connection was aborted."""

    if BrokenPipeError is None:

        class BrokenPipeError(ConnectionError):
            """Writing to a connection that the peer has closed."""

_BY_ERRNO = {
    ECONNRESET: ConnectionResetError,
    ECONNREFUSED: ConnectionRefusedError,
    ECONNABORTED: ConnectionAbortedError,
    EPIPE: BrokenPipeError,
    ESHUTDOWN: BrokenPipeError,
    ETIMEDOUT: TimeoutError,
}  # type: Dict[int, Any]


def translate(exc: OSError) -> OSError:
    """``exc`` as the portable class its errno calls for (``exc`` itself if it already is one)."""
    if exc.__class__ is not OSError:
        return exc  # already specific (CPython did it), or not ours to touch
    cls = _BY_ERRNO.get(exc.errno)  # type: ignore[arg-type]
    if cls is None:
        return exc
    return cls(exc.errno, strerror(exc))  # type: ignore[no-any-return]


def strerror(exc: BaseException) -> str:
    """The reason an OSError gives, without the ``[Errno N]`` (MicroPython has no strerror)."""
    reason = getattr(exc, "strerror", None)
    if reason:
        return reason  # type: ignore[no-any-return]
    args = exc.args
    if len(args) >= 2 and isinstance(args[1], str):
        return args[1]
    if len(args) == 1 and isinstance(args[0], int):
        return _describe_errno(args[0])
    return str(exc)


def _describe_errno(number: "Optional[int]") -> str:
    names = getattr(_errno, "errorcode", None)
    if names is not None and number in names:
        return names[number]  # type: ignore[no-any-return]
    return "errno %r" % (number,)


# -- genlet.io's own ------------------------------------------------------------------------------


class IncompleteRead(EOFError):
    """The stream ended before the bytes asked for arrived; ``.partial`` holds those that did."""

    def __init__(self, partial: bytes, expected: "Optional[int]", what: str = "") -> None:
        if expected is None:
            message = "the stream ended after %s, before %s" % (plural(len(partial), "byte"), what or "the separator")
        else:
            message = "the stream ended after %d of the %s asked for" % (len(partial), plural(expected, "byte"))
        super().__init__(message)
        self.partial = partial
        self.expected = expected


class IdleTimeout(TimeoutError):
    """A read or a write on a connection waited longer than its ``idle_timeout``.

    A ``TimeoutError``. ``.address`` is the peer (as text), ``.seconds`` the bound, ``.reading``
    says which way: True, the peer sent nothing; False, it took nothing we sent (it stopped
    reading). Nothing was read or written by the call that raised it: the connection is still
    usable, for a goodbye ("408 Request Timeout") before closing it.
    """

    def __init__(self, address: str, seconds: float, reading: bool = True) -> None:
        if reading:
            message = "no data from %s for %g s (idle_timeout)" % (address, seconds)
        else:
            message = "%s took nothing we sent for %g s: it stopped reading (idle_timeout)" % (address, seconds)
        super().__init__(message)
        self.address = address
        self.seconds = seconds
        self.reading = reading


class LimitExceeded(ValueError):
    """``readline`` / ``read_until`` read ``limit`` bytes without finding the separator.

    The bytes stay in the stream's buffer: the caller may still ``read`` them.
    """

    def __init__(self, message: str, limit: int) -> None:
        super().__init__(message)
        self.limit = limit


__all__ = [
    "BrokenPipeError", "ConnectionAbortedError", "ConnectionError", "ConnectionRefusedError",
    "ConnectionResetError", "IdleTimeout", "IncompleteRead", "LimitExceeded", "TimeoutError", "translate",
    "would_block",
]  # fmt: skip

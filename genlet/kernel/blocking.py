# genlet/kernel/blocking.py
"""The blocking calls that come with the kernel, each built on ``park`` (``traps.py``).

``sleep`` and ``sleep_until`` park on the timer heap; ``read_wait`` and ``write_wait`` on the
poller (``outside.py``: one reader and one writer per descriptor). ``sync/`` and ``io/`` build
every other blocking call the same way.
"""

try:
    from typing import Any, Generator, Optional
except ImportError:
    pass

from .running import current_task, running_kernel
from .traps import YIELD_ONCE, park, parking_task


class _Sleeping:
    """The wait object of a sleeping task: only its timer can wake it."""

    __slots__ = ()

    def abort(self, task: "Any") -> bool:
        return True  # the kernel cancels the timer entry itself

    def describe(self) -> str:
        return "sleep"


SLEEPING = _Sleeping()


def sleep_until(deadline: float) -> "Generator[Any, Any, None]":
    """``yield from sleep_until(deadline)``: park until the kernel clock reaches ``deadline``."""
    if deadline != deadline:  # NaN
        raise ValueError("sleep_until: the deadline is NaN")
    task = parking_task()
    if deadline <= task._kernel.clock.now():
        return YIELD_ONCE  # type: ignore[no-any-return]
    return park(task, SLEEPING, deadline)  # type: ignore[no-any-return]


def sleep(seconds: float) -> "Generator[Any, Any, None]":
    """``yield from sleep(seconds)``: park for ``seconds``; ``sleep(0)`` is a checkpoint."""
    if seconds != seconds:
        raise ValueError("sleep: the duration is NaN")
    if seconds <= 0:
        current_task()  # the same error as a real sleep outside a task
        return YIELD_ONCE  # type: ignore[no-any-return]
    task = parking_task()
    return park(task, SLEEPING, task._kernel.clock.now() + seconds)  # type: ignore[no-any-return]


def read_wait(fileobj: "Any", deadline: "Optional[float]" = None, timeout_reply: "Any" = None) -> "Generator[Any, Any, Any]":
    """``yield from read_wait(sock)``: park until ``fileobj`` (or a descriptor) is readable.

    With a ``deadline`` (kernel clock), the wait ends there if the descriptor is still not
    readable, and returns ``timeout_reply`` (a ``Failure`` is raised) instead of None.
    """
    task = parking_task()
    return park(task, task._kernel._io_wait(task, fileobj, 1), deadline, timeout_reply)  # type: ignore[no-any-return]


def write_wait(fileobj: "Any", deadline: "Optional[float]" = None, timeout_reply: "Any" = None) -> "Generator[Any, Any, Any]":
    """``yield from write_wait(sock)``: park until ``fileobj`` (or a descriptor) is writable.

    ``deadline`` and ``timeout_reply``: as for ``read_wait``.
    """
    task = parking_task()
    return park(task, task._kernel._io_wait(task, fileobj, 2), deadline, timeout_reply)  # type: ignore[no-any-return]


def notify_closing(fileobj: "Any") -> None:
    """Call before closing ``fileobj``: tasks waiting on it get an ``OSError`` (plain call)."""
    kernel = running_kernel()
    if kernel is not None:
        kernel._io_closing(fileobj)

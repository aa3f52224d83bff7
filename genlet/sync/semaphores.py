# genlet/sync/semaphores.py
"""Semaphore and BoundedSemaphore: at most n tasks at once.

::

    slots = genlet.Semaphore(3)

    def fetch(url):
        with (yield from slots):         # at most 3 fetches run at once
            return (yield from get(url))

A semaphore is a count of free permits and a line of waiting tasks. ``acquire()`` takes a
permit, or waits in line; ``release()`` gives one back, straight to the first waiter if there
is one (FIFO, no barging: permits are free only while nobody waits, so a late arrival cannot
take a permit ahead of the line; and a waiter cancelled after it was handed a permit keeps it,
to release at the end of its ``with`` block).

Unlike a lock, a permit has no owner: any task may release, and ``Deadlock`` cycles are not
traced through semaphores. A ``BoundedSemaphore`` catches the bug that a plain one hides: a
release without a matching acquire raises ``ValueError`` instead of quietly adding a permit.
"""

try:
    from typing import Any, Generator, Optional
except ImportError:
    pass

from ..kernel.lowlevel import Unwaited, WaitQueue, completed, parking_task, reschedule, unwaited
from ._base import Guard, naming, park_in_line, with_misuse


class Semaphore:
    """``n`` permits: ``yield from sem.acquire()`` takes one (waiting if none is free)."""

    __slots__ = ("_permits", "_waiters", "_guard", "name", "_label")

    _kind = "Semaphore"
    _unwaited = Unwaited("Semaphore.acquire()", "yield from sem.acquire()")

    def __init__(self, value: int = 1, name: "Optional[str]" = None) -> None:
        if not isinstance(value, int) or value < 0:
            raise ValueError(
                "%s(%r): the initial value is the number of free permits, an int >= 0"
                % (self._kind, value)
            )
        self._permits = value
        self._waiters = WaitQueue(self, "acquire")
        self._guard = Guard(self)
        self.name, self._label = naming(self._kind, name)

    @property
    def value(self) -> int:
        """The number of free permits now."""
        return self._permits

    def locked(self) -> bool:
        """True if no permit is free (an acquire would wait)."""
        return self._permits == 0

    def _held(self) -> bool:
        return True  # permits have no owner

    def acquire(self, timeout: "Optional[float]" = None) -> "Generator[Any, Any, bool]":
        """``yield from sem.acquire(timeout=None)``: True with a permit; False if time ran out.

        A free permit is taken at once, and the task is marked until its ``yield from`` runs
        (an ``Unwaited``): a forgotten ``yield from`` is a TypeError, not a silent acquire.
        """
        task = parking_task()  # raises the error that explains no task, or an unwaited call
        if self._permits > 0:
            self._permits -= 1
            return unwaited(task, self._unwaited, True)
        return park_in_line(task, self._waiters, True, timeout, "acquire")

    def __iter__(self) -> "Generator[Any, Any, Guard]":
        """``with (yield from sem):`` take a permit; the block's end gives it back."""
        if self._permits > 0:
            self._permits -= 1
            return completed(self._guard)
        return park_in_line(parking_task(), self._waiters, self._guard, None, "acquire")

    def release(self) -> None:
        """Give a permit back: to the first waiting task, or to the pool of free permits."""
        waiter = self._waiters.pop()
        if waiter is None:
            self._permits += 1
        else:
            reschedule(waiter.task, waiter.value)

    def __enter__(self) -> None:
        raise with_misuse(self)

    def __exit__(self, exc_type: "Any", exc: "Any", tb: "Any") -> None:
        pass

    def describe(self) -> str:
        return self._label

    def __repr__(self) -> str:
        return "<%s value=%d, %d waiting>" % (self._label, self._permits, len(self._waiters))


class BoundedSemaphore(Semaphore):
    """A Semaphore that refuses to be released more often than it was acquired."""

    __slots__ = ("_bound",)

    _kind = "BoundedSemaphore"
    _unwaited = Unwaited("BoundedSemaphore.acquire()", "yield from sem.acquire()")

    def __init__(self, value: int = 1, name: "Optional[str]" = None) -> None:
        Semaphore.__init__(self, value, name)
        self._bound = value

    def release(self) -> None:
        """Give a permit back; ``ValueError`` if every permit is already free."""
        if self._permits >= self._bound:
            raise ValueError(
                "%s released too many times: all %d permits are already free. Release only "
                "after a matching acquire (`with (yield from sem):` pairs them for you)"
                % (self._label, self._bound)
            )
        Semaphore.release(self)

# genlet/sync/condition.py
"""Condition: wait, holding a lock, until another task says that something changed.

::

    cond = genlet.Condition()
    items = []

    def consumer():
        with (yield from cond):
            yield from cond.wait_for(lambda: items)     # lets go of the lock while it waits
            return items.pop(0)

    def producer():
        with (yield from cond):
            items.append(1)
            cond.notify()

``wait()`` lets go of the lock, waits in the condition's own line until ``notify()`` (FIFO),
then takes the lock back before it returns. Taking it back is shielded from cancellation: the
caller's ``with`` block releases the lock at its end, so the lock must be held again however
the wait ended (notified, timed out, or cancelled; a cancellation is then raised with the lock
held). Waiting or notifying without holding the lock is a bug and raises RuntimeError at once.
"""

try:
    from typing import Any, Callable, Generator, Optional
except ImportError:
    pass

from ..kernel.lowlevel import WaitQueue, current_kernel, parking_task
from ._base import Guard, deadline_after, naming, park_in_line, wake, with_misuse
from .locks import Lock, LockBase, reacquire


class Condition:
    """A condition variable over ``lock`` (a Lock or RLock; a new Lock by default)."""

    __slots__ = ("_lock", "_waiters", "_guard", "name", "_label")

    _kind = "Condition"

    def __init__(self, lock: "Optional[LockBase]" = None, name: "Optional[str]" = None) -> None:
        if lock is None:
            lock = Lock()
        elif not isinstance(lock, LockBase):
            raise TypeError(
                "Condition(lock): the lock must be a genlet Lock or RLock, got %r" % (lock,)
            )
        self._lock = lock
        self._waiters = WaitQueue(self, "notify")
        self._guard = Guard(self)
        self.name, self._label = naming("Condition", name)

    # -- the lock ----------------------------------------------------------------------------
    def acquire(self, timeout: "Optional[float]" = None) -> "Generator[Any, Any, bool]":
        """``yield from cond.acquire()``: acquire the underlying lock."""
        return self._lock.acquire(timeout)

    def __iter__(self) -> "Generator[Any, Any, Guard]":
        """``with (yield from cond):`` hold the lock for the block."""
        return self._lock._acquire_with(self._guard)  # type: ignore[no-any-return]

    def release(self) -> None:
        self._lock.release()

    def locked(self) -> bool:
        return self._lock.locked()

    def _held(self) -> bool:
        return self._lock._held()

    def _holder(self, what: str) -> "Any":
        """The current task, which must hold the lock to ``what``."""
        task = current_kernel().current
        if task is None or self._lock._owner is not task:
            raise RuntimeError(
                "%s.%s() needs the condition's lock, and this task does not hold it: call it "
                "inside `with (yield from cond):`" % (self._label, what)
            )
        return task

    # -- waiting -----------------------------------------------------------------------------
    def wait(self, timeout: "Optional[float]" = None) -> "Generator[Any, Any, bool]":
        """``yield from cond.wait(timeout=None)``: True if notified, False if time ran out.

        Lets go of the lock while it waits; holds it again when it returns or raises.
        """
        task = self._holder("wait")
        parking_task()
        trap = park_in_line(task, self._waiters, None, timeout, "wait")
        count = self._lock._release_all()
        try:
            notified = yield from trap
        finally:
            yield from reacquire(self._lock, task, count)
        return notified  # type: ignore[no-any-return]

    def wait_for(
        self, predicate: "Callable[[], Any]", timeout: "Optional[float]" = None
    ) -> "Generator[Any, Any, Any]":
        """``yield from cond.wait_for(predicate, timeout=None)``: wait until ``predicate()``.

        Returns the predicate's last value (falsy if ``timeout`` ran out first).
        """
        task = self._holder("wait_for")
        clock = task.kernel.clock
        deadline = None if timeout is None else deadline_after(task, timeout, "Condition.wait_for()")
        result = predicate()
        while not result:
            if deadline is None:
                yield from self.wait()
            else:
                remaining = deadline - clock.now()
                if remaining <= 0:
                    break
                yield from self.wait(remaining)
            result = predicate()
        return result

    # -- notifying ---------------------------------------------------------------------------
    def notify(self, n: int = 1) -> None:
        """Wake the ``n`` tasks that have waited longest (they still need the lock to go on)."""
        self._holder("notify")
        waiters = self._waiters
        while n > 0 and wake(waiters.pop(), True, waiters) is not None:
            n -= 1

    def notify_all(self) -> None:
        """Wake every waiting task."""
        self.notify(len(self._waiters))

    def __enter__(self) -> None:
        raise with_misuse(self)

    def __exit__(self, exc_type: "Any", exc: "Any", tb: "Any") -> None:
        pass

    def describe(self) -> str:
        return self._label

    def __repr__(self) -> str:
        return "<%s over %s, %d waiting>" % (self._label, self._lock.describe(), len(self._waiters))

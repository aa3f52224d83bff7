# genlet/sync/locks.py
"""Lock and RLock: mutual exclusion, owned by the task that acquired them.

::

    lock = genlet.Lock(name="db")

    def worker():
        with (yield from lock):          # waits for the lock; the block's end releases it
            yield from write_rows()

    ok = yield from lock.acquire(timeout=2)   # False if it was not acquired in time
    ...
    lock.release()

A lock is a holder (``_owner``, the task) and a line of waiting tasks (one ``WaitQueue``).

- **Cheap when free.** ``acquire()`` on a free lock writes the owner, marks the task until its
  ``yield from`` runs (an ``Unwaited``: a forgotten ``yield from`` is explained, see
  ``traps.py``) and returns ``answer(task, True)``: no suspension (it is not a checkpoint), no
  Waiter, no park. ``with (yield from lock):`` needs no mark: it cannot be forgotten.
- **FIFO, no barging.** ``release()`` with tasks waiting hands the lock straight to the first
  of them (``reschedule``): the lock never becomes free in between, so a task that arrives
  later cannot take it first. The rule that keeps this simple: the lock is free only while
  nobody waits for it. A waiter parks with ``park_for_hand_off``, the kernel's way to park
  for waits that end in a hand-off (faster to resume on CPython; see ``traps.py``).
- **The hand-off is final.** A waiter cancelled after the lock was handed to it still gets it:
  its ``acquire`` returns True, its ``with`` block runs until its next checkpoint, where the
  ``Cancelled`` arrives, and the block's end releases the lock. Nothing is lost.
- **Owned.** Only the owner may release; another task gets a RuntimeError that says who
  holds it. An RLock counts re-entries by its owner; a Lock taken twice by one task is a
  deadlock of one, and is reported as one (see ``deadlock.py``). An owner that ends holding
  the lock leaves it locked for good: reported when a task next asks for it
  (``_ended_holding``), and task dumps name the holder of the lock a task waits for.
"""

try:
    from typing import Any, Generator, Optional
except ImportError:
    pass

from ..kernel import report
from ..kernel.cancel import CancelScope
from ..kernel.lowlevel import (
    Unwaited,
    WaitQueue,
    answer,
    completed,
    current_task,
    park,
    park_for_hand_off,
    parking_task,
    reschedule,
    running_kernel,
    unwaited,
)
from . import deadlock
from ._base import Guard, naming, park_in_line, with_misuse

_ACQUIRE = Unwaited("Lock.acquire()", "yield from lock.acquire()")  # (a module global: read faster)


class LockBase:
    """What Lock and RLock share: the owner, the line of waiters, the name, the guard, and
    acquiring: take it if it is free (``_take``, the one place each kind says what "free"
    means), else wait in line."""

    __slots__ = ("_owner", "_waiters", "_guard", "name", "_label", "_reported")

    _kind = "Lock"
    _unwaited = _ACQUIRE

    def __init__(self, name: "Optional[str]" = None) -> None:
        self._owner = None  # type: Any  # the Task holding it, or None
        self._waiters = _Line(self, "acquire")
        self._guard = Guard(self)
        self.name, self._label = naming(self._kind, name)
        self._reported = None  # type: Any  # the finished owner reported already (_ended_holding)

    def locked(self) -> bool:
        return self._owner is not None

    def _held(self) -> bool:
        return self._owner is not None and self._owner is current_task()

    def acquire(self, timeout: "Optional[float]" = None) -> "Generator[Any, Any, bool]":
        """``yield from lock.acquire(timeout=None)``: True once held; False if ``timeout`` ran out.

        A free lock is taken at once, and the task is marked until its ``yield from`` runs (an
        ``Unwaited``): a forgotten ``yield from`` is a TypeError at the task's next yield or
        blocking call, not a critical section that another task can enter too.
        """
        task = parking_task()  # raises the error that explains no task, or an unwaited call
        if self._take(task):
            return unwaited(task, self._unwaited, True)
        return self._wait(task, timeout, True)  # type: ignore[no-any-return]

    def __iter__(self) -> "Generator[Any, Any, Guard]":
        """``with (yield from lock):``: acquire, and give the ``with`` a guard that releases."""
        return self._acquire_with(self._guard)  # type: ignore[no-any-return]

    def _acquire_with(self, reply: "Any") -> "Any":
        """Acquire without a timeout; ``yield from`` it finishes with ``reply``."""
        task = parking_task()
        if self._take(task):
            return completed(reply)
        return self._wait(task, None, reply)

    def _take(self, task: "Any") -> bool:
        """Take the lock for ``task`` now if it is free; False if another task holds it."""
        if self._owner is None:
            self._owner = task
            return True
        return False

    def _wait(self, task: "Any", timeout: "Optional[float]", reply: "Any") -> "Any":
        """The contended path of an acquire: join the line (FIFO) and park.

        ``reply`` is what the waiter gets when the lock is handed to it: True for
        ``acquire()``, the guard for ``yield from lock``.
        """
        if self._owner.done():
            self._ended_holding(task)
        if timeout is None:
            deadlock.check(task, self)  # raises Deadlock if this wait would close a cycle
            return park_for_hand_off(task, self._waiters.push(task, reply))
        return park_in_line(task, self._waiters, reply, timeout, "acquire")

    def _ended_holding(self, task: "Any") -> None:
        """Report (once) that the owner has finished with the lock held: ``task`` asks for it.

        Discussion: nobody can ever release it now (only its owner may), so this is a bug
        worth a report; but the kernel cannot see which locks a task holds when it ends, and
        keeping count in every acquire and release would slow the uncontended path. So the
        lock notices when a task asks for it: the first time that cannot succeed at once. A
        task dump (and a ``Deadlock``) says who holds it and that it has finished (``_Line``).
        """
        owner = self._owner
        if owner is self._reported:
            return
        self._reported = owner
        report.error(
            "task %r ended while holding %s, so it stays locked for good (task %r asks for it): "
            "release a lock in a `finally:` block, or hold it with `with (yield from lock):`, "
            "which releases it however the block ends" % (owner.name, self._label, task.name)
        )

    def _holder(self) -> str:
        """`` (held by task 'w')`` for task dumps; None if it is free."""
        owner = self._owner
        if owner is None:
            return ""
        return " (held by task %r%s)" % (owner.name, ", which has finished" if owner.done() else "")

    def _hand_off(self) -> bool:
        """Give the lock to the first waiter; False if nobody waits."""
        waiter = self._waiters.pop()
        if waiter is None:
            return False
        self._owner = waiter.task
        reschedule(waiter.task, waiter.value)
        return True

    def _not_held(self) -> None:
        """Raise the RuntimeError that explains a release by a task that does not hold it.

        Discussion: releases check ``owner.kernel.current is owner`` first. The owner knows
        its kernel, so "is the owner the running task?" costs two attribute reads, with no
        look-up of the running kernel (a thread-local); this explains a failed check.
        """
        owner = self._owner
        if owner is None:
            raise RuntimeError(
                "release() of %s, which is not locked: release only a lock that this task "
                "acquired (and only once per acquire)" % self._label
            )
        task = current_task()
        raise RuntimeError(
            "task %r cannot release %s: task %r holds it. A lock is released by the task "
            "that acquired it; to hand work over between tasks use a Semaphore or a Queue"
            % (task.name, self._label, owner.name)
        )

    # What Lock and RLock each define (listed here for the type checker and the reader).
    def release(self) -> None:
        raise NotImplementedError

    def _release_all(self) -> int:
        """Let go completely (for Condition.wait); returns what ``_restore`` needs."""
        raise NotImplementedError

    def _restore(self, count: int) -> None:
        raise NotImplementedError

    def __enter__(self) -> None:
        raise with_misuse(self)

    def __exit__(self, exc_type: "Any", exc: "Any", tb: "Any") -> None:
        pass

    def describe(self) -> str:
        return self._label

    def __repr__(self) -> str:
        owner = self._owner
        state = "unlocked" if owner is None else "held by %r" % owner.name
        return "<%s %s, %d waiting>" % (self._label, state, len(self._waiters))


class Lock(LockBase):
    """A mutual-exclusion lock, owned by the task that acquired it. ``name=`` for reports."""

    __slots__ = ()

    def acquire(self, timeout: "Optional[float]" = None) -> "Generator[Any, Any, bool]":
        """``yield from lock.acquire(timeout=None)``: as ``LockBase.acquire``.

        Discussion: a free lock is the usual case, and taking it calls nothing but the
        ``answer`` that the ``yield from`` runs: the running task and its ``wait`` are public
        attributes (``kernel.current``, ``task.wait_object``), read and set here directly. Anything
        else (no task running, a wait it never yielded for, a held lock) takes the general
        path, where ``parking_task`` explains the mistakes.
        """
        if self._owner is None:
            kernel = running_kernel()
            if kernel is not None:
                task = kernel.current
                if task is not None and task.wait_object is None:
                    self._owner = task
                    task.wait_object = _ACQUIRE  # until the yield from runs (see Unwaited)
                    return answer(task, True)
        return self._wait(parking_task(), timeout, True)  # type: ignore[no-any-return]

    def release(self) -> None:
        """Release the lock; the first waiting task, if any, gets it straight away."""
        owner = self._owner
        if owner is not None and owner.kernel.current is owner and not self._waiters.length:
            self._owner = None  # the usual case: held by the running task, nobody waits
            return
        if owner is None or owner.kernel.current is not owner:
            self._not_held()
        if not self._hand_off():
            self._owner = None  # (the line emptied itself: a waiter of a select that is over)

    # The Condition protocol: let go completely while waiting, then take it back.
    def _release_all(self) -> int:
        self.release()
        return 1

    def _restore(self, count: int) -> None:
        pass


class RLock(LockBase):
    """A re-entrant lock: its owner may acquire it again; it is free after as many releases."""

    __slots__ = ("_count",)

    _kind = "RLock"
    _unwaited = Unwaited("RLock.acquire()", "yield from rlock.acquire()")

    def __init__(self, name: "Optional[str]" = None) -> None:
        LockBase.__init__(self, name)
        self._count = 0

    def _take(self, task: "Any") -> bool:
        """Take it (again) at once if it is free or ``task``'s; False if another task holds it."""
        owner = self._owner
        if owner is None:
            self._owner = task
            self._count = 1
            return True
        if owner is task:
            self._count += 1
            return True
        return False

    def release(self) -> None:
        """Undo one acquire; the last one frees it (or hands it to the first waiter)."""
        owner = self._owner
        if owner is None or owner.kernel.current is not owner:
            self._not_held()
        self._count -= 1
        if self._count:
            return
        if self._hand_off():
            self._count = 1
        else:
            self._owner = None

    def _release_all(self) -> int:
        owner = self._owner
        if owner is None or owner.kernel.current is not owner:
            self._not_held()
        count, self._count = self._count, 1
        self.release()
        return count

    def _restore(self, count: int) -> None:
        self._count = count

    def __repr__(self) -> str:
        owner = self._owner
        if owner is None:
            return "<%s unlocked, %d waiting>" % (self._label, len(self._waiters))
        return "<%s held %d time(s) by %r, %d waiting>" % (self._label, self._count, owner.name, len(self._waiters))


class _Line(WaitQueue):
    """A lock's line of waiting tasks: in task dumps it names the holder too, as in
    ``Lock 'db' acquire (held by task 'writer')``."""

    __slots__ = ()

    def describe(self) -> str:
        return WaitQueue.describe(self) + self.owner._holder()  # type: ignore[no-any-return]


def reacquire(lock: LockBase, task: "Any", count: int) -> "Generator[Any, Any, None]":
    """Take ``lock`` back for ``task`` after a Condition wait, even if the task is cancelled.

    Discussion: the caller's ``with`` block will release the lock, so it must hold it again
    whatever happens, including a cancellation that ends the wait: the wait for the lock is
    shielded, and the ``Cancelled`` comes at the task's next checkpoint.
    """
    if not lock._take(task):  # (it let go completely: taken only if free)
        if lock._owner.done():
            lock._ended_holding(task)
        deadlock.check(task, lock, shielded=True)
        with CancelScope(shield=True):
            yield from park(task, lock._waiters.push(task, None))
    lock._restore(count)

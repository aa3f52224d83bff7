# genlet/sync/_base.py
"""What every primitive in genlet.sync shares: names for reports, timed waits, waking waiters,
the ``with`` guard.

Primitives are named in task dumps and ``Deadlock`` reports: ``Lock 'db'`` when the user gave
``name=``, else a short id such as ``Lock#3``.

``with (yield from lock):`` works because ``yield from lock`` calls ``lock.__iter__()``, which
acquires and finishes with the lock's ``Guard``; the ``with`` statement then uses the guard,
whose ``__exit__`` releases. One guard is made per primitive, when the primitive is made, so
the ``with`` form allocates nothing more than ``acquire()`` does.
"""

try:
    from typing import Any, Generator, Optional, Tuple
except ImportError:
    pass

from ..kernel.errors import Deadlock, TimeoutError, plural
from ..kernel.lowlevel import Failure, GroupWaiter, Waiter, WaitQueue, park, refuse_own_wait, reschedule

_counter = [0]


def next_id() -> int:
    """A fresh number for a default name (one counter for all primitives)."""
    _counter[0] += 1
    return _counter[0]


def naming(kind: str, name: "Optional[str]") -> "Tuple[str, str]":
    """``(name, label)``: ``('db', "Lock 'db'")`` if named, else ``('Lock#3', 'Lock#3')``."""
    if name is None:
        short = "%s#%d" % (kind, next_id())
        return short, short
    name = str(name)
    return name, "%s %r" % (kind, name)


def deadline_after(task: "Any", timeout: float, what: str) -> float:
    """The kernel-clock deadline ``timeout`` seconds from now; a clear error for NaN."""
    if timeout != timeout:
        raise ValueError("%s: the timeout is NaN; give seconds as a number, or None to wait forever" % what)
    return task.kernel.clock.now() + timeout  # type: ignore[no-any-return]


def park_in_line(
    task: "Any", line: WaitQueue, value: "Any", timeout: "Optional[float]", call: str, why: "Optional[str]" = None
) -> "Generator[Any, Any, Any]":
    """Park ``task`` at the back of ``line`` (its Waiter carries ``value``); the iterable to
    ``yield from``.

    ``timeout``: None waits for as long as it takes; else the wait ends after ``timeout``
    seconds, and the task gets False, or with ``why`` a ``genlet.TimeoutError``:
    ``Queue#1.get() timed out after 2 seconds: still empty``. ``call`` is the method, as the
    errors name it (``line.owner`` is the primitive: ``_kind`` and ``_label`` name it).
    """
    if timeout is None:
        return park(task, line.push(task, value))  # type: ignore[no-any-return]
    owner = line.owner
    deadline = deadline_after(task, timeout, "%s.%s()" % (owner._kind, call))
    expired = False  # type: Any
    if why is not None:
        expired = Failure(TimeoutError("%s.%s() timed out after %s%s" % (owner._label, call, plural(timeout, "second"), why)))
    return park(task, line.push(task, value), deadline, expired)  # type: ignore[no-any-return]


# -- waking ------------------------------------------------------------------------------------
# A waiter taken out of line is a plain wait, woken with ``reschedule``, or one of a group: a
# ``select`` (or a ``recv_ok``) that parked it, which is told with ``group.fire(waiter, reply)``
# and answers False if it will not take ``reply`` (that select has completed already).


def wake(waiter: "Optional[Waiter]", reply: "Any", line: "Optional[WaitQueue]" = None) -> "Optional[Waiter]":
    """Wake ``waiter`` (out of line already) with ``reply``; the Waiter that took it, or None.

    A waiter whose group refuses ``reply`` (its select is over) is passed over: given the
    ``line`` it came from, the next waiter is taken out of it and offered ``reply``, and so on.
    So ``wake(line.pop(), reply, line)`` hands ``reply`` to the first waiter in ``line`` that
    takes it (None: nobody did, and ``line`` is empty).

    Discussion: every hand-off of a value comes here, and the callers write that line rather
    than call a ``wake_first(line, reply)`` that would: one Python call fewer per hand-off
    (``ping-pong`` in benchmarks/). For the same reason a plain wait is told by its class: on
    CPython, ``waiter.group`` of a plain Waiter is a class attribute, a slower read than
    ``__class__`` (a waiter has a group exactly when ``push`` made it a ``GroupWaiter``).
    """
    while waiter is not None:
        if waiter.__class__ is not GroupWaiter:  # (a plain wait: its group is None)
            reschedule(waiter.task, reply)
            return waiter
        if waiter.group.fire(waiter, reply):
            return waiter
        waiter = None if line is None else line.pop()  # that select is over already
    return None


def wake_all(line: WaitQueue, reply: "Any") -> None:
    """Wake every waiter in ``line`` with ``reply`` (``Event.set``, ``Queue.task_done``).

    Call it before changing the primitive's state: if the running task waits in ``line``
    itself (it forgot a ``yield from``), this raises the TypeError that explains it, having
    done nothing (see ``refuse_own_wait``).
    """
    if line.length:
        refuse_own_wait(line)
    waiter = line.pop()
    while waiter is not None:
        wake(waiter, reply)  # (None: that select is over; nothing to do)
        waiter = line.pop()


class Guard:
    """What ``yield from lock`` returns: the ``with`` block around it releases ``lock``.

    ``target`` is a Lock, RLock, Semaphore, BoundedSemaphore or Condition; it has
    ``release()`` and ``_held()`` (does the current task hold it?).
    """

    __slots__ = ("_target",)

    def __init__(self, target: "Any") -> None:
        self._target = target

    def __enter__(self) -> "Any":
        return self._target

    def __exit__(self, exc_type: "Any", exc: "Any", tb: "Any") -> None:
        # Discussion: Condition.wait() lets go of the lock and takes it back before it returns.
        # If taking it back would close a deadlock cycle, it raises Deadlock without the lock;
        # releasing here would hide that Deadlock under a "not held" RuntimeError.
        if exc_type is Deadlock and not self._target._held():
            return
        self._target.release()

    def __repr__(self) -> str:
        return "<Guard of %s>" % self._target.describe()


def with_misuse(target: "Any") -> TypeError:
    """The error for ``with lock:`` (a missing ``yield from``)."""
    return TypeError(
        "`with` needs `(yield from ...)` around a genlet %s so that the task can wait for it: "
        "write `with (yield from lock):`" % target.describe()
    )

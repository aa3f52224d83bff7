# genlet/kernel/unwaited.py
"""Catching a forgotten ``yield from``, for operations that finish at once.

A blocking call registers the task's wait before the caller's ``yield from`` parks it, so a
forgotten ``yield from`` leaves the task registered while it runs on: the kernel notices at its
next yield (``Kernel._trap``), its next blocking call (``parking_task``) or its end. An operation
that finishes at once (a free lock's ``acquire``) registers an ``Unwaited`` so that it is caught
the same way; and a call that would wake the running task itself refuses (``refuse_own_wait``).
"""

try:
    from typing import Any, Generator
except ImportError:
    pass

from ._typing import TYPE_CHECKING
from .errors import unwaited_error
from .running import running_kernel

if TYPE_CHECKING:
    from .task import Task


def stale_wait_error(task: "Task[Any]", woke_itself: bool = False) -> TypeError:
    """``task`` registered a wait it never yielded for: undo it, and return the TypeError that
    explains it (``woke_itself``: found when the task went to complete that wait itself)."""
    error = unwaited_error(task, task._wait, woke_itself)
    task._kernel._abort(task)
    return error


def refuse_own_wait(waiters: "Any") -> None:
    """Call before waking every task in ``waiters`` (``Event.set``, ``Channel.close``).

    If the running task is one of them (a wait it never yielded for), this raises the
    TypeError that explains it, before the caller has changed anything (see ``reschedule``).
    """
    kernel = running_kernel()
    task = None if kernel is None else kernel.current
    if task is not None:
        wait = task._wait
        if wait is not None and getattr(wait, "queue", None) is waiters:
            raise stale_wait_error(task, True)


class Unwaited:
    """The wait object of an operation that finished at once and still needs its ``yield from``.

    Discussion: ``lock.acquire()`` on a free lock takes it at once; its ``yield from`` only
    collects True. Forgotten, nothing would look wrong until the lock is contended, and then
    two tasks would be in the critical section. So such an operation registers one of these as
    the task's wait (``unwaited``), and the iterator it returns (``answer``) takes it away. A
    task that never runs that iterator is caught as for any wait it never yielded for: at its
    next yield, its next blocking call or its end, by a TypeError that names the call and its
    fix. What the operation did stays done: the lock stays held (the task's ``finally``
    releases it), the permit taken, the task started. One instance per operation, made once.
    """

    __slots__ = ("call", "fix")

    def __init__(self, call: str, fix: str) -> None:
        self.call = call  # "Lock.acquire()"
        self.fix = fix  # "yield from lock.acquire()"

    def abort(self, task: "Any") -> bool:
        return True  # nothing to leave: the operation is complete

    def describe(self) -> str:
        return self.call


def answer(task: "Task[Any]", value: "Any") -> "Generator[Any, Any, Any]":
    """What an operation that registered an ``Unwaited`` returns: ``yield from`` it takes the
    ``Unwaited`` away and finishes with ``value`` (no suspension)."""
    if task._wait.__class__ is Unwaited:
        task._wait = None
    return value
    yield  # unreachable: makes this a generator function


def unwaited(task: "Task[Any]", marker: Unwaited, value: "Any") -> "Generator[Any, Any, Any]":
    """Register ``marker`` as the running ``task``'s wait; return ``answer(task, value)``."""
    if task._wait is not None:
        raise stale_wait_error(task)  # the wait before: explained
    task._wait = marker
    return answer(task, value)

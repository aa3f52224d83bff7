# genlet/sync/deadlock.py
"""Deadlock cycles named: a task about to wait for a lock that can never come is told so.

The classic two-lock deadlock: task A holds lock L1 and waits for L2; task B holds L2 and now
asks for L1. Each waits for the other forever. The kernel's own ``Deadlock`` notices only when
*every* task is stuck; a server with one deadlocked pair among a thousand busy connections
would hang those two silently. So each lock checks at the moment a task is about to wait for
it: follow the chain "this lock is held by T1, who waits for a lock held by T2, who waits for
..." and if it comes back to the task that asks, that task would close a cycle. It gets
``genlet.Deadlock`` instead of waiting, with every task and lock of the cycle named, and where
each task waits. The other tasks carry on (and the locks the failing task releases as its
error unwinds usually let the rest of the cycle finish).

Only waits that nothing can break are cycles: if any task in the chain waits with a timeout,
or has a deadline in its cancel scopes (one it can see: a shield hides the ones outside it),
time may still untangle it, and nothing is reported. Nor is a task that is being cancelled
(a cancelled scope it can see): it gets ``Cancelled`` instead of waiting, so it closes no
cycle.

Cost: nothing on an uncontended acquire (it never gets here); on a contended one, a few
attribute reads per link of the chain, which is usually one link long (the owner is running
or sleeping, not waiting for a lock). Semaphores have no owner, so they are not followed.
"""

import sys

try:
    from typing import Any, List, Optional, Tuple
except ImportError:
    pass

from ..kernel.cancel import visible_scopes
from ..kernel.debug import GENLET_DIR, user_frame
from ..kernel.errors import Deadlock
from ..kernel.lowlevel import ValueWaiter, Waiter, WaitQueue, cancel_pending, has_timeout

_IN_LINE = (Waiter, ValueWaiter)  # the wait objects of a task in one line (not a select's)


def check(task: "Any", lock: "Any", shielded: bool = False) -> None:
    """Raise ``Deadlock`` if ``task`` waiting (without a timeout) for ``lock`` closes a cycle.

    ``shielded``: the wait will be shielded from cancellation, so the task's own deadlines
    cannot end it.
    """
    owner = lock._owner
    if owner is not task:
        wait = None if owner is None else owner.wait_object
        if wait is None or (wait.__class__ not in _IN_LINE and not isinstance(wait, WaitQueue)):
            return  # the usual case, first: the owner runs or sleeps, so no cycle runs through it
    if not shielded and _ends(task):
        return  # it is being cancelled (it will not even wait), or time may end its wait
    LockBase = _lock_base()

    cycle = [(task, lock)]  # (a task, the lock it waits for); the next task holds that lock
    wanted = lock
    # Discussion: every owner in a cycle is parked, so it has started and is on the kernel's
    # roll; only ``task`` may not be there yet (in its first step). More links than that: the
    # chain runs into a cycle that does not pass through ``task``.
    for _ in range(len(task.kernel.tasks()) + 1):
        owner = wanted._owner
        if owner is task:
            raise _error(cycle)
        if owner is None:
            return
        queue = _queue_of(owner.wait_object)
        if queue is None:
            return  # the owner runs, sleeps, or waits on something that is not a queue
        wanted = queue.owner
        if not isinstance(wanted, LockBase) or has_timeout(owner) or _ends(owner):
            return  # it waits for something else, or its wait can still end
        cycle.append((owner, wanted))


def _queue_of(wait: "Any") -> "Optional[WaitQueue]":
    """The WaitQueue a task's wait object (``task._wait``) puts it in line on, if any.

    Discussion: a Waiter, or (for a plain wait on MicroPython: see waitqueue.py) the queue itself.
    """
    if wait.__class__ in _IN_LINE:
        queue = wait.queue  # type: Optional[WaitQueue]  # (None once removed)
        return queue
    return wait if isinstance(wait, WaitQueue) else None


_LOCK_BASE = []  # type: List[Any]


def _lock_base() -> "Any":
    """locks.LockBase, imported on first use (locks imports this module) and kept.

    Discussion: an ``import`` inside a function runs the import machinery at every call, even
    when the module is loaded already: a cost on every contended acquire (``lock-contended``
    in benchmarks/; docs/benchmarks.md).
    """
    if not _LOCK_BASE:
        from .locks import LockBase

        _LOCK_BASE.append(LockBase)
    return _LOCK_BASE[0]


def _ends(task: "Any") -> bool:
    """Will ``task``'s wait end by itself: is it being cancelled, or can a deadline end it?"""
    return cancel_pending(task) or _has_deadline(task)


def _has_deadline(task: "Any") -> bool:
    """Does a cancel scope that ``task`` can see have a deadline (which would end its wait)?"""
    for scope in visible_scopes(task):
        if scope.deadline is not None:
            return True
    return False


def _error(cycle: "List[Tuple[Any, Any]]") -> Deadlock:
    task, lock = cycle[0]
    if len(cycle) == 1:
        head = (
            "task %r would wait for %s, which it holds itself; a Lock is not "
            "re-entrant (use RLock to take a lock again in the same task)" % (task.name, lock.describe())
        )
    else:
        head = (
            "task %r would wait for %s, closing a cycle of %d tasks that each wait for "
            "a lock the next one holds:" % (task.name, lock.describe(), len(cycle))
        )
    lines, plain = [head], [head]  # with file locations where the interpreter has them; without
    for index, (waiter, wanted) in enumerate(cycle):
        holder = cycle[(index + 1) % len(cycle)][0]
        where = _location(waiter, index == 0)
        line = "  task %r waits for %s (held by task %r)" % (waiter.name, wanted.describe(), holder.name)
        lines.append(line + (", at %s:%d in %s" % where if where else ""))
        plain.append(line)
    advice = (
        "No wait in the cycle has a timeout or a deadline, so none of them could ever end. "
        "Take locks in one fixed order in every task, or give acquire() a timeout."
    )
    error = Deadlock("\n".join(lines + [advice]), "\n".join(plain + [advice]))
    error.tasks = [t for t, _ in cycle]  # type: ignore[attr-defined]
    error.locks = [lk for _, lk in cycle]  # type: ignore[attr-defined]
    return error


def _location(task: "Any", running: bool) -> "Optional[Tuple[str, int, str]]":
    """Where ``task`` waits in the user's code (None where the interpreter cannot tell)."""
    if not running:
        return user_frame(task)
    # The running task has no suspended frames to walk: look at the call stack instead.
    getframe = getattr(sys, "_getframe", None)
    if getframe is None:
        return None
    frame = getframe(1)
    while frame is not None:
        code = frame.f_code
        filename = code.co_filename
        if not (GENLET_DIR and filename.replace("\\", "/").startswith(GENLET_DIR)):
            return filename, frame.f_lineno, code.co_name
        frame = frame.f_back
    return None

# genlet/kernel/lowlevel.py
"""The kernel's published low-level API: what a new primitive or an observer needs.

``sync/``, ``io/`` and ``http/`` are built on these names only, and touch no private
attribute of a kernel object (``tests/test_layering.py`` checks it). ``docs/kernel.md``,
"Writing a blocking primitive", shows them at work.

Parking and waking (``traps.py``): ``parking_task``, ``park``, ``park_for_hand_off``,
``reschedule``, ``Failure``; operations that finish at once: ``DONE``, ``YIELD_ONCE``,
``completed``; and (``unwaited.py``) ``Unwaited`` / ``unwaited`` / ``answer`` for one that
must still be ``yield from``-ed, ``refuse_own_wait``. Lines of waiting tasks: ``WaitQueue`` (its ``length`` is public),
``Waiter``, ``ValueWaiter``, and ``Group``, the protocol of a waiter that stands for more than
one wait (a ``select``, a task group), whose waiters are ``GroupWaiter``s. A task's state, read without touching its private slots:
``task.wait_object`` (the wait object it is registered on, or None), ``task.kernel``, ``cancel_pending``,
``has_timeout``, ``task.mark_observed()``; its end: ``watch_end``. ``task.wait_object`` and
``task.kernel`` are plain attributes (a primitive's fast path reads them at the cost of a slot);
outside the kernel, ``task.wait_object`` is set only as ``unwaited`` does: to an ``Unwaited``, on the
running task, while it is None (a free Lock's ``acquire`` does that itself, to save the call). The kernel: ``running_kernel``, ``current_kernel``, ``current_task``,
``kernel.watch_fd`` / ``unwatch_fd``, ``kernel.ensure_waker()`` / ``has_waker()``. Observers:
``Instrument``, ``describe_wait``.
"""

try:
    from typing import Any
except ImportError:
    pass

from .instrument import Instrument, describe_wait
from .join import _JOIN
from .running import current_kernel, current_task, running_kernel
from .select import Op
from .traps import DONE, YIELD_ONCE, Failure, completed, park, park_for_hand_off, parking_task, reschedule
from .unwaited import Unwaited, answer, refuse_own_wait, unwaited
from .waitqueue import Group, GroupWaiter, ValueWaiter, Waiter, WaitQueue


def cancel_pending(task: "Any") -> bool:
    """Is ``task`` being cancelled (a cancel it has not yet received, or is receiving)?"""
    return task._cancel is not None


def has_timeout(task: "Any") -> bool:
    """Does ``task``'s current wait have a deadline (which will end it)?"""
    return task._timer is not None


def watch_end(task: "Any", group: "Any", receive: bool = False) -> "Waiter":
    """Have ``group.fire(waiter, task)`` called when ``task`` ends (at once: never).

    ``receive``: the group receives the task's failure (it raises it or hands it on), so the
    kernel does not report it as one nobody was waiting for, if ``fire`` returns True.
    """
    return task._joiners_queue().push(None, _JOIN if receive else None, group)  # type: ignore[no-any-return]


__all__ = [
    "DONE", "Failure", "Group", "GroupWaiter", "Instrument", "Op", "Unwaited", "ValueWaiter", "WaitQueue", "Waiter",
    "YIELD_ONCE", "answer", "cancel_pending", "completed", "current_kernel", "current_task",
    "describe_wait", "has_timeout", "park", "park_for_hand_off", "parking_task", "refuse_own_wait",
    "reschedule", "running_kernel", "unwaited", "watch_end",
]  # fmt: skip

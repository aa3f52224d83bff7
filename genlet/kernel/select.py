# genlet/kernel/select.py
"""select: wait for the first of several operations, and commit exactly one (Go's select).

::

    i, value = yield from select(data.recv_op(), quit.recv_op(), timeout=1.0)

The op protocol
===============

``select`` knows nothing about channels, events or queues. It takes *ops*: objects with

``ready() -> bool``
    Could the op complete at once? (A send on a closed channel: yes; it raises on commit.)
``commit() -> value``
    Complete it at once. Called only right after ``ready()`` returned True, with no switch in
    between, so it cannot find the op unready. May raise (``ChannelClosed``).
``enroll(task, group) -> Waiter``
    Park a ``Waiter`` for ``task`` in the op's ``WaitQueue`` with ``group=group``, carrying any
    payload (a send op's value) in ``Waiter.value``. Must not try to complete anything.
``withdraw(waiter)``
    Take that Waiter out of its queue, if it is still there (``Op`` does this for you).
``describe() -> str``
    A few words for ``task.waiting_on``: ``"Channel#3 recv"``.

The other side of an op (a send finding a parked receiver, ``Event.set``, a task ending) that
takes a Waiter whose ``group`` is not None calls ``group.fire(waiter, value)``. The group is
this module's ``_Select``: the first ``fire`` wins, withdraws every other Waiter of the select
and reschedules the task with ``(index, value)``; a value that is a ``Failure`` is raised out of
``select`` instead. ``fire`` returns False if the select had already completed (``group.done``
says so beforehand), and the other side then goes on to its next waiter, keeping its value.

Why exactly one: a parked select is in several queues at once, but only through its Waiters,
and the first ``fire`` removes all the others before anything else can run (one thread, no
switch in between). A cancelled or timed-out select withdraws them all the same way, so it
leaves every queue as it found it. And it never pairs with itself: enrolling never completes
anything, so its own send cannot meet its own receive.

Fairness: when several ops are ready at once, each is chosen with the same probability, by
the kernel's own random generator (``run(seed=N)`` makes the choice reproducible).
"""

try:
    from typing import Any, Generator, List, Optional, Tuple
except ImportError:
    pass

from .errors import describe as _describe
from .running import current_kernel
from .traps import Failure, park, parking_task, reschedule
from .waitqueue import Group, Waiter


class Op:
    """A convenient base for ops: ``withdraw`` and a repr. Subclasses add the rest."""

    __slots__ = ()

    def withdraw(self, waiter: Waiter) -> None:
        queue = waiter.queue
        if queue is not None:
            queue.remove(waiter)

    def __repr__(self) -> str:
        return "<op %s>" % self.describe()  # type: ignore[attr-defined]


_TIMED_OUT = object()


class _Select(Group):
    """A parked select: its task's wait object, and the group of its Waiters."""

    __slots__ = ("task", "ops", "waiters", "done")

    def __init__(self, task: "Any", ops: "Tuple[Any, ...]") -> None:
        self.task = task
        self.ops = ops
        self.waiters = []  # type: List[Optional[Waiter]]
        self.done = False

    def fire(self, waiter: Waiter, value: "Any") -> bool:
        """The other side of one of our ops completed it with ``value``."""
        if self.done:
            return False
        self.done = True
        index = 0
        for index, mine in enumerate(self.waiters):
            if mine is waiter:
                break
        self._withdraw_all()
        reschedule(self.task, value if value.__class__ is Failure else (index, value))
        return True

    def _withdraw_all(self) -> None:
        for op, waiter in zip(self.ops, self.waiters):
            if waiter is not None:
                op.withdraw(waiter)

    def abort(self, task: "Any") -> bool:
        """Cancelled or timed out: leave every queue as we found it."""
        self.done = True
        self._withdraw_all()
        return True

    def describe(self) -> str:
        cases = [op.describe() for op in self.ops if op is not None]
        return "select on " + (", ".join(cases) if cases else "nothing (waits forever)")


def _check(ops: "Tuple[Any, ...]", timeout: "Optional[float]", default: bool) -> None:
    if not ops:
        raise TypeError(
            "select() needs at least one op, e.g. select(ch.recv_op(), other.send_op(v)); "
            "to wait forever write select(None), to sleep use genlet.sleep()"
        )
    if default and timeout is not None:
        raise TypeError("select(): give `timeout` or `default=True`, not both (a default never waits)")
    if timeout is not None and timeout != timeout:
        raise ValueError("select(): the timeout is NaN")
    for position, op in enumerate(ops):
        if op is not None and not (hasattr(op, "ready") and hasattr(op, "enroll")):
            raise TypeError(
                "select() argument %d is %s, not an op: pass ops such as ch.recv_op(), "
                "ch.send_op(value), event.wait_op(), task.join_op(), or None for a case that is "
                "never ready" % (position + 1, _describe(op))
            )


def select(
    *ops: "Any", timeout: "Optional[float]" = None, default: bool = False
) -> "Generator[Any, Any, Tuple[Optional[int], Any]]":
    """``i, value = yield from select(*ops)``: wait until one op can happen, do it, return it.

    Returns the index of the op that happened and its value (None for a send; ``CLOSED`` for a
    receive on a closed, drained channel). ``None`` in place of an op is a case that is never
    ready. With ``default=True`` it never waits: ``(None, None)`` if nothing is ready. With a
    ``timeout`` (seconds) and nothing ready in time: ``(None, None)``.
    """
    _check(ops, timeout, default)
    task = parking_task()
    ready = [index for index, op in enumerate(ops) if op is not None and op.ready()]
    if ready:
        index = ready[0] if len(ready) == 1 else ready[current_kernel().random.below(len(ready))]
        return index, ops[index].commit()
    if default:
        return None, None
    group = _Select(task, ops)
    try:
        for op in ops:
            group.waiters.append(None if op is None else op.enroll(task, group))
    except BaseException:
        group._withdraw_all()  # an enroll failed: take back the Waiters enrolled before it
        raise
    deadline = None if timeout is None else task._kernel.clock.now() + timeout
    reply = yield from park(task, group, deadline, _TIMED_OUT)
    if reply is _TIMED_OUT:
        return None, None
    return reply  # type: ignore[no-any-return]

# genlet/sync/pool.py
"""Pool: run tasks, at most ``size`` at once (gevent's ``Pool``, eventlet's ``GreenPool``).

::

    pool = genlet.Pool(10)
    for url in urls:
        yield from pool.spawn(fetch, url)        # waits while 10 are running
    yield from pool.join()                       # until all of them have finished

    pages = yield from pool.map(fetch, urls)     # the results, in the order of urls

How it knows that a task has finished without wrapping it in another generator: the pool
puts itself on each task's list of joiners as the *group* of a Waiter, the same way
``joinall`` and ``select`` do. When the task ends, the kernel calls ``pool.fire(node, task)``,
and the pool keeps the freed slot for the first task waiting in ``spawn`` (FIFO, no barging)
and wakes it (``reschedule``, the hand-off: a spawner cancelled after that still starts its
task, and is cancelled at its next checkpoint). The spawner starts the task itself, in its own
task, so a bad ``fn`` raises in the caller, never inside the kernel.
"""

try:
    from typing import Any, Dict, Generator, Iterable, List, Optional
except ImportError:
    pass

from ..kernel import report
from ..kernel.task import FAILED, OBSERVED, REPORTED
from ..kernel.traps import completed, current_kernel, park, parking_task, reschedule
from ..kernel.waitqueue import WaitQueue
from ._base import deadline_after, naming


class Pool:
    """At most ``size`` tasks running at once; ``spawn`` waits for a free slot."""

    __slots__ = ("size", "_running", "_reserved", "_spawners", "_joiners", "name", "_label")

    def __init__(self, size: int, name: "Optional[str]" = None) -> None:
        if not isinstance(size, int) or size < 1:
            raise ValueError(
                "Pool(%r): a pool needs at least one slot; Pool(n) runs at most n tasks at once" % (size,)
            )
        self.size = size
        self._running = {}  # type: Dict[Any, None]  # the tasks in the pool (a dict: an ordered set)
        self._reserved = 0  # slots kept for woken spawners that have not started their task yet
        self._spawners = WaitQueue(self, "spawn (a free slot)")
        self._joiners = WaitQueue(self, "join (all tasks done)")
        self.name, self._label = naming("Pool", name)

    def free_count(self) -> int:
        """How many more tasks could start now without waiting."""
        return self.size - len(self._running) - self._reserved

    def __len__(self) -> int:
        """The number of tasks running in the pool."""
        return len(self._running)

    def __contains__(self, task: "Any") -> bool:
        return task in self._running

    # -- starting tasks ----------------------------------------------------------------------
    def spawn(self, fn: "Any", *args: "Any", name: "Optional[str]" = None) -> "Generator[Any, Any, Any]":
        """``task = yield from pool.spawn(fn, *args)``: start ``fn(*args)`` once a slot is free."""
        return self._spawn(fn, args, name, 0)  # type: ignore[no-any-return]

    def _spawn(self, fn: "Any", args: "Any", name: "Optional[str]", flags: int) -> "Any":
        if len(self._running) + self._reserved < self.size:
            return completed(self._start(fn, args, name, flags))
        return self._spawn_later(fn, args, name, flags)

    def _spawn_later(self, fn: "Any", args: "Any", name: "Optional[str]", flags: int) -> "Any":
        task = parking_task()
        yield from park(task, self._spawners.push(task))
        self._reserved -= 1  # fire() kept this slot for us
        try:
            return self._start(fn, args, name, flags)
        except BaseException:
            self._slot_freed()  # a bad fn: the slot goes to the next in line
            raise

    def _start(self, fn: "Any", args: "Any", name: "Optional[str]", flags: int) -> "Any":
        task = current_kernel().spawn(fn, *args, name=name)  # a bad fn fails here, in the caller
        task._flags |= flags
        self._running[task] = None
        task._joiners_queue().push(None, None, self)  # the kernel calls self.fire when it ends
        return task

    def fire(self, node: "Any", task: "Any") -> bool:
        """Called by the kernel when one of the pool's tasks has finished."""
        del self._running[task]
        _report_unobserved(task, self)
        self._slot_freed()
        return True

    def _slot_freed(self) -> None:
        """A slot is free: keep it for the first waiting spawner, or wake the joiners."""
        waiter = self._spawners.pop()
        if waiter is not None:
            self._reserved += 1
            reschedule(waiter.task, None)
        elif not self._running and not self._reserved:
            waiter = self._joiners.pop()
            while waiter is not None:
                reschedule(waiter.task, True)
                waiter = self._joiners.pop()

    # -- waiting -----------------------------------------------------------------------------
    def join(self, timeout: "Optional[float]" = None) -> "Generator[Any, Any, bool]":
        """``yield from pool.join(timeout=None)``: True once the pool is empty; False on timeout."""
        if not self._running and not self._reserved:
            return completed(True)
        task = parking_task()
        if timeout is None:
            return park(task, self._joiners.push(task))  # type: ignore[no-any-return]
        deadline = deadline_after(task, timeout, "Pool.join()")
        return park(task, self._joiners.push(task), deadline, False)  # type: ignore[no-any-return]

    def kill(self) -> "_Killing":
        """Cancel every task in the pool (a plain call); ``yield from pool.kill()`` also waits.

        Tasks still waiting in ``spawn`` are not cancelled: they start as slots free up.
        """
        for task in list(self._running):
            task.cancel()
        return _Killing(self)

    def map(self, fn: "Any", iterable: "Iterable[Any]") -> "Generator[Any, Any, List[Any]]":
        """``yield from pool.map(fn, items)``: ``[fn(x) for x in items]``, run in the pool.

        Results are in the order of ``items``. If one call fails, the others are cancelled
        and its error is raised.
        """
        tasks = []  # type: List[Any]
        try:
            for item in iterable:
                # Discussion: map joins every task it starts, so they are marked observed now:
                # a failure is raised here, not also reported as one that nobody waited for.
                tasks.append((yield from self._spawn(fn, (item,), None, OBSERVED)))
            results = []
            for task in tasks:
                results.append((yield from task.join()))
            return results
        except BaseException:
            for task in tasks:
                task.cancel()
            raise

    def describe(self) -> str:
        return self._label

    def __repr__(self) -> str:
        return "<%s %d/%d running, %d waiting to spawn>" % (
            self._label, len(self._running), self.size, len(self._spawners),
        )  # fmt: skip


class _Killing:
    """What ``pool.kill()`` returns: already cancelling; ``yield from`` it to wait for the end."""

    __slots__ = ("pool",)

    def __init__(self, pool: Pool) -> None:
        self.pool = pool

    def __iter__(self) -> "Any":
        return iter(self.pool.join())


def _report_unobserved(task: "Any", where: "Any") -> None:
    """Report a failed pool task that nobody waited for, as the kernel would have.

    Discussion: the kernel reports a failure only for a task with no joiners at all, and the
    pool is one of its joiners; so the pool reports it instead, unless somebody else joined.
    """
    flags = task._flags
    if flags & FAILED and not flags & (OBSERVED | REPORTED):
        error = task._outcome
        if not isinstance(error, (KeyboardInterrupt, SystemExit)):
            task._flags = flags | REPORTED
            report.failure("task %r in %s failed and nobody was waiting for it" % (task.name, where.describe()), error)

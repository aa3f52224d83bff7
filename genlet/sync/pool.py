# genlet/sync/pool.py
"""Pool: run tasks, at most ``size`` at once (gevent's ``Pool``, eventlet's ``GreenPool``).

::

    pool = genlet.Pool(10)
    for url in urls:
        yield from pool.spawn(fetch, url)        # waits while 10 are running
    yield from pool.join()                       # until all of them have finished

    pages = yield from pool.map(fetch, urls)     # the results, in the order of urls
    results = pool.imap_unordered(fetch, urls)   # a Channel: each result as it comes

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

from ..kernel.cancel import CancelScope
from ..kernel.errors import ChannelClosed, TaskCancelled
from ..kernel.lowlevel import (
    Group,
    Unwaited,
    WaitQueue,
    completed,
    current_kernel,
    parking_task,
    reschedule,
    unwaited,
    watch_end,
)
from ._base import naming, park_in_line, wake_all
from .channels import Channel
from .queues import Queue

_SPAWN = Unwaited("Pool.spawn()", "task = yield from pool.spawn(fn, *args)")


class Pool(Group):
    """At most ``size`` tasks running at once; ``spawn`` waits for a free slot."""

    __slots__ = ("size", "_running", "_reserved", "_spawners", "_joiners", "name", "_label")

    _kind = "Pool"

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
        return self._spawn(fn, args, name)  # type: ignore[no-any-return]

    def _spawn(self, fn: "Any", args: "Any", name: "Optional[str]", watch: "Any" = None) -> "Any":
        """Start a task now or once a slot is free; ``watch``: the ``_FirstFailure`` of a map.

        Returns the Task, or None if ``watch`` saw a call fail while this one waited for a slot.

        Discussion: both ways register the caller at once (an ``Unwaited``, or its place in
        line), so that a forgotten ``yield from`` (``pool.spawn(fn)``, as in gevent) is a
        TypeError at the task's next yield or blocking call, not a task silently never started.
        """
        caller = parking_task()
        if len(self._running) + self._reserved < self.size:
            return unwaited(caller, _SPAWN, self._start(fn, args, name, watch))
        trap = park_in_line(caller, self._spawners, None, None, "spawn")
        return self._start_when_free(trap, fn, args, name, watch)

    def _start_when_free(self, trap: "Any", fn: "Any", args: "Any", name: "Optional[str]", watch: "Any") -> "Any":
        yield from trap
        self._reserved -= 1  # fire() kept this slot for us
        if watch is not None and watch.failed is not None:
            # Discussion: the slot was handed to us, and then a call of our map failed before
            # we ran again: start nothing after a failure; the slot goes to the next in line.
            self._slot_freed()
            return None
        try:
            return self._start(fn, args, name, watch)
        except BaseException:
            self._slot_freed()  # a bad fn: the slot goes to the next in line
            raise

    def _start(self, fn: "Any", args: "Any", name: "Optional[str]", watch: "Any") -> "Any":
        task = current_kernel().spawn(fn, *args, name=name)  # a bad fn fails here, in the caller
        self._running[task] = None
        # the kernel calls their fire() when the task ends
        if watch is not None:
            watch_end(task, watch, receive=True)  # first: a failure stops the map before the slot is handed on
        watch_end(task, self)
        return task

    def fire(self, node: "Any", task: "Any") -> bool:
        """Called by the kernel when one of the pool's tasks has finished."""
        del self._running[task]  # (its failure, unless somebody receives it, the kernel reports)
        self._slot_freed()
        return True

    def _slot_freed(self) -> None:
        """A slot is free: keep it for the first waiting spawner, or wake the joiners."""
        waiter = self._spawners.pop()
        if waiter is not None:
            reschedule(waiter.task, None)
            self._reserved += 1
        elif not self._running and not self._reserved:
            wake_all(self._joiners, True)

    # -- waiting -----------------------------------------------------------------------------
    def join(self, timeout: "Optional[float]" = None) -> "Generator[Any, Any, bool]":
        """``yield from pool.join(timeout=None)``: True once the pool is empty; False on timeout."""
        if not self._running and not self._reserved:
            return completed(True)
        return park_in_line(parking_task(), self._joiners, None, timeout, "join")

    def kill(self) -> "_Killing":
        """Cancel every task in the pool (a plain call); ``yield from pool.kill()`` also waits.

        Tasks still waiting in ``spawn`` are not cancelled: they start as slots free up.
        """
        for task in list(self._running):
            task.cancel()
        return _Killing(self)

    def map(self, fn: "Any", iterable: "Iterable[Any]") -> "Generator[Any, Any, List[Any]]":
        """``yield from pool.map(fn, items)``: ``[fn(x) for x in items]``, run in the pool.

        Results are in the order of ``items``. The first call that fails stops the map at
        once: no call starts after it, the others are cancelled, and once every call started
        has finished, its error is raised. A map cancelled from outside waits for its calls
        the same way.
        """
        scope = CancelScope(label="Pool.map")
        watch = _FirstFailure(scope)
        tasks = []  # type: List[Any]
        results = []
        try:
            with scope:  # cancelled by the first failure (see _FirstFailure)
                for item in iterable:
                    task = yield from self._spawn(fn, (item,), None, watch)
                    if task is None:
                        break
                    tasks.append(task)
                for task in tasks:
                    if watch.failed is not None:
                        break
                    results.append((yield from task.join()))
        except GeneratorExit:
            _cancel(tasks)  # closed by force: it cannot wait
            raise
        except BaseException:
            yield from _stop(tasks)
            raise
        if watch.failed is None:
            return results
        yield from _stop(tasks)
        return (yield from watch.failed.join())  # type: ignore[no-any-return]  # raises its error

    def imap(self, fn: "Any", iterable: "Iterable[Any]") -> "Channel[Any]":
        """A Channel that delivers ``fn(x)`` for each ``x`` of ``iterable``, in input order.

        The calls run in the pool; the channel is closed after the last result. A plain
        call: a task of its own starts the calls and sends the results (see ``_deliver``).
        """
        return self._imap(fn, iterable, True)

    def imap_unordered(self, fn: "Any", iterable: "Iterable[Any]") -> "Channel[Any]":
        """Like ``imap``, but each result is delivered as soon as its call finishes."""
        return self._imap(fn, iterable, False)

    def _imap(self, fn: "Any", iterable: "Iterable[Any]", ordered: bool) -> "Channel[Any]":
        results = Channel()  # type: Channel[Any]
        name = "imap" if ordered else "imap_unordered"
        current_kernel().spawn(_deliver, self, fn, iter(iterable), results, ordered, name="%s on %s" % (name, self._label))
        return results

    def describe(self) -> str:
        return self._label

    def __repr__(self) -> str:
        return "<%s %d/%d running, %d waiting to spawn>" % (
            self._label, len(self._running), self.size, len(self._spawners),
        )  # fmt: skip


def _deliver(pool: Pool, fn: "Any", items: "Any", results: "Channel[Any]", ordered: bool) -> "Generator[Any, Any, None]":
    """The task behind ``imap``: start ``fn(x)`` for every item in the pool, send the results.

    A helper task starts the calls (``pool.spawn`` waits for slots) and hands each Task over
    a Queue, in input order (``imap``) or as it finishes (``imap_unordered``: the queue is
    filled by a hook on each task's end, as ``joinall`` does). This task takes them from the
    queue and sends their results, so results flow while later calls still wait for a slot.

    Discussion: a failing call stops everything at once (``_FirstFailure``): nothing starts
    after it, the calls not yet delivered are cancelled and waited for, the channel is closed
    early, and the error ends this task, which nobody joins, so it is reported with its
    traceback. To keep going past failures, catch them inside ``fn``. A receiver that stops
    early can ``close()`` the channel: the next send fails, and the rest is cancelled quietly.
    """
    handed = Queue()  # type: Queue
    started = []  # type: List[Any]
    scope = CancelScope(label="Pool.imap")
    watch = _FirstFailure(scope)
    hook = _FinishedHook(handed) if not ordered else None
    feeder = current_kernel().spawn(_start_calls, pool, fn, items, watch, started, handed, hook, name="imap starter")
    watch.stops.append(feeder)
    total = None  # type: Optional[int]  # known when the starter has finished
    sent = 0
    try:
        try:
            with scope:  # cancelled by the first call that fails (see _FirstFailure)
                while (total is None or sent < total) and watch.failed is None:
                    task = yield from handed.get()
                    if task is None:
                        total = len(started)
                        continue
                    value = yield from task.join()
                    yield from results.send(value)
                    sent += 1
                if watch.failed is None:
                    yield from feeder.join()
        except GeneratorExit:
            _cancel([feeder] + started)  # closed by force: it cannot wait
            raise
        except BaseException as error:
            yield from _stop([feeder] + started)
            if isinstance(error, ChannelClosed) and results.closed:
                return  # the receiver closed the channel: it wants no more
            if isinstance(error, TaskCancelled):
                return  # somebody cancelled a call (pool.kill()): stop, closing the channel
            raise
        failed = watch.failed
        if failed is not None:
            yield from _stop([feeder] + started)
            if not failed.cancelled():  # (a call cancelled by pool.kill() stops it quietly)
                yield from failed.join()  # raises its error
    finally:
        if not results.closed:
            results.close()


def _start_calls(
    pool: Pool, fn: "Any", items: "Any", watch: "Any", started: "List[Any]", handed: Queue, hook: "Any"
) -> "Generator[Any, Any, None]":
    """imap's starter task: start the calls in the pool, and hand each one to ``_deliver``."""
    try:
        for item in items:
            task = yield from pool._spawn(fn, (item,), None, watch)
            if task is None:
                return  # a call failed while this one waited for a slot
            started.append(task)
            if hook is None:
                handed.put_nowait(task)
            else:
                watch_end(task, hook)
    finally:
        handed.put_nowait(None)  # the end (also after an error: see feeder.join() in _deliver)


class _FirstFailure(Group):
    """The first group on the joiners of every call of one ``map`` or ``imap``: the first
    call that does not succeed stops it all at once, by cancelling ``stops`` (the map's cancel
    scope, imap's starter task).

    It sits on the joiners as a join (``_JOIN``) whose ``fire`` returns True: by the kernel's
    rule (see ``wake_joiners``) it receives every call's failure, which is then not reported as
    one nobody waited for. The map raises the first failure; the calls after it were
    cancelled by it, unseen.

    Discussion: it sits before the pool on each call's joiners, so it hears of a failure
    before the pool hands the freed slot to the next call waiting to start; that waiting
    ``spawn`` is cancelled instead (and ``Pool._start_when_free`` starts nothing if the slot was
    handed over just before).
    """

    __slots__ = ("failed", "stops")

    def __init__(self, scope: "CancelScope") -> None:
        self.failed = None  # type: Any  # the first call that failed or was cancelled
        self.stops = [scope]  # type: List[Any]

    def fire(self, node: "Any", task: "Any") -> bool:
        if self.failed is None and not task.successful():
            self.failed = task
            for each in self.stops:
                each.cancel()
        return True  # the map receives it (see the class docstring)


def _cancel(tasks: "List[Any]") -> None:
    for task in tasks:
        task.cancel()


def _stop(tasks: "List[Any]") -> "Generator[Any, Any, None]":
    """Cancel ``tasks`` and wait until every one has finished (its ``finally`` blocks ran).

    The wait is shielded: the caller is on its way out with an error, maybe a cancellation of
    its own, and must not leave its calls running behind it.
    """
    _cancel(tasks)
    with CancelScope(shield=True):
        for task in tasks:
            yield from task.wait()


class _FinishedHook(Group):
    """The group on each imap_unordered task's joiners: queue the task when it finishes."""

    __slots__ = ("queue",)

    def __init__(self, queue: "Any") -> None:
        self.queue = queue

    def fire(self, node: "Any", task: "Any") -> bool:
        self.queue.put_nowait(task)
        return True


class _Killing:
    """What ``pool.kill()`` returns: already cancelling; ``yield from`` it to wait for the end."""

    __slots__ = ("pool",)

    def __init__(self, pool: Pool) -> None:
        self.pool = pool

    def __iter__(self) -> "Any":
        return iter(self.pool.join())


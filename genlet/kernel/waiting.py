# genlet/kernel/waiting.py
"""Waiting for many tasks, and what a gevent user reaches for on day one.

``joinall`` (wait for all), ``iwait`` (each as it finishes), ``killall`` (cancel all, then wait),
``spawn_later`` (a task that starts after a delay) and the machinery behind ``task.link``.

All of them learn that a task ended the way ``select`` does: each puts a ``Waiter`` with
itself as the *group* on the task's joiners, and the kernel calls ``group.fire(node, task)``
when the task ends (see ``wake_joiners``). A group Waiter whose value is ``"join"``
receives the task's failure when ``fire`` returns True: that failure is then not reported.
"""

try:
    from typing import Any, Callable, Generator, Iterable, List, Optional
except ImportError:
    pass

from . import report
from .blocking import sleep
from .describing import name_of
from .errors import describe
from .flags import CANCELLED, ENDED, FAILED, OBSERVED
from .join import _JOIN, waits_for_itself
from .running import current_kernel, running_kernel
from .select import Op
from .spawning import as_generator
from .task import Task
from .traps import completed, park, parking_task, reschedule
from .waitqueue import Group, Waiter


def _task_list(tasks: "Iterable[Any]", what: str) -> "List[Task[Any]]":
    tasks = list(tasks)
    for task in tasks:
        if not isinstance(task, Task):
            raise TypeError("%s() takes tasks (from genlet.spawn), got %s" % (what, describe(task)))
    return tasks


def _check_timeout(timeout: "Optional[float]", what: str) -> None:
    if timeout is not None and timeout != timeout:
        raise ValueError("%s(): the timeout is NaN; give seconds, or None to wait forever" % what)


# -- joinall --------------------------------------------------------------------------------------
class _JoinAll(Group):
    """joinall's wait object and the group of its Waiters: collects tasks as they finish."""

    def __init__(self, task: "Task[Any]", total: int, raise_error: bool) -> None:
        self.task = task
        self.total = total
        self.finished = []  # type: List[Task[Any]]
        self.parked = False
        self.raising = not raise_error  # will it raise no more failures? (see fire)

    def fire(self, node: "Any", finished: "Task[Any]") -> bool:
        """One of the tasks finished. True if joinall will raise its failure (it receives it)."""
        self.finished.append(finished)
        if self.parked:
            self.parked = False
            reschedule(self.task, None)
        if self.raising or not finished._flags & (FAILED | CANCELLED):
            return False
        self.raising = True  # the first failure is raised; a later one is not joinall's
        return True

    def abort(self, task: "Any") -> bool:
        """Cancelled or timed out: it gives up, and will raise nothing that finishes later."""
        self.parked = False
        self.raising = True
        return True

    def describe(self) -> str:
        return "joinall (%d of %d tasks left)" % (self.total - len(self.finished), self.total)


def joinall(
    tasks: "Iterable[Task[Any]]", timeout: "Optional[float]" = None, raise_error: bool = False
) -> "Generator[Any, Any, List[Task[Any]]]":
    """``yield from joinall(tasks)``: wait for all of them; gevent's semantics.

    Returns the tasks that finished (those already finished first, then in the order they
    finished) before ``timeout`` expired. With ``raise_error=True``, the first failure
    among them is raised at once (a cancelled task raises ``TaskCancelled``). Without it,
    joinall receives no failure: one that nobody else receives is reported when it happens.
    """
    tasks = _task_list(tasks, "joinall")
    _check_timeout(timeout, "joinall")
    me = parking_task()
    if me in tasks:
        raise waits_for_itself(me)
    group = _JoinAll(me, len(tasks), raise_error)
    nodes = []
    for task in tasks:
        if task._flags & ENDED:
            group.finished.append(task)
        else:  # a join (it receives a failure) only when it may raise it: see _JoinAll.fire
            nodes.append(task._joiners_queue().push(me, _JOIN if raise_error else None, group))
    deadline = None if timeout is None else me._kernel.clock.now() + timeout
    taken = 0  # group.finished[:taken] have been checked
    try:
        while True:
            while taken < len(group.finished):
                task = group.finished[taken]
                taken += 1
                if raise_error and task._flags & (FAILED | CANCELLED):
                    raise task._join_reply().error
            if taken == len(tasks):
                break
            group.parked = True
            if (yield from park(me, group, deadline, False)) is False:  # the timeout's reply
                break
    finally:
        _withdraw(nodes)
    return group.finished[:taken]


def _withdraw(nodes: "List[Any]") -> None:
    for node in nodes:
        if node.queue is not None:
            node.queue.remove(node)


def killall(tasks: "Iterable[Task[Any]]", timeout: "Optional[float]" = None) -> "Generator[Any, Any, List[Task[Any]]]":
    """Cancel every task now (a plain call); ``yield from killall(tasks)`` also waits for them.

    Like ``task.kill()``: the cancelling is done by the call, and what it returns is the wait
    (``joinall(tasks, timeout)``: the tasks that finished in time). Without ``yield from`` it is
    gevent's ``killall(block=False)``. A task that fails instead of ending cancelled (its
    cleanup raised) is reported: killall receives no failure.
    """
    tasks = _task_list(tasks, "killall")
    _check_timeout(timeout, "killall")
    kernel = running_kernel()
    me = None if kernel is None else kernel.current
    if me is not None and me in tasks:
        raise RuntimeError(
            "killall(): the calling task %r is among the tasks; it cannot wait for itself to "
            "end: cancel it with task.cancel() or leave it out" % me.name
        )
    for task in tasks:
        task.cancel()
    return joinall(tasks, timeout)


# -- iwait ----------------------------------------------------------------------------------------
_TIMED_OUT = object()


class IWait(Group):
    """``genlet.iwait(tasks)``: hands out the tasks one by one, as they finish.

    ::

        waiter = genlet.iwait(tasks, timeout=10)
        while True:
            task = yield from waiter.next()      # None: all handed out, or the timeout
            if task is None:
                break

    It listens from the moment it is made: tasks that finish before anyone asks are kept, in
    the order they finished (those already finished first). ``timeout`` counts from then, for
    the whole of it (gevent's meaning). ``close()`` (or leaving ``with iwait(...) as waiter:``)
    stops listening early. It receives no failure: a failed task is handed out like the others,
    and its failure is reported when it happens unless someone else receives it.
    """

    def __init__(self, tasks: "Iterable[Task[Any]]", timeout: "Optional[float]" = None) -> None:
        tasks = _task_list(tasks, "iwait")
        _check_timeout(timeout, "iwait")
        kernel = current_kernel()
        self._deadline = None if timeout is None else kernel.clock.now() + timeout
        self._finished = []  # type: List[Task[Any]]  # finished, not handed out yet
        self._nodes = []  # type: List[Any]
        self._left = len(tasks)  # not handed out yet
        self._waiter = None  # type: Optional[Task[Any]]  # the task parked in next()
        for task in tasks:
            if task._flags & ENDED:
                self._finished.append(task)
            else:
                self._nodes.append(task._joiners_queue().push(None, None, self))

    def __len__(self) -> int:
        """How many tasks it has not handed out yet."""
        return self._left

    def next(self) -> "Generator[Any, Any, Optional[Task[Any]]]":
        """``task = yield from waiter.next()``: the next task to finish; None when none is left
        or the timeout has passed. Returns at once if one has finished already."""
        if self._finished:
            return completed(self._hand_out(self._finished.pop(0)))
        if not self._left or (self._deadline is not None and current_kernel().clock.now() >= self._deadline):
            self.close()
            return completed(None)
        if self._waiter is not None:
            raise RuntimeError("iwait: task %r is already waiting in next(); one task reads an iwait" % self._waiter.name)
        return self._wait()

    def _wait(self) -> "Generator[Any, Any, Optional[Task[Any]]]":
        me = self._waiter = parking_task()
        reply = yield from park(me, self, self._deadline, _TIMED_OUT)
        if reply is _TIMED_OUT or reply is None:  # the timeout, or close() from another task
            self.close()
            return None
        return self._hand_out(reply)

    def _hand_out(self, task: "Task[Any]") -> "Task[Any]":
        self._left -= 1
        return task

    def fire(self, node: "Any", task: "Task[Any]") -> bool:
        """Called by the kernel when one of the tasks has finished."""
        waiter = self._waiter
        if waiter is not None:
            self._waiter = None
            reschedule(waiter, task)  # the hand-off: next() returns it
        else:
            self._finished.append(task)
        return False  # it only hands the task out: see the class docstring

    def abort(self, task: "Any") -> bool:
        self._waiter = None
        return True

    def close(self) -> None:
        """Stop listening: the tasks still running are no longer watched; a task waiting in
        ``next()`` gets None."""
        _withdraw(self._nodes)
        self._nodes = []
        self._left = len(self._finished)
        waiter = self._waiter
        if waiter is not None:
            self._waiter = None
            reschedule(waiter, None)

    def __enter__(self) -> "IWait":
        return self

    def __exit__(self, *exc_info: "Any") -> None:
        self.close()

    def describe(self) -> str:
        return "iwait (%d tasks left)" % self._left


def iwait(tasks: "Iterable[Task[Any]]", timeout: "Optional[float]" = None) -> IWait:
    """An ``IWait`` over ``tasks``: ``task = yield from waiter.next()`` as each finishes."""
    return IWait(tasks, timeout)


# -- spawn_later ----------------------------------------------------------------------------------
def spawn_later(seconds: float, fn: "Any", *args: "Any", name: "Optional[str]" = None, daemon: bool = False) -> "Task[Any]":
    """Start ``fn(*args)`` as a task after ``seconds`` (gevent's ``spawn_later``).

    Returns the Task at once, named like one that ``spawn(fn, *args)`` made. Until then it
    sleeps: ``task.cancel()`` before it starts ends it cancelled, and ``fn`` is never called.
    """
    if seconds != seconds:
        raise ValueError("spawn_later(): the delay is NaN; give seconds")
    if not callable(fn) and not (hasattr(fn, "send") and hasattr(fn, "throw")):
        raise TypeError("spawn_later() needs a generator function or a generator, got %s" % describe(fn))
    task = current_kernel().spawn(_start_later(seconds, fn, args), name=name, daemon=daemon)
    if name is None:
        task._name = name_of(fn, None)  # named after fn, as spawn(fn) would be
    return task


def _start_later(seconds: float, fn: "Any", args: "Any") -> "Generator[Any, Any, Any]":
    yield from sleep(seconds)
    return (yield from as_generator(fn, args))


# -- link -----------------------------------------------------------------------------------------
class _Link(Group):
    """The group on a task's joiners for ``task.link(callback)`` / ``link_exception``."""

    __slots__ = ("callback", "failures_only")

    def __init__(self, callback: "Callable[[Any], Any]", failures_only: bool) -> None:
        self.callback = callback
        self.failures_only = failures_only

    def fire(self, node: "Any", task: "Task[Any]") -> bool:
        """The task has ended: call back. True if it ran (a failure is then received)."""
        if self.failures_only and not task._flags & FAILED:
            return False
        return call_back(task, self.callback)


def call_back(task: "Task[Any]", callback: "Callable[[Any], Any]") -> bool:
    """Call ``callback(task)`` outside any task; report what it raises. True if it returned.

    Discussion: it runs inline, where the kernel records the task's end, not in a task of its
    own: a task spawned while ``run`` is ending would be cancelled before it starts, and the
    callbacks of tasks that end then must run too. It runs as no task: ``current_task()`` and
    every blocking call raise an error that says so; to do something that blocks, spawn a task
    from the callback.
    """
    kernel = task._kernel
    previous, kernel.current = kernel.current, None
    try:
        result = callback(task)
        if hasattr(result, "send") and hasattr(result, "throw"):
            result.close()
            raise TypeError(
                "link callback %s returned a generator, which would never run: callbacks are "
                "plain functions; to run a task when %r ends, spawn it in the callback"
                % (name_of(callback, None), task.name)
            )
        return True
    except BaseException as error:
        if isinstance(error, (KeyboardInterrupt, SystemExit)) and kernel._fatal is None:
            kernel._fatal = error
            kernel._halt = True
        report.failure("the link callback %s of task %r failed" % (name_of(callback, None), task.name), error)
        return False
    finally:
        kernel.current = previous


def link(task: "Task[Any]", callback: "Any", failures_only: bool) -> None:
    """``task.link(callback)`` and ``task.link_exception(callback)``: see Task.link."""
    if not callable(callback):
        raise TypeError("link(): the callback must be callable (called with the task), got %s" % describe(callback))
    if task._flags & ENDED:
        if not failures_only or task._flags & FAILED:
            call_back(task, callback)
        return
    task._joiners_queue().push(None, _JOIN if failures_only else None, _Link(callback, failures_only))


def unlink(task: "Task[Any]", callback: "Any") -> None:
    """``task.unlink(callback)``: remove every link of ``callback`` that has not been called."""
    queue = task._joiners
    if queue is None:
        return
    for node in queue:
        group = node.group
        if group.__class__ is _Link and group.callback == callback:
            queue.remove(node)


# -- the end of a task, to those waiting for it ----------------------------------------------


class JoinOp(Op):
    """``task.join_op()``: ready when the task has finished; the select's value is the task."""

    __slots__ = ("task",)

    def __init__(self, task: "Task[Any]") -> None:
        self.task = task

    def ready(self) -> bool:
        return bool(self.task._flags & ENDED)

    def commit(self) -> "Task[Any]":
        self.task._flags |= OBSERVED
        return self.task

    def enroll(self, task: "Task[Any]", group: "Any") -> Waiter:
        if task is self.task:
            raise waits_for_itself(task)
        return self.task._joiners_queue().push(task, _JOIN, group)  # a join: see wake_joiners

    def describe(self) -> str:
        return "%s to finish" % self.task.describe()


def wake_joiners(task: "Task[Any]", joiners: "Any") -> bool:
    """Hand the end of ``task`` to everyone waiting for it; True if one of them receives
    its failure, i.e. will re-raise it or is handed the task to deal with.

    Discussion: the rule is "a failure is reported when it happens, unless at that moment
    someone waits to receive it". A Waiter whose value is ``"join"`` receives: a plain one
    (``join()``) always, one in a group (a ``select``'s ``join_op``, ``joinall`` with
    ``raise_error``, ``link_exception``) when the group's ``fire`` takes it (returns True).
    ``wait()``, ``kill()``, a pool and ``joinall`` without ``raise_error`` only wait for
    the end. A wait that gave up earlier (timeout, cancel) has left the queue: it does
    not count.
    """
    reply = task._join_reply()
    received = False
    node = joiners.pop()
    while node is not None:
        group = node.group
        if group is None:
            if node.value == _JOIN:
                received = True
                reschedule(node.task, reply)
            else:
                reschedule(node.task, None)
        elif group.fire(node, task) and node.value == _JOIN:
            received = True
        node = joiners.pop()
    return received

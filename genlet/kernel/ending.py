# genlet/kernel/ending.py
"""How tasks end when they will not end by themselves (principle 6 in loop.py).

When ``run``'s main task returns (or fails, or Ctrl-C arrives), every task still alive is
cancelled and stepped until it finishes, so that its ``finally`` blocks run: MicroPython never
runs them for a generator that is merely dropped, and a half-done cleanup is a lost resource
anywhere. Three cases need force instead of patience, each with a warning that names the task:

- a task that swallows ``Cancelled`` again and again (``_MAX_SWALLOWS`` times);
- a task still waiting when nothing can ever wake it;
- a task spawned while ``run`` is ending (by another task's cleanup): cancelled before it runs.

Force is ``gen.close()``: ``GeneratorExit`` at the task's ``yield``, and its ``finally`` blocks
run, as the task (``kernel.current``), so that cancel scopes and spawns in them work.
"""

try:
    from typing import Any, List
except ImportError:
    pass

from . import report
from ._typing import TYPE_CHECKING
from .errors import Cancelled, plural
from .flags import DAEMON, ENDED

if TYPE_CHECKING:
    from .loop import Kernel
    from .task import Task

_MAX_SWALLOWS = 5  # cancellations a task may swallow at shutdown before it is closed
_MAX_CLOSES = 4  # close() attempts on a task whose finally blocks keep trying to block


def cancel_late_spawn(kernel: "Kernel", task: "Task[Any]") -> None:
    """Discussion: ``run`` is finishing its tasks, and one of them (in its cleanup) spawns
    another. Nothing would ever cancel the newcomer, and ``run`` would step it forever; so
    it is cancelled at once, like every other task left, and never starts."""
    if not task._flags & DAEMON:
        report.warning("task %r was spawned while run() was ending; it is cancelled before it starts" % task.name)
    task.cancel()


def close_task(kernel: "Kernel", task: "Task[Any]", why: str) -> None:
    """Force a task to end with ``gen.close()`` (its finally blocks run); warn why."""
    report.warning("closing task %r: %s" % (task.name, why))
    detach(kernel, task)
    if task._flags & ENDED:
        return
    if task in kernel._ready:
        # Discussion: a task that swallowed Cancelled may be queued to run (at a bare
        # `yield`, or with the Cancelled as its reply). Once closed it must not be resumed:
        # finishing it a second time would count it dead twice and lose a live task.
        kernel._ready.remove(task)
    previous, kernel.current = kernel.current, task  # its finally blocks run as the task
    try:
        for _ in range(_MAX_CLOSES):
            try:
                task._gen.close()
                break
            except BaseException as exc:
                # Discussion: a finally block that blocks yields, which close() refuses
                # ("generator ignored GeneratorExit"), leaving the generator suspended
                # there. Close it again from there, so the finally blocks around it run too.
                report.failure(
                    "task %r misbehaved while being closed (a closed task cannot block, "
                    "not even in a finally block)" % task.name, exc
                )
                detach(kernel, task)
    finally:
        kernel.current = previous
    if not task._flags & ENDED:
        kernel._finish(task, Cancelled(task, "task %r was closed" % task.name))


def detach(kernel: "Kernel", task: "Task[Any]") -> None:
    """Take a task that is being closed out of its wait, if it has one."""
    if task._wait is not None and not kernel._abort(task):
        # Discussion: its wait cannot let go (the result is on its way, e.g. a thread job).
        # Detach the task anyway: the late reply finds it finished and is dropped.
        task._wait = None
        kernel._timers.discard(task)


def requeue_unreached(kernel: "Kernel", batch: "List[Task[Any]]") -> None:
    """A pass stopped by an exception at ``kernel.current`` (a second Ctrl-C, or a bug in the
    kernel): put the tasks it had not reached back in front, so that shutdown finishes them."""
    current = kernel.current
    for index, task in enumerate(batch):
        if task is current:
            kernel._ready[:0] = [t for t in batch[index + 1 :] if not t._flags & ENDED]
            return


def shutdown(kernel: "Kernel", warn: bool) -> None:
    """Cancel the tasks still alive and step them until they finish (principle 6)."""
    leftovers = kernel.tasks()
    if not leftovers:
        return
    named = [t for t in leftovers if not t._flags & DAEMON]
    if named and warn:
        shown = ", ".join("%r (%s)" % (t.name, t.waiting_on or t.state) for t in named[:10])
        more = " and %d more" % (len(named) - 10) if len(named) > 10 else ""
        report.warning("run() is ending with %s still running; cancelling %s%s" % (plural(len(named), "task"), shown, more))
    kernel._swallowed = {}
    kernel._late_code = None  # spawn's fast path is closed: every spawn is cancelled now
    kernel._interrupted = False
    for task in leftovers:
        task.cancel()
    while kernel.tasks():
        if kernel._ready:
            kernel._run_ready()
        for task, count in list(kernel._swallowed.items()):
            if count > _MAX_SWALLOWS and not task._flags & ENDED:
                close_task(kernel, task, "it swallowed Cancelled %d times at the end of run()" % count)
        if not kernel.tasks():
            break
        if kernel._stuck():
            for task in kernel.tasks():
                close_task(kernel, task, "it is still waiting (%s) and nothing can wake it" % task.waiting_on)
            continue  # their finally blocks may have spawned tasks: finish those too
        kernel._wait_for_events(None)
    kernel._swallowed = None

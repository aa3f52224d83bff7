# genlet/kernel/instrument.py
"""Instruments: observers a kernel tells what its tasks do (the contract: HOOK.md).

An instrument is told when a task is spawned, becomes ready (and who made it ready, and
how), steps, parks, exits, and when the kernel blocks for "io". A trace timeline, a monitor
and a slow-step detector stand on this without a run loop of their own.

How the kernel learns "who woke whom" without a word in ``reschedule`` or ``spawn``: every
wake-up and every spawn appends the task to the ready list, and nothing else does. So after
each step (and after the "io" poll, the calls from other threads, the timers) the tasks the
ready list gained since it was last looked at are the ones that moment made ready, in order;
a task whose id is above the last one seen is new (ids count spawns).

Discussion: with no instrument, the kernel pays nothing: ``Kernel.add_instrument`` sets an
instance attribute ``_run_ready`` (the instrumented pass, below) that hides the class's, and
removing the last instrument deletes it. The fast pass is not even asked a question.
"""

import time

try:
    from typing import Any, List, Optional
except ImportError:
    pass

from . import report
from ._typing import TYPE_CHECKING
from .blocking import SLEEPING
from .errors import Cancelled
from .flags import ENDED, ID_SHIFT, ID_STEP
from .traps import Failure, reschedule

if TYPE_CHECKING:
    from .loop import Kernel
    from .task import Task


class Instrument:
    """Base class of a kernel observer: override what you need; every method is a no-op.

    Called in the kernel's thread, between task steps (never inside one), in the order the
    events happen. An instrument must not block, spawn or raise; an exception from one is
    logged on the ``genlet`` logger and that instrument is removed (the run goes on).

    Within one step's report, the order is: ``before_task_step``, ``after_task_step``, then
    the task's outcome (``task_exited`` or ``task_parked``), then each task it spawned
    (``task_spawned``, and ``task_parked`` for one that starts out waiting), then each task
    it made ready, in the order they will run (``task_scheduled``; the task itself, when it
    checkpointed, with itself as the waker).
    """

    def before_run(self, kernel: "Kernel") -> None:
        """``run()`` started (the main task exists)."""

    def after_run(self, kernel: "Kernel") -> None:
        """``run()`` is ending (after the last step)."""

    def task_spawned(self, task: "Task[Any]", parent: "Optional[Task[Any]]") -> None:
        """``parent``: the spawning Task, or None (spawned outside a task)."""

    def task_scheduled(self, task: "Task[Any]", waker: "Optional[Task[Any]]", cause: str) -> None:
        """The task became ready. ``waker``: the Task whose step made it ready, or None.

        ``cause``: "spawn", "hand-off", "timer", "io", "cancel", "thread" or "checkpoint".
        """

    def before_task_step(self, task: "Task[Any]") -> None:
        """The kernel is about to resume ``task``."""

    def after_task_step(self, task: "Task[Any]") -> None:
        """That step ended (parked, checkpointed or finished)."""

    def task_parked(self, task: "Task[Any]") -> None:
        """After its step, ``task`` waits: ``describe_wait(task)`` says on what."""

    def task_exited(self, task: "Task[Any]") -> None:
        """``task`` finished: ``task.done()`` is True."""

    def before_io_wait(self, timeout: "Optional[float]") -> None:
        """The kernel is about to block (``timeout``: seconds, or None)."""

    def after_io_wait(self, timeout: "Optional[float]") -> None:
        """It has stopped blocking."""


def describe_wait(task: "Task[Any]") -> str:
    """What ``task`` waits on, in words ("Channel.recv", "sleep 0.5 s"); "" if it does not.

    The words are the task dump's (``task.waiting_on``); a sleep says how long is left.
    """
    wait = task._wait
    if wait is None or task._flags & ENDED:
        return ""
    if wait is SLEEPING and task._timer is not None:
        return "sleep %g s" % max(0.0, task._timer[0] - task._kernel.clock.now())
    return wait.describe()  # type: ignore[no-any-return]


class Observers:
    """A kernel's instruments, and what it has told them so far."""

    __slots__ = ("kernel", "instruments", "seen_bits", "announced")

    def __init__(self, kernel: "Any") -> None:
        self.kernel = kernel  # type: Kernel
        self.instruments = []  # type: List[Any]
        self.seen_bits = kernel._id_bits  # the last task id reported spawned (shifted)
        # how much of the ready list was reported; added during a step, the rest of the step
        # is not told (-1: the next look only takes note)
        self.announced = -1 if kernel.current is not None else len(kernel._ready)

    def notify(self, event: str, *args: "Any") -> None:
        for instrument in list(self.instruments):  # (a failing one is removed meanwhile)
            try:
                getattr(instrument, event)(*args)
            except Exception as error:
                report.failure("instrument %r failed in %s(); it is removed" % (instrument, event), error)
                self.kernel.remove_instrument(instrument)

    def woken(self, waker: "Optional[Task[Any]]", cause: str) -> None:
        """Report what was spawned and made ready since the last look, as caused by ``cause``."""
        kernel = self.kernel
        ready = kernel._ready
        start = min(self.announced, len(ready))
        if start < 0:
            self.announced, self.seen_bits = len(ready), kernel._id_bits
            return
        fresh = ready[start:]
        self.announced = len(ready)
        bits = self.seen_bits
        new = []  # type: List[Task[Any]]
        if kernel._id_bits != bits:
            new = self._spawned_since(bits, fresh)
            self.seen_bits = kernel._id_bits
            for task in new:
                self.notify("task_spawned", task, waker)
                if task._wait is not None:
                    self.notify("task_parked", task)
        for task in fresh:
            self.notify("task_scheduled", task, waker, _cause(task, waker, cause, bits if new else -1))

    def _spawned_since(self, bits: int, fresh: "List[Task[Any]]") -> "List[Task[Any]]":
        """The tasks spawned since the id ``bits``, in spawn order.

        Discussion: a new task is in the ready list, except one that starts out waiting
        (``spawn(genlet.sleep, 5)``), which only the roll of tasks has: that (rare) case
        scans the roll.
        """
        kernel = self.kernel
        count = (kernel._id_bits - bits) >> ID_SHIFT
        new = [task for task in fresh if task._flags >= bits + ID_STEP]
        if len(new) < count:
            known = set(new)
            for task in kernel._roll + kernel._spare:
                if task._flags >= bits + ID_STEP and task not in known and not task._flags & ENDED:
                    new.append(task)
                    known.add(task)
            new.sort(key=lambda task: task.id)
        return new


def _cause(task: "Task[Any]", waker: "Optional[Task[Any]]", cause: str, spawned_above: int) -> str:
    """Why ``task`` became ready. ``spawned_above``: the id bits above which a task was spawned
    since the last look (-1: none was). Discussion: by its id, not ``task in new``, which made
    a step that spawns n tasks cost n * n to report (a trace showed it as time spent ready)."""
    if spawned_above >= 0 and task._flags >= spawned_above + ID_STEP:
        return "spawn"
    reply = task._value
    if cause == "hand-off" and reply.__class__ is Failure and isinstance(reply.error, Cancelled):
        return "cancel"
    if task is waker:
        return "checkpoint"
    return cause


class Observed:
    """Installing instruments, and the kernel's blocking wait, which they are told of (a base
    class of ``Kernel``)."""

    _observers = None  # type: Optional[Observers]

    def add_instrument(self, instrument: "Instrument") -> None:
        """Tell ``instrument`` (an ``Instrument``) what the tasks do, from the next pass on."""
        if self._observers is None:
            self._observers = Observers(self)
            self._run_ready = self._run_ready_instrumented
        self._observers.instruments.append(instrument)

    def remove_instrument(self, instrument: "Instrument") -> None:
        """Stop telling ``instrument``; with none left, the run loop pays nothing again."""
        observers = self._observers
        if observers is not None and instrument in observers.instruments:
            observers.instruments.remove(instrument)
            if not observers.instruments:
                self._observers = None
                del self._run_ready  # the class's uninstrumented pass again (see instrument.py)

    def _run_ready_instrumented(self) -> None:
        kernel = self  # type: Any  # (a Kernel: Observed is one of its bases)
        run_ready_instrumented(kernel)

    def _notify(self, event: str, *args: "Any") -> None:
        if self._observers is not None:
            self._observers.notify(event, *args)

    def _block(self, io: "Any", timeout: "Optional[float]") -> int:
        """Wait for "io" (``io``: the "io" waits) or sleep, for at most ``timeout`` seconds."""
        observers = self._observers if timeout != 0 else None  # (a look is not a wait)
        if observers is not None:
            observers.woken(None, "hand-off")  # (made ready outside the run loop)
            observers.notify("before_io_wait", timeout)
        woken = 0
        if io is not None:
            woken = io.poll(timeout, reschedule)  # (it has taken the task off the descriptor)
        else:
            time.sleep(timeout)  # type: ignore[arg-type]
        if observers is not None:
            observers.notify("after_io_wait", timeout)
        if self._observers is not None:
            self._observers.woken(None, "io")
        return woken


def run_ready_instrumented(kernel: "Kernel") -> None:
    """``Kernel._run_ready`` with instruments: one pass, told step by step (see the top)."""
    observers = kernel._observers  # type: Any  # (not None: see Kernel.add_instrument)
    observers.woken(None, "hand-off")  # what the world outside the run loop did since
    batch, ready = kernel._ready, kernel._spare
    kernel._ready, kernel._spare = ready, batch
    observers.announced = 0
    task = None
    try:
        for task in batch:
            if kernel._observers is None:  # the last instrument was removed: step plainly
                kernel._step(task, ready)
                continue
            observers.notify("before_task_step", task)
            kernel._step(task, ready)
            kernel.current = None
            observers.notify("after_task_step", task)
            if task._flags & ENDED:
                observers.notify("task_exited", task)
            elif task._wait is not None:
                observers.notify("task_parked", task)
            observers.woken(task, "hand-off")
    except BaseException:
        kernel.current = task  # (where the pass stopped: see _requeue_unreached)
        kernel._requeue_unreached(batch)
        raise
    finally:
        kernel.current = None
        batch.clear()
    if kernel._dead > kernel._prune_at:
        kernel._prune()

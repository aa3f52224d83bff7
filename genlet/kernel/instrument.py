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

What it costs (as trio does it): the kernel keeps, for each event, the list of the bound
methods of the instruments that override it; a method an instrument inherits from
``Instrument`` is never called, and an event no instrument wants costs a test of an empty
list. A step that only checkpointed (``yield``: the ready list gained that task and nothing
else) is told at once, without looking further; ``steps_ran`` gives a recorder the steps in
batches, one list per pass, with one clock reading per step.

Discussion: with no instrument that wants the steps, the kernel pays nothing:
``Observers.rebuild`` sets an instance attribute ``_run_ready`` (the instrumented pass, below)
that hides the class's only while some instrument overrides a step's event, and deletes it
again. The fast pass is not even asked a question.
"""

import time

try:
    from typing import Any, Dict, List, Optional
except ImportError:
    pass

from . import ending, report
from ._typing import TYPE_CHECKING
from .blocking import SLEEPING
from .clock import default_clock
from .errors import Cancelled
from .flags import ENDED, ID_SHIFT, ID_STEP
from .traps import Failure, reschedule

if TYPE_CHECKING:
    from .loop import Kernel
    from .task import Task

# The events told between steps: an instrument that overrides one of these needs the
# instrumented pass; the others (the run's start and end, the kernel blocking) do not.
STEP_EVENTS = (
    "task_spawned", "task_scheduled", "task_woken", "before_task_step", "after_task_step",
    "task_parked", "task_exited", "steps_ran",
)  # fmt: skip
EVENTS = STEP_EVENTS + ("before_run", "after_run", "before_io_wait", "after_io_wait")


class Instrument:
    """Base class of a kernel observer: override what you need; every method is a no-op.

    Called in the kernel's thread, between task steps (never inside one), in the order the
    events happen. An instrument must not block, spawn or raise; an exception from one is
    logged on the ``genlet`` logger and that instrument is removed (the run goes on). Only
    the methods a subclass overrides are called: an event nobody overrides costs nothing.

    Within one step's report, the order is: ``before_task_step``, ``after_task_step``, then
    the task's outcome (``task_exited`` or ``task_parked``), then each task it spawned
    (``task_spawned``, and ``task_parked`` for one that starts out waiting), then each task
    it made ready, in the order they will run (``task_scheduled``, and ``task_woken`` for
    those whose wait ended; the task itself, when it checkpointed, with itself as the waker).
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

    def task_woken(self, task: "Task[Any]", waker: "Optional[Task[Any]]", cause: str) -> None:
        """The task's wait ended: ``task_scheduled`` without the "spawn" and "checkpoint"
        causes (a spawn is ``task_spawned``; a step that neither parked nor exited ended at a
        checkpoint), for an instrument that wants only wake-ups: a plain step costs it nothing."""

    def before_task_step(self, task: "Task[Any]") -> None:
        """The kernel is about to resume ``task``."""

    def after_task_step(self, task: "Task[Any]") -> None:
        """That step ended (parked, checkpointed or finished)."""

    def steps_ran(self, tasks: "List[Task[Any]]", times: "List[float]") -> None:
        """Steps, in batches: ``tasks`` ran a step each, in that order; ``times`` has one more
        item: ``times[0]`` when the first step began, ``times[i + 1]`` when ``tasks[i]``'s
        ended. Each step began when the one before it ended (the kernel's own work between
        two steps counts in the second). Times are ``time.perf_counter()`` seconds (on an
        interpreter without it, its real clock's: ``default_clock().now()``).

        Told at the end of each pass, and before any other event that comes after a step in
        the lists (its park, its exit, a wake-up...): only ``before_task_step`` and
        ``after_task_step`` may come earlier than the batch that holds their step. The lists
        are the instrument's to keep (the kernel starts new ones); don't change them, another
        instrument may have them too. A recorder uses this instead of ``before_task_step`` and
        ``after_task_step``: one call per pass instead of two per step.
        """

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


def _ignore(*args: "Any") -> None:
    """What a removed instrument's methods become in the lists a pass holds (see remove)."""


def _overrides(instrument: "Any", name: str) -> bool:
    return getattr(instrument.__class__, name, None) is not getattr(Instrument, name)


class Observers:
    """A kernel's instruments, the methods to call for each event, and what it has told.

    ``calls`` maps each event to the bound methods of the instruments that override it, in
    the order they were added. It is never changed once made, only replaced (``rebuild``), so
    a pass can hold it in locals (``held``); except that a removed instrument's methods are
    turned into ``_ignore`` in the lists a pass may hold.
    """

    __slots__ = ("kernel", "instruments", "calls", "held", "stepping", "stamp", "seen_bits", "announced")

    def __init__(self, kernel: "Any") -> None:
        self.kernel = kernel  # type: Kernel
        self.instruments = []  # type: List[Any]
        self.calls = {}  # type: Dict[str, List[Any]]
        self.held = None  # type: Any  # the calls the running pass holds (see remove)
        self.stepping = False  # some instrument wants the steps: the instrumented pass runs
        self.stamp = getattr(time, "perf_counter", None) or default_clock().now  # steps_ran's clock
        self.seen_bits = 0  # the last task id reported spawned (shifted)
        self.announced = 0  # how much of the ready list was reported (-1: see watch)
        self.rebuild()

    def rebuild(self) -> None:
        """Make ``calls`` anew from ``instruments``; swap the instrumented pass in or out."""
        self.calls = calls = {}
        for name in EVENTS:
            calls[name] = [getattr(one, name) for one in self.instruments if _overrides(one, name)]
        stepping = False
        for name in STEP_EVENTS:
            stepping = stepping or bool(calls[name])
        kernel = self.kernel  # type: Any
        if stepping and not self.stepping:
            self.watch()
            kernel._run_ready = kernel._run_ready_instrumented
        elif self.stepping and not stepping:
            del kernel._run_ready  # the class's uninstrumented pass again (see the top)
        self.stepping = stepping

    def watch(self) -> None:
        """Start telling from now on. Discussion: turned on during a step, the rest of the
        step is not told: the next look only takes note (``announced`` -1)."""
        kernel = self.kernel
        self.announced = -1 if kernel.current is not None else len(kernel._ready)
        self.seen_bits = kernel._id_bits

    def remove(self, instrument: "Any") -> None:
        """Stop telling ``instrument``, at once: also in the lists a running pass holds."""
        for calls in (self.calls, self.held):
            for name in calls or ():
                methods = calls[name]
                for index in range(len(methods)):
                    if methods[index] == getattr(instrument, name):
                        methods[index] = _ignore
        self.instruments.remove(instrument)
        self.rebuild()

    def tell(self, methods: "List[Any]", event: str, *args: "Any") -> None:
        for method in methods:
            try:
                method(*args)
            except Exception as error:
                self.failed(method, event, error)

    def notify(self, event: str, *args: "Any") -> None:
        self.tell(self.calls[event], event, *args)

    def failed(self, method: "Any", event: str, error: Exception) -> None:
        """``method`` raised: report it, remove its instrument (the run goes on)."""
        for instrument in self.instruments:
            if getattr(instrument, event) == method:
                report.failure("instrument %r failed in %s(); it is removed" % (instrument, event), error)
                self.kernel.remove_instrument(instrument)
                return

    def woken(self, waker: "Optional[Task[Any]]", cause: str) -> None:
        """Report what was spawned and made ready since the last look, as caused by ``cause``."""
        if not self.stepping:
            return
        kernel = self.kernel
        start = min(self.announced, len(kernel._ready))
        if start < 0:
            self.announced, self.seen_bits = len(kernel._ready), kernel._id_bits
            return
        self.fresh(self.calls, start, self.seen_bits, waker, cause)
        self.announced, self.seen_bits = len(kernel._ready), kernel._id_bits

    def fresh(self, calls: "Dict[str, List[Any]]", start: int, bits: int, waker: "Any", cause: str) -> None:
        """Report the tasks spawned above the id ``bits`` and those the ready list gained
        from ``start`` on (``calls``: the methods to call)."""
        kernel = self.kernel
        ready = kernel._ready
        spawned_above = -1
        if kernel._id_bits != bits:
            spawned_above = bits
            spawned, parked = calls["task_spawned"], calls["task_parked"]
            for task in self._spawned_since(bits, ready, start):
                self.tell(spawned, "task_spawned", task, waker)
                if task._wait is not None:
                    self.tell(parked, "task_parked", task)
        scheduled, woken = calls["task_scheduled"], calls["task_woken"]
        if not (scheduled or woken):
            return
        for index in range(start, len(ready)):
            task = ready[index]
            why = _cause(task, waker, cause, spawned_above)
            self.tell(scheduled, "task_scheduled", task, waker, why)
            if woken and why != "spawn" and why != "checkpoint":
                self.tell(woken, "task_woken", task, waker, why)

    def _spawned_since(self, bits: int, ready: "List[Task[Any]]", start: int) -> "List[Task[Any]]":
        """The tasks spawned since the id ``bits``, in spawn order.

        Discussion: a new task is in the ready list, except one that starts out waiting
        (``spawn(genlet.sleep, 5)``), which only the roll of tasks has: that (rare) case
        scans the roll.
        """
        kernel = self.kernel
        count = (kernel._id_bits - bits) >> ID_SHIFT
        new = [task for task in ready[start:] if task._flags >= bits + ID_STEP]
        if len(new) < count:
            known = set(new)
            for task in kernel._roll + kernel._spare:
                if task._flags >= bits + ID_STEP and task not in known and not task._flags & ENDED:
                    new.append(task)
                    known.add(task)
            new.sort(key=lambda task: task.id)
        return new

    def ran(self, calls: "Dict[str, List[Any]]", batch: "List[Task[Any]]", told: int, times: "Any") -> int:
        """Tell ``steps_ran`` the steps of ``batch[told:]`` that ``times`` has; return where
        the next ones start."""
        if times is None or len(times) < 2:
            return told
        ran = told + len(times) - 1
        self.tell(calls["steps_ran"], "steps_ran", batch[told:ran], times)
        return ran

    def stepped(self, calls: "Dict[str, List[Any]]", task: "Task[Any]", start: int, bits: int) -> None:
        """Report a step that did more than checkpoint."""
        self.tell(calls["after_task_step"], "after_task_step", task)
        if task._flags & ENDED:
            self.tell(calls["task_exited"], "task_exited", task)
        elif task._wait is not None:
            self.tell(calls["task_parked"], "task_parked", task)
        self.fresh(calls, start, bits, task, "hand-off")


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
        observers = self._observers
        if observers is None:
            observers = self._observers = Observers(self)
        observers.instruments.append(instrument)
        observers.rebuild()

    def remove_instrument(self, instrument: "Instrument") -> None:
        """Stop telling ``instrument``; with none left, the run loop pays nothing again."""
        observers = self._observers
        if observers is not None and instrument in observers.instruments:
            observers.remove(instrument)
            if not observers.instruments:
                self._observers = None

    def _run_ready_instrumented(self, back_to_back: bool = False) -> None:
        """One pass, told; never back to back: the run loop then looks at IO, calls and timers
        between every two passes, which finds nothing when a plain pass would not have stopped."""
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
    """``Kernel._run_ready`` with instruments: one pass, told step by step (see the top).

    Discussion: the methods to call are held in locals for the pass (an instrument added
    meanwhile is told from the next pass on; one removed is told nothing more at once: see
    ``Observers.remove``). A step that checkpointed and did nothing else (``Kernel._step``
    says it checkpointed, the ready list gained just that task: it sits where the list ended,
    and no task was spawned) is told here; any other step goes to
    ``Observers.stepped``, which looks at what it did. For ``steps_ran``, a step adds one
    clock reading to ``times``; its tasks are the batch's.
    """
    observers = kernel._observers  # type: Any  # (not None: see Observers.rebuild)
    observers.woken(None, "hand-off")  # what the world outside the run loop did since
    batch, ready = kernel._ready, kernel._spare
    kernel._ready, kernel._spare = ready, batch
    step, stamp, tell = kernel._step, observers.stamp, observers.tell
    calls = observers.held = observers.calls
    before, after, checkpoint = calls["before_task_step"], calls["after_task_step"], calls["task_scheduled"]
    tell_before, tell_after, timed = bool(before), bool(after or checkpoint), bool(calls["steps_ran"])
    times = [stamp()] if timed else None  # type: Any  # for steps_ran: batch[told:] ran until these
    seen, bits, told = 0, kernel._id_bits, 0  # the ready list's length and the id when last told
    task = None
    try:
        for task in batch:
            if tell_before:
                kernel.current = None
                tell(before, "before_task_step", task)
            if step(task, ready) and ready[seen] is task and kernel._id_bits == bits:
                seen += 1  # it checkpointed, and did nothing else
                if timed:
                    times.append(stamp())
                if tell_after:
                    kernel.current = None
                    tell(after, "after_task_step", task)
                    tell(checkpoint, "task_scheduled", task, task, "checkpoint")
                continue
            kernel.current = None
            if timed:
                times.append(stamp())
                told = observers.ran(calls, batch, told, times)
            observers.stepped(calls, task, seen, bits)
            seen, bits = len(ready), kernel._id_bits
            if timed:
                times = [stamp()]  # (the next step begins now)
    except BaseException:
        kernel.current = task  # (where the pass stopped: see requeue_unreached)
        ending.requeue_unreached(kernel, batch)
        raise
    finally:
        kernel.current = observers.held = None
        observers.ran(calls, batch, told, times)
        batch.clear()
        observers.announced, observers.seen_bits = len(kernel._ready), kernel._id_bits
    if kernel._dead > kernel._prune_at:
        kernel._prune()

# genlet/kernel/loop.py
"""The genlet kernel: a run loop for plain generators.

Design principles

1. **Tasks are plain generators.** No greenlet, no ``async``/``await``, no stack switching: a
   task runs until it yields, and what it yields is an instruction for the kernel (a *trap*,
   see ``traps.py``). ``yield from`` calls a sub-operation; a bare ``yield`` is a checkpoint.
2. **Two instructions.** A task either checkpoints (``yield``) or parks (``PARK``) after
   registering itself with whatever will wake it. Locks, channels, sockets and threads are
   all built outside the kernel on that one mechanism, so they plug in without touching it.
3. **Passes, in FIFO order.** The tasks ready when a pass starts each run once, in the order
   they became ready; a task made ready during the pass runs in the next one, after IO and
   timers have been looked at. So nothing starves IO, and without IO the schedule is fully
   deterministic.
4. **Hand-offs are final.** ``reschedule(task, reply)`` ends a wait for good: a cancel that
   comes after it is delivered at the task's next checkpoint, never instead of the reply, so a
   value, a message or a lock handed over is never lost.
5. **Cancellation is scoped and level-triggered** (``cancel.py``): the kernel keeps
   ``task._cancel`` current, and checks it at every checkpoint and every park.
6. **Every task is finished explicitly.** When ``run`` ends, tasks still alive are cancelled
   and stepped until they finish, so their ``finally`` blocks run (MicroPython never runs
   them for a generator that is merely dropped).
7. **Nothing hangs silently.** If every task waits and nothing (no timer, no IO, no thread)
   can wake any of them, ``run`` raises ``Deadlock`` with a dump of who waits on what, where.
8. **The platform is behind small interfaces**: a clock, a poller, a waker (``clock.py``,
   ``poller.py``); the run loop never asks which interpreter it is on.
9. **Mistakes get explanations.** A wrong yield, a forgotten ``yield from``, a blocking call
   outside a task: each raises, in the task at fault, an error that says how to fix it, and
   the kernel and the other tasks carry on.
"""

try:
    from typing import Any, Dict, List, Optional
except ImportError:
    pass

from . import ending, report
from ._typing import TYPE_CHECKING
from .cancel import CANCEL, cancelled_error
from .clock import default_clock
from .debug import observe
from .driving import Driving
from .errors import Cancelled, bad_yield_message, stray_cancelled
from .flags import CANCELLED, ENDED, FAILED, OBSERVED, ON_ROLL, REPORTED
from .instrument import Observed, Observers  # noqa: F401  (Observers: named in a `# type:` comment)
from .local import contextvars_module
from .prng import Random
from .roll import Roll
from .running import Running
from .spawning import NotStarted, Spawning
from .task import Task
from .timers import Timers
from .traps import NOTHING, PARK, Failure
from .unwaited import stale_wait_error
from .waiting import wake_joiners

if TYPE_CHECKING:
    from .clock import Clock
    from .instrument import Instrument

_MAX_THROWS = 4  # errors thrown into one task in one step before it is closed as broken


class Kernel(Spawning, Roll, Driving, Running, Observed):
    """One scheduler: its tasks, its ready list, its timers, its poller.

    ``genlet.run(main)`` makes one and runs ``main`` on it. To embed genlet in another loop,
    make one yourself, ``spawn`` into it, and call ``step()`` whenever ``fileno()`` is readable
    or the seconds ``step()`` returned have passed.

    This file is the loop: a task's step, a pass, a trap, a wake, a task's end. The rest of a
    kernel is in its bases, one file each: ``spawning.py`` (``spawn``), ``roll.py`` (``tasks()``),
    ``driving.py`` (``run``, ``step``, between passes), ``running.py``, ``outside.py`` (threads,
    descriptors, signals) and ``instrument.py`` (observers).
    """

    def __init__(
        self, clock: "Optional[Clock]" = None, seed: "Optional[int]" = None, contextvars: bool = False,
        instruments: "Optional[List[Instrument]]" = None, monitor: "Any" = None, slow_step: "Any" = None,
        trace: "Any" = None,
    ) -> None:  # fmt: skip
        self.clock = clock if clock is not None else default_clock()
        self.current = None  # type: Optional[Task[Any]]
        self.random = Random(seed)
        self._ready = []  # type: List[Task[Any]]
        self._spare = []  # type: List[Task[Any]]
        self._timers = Timers()
        self._open_outside()  # _io, _waker, external, _calls...: descriptors, threads, signals
        self._roll = []  # type: List[Task[Any]]  # the live tasks that have started, in order (roll.py)
        self._prune()  # _dead: how many tasks on the roll have finished; _prune_at (roll.py)
        self._id_bits = 0  # the last task's id, shifted into place in _flags (see Task.id)
        self.task_locals = {}  # type: Dict[Task[Any], Dict[int, Dict[str, Any]]]  # genlet.local()
        self._halt = False  # stop running passes back to back: main ended, fatal error, Ctrl-C
        self._main = None  # type: Optional[Task[Any]]
        self._fatal = None  # type: Optional[BaseException]
        self._stepping = False
        self._swallowed = None  # type: Any  # at shutdown: task -> cancellations swallowed
        self._context = contextvars_module() if contextvars else None  # type: Any
        self._not_started = NotStarted(self)
        self._late_code = self._late_arity = None  # type: Any  # see starts_late
        self._observers = None  # type: Optional[Observers]  # the instruments (instrument.py)
        for observer in instruments or ():
            self.add_instrument(observer)
        observe(self, monitor, slow_step, trace)  # genlet.monitor, genlet.trace, if asked for

    # -- the run loop ------------------------------------------------------------------------
    def _step(self, task: "Task[Any]", ready: "List[Task[Any]]") -> bool:
        """Resume ``task`` once; then it is parked, back in ``ready``, or finished. True: it
        yielded at a checkpoint and is back in ``ready`` (the instrumented pass asks)."""
        self.current = task
        try:
            gen = task._gen
            if gen is self._not_started:  # its first step: make its generator (NotStarted)
                gen = task._gen = task._name(*task._value)
                task._value = None
                trap = gen.send(None) if task._cancel is None else gen.throw(cancelled_error(task))
                self._add_to_roll(task)  # it lives on past its first step
            elif task._cancel is None or task._value is not None:
                trap = gen.send(task._value)
            else:  # resumed at a checkpoint while cancelled: raise it there
                trap = gen.throw(cancelled_error(task))
        except BaseException as end:  # it returned (StopIteration), failed or was cancelled
            self._finish(task, end)
            return False
        if trap is None and task._wait is None:
            task._value = None
            ready.append(task)
            return True
        if not (trap is PARK and task._cancel is None and task._wait is not None):
            self._trap(task, trap)
        return False

    def _run_ready(self, back_to_back: bool = False) -> None:
        """Run each task that was ready when the pass started, once, in order (principle 3).

        ``back_to_back`` (``run``): then run the next pass at once, and the next, while nothing
        outside the tasks needs a look between two of them (an instrumented pass runs alone).

        Discussion: between two passes the kernel polls IO, runs calls from other threads and
        fires due timers. When no task waits on IO or a thread, no call is queued and no timer
        is due yet, all of that would find nothing, so the next pass starts at once: two tasks
        handing messages back and forth pay for a pass, not for a poll (nor for a call of this
        function: ``ping-pong`` in benchmarks/). ``_halt`` (main has ended, a fatal error,
        Ctrl-C) stops it at once.
        """
        not_started, timers = self._not_started, self._timers
        # Discussion: `ready.append(task)` below, not a cached `append = ready.append`: on
        # MicroPython the cached bound method is a heap allocation per pass, the call is none.
        while True:
            batch, ready = self._ready, self._spare
            self._ready, self._spare = ready, batch  # (tasks() finds the pass's new tasks there)
            try:
                for task in batch:  # inlined copy of _step: benchmarks/switch.py
                    self.current = task
                    try:
                        gen = task._gen
                        if gen is not_started:  # its first step: make its generator (NotStarted)
                            gen = task._gen = task._name(*task._value)
                            task._value = None
                            trap = gen.send(None) if task._cancel is None else gen.throw(cancelled_error(task))
                            if not task._flags & ON_ROLL:  # it lives on past its first step: _add_to_roll
                                task._flags |= ON_ROLL
                                self._roll.append(task)
                        elif task._cancel is None or task._value is not None:
                            trap = gen.send(task._value)
                        else:  # resumed at a checkpoint while cancelled: raise it there
                            trap = gen.throw(cancelled_error(task))
                    except BaseException as end:
                        self._finish(task, end)
                        continue
                    if trap is None:
                        if task._wait is None:
                            task._value = None  # the fast path: a plain checkpoint
                            ready.append(task)
                            continue
                    elif trap is PARK and task._cancel is None and task._wait is not None:
                        continue  # parked: whoever it waits on will reschedule it
                    self._trap(task, trap)
            except BaseException:
                # Discussion: only a second Ctrl-C or a bug in the kernel gets here. The tasks
                # this pass had not reached are put back, so that shutdown can still finish them.
                ending.requeue_unreached(self, batch)
                raise
            finally:
                self.current = None
                batch.clear()
            if self._dead > self._prune_at:  # see _add_to_roll
                self._prune()
            if not (back_to_back and ready) or self._halt or self._calls or self.external:
                return
            if self._observers is not None:  # an instrument came: its pass may be the next one
                return
            io = self._io
            if io is not None and io.count:
                return
            earliest = timers.earliest  # (without timers the clock is not read)
            if earliest is not None and earliest <= self.clock.now():
                return

    def _trap(self, task: "Task[Any]", trap: "Any") -> None:
        """The slow path of a switch: park, or explain a mistake.

        Discussion: a cancelled task is not stopped here but when it is next resumed at a
        checkpoint (see ``_run_ready``): once per pass, so a task that catches ``Cancelled``
        and carries on still goes behind the others each time, and a task cancelled before it
        ever ran never starts. A task cancelled while parked is woken with ``Cancelled`` as its
        reply, unless its wait cannot be aborted.
        """
        throws = 0
        while True:
            if trap is PARK and task._wait is not None:
                if task._cancel is not None:
                    self._interrupt(task, CANCEL)
                return
            if task._wait is not None:  # registered for a wait, then yielded something else
                error = stale_wait_error(task)  # type: BaseException
            elif trap is None:
                task._value = None
                self._ready.append(task)
                return
            else:
                error = TypeError(bad_yield_message(task, trap))
            throws += 1
            if throws > _MAX_THROWS:
                ending.close_task(self, task, "it ignored %d errors in a row (the last: %r)" % (throws - 1, error))
                return
            try:  # the error goes in at the task's yield; what it yields next is looked at
                trap = task._gen.throw(error)
            except BaseException as end:
                self._finish(task, end)
                return

    # -- parking and waking ------------------------------------------------------------------
    # Discussion: a task's wait ends in one of two ways. A primitive (or the poller) that has
    # what the task waits for hands it over: ``traps.reschedule``, final (principle 4). The
    # kernel cuts a wait short (a cancel, a deadline): ``_interrupt``, which first asks the
    # wait to let go. Both end in the same two writes: the reply, and the ready list.

    def _interrupt(self, task: "Task[Any]", reply: "Any") -> None:
        """End ``task``'s wait early and wake it with ``reply`` (``CANCEL``: its Cancelled);
        nothing if the wait cannot let go (its result is on its way: it brings the reply)."""
        if self._abort(task):
            if reply is CANCEL:
                reply = Failure(cancelled_error(task))
            task._value = NOTHING if reply is None else reply
            self._ready.append(task)

    def _abort(self, task: "Task[Any]") -> bool:
        """Take a parked task out of its wait. False: the wait cannot be aborted (yet)."""
        if not task._wait.abort(task):
            return False
        task._wait = None
        self._timers.discard(task)
        return True

    # -- finishing ---------------------------------------------------------------------------
    def _finish(self, task: "Task[Any]", end: BaseException) -> None:
        """Record how ``task`` ended, wake its joiners, report an unobserved failure.

        ``end`` is what its generator raised: a ``StopIteration`` carrying what it returned
        (that is how a generator returns), or the exception that ended it.
        """
        if task._wait is not None:  # it ended right after a blocking call it never waited on
            report.error("task %r ended while registered to wait: %s" % (task.name, stale_wait_error(task)))
        flags = task._flags | ENDED
        if end.__class__ is StopIteration:
            task._value = end.value  # type: ignore[attr-defined, unused-ignore]  # (narrowed, but not by mypy on 3.9)
        else:
            if isinstance(end, Cancelled) and end.scope is not task:
                end = stray_cancelled(task, end)
            task._value = end
            if isinstance(end, Cancelled):
                flags |= CANCELLED
            else:
                flags |= FAILED
                if isinstance(end, (KeyboardInterrupt, SystemExit)) and self._fatal is None:
                    self._fatal = end
                    self._halt = True
        task._flags = flags
        task._gen = task._scopes = task._cancel = None
        if self.task_locals:
            self.task_locals.pop(task, None)
        if task is self._main:
            self._halt = True
        self._dead += 1  # deaths since the last prune (see _add_to_roll)
        joiners = task._joiners
        if joiners is not None and wake_joiners(task, joiners):
            task._flags |= OBSERVED
        if flags & FAILED and not task._flags & (OBSERVED | REPORTED) and self._fatal is not end:
            task._flags |= REPORTED
            report.failure("task %r failed and nobody was waiting for it" % task.name, task._value)


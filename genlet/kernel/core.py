# genlet/kernel/core.py
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
from .cancel import cancel_target
from .clock import default_clock
from .debug import observe
from .errors import Cancelled, Deadlock, TaskCancelled, bad_yield_message, plural, stray_cancelled
from .flags import CANCELLED, DAEMON, ENDED, FAILED, OBSERVED, ON_ROLL, REPORTED
from .instrument import Observed, Observers  # noqa: F401  (Observers: named in a `# type:` comment)
from .outside import allocate_lock
from .prng import Random
from .running import Running, deadlock_title, running_kernel
from .spawning import NotStarted, new_task, spawn_now, starts_late
from .task import Task
from .timers import REPLY, TARGET, Timers
from .traps import NOTHING, PARK, Failure
from .waiting import wake_joiners

if TYPE_CHECKING:
    from .clock import Clock
    from .instrument import Instrument

_ENDED = object()  # what _resume returns when the task finished instead of yielding
_MAX_THROWS = 4  # errors thrown into one task in one step before it is closed as broken
_MAX_BLOCK = 3600.0  # the longest the kernel blocks in one poll (seconds)
CANCEL = object()  # the reply of _interrupt that stands for the task's Cancelled
_MIN_PRUNE = 64  # the fewest finished tasks the roll of tasks drops at once (see _add_to_roll)


class Kernel(Running, Observed):
    """One scheduler: its tasks, its ready list, its timers, its poller.

    ``genlet.run(main)`` makes one and runs ``main`` on it. To embed genlet in another loop,
    make one yourself, ``spawn`` into it, and call ``step()`` whenever ``fileno()`` is readable
    or the seconds ``step()`` returned have passed.
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
        self._io = None  # type: Any  # descriptors and the waker: see outside.py
        self._waker = None  # type: Any
        self._roll = []  # type: List[Task[Any]]  # the live tasks that have started, in order (see _add_to_roll)
        self._dead = 0  # how many tasks on the roll have finished
        self._prune_at = _MIN_PRUNE
        self._id_bits = 0  # the last task's id, shifted into place in _flags (see Task.id)
        self.external = 0  # outside work in flight that may wake a task (thread jobs, signals)
        self._calls = []  # type: List[Any]  # callbacks queued by other threads
        self._calls_lock = allocate_lock()
        self._needs_waker = self._calls_lock is not None  # (see _make_waker)
        self._thread = 0
        self._interrupted = False
        self.task_locals = {}  # type: Dict[Task[Any], Dict[int, Dict[str, Any]]]  # genlet.local()
        self._halt = False  # stop running passes back to back: main ended, fatal error, Ctrl-C
        self._main = None  # type: Optional[Task[Any]]
        self._fatal = None  # type: Optional[BaseException]
        self._stepping = False
        self._swallowed = None  # type: Any  # at shutdown: task -> cancellations swallowed
        self._context = None  # type: Any
        self._not_started = NotStarted(self)
        self._late_code = self._late_arity = None  # type: Any  # see starts_late
        self._observers = None  # type: Optional[Observers]  # the instruments (instrument.py)
        for observer in instruments or ():
            self.add_instrument(observer)
        if contextvars:
            try:
                import contextvars as _cv
            except ImportError:
                raise RuntimeError("contextvars=True needs the contextvars module (CPython, PyPy)")
            self._context = _cv
        observe(self, monitor, slow_step, trace)  # genlet.monitor, genlet.trace, if asked for

    # -- tasks -------------------------------------------------------------------------------
    def spawn(self, fn: "Any", *args: "Any", name: "Optional[str]" = None, daemon: bool = False) -> "Task[Any]":
        """Start ``fn(*args)`` (a generator function) or a generator object as a new task.

        ``fn`` may also be a genlet operation (``spawn(genlet.sleep, 5)``, ``spawn(ch.send, v)``):
        it runs at once, and if it has to wait, the new task does the waiting.
        """
        if self.current is None and self._stepping and running_kernel() is not self:
            raise RuntimeError(
                "spawn() from another thread while the kernel runs: a kernel belongs to one "
                "thread; from other threads use kernel.call_from_thread(kernel.spawn, fn, *args)"
            )
        return self._spawn(fn, args, name, daemon)

    def _spawn(self, fn: "Any", args: "Any", name: "Any", daemon: bool) -> "Task[Any]":
        flags = DAEMON if daemon else 0
        if name is None and starts_late(self, fn, args):
            task = new_task(self, self._not_started, fn, flags, args)
            self._ready.append(task)  # on the roll once it has started (see _add_to_roll)
            return task
        task = spawn_now(self, fn, args, name, flags)
        if self._swallowed is not None:
            ending.cancel_late_spawn(self, task)
        return task

    def _add_to_roll(self, task: "Task[Any]") -> None:
        """Put a task that has started on the roll of live tasks (``tasks()``, shutdown, dump),
        once: when its generator is made at spawn, or when its first step has yielded.

        Discussion: a task that starts late (``NotStarted``) is enrolled only once its first
        step has yielded (by the run loop, inline), so one that returns at once, as in a burst
        of small jobs, never touches the roll; until then it is in the ready list, where
        ``tasks()`` finds it. A task that spawns one that starts at once is enrolled first, so
        parents come before children. ``_finish`` only counts a death. At the end of a pass,
        once the deaths since the last prune outnumber the tasks it kept (and ``_MIN_PRUNE``),
        the roll is pruned in one scan that keeps the order: each scan is paid for by the
        deaths since the last. A linked ring cost a link, an unlink and two slots per task; a
        dict has no order on MicroPython. The price: a finished task stays referenced until
        the next prune (``tasks()`` prunes at once).
        """
        if not task._flags & ON_ROLL:
            task._flags |= ON_ROLL
            self._roll.append(task)

    def _prune(self) -> None:
        self._roll = roll = [task for task in self._roll if not task._flags & ENDED]
        self._dead = 0
        self._prune_at = max(len(roll), _MIN_PRUNE)

    def tasks(self) -> "List[Task[Any]]":
        """Every unfinished task: those that have started, in the order they did, then those
        that have not, in the order they will (ready, or in the pass running now)."""
        if self.current is not None:
            self._add_to_roll(self.current)  # (it may be in its first step: see _add_to_roll)
        self._prune()
        waiting = self._not_started
        return self._roll + [task for task in self._spare + self._ready if task._gen is waiting]

    # -- the run loop ------------------------------------------------------------------------
    def _step(self, task: "Task[Any]", ready: "List[Task[Any]]") -> None:
        """Resume ``task`` once; then it is parked, back in ``ready``, or finished."""
        self.current = task
        try:
            gen = task._gen
            if gen is self._not_started:  # its first step: make its generator (NotStarted)
                gen = task._gen = task._name(*task._value)
                task._value = None
                trap = gen.send(None) if task._cancel is None else gen.throw(self._cancelled(task))
                self._add_to_roll(task)  # it lives on past its first step
            elif task._cancel is None or task._value is not None:
                trap = gen.send(task._value)
            else:  # resumed at a checkpoint while cancelled: raise it there
                trap = gen.throw(self._cancelled(task))
        except StopIteration as stop:
            self._finish(task, stop.value, None)
            return
        except BaseException as error:
            self._finish(task, None, error)
            return
        if trap is None and task._wait is None:
            task._value = None
            ready.append(task)
        elif not (trap is PARK and task._cancel is None and task._wait is not None):
            self._trap(task, trap)

    def _run_ready(self) -> None:
        """Run each task that was ready when the pass started, once, in order (principle 3)."""
        batch, ready = self._ready, self._spare
        self._ready, self._spare = ready, batch  # (tasks() finds the pass's new tasks there)
        not_started = self._not_started
        # Discussion: `ready.append(task)` below, not a cached `append = ready.append`: on
        # MicroPython the cached bound method is a heap allocation per pass, the call is none.
        try:
            for task in batch:  # inlined copy of _step: benchmarks/switch.py
                self.current = task
                try:
                    gen = task._gen
                    if gen is not_started:  # its first step: make its generator (NotStarted)
                        gen = task._gen = task._name(*task._value)
                        task._value = None
                        trap = gen.send(None) if task._cancel is None else gen.throw(self._cancelled(task))
                        if not task._flags & ON_ROLL:  # it lives on past its first step: _add_to_roll
                            task._flags |= ON_ROLL
                            self._roll.append(task)
                    elif task._cancel is None or task._value is not None:
                        trap = gen.send(task._value)
                    else:  # resumed at a checkpoint while cancelled: raise it there
                        trap = gen.throw(self._cancelled(task))
                except StopIteration as stop:
                    self._finish(task, stop.value, None)
                    continue
                except BaseException as error:
                    self._finish(task, None, error)
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
            # Discussion: only a second Ctrl-C or a bug in the kernel gets here. The tasks this
            # pass had not reached are put back, so that shutdown can still finish them.
            self._requeue_unreached(batch)
            raise
        finally:
            self.current = None
            batch.clear()
        if self._dead > self._prune_at:  # see _add_to_roll
            self._prune()

    def _run_passes(self) -> None:
        """Run passes back to back while nothing outside the tasks needs a look between them.

        Discussion: between two passes the kernel polls IO, runs calls from other threads and
        fires due timers (principle 3). When no task waits on IO or a thread, no call is
        queued and no timer is due yet, all of that would find nothing, so the next pass can
        start at once: two tasks handing messages back and forth pay for a pass, not for a
        poll. ``_halt`` (main has ended, a fatal error, Ctrl-C) stops it at once.
        """
        heap = self._timers._heap  # (see below)
        now = self.clock.now
        while True:
            self._run_ready()
            if not self._ready or self._halt or self._calls or self.external:
                return
            io = self._io
            if io is not None and io.count:
                return
            # inlined copy of Timers.due: benchmarks/pingpong.py (two tasks handing messages
            # back and forth run a pass or two per message: a call here shows)
            if heap and heap[0][0] <= now():
                return

    def _requeue_unreached(self, batch: "List[Task[Any]]") -> None:
        current = self.current
        for index, task in enumerate(batch):
            if task is current:
                self._ready[:0] = [t for t in batch[index + 1 :] if not t._flags & ENDED]
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
                error = self._stale_wait_error(task)  # type: BaseException
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
            trap = self._resume(task, error)
            if trap is _ENDED:
                return

    def _resume(self, task: "Task[Any]", error: BaseException) -> "Any":
        """Throw ``error`` into the task; return what it yields next, or _ENDED."""
        try:
            return task._gen.throw(error)
        except StopIteration as stop:
            self._finish(task, stop.value, None)
        except BaseException as exc:
            self._finish(task, None, exc)
        return _ENDED

    def _cancelled(self, task: "Task[Any]") -> Cancelled:
        """The Cancelled to deliver to ``task`` now (counted, at shutdown)."""
        scope = task._cancel
        if self._swallowed is not None:
            count = self._swallowed.get(task, 0) + 1
            self._swallowed[task] = count
        if scope is task:
            return Cancelled(task, "task %r was cancelled" % task.name)
        return Cancelled(scope, "cancelled by %s" % scope.describe())

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
                reply = Failure(self._cancelled(task))
            task._value = NOTHING if reply is None else reply
            self._ready.append(task)

    def _abort(self, task: "Task[Any]") -> bool:
        """Take a parked task out of its wait. False: the wait cannot be aborted (yet)."""
        if not task._wait.abort(task):
            return False
        task._wait = None
        self._timers.discard(task)
        return True

    def _refresh_cancel(self, task: "Task[Any]") -> None:
        """Recompute which scope cancels ``task``; interrupt its wait if it just became one."""
        target = cancel_target(task)
        task._cancel = target
        if target is not None and task._wait is not None and task is not self.current:
            self._interrupt(task, CANCEL)

    def _stale_wait_error(self, task: "Task[Any]", woke_itself: bool = False) -> TypeError:
        """A blocking call registered ``task`` and was never waited on: undo it, explain.

        ``woke_itself``: the task was about to complete that wait itself (see ``reschedule``).
        """
        wait = task._wait
        what = wait.describe()
        fix = getattr(wait, "fix", None)  # an Unwaited knows its call's fix
        self._abort(task)
        if fix is not None:
            text = "task %r called %s without waiting for it: write `%s`" % (task.name, what, fix)
        else:
            text = (
                "task %r called a blocking operation (%s) without waiting for it: write `yield "
                "from` before the call, e.g. `value = yield from channel.recv()`" % (task.name, what)
            )
        if woke_itself:
            text += "; this call would have completed that wait for the task itself, and did nothing"
        return TypeError(text)

    # -- finishing ---------------------------------------------------------------------------
    def _finish(self, task: "Task[Any]", value: "Any", error: "Optional[BaseException]") -> None:
        """Record how ``task`` ended, wake its joiners, report an unobserved failure."""
        if task._wait is not None:  # it ended right after a blocking call it never waited on
            report.error("task %r ended while registered to wait: %s" % (task.name, self._stale_wait_error(task)))
        flags = task._flags | ENDED
        if error is None:
            task._value = value
        else:
            if isinstance(error, Cancelled) and error.scope is not task:
                error = stray_cancelled(task, error)
            task._value = error
            if isinstance(error, Cancelled):
                flags |= CANCELLED
            else:
                flags |= FAILED
                if isinstance(error, (KeyboardInterrupt, SystemExit)) and self._fatal is None:
                    self._fatal = error
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
        if flags & FAILED and not task._flags & (OBSERVED | REPORTED) and self._fatal is not error:
            task._flags |= REPORTED
            report.failure("task %r failed and nobody was waiting for it" % task.name, task._value)

    # -- timers, IO, other threads -----------------------------------------------------------
    def _expire_timers(self) -> None:
        timers = self._timers
        if not len(timers):
            return
        now = self.clock.now()
        entry = timers.pop_due(now)
        while entry is not None:
            target = entry[TARGET]
            target._timer = None  # (it fired: nothing to cancel)
            if target.__class__ is not Task:
                target.cancel()  # a cancel scope's deadline
            elif target._wait is not None:
                self._interrupt(target, entry[REPLY])
            entry = timers.pop_due(now)

    def _wait_for_events(self, max_wait: "Optional[float]") -> None:
        """Between passes: poll IO, run calls from other threads, fire due timers.

        Blocks only when no task is ready, and then at most until the next deadline (or
        ``max_wait``; None means as long as it takes). On a virtual clock, time jumps to the
        next deadline instead, once nothing real (IO, a thread) has happened for the clock's
        threshold; and never further than ``max_wait``.
        """
        io, clock = self._io, self.clock
        deadline = None
        if self._ready or self._calls:
            timeout = 0.0  # type: Optional[float]
        else:
            deadline = self._timers.next_deadline()
            timeout = max_wait if deadline is None else clock.sleep_time(deadline, clock.now())
            if max_wait is not None and (timeout is None or timeout > max_wait):
                timeout = max_wait
            if timeout is not None and timeout > _MAX_BLOCK:
                timeout = _MAX_BLOCK  # epoll and poll overflow past ~24 days: wake up, look again
        if timeout != 0 and self._needs_waker:  # it may block: a thread or Ctrl-C must wake it
            io = self._make_waker()
            timeout = 0.0 if self._interrupted or self._calls else timeout
        outside = self.external or (io is not None and io.count)  # real things that may wake us
        woken = 0
        if io is not None and (outside or (timeout != 0 and io._watched and not clock.autojump)):
            if timeout is None:  # no deadline at all: still look up once an hour, so that
                timeout = _MAX_BLOCK  # a wrapping clock (TicksClock) is read once per period
            woken = self._block(io, timeout)
        elif timeout and not clock.autojump:
            self._block(None, timeout)
        if self._calls:
            self._run_calls()
            woken += 1
            if self._observers is not None:
                self._observers.woken(None, "thread")
        if deadline is not None and clock.autojump and not woken and not self._ready:
            if max_wait is None or deadline - clock.now() <= max_wait:
                clock.idle_until(deadline)
        self._expire_timers()
        if self._observers is not None:
            self._observers.woken(None, "timer")

    def _stuck(self) -> bool:
        """No task can run, and nothing can ever make one runnable (principle 7)."""
        return not (
            self._ready or self._calls or len(self._timers) or self.external or (self._io is not None and self._io.count)
        )

    # -- driving it --------------------------------------------------------------------------
    def step(self, max_wait: "Optional[float]" = 0.0) -> "Optional[float]":
        """One pass: run the ready tasks, then poll IO for at most ``max_wait`` seconds.

        Returns the seconds until the next deadline: 0.0 if tasks are ready, None if nothing
        is scheduled at all. Installs no signal handler.
        """
        self._enter()
        try:
            if self._ready:
                self._run_ready()
            self._wait_for_events(max_wait if not self._stuck() else 0.0)
            fatal, self._fatal = self._fatal, None
            if fatal is not None:
                raise fatal
        finally:
            self._leave()
        if self._ready or self._calls:
            return 0.0
        deadline = self._timers.next_deadline()
        return None if deadline is None else max(0.0, deadline - self.clock.now())

    def run(self, main: "Any", *args: "Any") -> "Any":
        """Run ``main(*args)`` until it returns; finish every other task; return its value."""
        self._enter()  # first: called from one of our own tasks, it must start nothing
        restore = None
        try:
            main_task = self.spawn(main, *args)
            main_task._flags |= OBSERVED
            if self._observers is not None:
                self._observers.notify("before_run", self)
                self._observers.woken(None, "spawn")
            restore = self._install_sigint()
            try:
                self._drive(main_task)
            except BaseException as exc:
                ending.shutdown(self, warn=False)  # the exception says why; don't repeat it
                fatal, self._fatal = self._fatal, None
                if fatal is not None and fatal is not exc:
                    raise fatal  # a task raised SystemExit / KeyboardInterrupt while finishing
                raise
            ending.shutdown(self, warn=True)
            fatal, self._fatal = self._fatal, None
            if fatal is not None:  # a task raised SystemExit / KeyboardInterrupt at shutdown
                raise fatal
        finally:
            self._notify("after_run", self)
            if restore is not None:
                restore()
            self._leave()
        if main_task._flags & CANCELLED:
            raise TaskCancelled(main_task)
        if main_task._flags & FAILED:
            raise main_task._value
        return main_task._value

    def _drive(self, main_task: "Task[Any]") -> None:
        self._main = main_task
        self._halt = False  # (a kernel run again: the last run's end must not halt this one)
        while not main_task._flags & ENDED:
            if self._ready:
                self._run_passes()
            if self._fatal is not None:
                raise self._fatal
            if self._interrupted:
                raise KeyboardInterrupt
            if main_task._flags & ENDED:
                break
            if self._stuck():
                raise self._deadlock()
            self._wait_for_events(None)

    def _deadlock(self) -> Deadlock:
        title = deadlock_title()
        return Deadlock(self.dump(title), self.dump(title, locations=False))

    def close(self) -> None:
        """Release the poller and the waker. The kernel must have no tasks left."""
        alive = len(self.tasks())
        if alive:
            raise RuntimeError(
                "close(): %s still alive; finish them first: task.cancel() each one, "
                "then `while kernel.tasks(): kernel.step()`" % plural(alive, "task")
            )
        if self._waker is not None:
            self._waker.close()
            self._waker = None
            self._needs_waker = self._calls_lock is not None
        if self._io is not None:
            self._io.poller.close()
            self._io = None

    def dump(self, title: str = "genlet tasks:", locations: bool = True) -> str:
        """A table of every task: id, name, state, what it waits on, and (``locations``) where."""
        from .debug import task_dump

        return task_dump(self, title, locations)

    def __repr__(self) -> str:
        return "<Kernel %d tasks, %d ready, clock=%r>" % (len(self.tasks()), len(self._ready), self.clock)


# -- the module-level API -------------------------------------------------------------------


def run(
    main: "Any", *args: "Any", clock: "Optional[Clock]" = None, seed: "Optional[int]" = None,
    contextvars: bool = False, instruments: "Optional[List[Instrument]]" = None,
    monitor: "Any" = None, slow_step: "Any" = None, trace: "Any" = None,
) -> "Any":  # fmt: skip
    """Run ``main(*args)`` on a fresh kernel until it returns; return its value.

    Tasks still alive when ``main`` ends are cancelled and finished (a warning names them,
    unless they are daemons). Ctrl-C cancels every task the same way, then propagates.
    ``seed`` seeds the kernel's random choices (``select``); ``clock=VirtualClock()`` runs on
    virtual time; ``instruments``: observers told what the tasks do (``Instrument``);
    ``monitor=True`` serves the monitor, ``slow_step=0.05`` reports slow steps (genlet.monitor);
    ``trace="run.html"`` records a timeline of the run (genlet.trace; also ``run.json``, or a
    ``genlet.trace.Recorder()`` to read in code).
    """
    kernel = Kernel(clock, seed, contextvars, instruments, monitor, slow_step, trace)
    try:
        return kernel.run(main, *args)
    finally:
        if not kernel.tasks():
            kernel.close()

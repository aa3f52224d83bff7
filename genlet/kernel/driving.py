# genlet/kernel/driving.py
"""Driving the run loop: ``run`` and ``step``, what happens between two passes, the end.

The loop itself (``loop.py``) runs passes of ready tasks. Between passes, the kernel polls IO,
runs calls from other threads and fires due timers (``_wait_for_events``), blocking only when
no task is ready; and when nothing can ever wake a task again, it says so (``Deadlock``,
principle 7). ``Driving`` is a base class of ``Kernel``: ``run(main)`` drives passes until
``main`` ends, then finishes every other task (``ending.py``); ``step()`` runs one pass, for a
program that embeds the kernel in its own loop.
"""

try:
    from typing import Any, Optional
except ImportError:
    pass

from . import ending
from ._typing import TYPE_CHECKING
from .blocking import SLEEPING
from .errors import Deadlock, TaskCancelled, plural
from .flags import CANCELLED, ENDED, FAILED, OBSERVED
from .running import deadlock_title
from .task import Task
from .timers import REPLY, TARGET
from .traps import reschedule

if TYPE_CHECKING:
    from typing import List

    from .clock import Clock, default_clock
    from .instrument import Instrument

_MAX_BLOCK = 3600.0  # the longest the kernel blocks in one poll (seconds)


class Driving:
    """``run``, ``step``, the wait between passes, ``close``, ``dump`` (a base class of ``Kernel``)."""

    if TYPE_CHECKING:  # a Kernel's, for the type checker (see loop.py)
        clock = default_clock()  # type: Clock
        _ready = _calls = _timers = _io = _observers = _main = _fatal = _waker = None  # type: Any
        _needs_waker = _interrupted = _halt = False
        _calls_lock = external = _block = _make_waker = _run_calls = _interrupt = None  # type: Any
        _run_ready = _enter = _leave = _install_sigint = _notify = spawn = tasks = None  # type: Any

    def _expire_timers(self) -> None:
        timers = self._timers
        if timers.earliest is None:
            return
        for entry in timers.pop_due(self.clock.now()):
            target = entry[TARGET]
            target._timer = None  # (it fired: nothing to cancel)
            if target.__class__ is not Task:
                target.cancel()  # a cancel scope's deadline
            elif target._wait is SLEEPING:
                reschedule(target)  # a sleep's end: nothing to let go of, no reply but None
            elif target._wait is not None:
                self._interrupt(target, entry[REPLY])

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
        kernel, restore = self, None  # type: Any, Any  # (a Kernel: Driving is one of its bases)
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
                ending.shutdown(kernel, warn=False)  # the exception says why; don't repeat it
                fatal, self._fatal = self._fatal, None
                if fatal is not None and fatal is not exc:
                    raise fatal  # a task raised SystemExit / KeyboardInterrupt while finishing
                raise
            ending.shutdown(kernel, warn=True)
            fatal, self._fatal = self._fatal, None
            if fatal is not None:  # a task raised SystemExit / KeyboardInterrupt at shutdown
                raise fatal
        finally:
            try:
                self._notify("after_run", self)
            finally:
                # Discussion: an instrument may raise KeyboardInterrupt (only Exceptions are
                # caught): Ctrl-C must still go back to its previous handler, and the kernel
                # must still stop being the running one.
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
                self._run_ready(True)
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

        kernel = self  # type: Any  # (a Kernel: Driving is one of its bases)
        return task_dump(kernel, title, locations)

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
    from .loop import Kernel  # (here, not at the top: Kernel is made of this module)

    kernel = Kernel(clock, seed, contextvars, instruments, monitor, slow_step, trace)
    try:
        return kernel.run(main, *args)
    finally:
        if not kernel.tasks():
            kernel.close()

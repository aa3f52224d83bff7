"""The recorder: a kernel instrument that keeps what happened to every task, in order.

``Recorder`` is an ``Instrument`` (see ``docs/kernel.md``): the kernel tells it when a task is
spawned, woken, stepped, parked and when it exits, and it appends one small tuple per event to
a ring (``collections.deque`` with ``maxlen``), so memory stays bounded however long the run:
a long-running server traced with ``Recorder(max_events=200_000)`` or ``max_seconds=10``
keeps the end of its run. ``recorder.events`` turns the ring into ``Event`` records.

Discussion: the hot path is a step: ``before_task_step`` and ``after_task_step`` run around
every switch. They read ``perf_counter`` and append one tuple (not even the kernel's clock:
see ``_stamp``); everything else (names, the timeline, the formats) is worked out when the
events are read or written. A checkpoint
(``yield``) and a spawn also "schedule" the task, but those wakes are implied by the step and
the spawn events and are not recorded: a step followed by neither ``park`` nor ``exit`` ended
at a checkpoint, and the task was ready again at once.
"""

import collections
import time
from typing import Any, Callable, Deque, Dict, Final, List, NamedTuple, Optional, Tuple

from ..kernel.debug import user_frame
from ..kernel.errors import describe
from ..kernel.lowlevel import Instrument, describe_wait

Where = Tuple[str, int, str]


class Event(NamedTuple):
    """One thing that happened. Which fields are set depends on ``kind``:

    ======== =========================================================================
    kind     fields
    ======== =========================================================================
    spawn    ``other``: the id of the task that spawned it (0: outside any task)
    wake     ``cause``: "hand-off", "timer", "io", "cancel" or "thread"; ``other``: the
             id of the task whose step woke it (0: none, e.g. a timer)
    step     ``duration``: real seconds the step ran (``time``/``real``: its start)
    park     ``what``: what it waits on, in words ("Channel.recv", "sleep 0.5 s");
             ``where``: ``(file, line, function)`` of the user's code that waits, or None
    exit     ``outcome``: "returned", "failed" or "cancelled"; ``error``: the exception,
             in a few words, if it failed
    idle     the kernel blocked waiting for IO, a timer or a thread (``task`` is 0,
             ``name`` "kernel"): ``duration`` real seconds; ``what``: the timeout
    ======== =========================================================================

    Every event has ``time`` (the kernel's clock: virtual in tests), ``real``
    (``time.perf_counter()``), ``task`` (the task's id) and ``name`` (its name).
    """

    kind: str
    time: float
    real: float
    task: int
    name: str
    other: int = 0
    cause: Optional[str] = None
    duration: Optional[float] = None
    what: Optional[str] = None
    where: Optional[Where] = None
    outcome: Optional[str] = None
    error: Optional[str] = None


# The ring's tuples: (kind, time, real, task id, name or None, other id, a, b), with a and b:
# wake (cause, -), step (duration, -), park (what, where), exit (outcome, error), idle
# (duration, timeout).
Raw = Tuple[str, float, float, int, Optional[str], int, Any, Any]
KIND = 0  # type: Final
TIME = 1  # type: Final
REAL = 2  # type: Final
TASK = 3  # type: Final
NAME = 4  # type: Final


class Recorder(Instrument):
    """Records a run: ``genlet.run(main, trace=recorder)``, then read ``recorder.events``
    or ``recorder.write("run.html")``.

    ``max_events``: keep at most this many (the oldest go first). ``max_seconds``: keep only
    the events of the last so many seconds of the kernel's clock. Both bound the memory; the
    first always does. ``path``: write the record there when the run ends (``.html`` or
    ``.json``: see ``write``), also when it ends with an exception.
    """

    def __init__(self, max_events: int = 200_000, max_seconds: Optional[float] = None, path: Optional[str] = None) -> None:
        if not isinstance(max_events, int) or max_events < 1:
            raise ValueError("max_events must be a positive int (how many events to keep), got %r" % (max_events,))
        if max_seconds is not None and not max_seconds > 0:
            raise ValueError("max_seconds must be a number of seconds > 0, or None, got %r" % (max_seconds,))
        if path is not None:
            from .export import format_of

            format_of(path)  # a name it could not write is an error now, not after the run
        self.path = path
        self.max_events = max_events
        self.max_seconds = max_seconds
        self._ring = collections.deque(maxlen=max_events)  # type: Deque[Raw]
        self._push = self._ring.append
        self._perf = time.perf_counter
        self._clock = self._first_clock  # type: Callable[[], float]
        self._names = {}  # type: Dict[int, str]  # the names of live tasks, by id
        self._r0 = 0.0  # the step that runs: its start (perf_counter)
        self._now = None  # type: Optional[float]  # the kernel's clock, last read (see _stamp)
        self._idle = None  # type: Optional[Tuple[float, float]]
        self.virtual = False  # the kernel runs on a virtual clock (see timeline.py)
        self.started = None  # type: Optional[Tuple[float, float]]  # (time, real) at before_run
        self.ended = None  # type: Optional[Tuple[float, float]]  # (time, real) at after_run

    # -- the clocks --------------------------------------------------------------------------
    def _first_clock(self) -> float:
        """The kernel's clock, found on first use (a recorder added while the kernel runs)."""
        from ..kernel import current_kernel

        self._use_kernel(current_kernel())
        return self._clock()

    def _use_kernel(self, kernel: Any) -> None:
        self._clock = kernel.clock.now
        self.virtual = bool(getattr(kernel.clock, "autojump", False))

    def _stamp(self) -> Tuple[float, float]:
        """Both clocks now. Discussion: a step does not read the kernel's clock (the hot path:
        see the module's docstring); it carries the last reading, ``_now``, and ``raw`` works
        out its time. A virtual clock only moves between passes, when no task is ready, and
        then a wake (read here) comes before the next step; a real clock moves with
        ``perf_counter``."""
        now, real = self._clock(), self._perf()
        if self._now is None:
            self._backfill(now, real)
        self._now = now
        return now, real

    def _backfill(self, now: float, real: float) -> None:
        """The first reading of the kernel's clock: give it to the steps recorded before it.

        Discussion: a recorder added while the kernel runs sees steps before anything reads
        the clock. On a virtual clock they ran at ``now`` (nothing was ready to wait for
        while time jumped); on a real one, ``now`` less the real time since.
        """
        fill = (lambda r: now) if self.virtual else (lambda r: now - (real - r))  # type: Callable[[float], float]
        self._ring = collections.deque(
            [event if event[TIME] is not None else (event[KIND], fill(event[REAL])) + event[2:] for event in self._ring],
            maxlen=self.max_events,
        )
        self._push = self._ring.append

    # -- the instrument's methods (see genlet.kernel.lowlevel.Instrument) ----------------------
    def before_run(self, kernel: Any) -> None:
        self._use_kernel(kernel)
        self.started = self._stamp()

    def after_run(self, kernel: Any) -> None:
        self.ended = self._stamp()
        if self.path is not None:
            self.write(self.path)

    def task_spawned(self, task: Any, parent: Any) -> None:
        name = self._names[task.id] = task.name
        parent_id = 0 if parent is None else parent.id
        t, r = self._stamp()
        self._push(("spawn", t, r, task.id, name, parent_id, None, None))

    def task_scheduled(self, task: Any, waker: Any, cause: str) -> None:
        if cause == "checkpoint" or cause == "spawn":
            return  # implied by the step and the spawn events (see the module's docstring)
        waker_id = 0 if waker is None else waker.id
        t, r = self._stamp()
        self._push(("wake", t, r, task.id, None, waker_id, cause, None))

    def before_task_step(self, task: Any) -> None:
        self._r0 = self._perf()

    def after_task_step(self, task: Any) -> None:
        r0 = self._r0
        # (``_now`` is None until the kernel's clock is first read: see _backfill)
        self._push(("step", self._now, r0, task.id, None, 0, self._perf() - r0, None))  # type: ignore[arg-type]

    def task_parked(self, task: Any) -> None:
        # Discussion: the name is taken here too, for a task spawned before recording began.
        name = self._names[task.id] = task.name
        what = describe_wait(task)
        t, r = self._stamp()
        self._push(("park", t, r, task.id, name, 0, what, user_frame(task)))
        if self.max_seconds is not None:
            self._trim()

    def task_exited(self, task: Any) -> None:
        self._names.pop(task.id, None)
        outcome, error = "returned", None  # type: str, Optional[str]
        if task.cancelled():
            outcome = "cancelled"
        elif not task.successful():
            outcome, error = "failed", _error_of(task)
        t, r = self._stamp()
        self._push(("exit", t, r, task.id, task.name, 0, outcome, error))
        if self.max_seconds is not None:
            self._trim()

    def before_io_wait(self, timeout: Optional[float]) -> None:
        if timeout != 0:  # only a wait that may block is worth a slice
            self._idle = self._stamp()

    def after_io_wait(self, timeout: Optional[float]) -> None:
        if self._idle is not None:
            t, r = self._idle
            self._idle = None
            self._push(("idle", t, r, 0, "kernel", 0, self._perf() - r, timeout))

    # -- reading it --------------------------------------------------------------------------
    def _trim(self) -> None:
        """Drop the events older than ``max_seconds`` (by the kernel's clock)."""
        ring = self._ring
        if self.max_seconds is None or not ring:
            return
        oldest = ring[-1][TIME] - self.max_seconds
        while ring and ring[0][TIME] < oldest:
            ring.popleft()

    def raw(self) -> List[Raw]:
        """The ring's tuples, oldest first (see ``Raw``): what the exporters read."""
        self._trim()
        if self.virtual:
            return list(self._ring)
        out = []  # type: List[Raw]
        anchor = None  # type: Optional[Tuple[float, float]]  # the last event that read the clock
        for event in self._ring:
            if event[KIND] != "step":
                anchor = event[TIME], event[REAL]
            elif anchor is not None:  # a real clock: the step's start on it (see _stamp)
                event = (event[0], anchor[0] + event[REAL] - anchor[1]) + event[2:]
            out.append(event)
        return out

    def names(self) -> Dict[int, str]:
        """Every task's name that the record knows, by id."""
        names = {0: "kernel"}
        for event in self._ring:
            if event[NAME] is not None:
                names[event[TASK]] = event[NAME]
        names.update(self._names)
        return names

    @property
    def events(self) -> List[Event]:
        """The events kept, oldest first, as ``Event`` records (a new list each time)."""
        names = self.names()
        return [_event(raw, names) for raw in self.raw()]

    def clear(self) -> None:
        """Forget every event kept so far (the names of live tasks stay known)."""
        self._ring.clear()

    def write(self, path: str, title: Optional[str] = None) -> str:
        """Write the record to ``path``: ``.html`` (the viewer) or ``.json`` (Chrome trace)."""
        from .export import write

        return write(self, path, title)

    def __len__(self) -> int:
        return len(self._ring)

    def __repr__(self) -> str:
        return "<Recorder %d events, max_events=%d, max_seconds=%r>" % (len(self._ring), self.max_events, self.max_seconds)


def _event(raw: Raw, names: Dict[int, str]) -> Event:
    kind, t, real, task, name, other, a, b = raw
    name = names.get(task, "task-%d" % task)
    if kind == "wake":
        return Event(kind, t, real, task, name, other, cause=a)
    if kind == "step":
        return Event(kind, t, real, task, name, duration=a)
    if kind == "park":
        return Event(kind, t, real, task, name, what=a, where=b)
    if kind == "exit":
        return Event(kind, t, real, task, name, outcome=a, error=b)
    if kind == "idle":
        return Event(kind, t, real, task, name, duration=a, what=_timeout(b))
    return Event(kind, t, real, task, name, other)


def _error_of(task: Any) -> str:
    """The exception that ended a failed task, in a few words.

    Discussion: ``task.exception`` would mark the failure as received, and a task's failure
    that nobody receives is reported; an observer must change nothing, so it reads the slot.
    """
    return describe(task._value)


def _timeout(timeout: Optional[float]) -> str:
    return "no timeout" if timeout is None else "timeout %g s" % timeout

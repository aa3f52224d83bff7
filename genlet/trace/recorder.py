"""The recorder: a kernel instrument that keeps what happened to every task, in order.

``Recorder`` is an ``Instrument`` (see ``docs/kernel.md``): the kernel tells it when a task is
spawned, woken, stepped, parked and when it exits, and it appends one small tuple per event to
a ring, so memory stays bounded however long the run: a long-running server traced with
``Recorder(max_events=200_000)`` or ``max_seconds=10`` keeps the end of its run.
``recorder.events`` turns the ring into ``Event`` records.

Discussion: the hot path is a step, and a step costs the recorder nothing of its own: the
kernel writes each step's task and one ``perf_counter`` reading into a list and hands over a
pass's worth at once (``steps_ran``), which the ring keeps as it is. Every other event is a
flat tuple of the task objects and what only that moment knows (what a parked task waits on,
and where); names, outcomes and the steps' records are worked out when the events are read or
written. Events that follow a step (its park, its exit, the tasks it spawned or woke) happen
when it ended: they take that reading, not the clocks. A checkpoint (``yield``) and a spawn
also "schedule" the task, but those wakes are implied by the step and the spawn events and are
not recorded (the recorder is told ``task_woken``, not ``task_scheduled``): a step followed by
neither ``park`` nor ``exit`` ended at a checkpoint, and the task was ready again at once.
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


# What ``raw()`` gives the exporters: (kind, time, real, task id, name or None, other id, a,
# b), with a and b: wake (cause, -), step (duration, -), park (what, where), exit (outcome,
# error), idle (duration, timeout).
Raw = Tuple[str, float, float, int, Optional[str], int, Any, Any]
KIND = 0  # type: Final
TIME = 1  # type: Final
REAL = 2  # type: Final
TASK = 3  # type: Final
NAME = 4  # type: Final

# What the ring holds (task objects, not ids: see the module's docstring):
#   ("steps", time, tasks, times)   (steps_ran's lists, as they are)
#   ("spawn", time, real, task, parent or None)      ("wake", time, real, task, waker, cause)
#   ("park", time, real, task, what, where)          ("exit", time, real, task)
#   ("idle", time, real, duration, timeout)
Entry = Tuple[Any, ...]


class Recorder(Instrument):
    """Records a run: ``genlet.run(main, trace=recorder)``, then read ``recorder.events``
    or ``recorder.write("run.html")``.

    ``max_events``: keep at most this many (the oldest go first). ``max_seconds``: keep only
    the events of the last so many seconds of the kernel's clock. Both bound the memory; the
    first always does (the ring may hold one pass's steps more, until it is read). ``path``:
    write the record there when the run ends (``.html`` or ``.json``: see ``write``), also
    when it ends with an exception. The record holds the tasks it names (finished ones too)
    until their events leave the ring.
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
        self._ring = collections.deque()  # type: Deque[Entry]
        self._count = 0  # the events in the ring (a list of steps counts its steps)
        self._perf = time.perf_counter
        self._clock = self._first_clock  # type: Callable[[], float]
        self._at = None  # type: Optional[Tuple[float, float]]  # (time, real): the last step's end
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
        """Both clocks now: the kernel's (virtual in tests) and ``perf_counter``."""
        return self._clock(), self._perf()

    def _after_step(self) -> Tuple[float, float]:
        """When the last step ended: the time of an event that follows it (see the top)."""
        return self._at if self._at is not None else self._stamp()

    def _push(self, entry: Entry) -> None:
        self._ring.append(entry)
        self._count += 1
        if self._count > self.max_events:
            self._drop()

    # -- the instrument's methods (see genlet.kernel.lowlevel.Instrument) ----------------------
    def before_run(self, kernel: Any) -> None:
        self._use_kernel(kernel)
        self.started = self._stamp()

    def after_run(self, kernel: Any) -> None:
        self.ended = self._stamp()
        if self.path is not None:
            self.write(self.path)

    def steps_ran(self, tasks: List[Any], times: List[float]) -> None:
        """Discussion: the kernel's clock is read once per list: a virtual one does not move
        during a pass; on a real one, ``raw`` works each step's time out from ``perf_counter``."""
        now = self._clock()
        self._at = now, times[-1]
        self._ring.append(("steps", now, tasks, times))
        self._count += len(tasks)
        if self._count > self.max_events:
            self._drop()

    def task_spawned(self, task: Any, parent: Any) -> None:
        if parent is None:  # (spawned outside a task: not at the end of a step)
            self._at = self._stamp()
        t, r = self._after_step()
        self._push(("spawn", t, r, task, parent))

    def task_woken(self, task: Any, waker: Any, cause: str) -> None:
        t, r = self._after_step() if waker is not None else self._stamp()
        self._push(("wake", t, r, task, waker, cause))

    def task_parked(self, task: Any) -> None:
        t, r = self._after_step()
        self._push(("park", t, r, task, describe_wait(task), user_frame(task)))
        if self.max_seconds is not None:
            self._trim()

    def task_exited(self, task: Any) -> None:
        t, r = self._after_step()
        self._push(("exit", t, r, task))
        if self.max_seconds is not None:
            self._trim()

    def before_io_wait(self, timeout: Optional[float]) -> None:
        if timeout != 0:  # only a wait that may block is worth a slice
            self._idle = self._stamp()

    def after_io_wait(self, timeout: Optional[float]) -> None:
        if self._idle is not None:
            t, r = self._idle
            self._idle = None
            self._push(("idle", t, r, self._perf() - r, timeout))

    # -- keeping it bounded ------------------------------------------------------------------
    def _drop(self) -> None:
        """Drop the oldest entries while the rest still hold ``max_events`` events."""
        ring = self._ring
        while ring and self._count - _size(ring[0]) >= self.max_events:
            self._count -= _size(ring.popleft())

    def _trim(self) -> None:
        """Drop the events older than ``max_seconds`` (by the kernel's clock)."""
        ring = self._ring
        if self.max_seconds is None or not ring:
            return
        oldest = ring[-1][TIME] - self.max_seconds
        while ring and ring[0][TIME] < oldest:
            self._count -= _size(ring.popleft())

    # -- reading it --------------------------------------------------------------------------
    def raw(self) -> List[Raw]:
        """The events kept, oldest first, as flat tuples (see ``Raw``): what the exporters read."""
        self._trim()
        out = []  # type: List[Raw]
        for entry in self._ring:
            if entry[KIND] == "steps":
                self._steps(entry, out)
            else:
                out.append(_raw(entry))
        return out[-self.max_events :]

    def _steps(self, entry: Entry, out: List[Raw]) -> None:
        """A list of steps as ``step`` events. Discussion: on a real clock a step's time is the
        kernel's clock at the list's end less the ``perf_counter`` time since the step began."""
        _, now, tasks, times = entry
        last = times[-1]
        for index in range(len(tasks)):
            start = times[index]
            at = now if self.virtual else now - (last - start)
            out.append(("step", at, start, tasks[index].id, None, 0, times[index + 1] - start, None))

    def names(self) -> Dict[int, str]:
        """Every task's name that the record knows, by id."""
        names = {0: "kernel"}
        for entry in self._ring:
            for task in _tasks(entry):
                if task is not None and task.id not in names:
                    names[task.id] = task.name
        return names

    @property
    def events(self) -> List[Event]:
        """The events kept, oldest first, as ``Event`` records (a new list each time)."""
        names = self.names()
        return [_event(raw, names) for raw in self.raw()]

    def clear(self) -> None:
        """Forget every event kept so far."""
        self._ring.clear()
        self._count = 0

    def write(self, path: str, title: Optional[str] = None) -> str:
        """Write the record to ``path``: ``.html`` (the viewer) or ``.json`` (Chrome trace)."""
        from .export import write

        return write(self, path, title)

    def __len__(self) -> int:
        return min(self._count, self.max_events)

    def __repr__(self) -> str:
        return "<Recorder %d events, max_events=%d, max_seconds=%r>" % (len(self), self.max_events, self.max_seconds)


def _size(entry: Entry) -> int:
    return len(entry[2]) if entry[KIND] == "steps" else 1


def _tasks(entry: Entry) -> Any:
    """The tasks an entry of the ring names (None for none)."""
    kind = entry[KIND]
    if kind == "steps":
        return entry[2]
    if kind == "spawn" or kind == "wake":
        return entry[3:5]
    return () if kind == "idle" else entry[3:4]


def _id(task: Any) -> int:
    return 0 if task is None else task.id


def _raw(entry: Entry) -> Raw:
    """An entry of the ring (not a list of steps) as the exporters read it."""
    kind, t, r = entry[0], entry[1], entry[2]
    if kind == "idle":
        return (kind, t, r, 0, "kernel", 0, entry[3], entry[4])
    task = entry[3]
    if kind == "spawn":
        return (kind, t, r, task.id, task.name, _id(entry[4]), None, None)
    if kind == "wake":
        return (kind, t, r, task.id, None, _id(entry[4]), entry[5], None)
    if kind == "park":
        return (kind, t, r, task.id, task.name, 0, entry[4], entry[5])
    outcome, error = "returned", None  # type: str, Optional[str]
    if task.cancelled():
        outcome = "cancelled"
    elif not task.successful():
        outcome, error = "failed", _error_of(task)
    return (kind, t, r, task.id, task.name, 0, outcome, error)


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

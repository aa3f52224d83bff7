"""From events to a timeline: per task, slices of time in one state; arrows between tasks.

Both formats (the HTML viewer and Chrome's trace JSON) draw this model. A task is in one of
three states: ``running`` (a step), ``ready`` (it could run, others run first) or ``waiting``
(parked on something, which the slice names). Arrows (``Flow``) go from a step of one task to
the next step of the task it woke (a channel message, a lock hand-off, a join) or spawned.

Time axis: seconds since the first event. On a real clock that is ``perf_counter`` time. On a
virtual clock the steps take real time but sleeps take none, so the axis adds the two: real
time spent plus virtual time jumped (a ``sleep(1)`` shows as a second-long wait).
"""

import bisect
from typing import Dict, List, NamedTuple, Optional, Tuple

from .recorder import KIND, REAL, TASK, TIME, Raw, Recorder

RUNNING, READY, WAITING, IDLE = "running", "ready", "waiting", "idle"


class Slice(NamedTuple):
    state: str
    start: float  # seconds on the timeline's axis
    end: float
    info: str  # what it waited on and where, who woke it; "" for running and ready


class Flow(NamedTuple):
    source: int  # task id
    start: float
    target: int
    end: float
    label: str  # "spawn", or what the woken task waited on ("Channel.recv")


class Lane:
    """One task's row."""

    def __init__(self, task: int, name: str, parent: int = 0) -> None:
        self.task = task
        self.name = name
        self.parent = parent
        self.slices = []  # type: List[Slice]
        self.marks = []  # type: List[Tuple[float, str]]  # (time, "spawned" / "cancelled" / "returned"...)
        self.outcome = None  # type: Optional[str]
        self.state = None  # type: Optional[str]  # while building: the state it is in
        self.since = 0.0  # ... since when
        self.info = ""  # ... and what it waits on
        self._runs = None  # type: Optional[Tuple[List[float], List[Slice]]]

    def enter(self, state: Optional[str], at: float, info: str = "") -> None:
        """End the current slice at ``at`` (if it has a length), start one in ``state``."""
        if self.state is not None and at > self.since:
            self.slices.append(Slice(self.state, self.since, at, self.info))
        self.state, self.since, self.info = state, at, info

    def run_at(self, at: float) -> Tuple[float, float]:
        """The step of this task at (or last before) ``at``: where an arrow leaves from."""
        if self._runs is None:  # (once the lane is complete)
            runs = [s for s in self.slices if s.state == RUNNING]
            self._runs = ([s.start for s in runs], runs)
        starts, runs = self._runs
        i = bisect.bisect_right(starts, at) - 1
        if i < 0:
            return at, at
        return runs[i].start, runs[i].end


class Timeline:
    """The model both exporters draw: ``lanes`` in task order, ``flows``, ``span``."""

    def __init__(self, recorder: Recorder) -> None:
        self.virtual = recorder.virtual
        raw = recorder.raw()
        self.names = recorder.names()
        self.lanes = {}  # type: Dict[int, Lane]
        self.flows = []  # type: List[Flow]
        self._pending = {}  # type: Dict[int, List[Tuple[int, float, str]]]  # arrows to a task's next step
        self._origin = (raw[0][TIME], raw[0][REAL]) if raw else (0.0, 0.0)
        self.span = 0.0
        for event in raw:
            self._add(event)
        if recorder.ended is not None:
            self.span = max(self.span, self.at(*recorder.ended))
        for lane in self.lanes.values():
            lane.enter(None, self.span)
        self.flows = [self._anchored(flow) for flow in self.flows]

    def at(self, time: float, real: float) -> float:
        """An instant's place on the axis (see the module's docstring)."""
        t0, r0 = self._origin
        return (real - r0) + (time - t0 if self.virtual else 0.0)

    def lane(self, task: int) -> Lane:
        lane = self.lanes.get(task)
        if lane is None:
            lane = self.lanes[task] = Lane(task, self.names.get(task, "task-%d" % task))
        return lane

    def ordered(self) -> List[Lane]:
        """The lanes by task id (spawn order), the kernel's own lane (idle) last."""
        return sorted(self.lanes.values(), key=lambda lane: lane.task or 1 << 62)

    def _add(self, event: Raw) -> None:
        kind = event[KIND]
        at = self.at(event[TIME], event[REAL])
        lane = self.lane(event[TASK])
        a, b = event[6], event[7]
        if kind == "step":
            end = at + a
            lane.enter(RUNNING, at)
            lane.enter(READY, end)  # until a park or an exit says otherwise
            for source, start, label in self._pending.pop(lane.task, ()):
                self.flows.append(Flow(source, start, lane.task, at, label))
            at = end
        elif kind == "park":
            info = a if b is None else "%s at %s:%d" % (a, b[0], b[1])
            lane.state, lane.info = WAITING, info  # since the step's end
        elif kind == "wake":
            self._wake(lane, at, event[5], a)
        elif kind == "spawn":
            lane.parent = event[5]
            lane.enter(READY, at)
            lane.marks.append((at, "spawned"))
            if lane.parent:
                self._pending.setdefault(lane.task, []).append((lane.parent, at, "spawn"))
        elif kind == "exit":
            lane.enter(None, lane.since if lane.state == READY else at)
            lane.outcome = a if b is None else "%s: %s" % (a, b)
            lane.marks.append((lane.since, a))
        elif kind == "idle":
            lane.enter(IDLE, at, b is None and "no timeout" or "timeout %g s" % b)
            lane.enter(None, at + a)
            at += a
        self.span = max(self.span, at)

    def _wake(self, lane: Lane, at: float, waker: int, cause: str) -> None:
        waited = lane.info if lane.state == WAITING else ""
        if lane.state == WAITING:
            who = " by " + self.names.get(waker, "task-%d" % waker) if waker else ""
            lane.info = "%s; woken%s (%s)" % (lane.info, who, cause)
        lane.enter(READY, at)
        if cause == "cancel":
            lane.marks.append((at, "cancelled"))
        if waker:
            label = waited.split(" at ")[0] or cause
            self._pending.setdefault(lane.task, []).append((waker, at, label))

    def _anchored(self, flow: Flow) -> Flow:
        """An arrow leaves from the middle of the waker's step that woke (or spawned) it."""
        source = self.lanes.get(flow.source)
        if source is None:
            return flow
        start, end = source.run_at(flow.start)
        return flow._replace(start=(start + end) / 2)

# genlet/kernel/clock.py
"""Clocks: where the kernel's idea of "now" comes from.

A clock answers three questions for the run loop:

- ``now()``: the current time, in seconds, as a float that never goes backwards;
- ``sleep_time(deadline, now)``: how many *real* seconds the kernel may block in the poller
  while waiting for ``deadline``;
- ``idle_until(deadline)``: called when the kernel blocked for that long and nothing happened;
  a virtual clock jumps to ``deadline`` here, a real one does nothing.

Three clocks ship: ``MonotonicClock`` (CPython, PyPy), ``TicksClock`` (MicroPython, built on
the wrapping ``time.ticks_ms`` counter) and ``VirtualClock`` (tests: time only moves when every
task is blocked, and then straight to the next deadline). ``default_clock()`` picks by feature.
"""

import time

from ._typing import TYPE_CHECKING

if TYPE_CHECKING:
    from typing import Protocol

    class Clock(Protocol):
        """What the kernel needs from a clock (see the module docstring)."""

        autojump: bool

        def now(self) -> float: ...

        def sleep_time(self, deadline: float, now: float) -> float: ...

        def idle_until(self, deadline: float) -> None: ...


class MonotonicClock:
    """Real time from ``time.monotonic``."""

    autojump = False

    def __init__(self) -> None:
        self.now = time.monotonic  # a bound builtin: the cheapest call there is

    def sleep_time(self, deadline: float, now: float) -> float:
        return deadline - now if deadline > now else 0.0

    def idle_until(self, deadline: float) -> None:
        pass

    def __repr__(self) -> str:
        return "MonotonicClock()"


class TicksClock:
    """Real time from MicroPython's ``time.ticks_ms``, which wraps around.

    Discussion: ``ticks_ms`` counts modulo a port-specific power of two (2**30 ms, about 12
    days, on most boards), and only ``ticks_diff`` of two nearby readings is meaningful. So we
    never compare raw ticks: each reading adds the milliseconds since the previous one to a
    running count. ``ticks_diff`` is right only within half a period; a step that comes out
    negative means the counter went round (time never runs backwards), so a full period is
    added back, which keeps the count right as long as the clock is read at least once per
    period. The kernel guarantees that while it runs: it never blocks in one poll longer than
    an hour, even with no deadline at all.

    The count is kept in integers (whole seconds, plus milliseconds under 1000), not in a
    float: most boards have 32-bit floats, and adding a millisecond to a float that holds a
    day's worth of seconds adds nothing, which would stop the clock. ``now()`` still returns a
    float, so after long uptimes its resolution is coarse (about 8 ms after a day) but it
    never stops and never goes backwards.
    """

    autojump = False

    def __init__(self) -> None:
        self._ticks = time.ticks_ms  # type: ignore[attr-defined]
        self._diff = time.ticks_diff  # type: ignore[attr-defined]
        self._period = time.ticks_add(0, -1) + 1  # type: ignore[attr-defined]
        self._last = self._ticks()
        self._seconds = 0
        self._millis = 0
        self._now = 0.0  # the float last returned: reading twice in one millisecond allocates none

    def now(self) -> float:
        ticks = self._ticks()
        step = self._diff(ticks, self._last)
        if step:
            if step < 0:
                step += self._period
            self._last = ticks
            millis = self._millis + step
            if millis >= 1000:
                self._seconds += millis // 1000
                millis %= 1000
            self._millis = millis
            self._now = self._seconds + millis / 1000.0
        return self._now

    def sleep_time(self, deadline: float, now: float) -> float:
        return deadline - now if deadline > now else 0.0

    def idle_until(self, deadline: float) -> None:
        pass

    def __repr__(self) -> str:
        return "TicksClock()"


class VirtualClock:
    """A clock for tests: starts at 0.0 and jumps over idle time.

    When no task can run, the kernel asks the clock how long to block. A virtual clock answers
    ``autojump_threshold`` real seconds (0.0 by default) and, if nothing happened meanwhile,
    jumps straight to the next deadline. With no IO or threads involved the kernel skips the
    real wait altogether, so an hour of timeouts runs in milliseconds and the schedule is the
    same on every run.
    """

    autojump = True

    def __init__(self, autojump_threshold: float = 0.0) -> None:
        if autojump_threshold < 0:
            raise ValueError("autojump_threshold must be >= 0, got %r" % (autojump_threshold,))
        self.autojump_threshold = autojump_threshold
        self._now = 0.0

    def now(self) -> float:
        return self._now

    def sleep_time(self, deadline: float, now: float) -> float:
        return 0.0 if deadline <= now else self.autojump_threshold

    def idle_until(self, deadline: float) -> None:
        if deadline > self._now:
            self._now = deadline

    def advance(self, seconds: float) -> None:
        """Move time forward by hand (for tests that drive ``Kernel.step`` themselves)."""
        if seconds < 0:
            raise ValueError("time cannot go backwards (advance(%r))" % (seconds,))
        self._now += seconds

    def __repr__(self) -> str:
        return "VirtualClock(now=%r, autojump_threshold=%r)" % (self._now, self.autojump_threshold)


def default_clock() -> "Clock":
    """The best real clock this interpreter has: chosen by feature, not by name."""
    if hasattr(time, "monotonic"):
        return MonotonicClock()
    if hasattr(time, "ticks_ms"):
        return TicksClock()
    raise RuntimeError("this interpreter has neither time.monotonic nor time.ticks_ms")

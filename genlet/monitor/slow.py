# genlet/monitor/slow.py
"""The slow-step detector: name the task whose step held the kernel too long, and where.

A cooperative kernel runs one task at a time: a step that does not yield (a ``time.sleep``, a
blocking socket call, a long loop without ``yield``) stops every other task. ``SlowSteps``
(``genlet.run(main, slow_step=0.05)``, or ``GENLET_SLOW_STEP=0.05``) times every step; when
one held the kernel longer than the threshold, it logs a warning on the ``genlet`` logger with
the task's name, how long the step took (measured), and where the task was.

Where: on CPython and PyPy a watchdog thread looks at the kernel's thread while the step still
runs (``sys._current_frames()``), so ``time.sleep(2)`` in a task is named by its own line while
it sleeps, and a step that never ends is reported too (once it has held the kernel for
``max(1 s, 10 thresholds)``). Elsewhere (MicroPython) the report says where the task yielded,
when the interpreter can tell.

Discussion: the watchdog reads what the kernel's thread writes (the step now: a tuple stored in
one assignment) and never writes what the kernel reads except its sample, which carries the
step's number: the kernel uses a sample only if it is of the step that just ended. It wakes
every half threshold, so it samples between one and one and a half thresholds into a step.
It runs Python code, so it gets the GIL when the kernel's thread releases it: a ``sleep`` or
an IO call at once, a Python loop at the next switch interval; a C call that keeps the GIL
is seen only at its end.
"""

import sys

try:
    import threading
except ImportError:  # MicroPython: no watchdog; the report says where the task yielded
    threading = None  # type: ignore[assignment]

try:
    from typing import Any, List, Optional, Tuple
except ImportError:
    pass

from ..kernel import report
from ..kernel.lowlevel import Instrument
from .text import GENLET_DIR, format_stack, seconds
from .text import perf as _perf

STILL = 1.0  # a step still running after max(STILL, 10 thresholds) is reported while it runs
_CO_GENERATOR = 0x20  # code.co_flags: a generator function's code
_KERNEL_DIR = GENLET_DIR + "kernel/"
_ADVICE = (
    "A blocking call in a task stops every task: use its genlet version (genlet.sleep, "
    "genlet.io; genlet.io.run_in_thread for the rest), and put a bare `yield` now and then "
    "in a long loop."
)


def check_threshold(value: "Any", what: str) -> float:
    """``value`` as a threshold in seconds, or a ValueError that says what is expected."""
    try:
        seconds = float(value)
    except (TypeError, ValueError):
        seconds = -1.0
    if not seconds > 0 or seconds == float("inf") or isinstance(value, bool):
        raise ValueError(
            "%s is the longest a step may hold the kernel before it is reported, in seconds: "
            "a number above 0, e.g. 0.05; got %r" % (what, value)
        )
    return seconds


class SlowSteps(Instrument):
    """An instrument that reports each step holding the kernel longer than ``threshold`` s."""

    def __init__(self, threshold: float, watchdog: bool = True) -> None:
        self.threshold = check_threshold(threshold, "SlowSteps(threshold)")
        self.reported = 0  # slow steps reported so far
        self._number = 0  # the steps begun so far
        self._step = None  # type: Optional[Tuple[int, Any, float]]  # (number, task, start)
        self._sample = None  # type: Any  # (number, stack, seconds into the step): the watchdog's
        self._stop = None  # type: Any  # the watchdog's stop event, while it runs
        self._sampler = getattr(sys, "_current_frames", None) if watchdog and threading else None

    # -- the instrument's events --------------------------------------------------------------
    def before_run(self, kernel: "Any") -> None:
        self._start()

    def after_run(self, kernel: "Any") -> None:
        if self._stop is not None:
            self._stop.set()
            self._stop = None

    def before_task_step(self, task: "Any") -> None:
        if self._stop is None and self._sampler is not None:
            self._start()  # (added to a kernel that runs already, or driven by step())
        self._number += 1
        self._step = (self._number, task, _perf())

    def after_task_step(self, task: "Any") -> None:
        step = self._step
        self._step = None
        if step is None:
            return
        held = _perf() - step[2]
        if held > self.threshold:
            self._report(task, step[0], held)

    # -- reporting ----------------------------------------------------------------------------
    def _report(self, task: "Any", number: int, held: float) -> None:
        self.reported += 1
        text = "slow step: task %r held the kernel for %s (slow_step=%s), and no other task ran meanwhile" % (
            task.name, seconds(held), seconds(self.threshold)
        )  # fmt: skip
        sample = self._sample
        if sample is not None and sample[0] == number:
            text += "; while it did (%s into the step) it was at:\n%s" % (seconds(sample[2]), format_stack(sample[1]))
        elif task.done():
            text += "; it finished in that step."
        elif task.where():
            text += "; it yielded at:\n%s" % format_stack(task.where())
        else:
            text += " (this interpreter cannot tell where: on CPython and PyPy, the report shows the line)"
        report.warning(text + "\n" + _ADVICE)

    # -- the watchdog -------------------------------------------------------------------------
    def _start(self) -> None:
        if self._sampler is None or self._stop is not None:
            return
        self._stop = threading.Event()
        watchdog = threading.Thread(
            target=self._watch, args=(self._stop, threading.get_ident()), name="genlet slow-step watchdog", daemon=True
        )  # fmt: skip
        watchdog.start()

    def _watch(self, stop: "Any", kernel_thread: int) -> None:
        """The watchdog thread: sample the stack of a step that has held the kernel too long."""
        interval = max(self.threshold / 2, 0.001)
        still = max(STILL, 10 * self.threshold)
        told = 0  # the last step reported as still running
        while not stop.wait(interval):
            step = self._step
            if step is None:
                continue
            number, task, started = step
            into = _perf() - started
            if into < self.threshold:
                continue
            sample = self._sample
            if sample is None or sample[0] != number:
                stack = self._stack_of(kernel_thread)
                if self._step is step:  # still that step: the sample is of it
                    self._sample = (number, stack, into)
            elif into >= still and told != number:
                told = number
                stack = self._stack_of(kernel_thread)  # (where it is now, not at the sample)
                if self._step is step:
                    report.warning(
                        "slow step: task %r has held the kernel for %s so far (slow_step=%s) and "
                        "still does; it is at:\n%s" % (task.name, seconds(into), seconds(self.threshold), format_stack(stack))
                    )  # fmt: skip

    def _stack_of(self, thread: int) -> "List[Tuple[str, int, str]]":
        frame = self._sampler().get(thread)  # type: ignore[misc]
        try:
            return task_frames(frame)
        finally:
            del frame  # (a frame of another thread: keep no reference to it)


def task_frames(frame: "Any") -> "List[Tuple[str, int, str]]":
    """The stack of the task running in ``frame``'s thread, outermost first.

    Walking out from the innermost frame, the task's own frames end where the kernel resumed
    it: the first frame of the kernel's code that is not a generator and that resumed a
    generator (the task's outermost frame). So a plain kernel function that the task itself
    called (``spawn``, ``cancel``) is kept, and no name of the run loop's is needed.
    """
    frames = []
    inner = None  # type: Any
    while frame is not None:
        code = frame.f_code
        if (
            inner is not None
            and inner.f_code.co_flags & _CO_GENERATOR
            and not code.co_flags & _CO_GENERATOR
            and code.co_filename.replace("\\", "/").startswith(_KERNEL_DIR)
        ):
            break
        frames.append((code.co_filename, frame.f_lineno, code.co_name))
        inner, frame = frame, frame.f_back
    del inner
    frames.reverse()
    return frames

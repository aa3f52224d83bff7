# genlet/monitor/tracing.py
"""The monitor's ``trace on [seconds]`` / ``trace off``: a timeline of a few seconds of the run.

``trace on`` adds a ``genlet.trace.Recorder`` to the running kernel and a daemon task that
stops it after the given seconds (5 by default, at most 60); ``trace off`` stops it sooner.
Stopping removes the recorder and writes its timeline, one self-contained HTML page, to the
temporary directory; the answer names the file.

Discussion: the page is written in the kernel's thread, between two steps, so the tasks wait
while it is written; the recorder's ring bounds its size. A trace of a few seconds is what a
person at the monitor wants; a whole run is ``genlet.run(main, trace="run.html")``.
"""

import os
import tempfile

try:
    from typing import Any, Generator, Optional
except ImportError:
    pass

from ..kernel.blocking import sleep
from ..kernel.running import current_task
from ..kernel.spawning import spawn

DEFAULT_SECONDS = 5.0
MAX_SECONDS = 60.0


class Tracing:
    """One kernel's trace in progress, for its monitor's sessions (at most one at a time)."""

    def __init__(self, kernel: "Any") -> None:
        self.kernel = kernel
        self.traces = 0  # traces started so far (they number the files)
        self._recorder = None  # type: Any
        self._path = ""
        self._timer = None  # type: Any  # the task that stops it when its time is up

    def command(self, args: "Any") -> str:
        """``trace on [seconds]`` or ``trace off``: the answer."""
        if args == ["off"]:
            return self.off()
        if args and args[0] == "on" and len(args) <= 2:
            seconds = _seconds(args[1] if len(args) == 2 else None)
            if seconds is not None:
                return self.on(seconds)
        return (
            "trace on [seconds] records a timeline of the run for that long (%g s by default, at "
            "most %g), then writes it to a file; trace off stops sooner" % (DEFAULT_SECONDS, MAX_SECONDS)
        )

    def on(self, seconds: float) -> str:
        try:
            from ..trace import Recorder
        except ImportError as error:  # (an interpreter without what the viewer needs)
            return "trace is not available here: %s" % error
        if self._recorder is not None:
            return "already tracing, into %s: trace off first" % self._path
        self.traces += 1
        self._path = os.path.join(tempfile.gettempdir(), "genlet-trace-%d-%d.html" % (os.getpid(), self.traces))
        self._recorder = Recorder()
        self.kernel.add_instrument(self._recorder)
        self._timer = spawn(self._stop_after, seconds, name="genlet.monitor trace", daemon=True)
        return "tracing for %g s into %s (open it in a browser once written); trace off stops sooner" % (seconds, self._path)

    def off(self) -> str:
        recorder, timer = self._recorder, self._timer
        if recorder is None:
            return "not tracing: trace on [seconds] starts"
        self._recorder = self._timer = None
        self.kernel.remove_instrument(recorder)
        if timer is not None and timer is not current_task():
            timer.cancel()
        path = recorder.write(self._path)
        return "wrote the timeline (%d events) to %s" % (len(recorder.raw()), path)

    def _stop_after(self, seconds: float) -> "Generator[Any, Any, None]":
        yield from sleep(seconds)
        self.off()


def _seconds(text: "Optional[str]") -> "Optional[float]":
    """``trace on``'s seconds, or None if they are not a number in (0, MAX_SECONDS]."""
    if text is None:
        return DEFAULT_SECONDS
    try:
        seconds = float(text)
    except ValueError:
        return None
    return seconds if 0 < seconds <= MAX_SECONDS else None

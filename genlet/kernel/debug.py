# genlet/kernel/debug.py
"""Looking inside a kernel: where each task is, and the task dump that ``Deadlock`` carries."""

try:
    from typing import Any, Dict, Optional, Tuple
except ImportError:
    pass

from ._typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .loop import Kernel
    from .task import Task


def _genlet_dir() -> str:
    here = __file__.replace("\\", "/")
    return here[: here.rfind("/kernel/") + 1] if "/kernel/" in here else ""


GENLET_DIR = _genlet_dir()


def user_frame(task: "Task[Any]") -> "Optional[Tuple[str, int, str]]":
    """The innermost frame of the task's stack that is the user's code, not genlet's."""
    stack = task.where()
    for filename, lineno, function in reversed(stack):
        if not (GENLET_DIR and filename.replace("\\", "/").startswith(GENLET_DIR)):
            return filename, lineno, function
    return stack[-1] if stack else None


def describe_task(task: "Task[Any]", locations: bool = True) -> str:
    """One line: id, name, state, what it waits on, and (where the interpreter can tell) where."""
    line = "task %d %r %s" % (task.id, task.name, task.state)
    waiting_on = task.waiting_on
    if waiting_on:
        line += " on " + waiting_on
    if locations:
        frame = user_frame(task)
        if frame is not None:
            line += ", at %s:%d in %s" % frame
    return line


def task_dump(kernel: "Kernel", title: str, locations: bool = True) -> str:
    """The title, then a line for every unfinished task."""
    lines = [title]
    for task in kernel.tasks():
        lines.append("  " + describe_task(task, locations))
    return "\n".join(lines)


def statistics(kernel: "Kernel") -> "Dict[str, int]":
    """A snapshot of what the kernel holds, for the monitor's ``stats``: its unfinished tasks
    by state, live timers, tasks waiting on descriptors, work in flight in other threads
    (thread jobs, signal waits) and calls queued from other threads."""
    counts = {"tasks": 0, "running": 0, "ready": 0, "waiting": 0}
    for task in kernel.tasks():
        counts["tasks"] += 1
        counts[task.state.lower()] += 1
    counts["timers"] = len(kernel._timers)
    counts["fd_waits"] = kernel._io.count if kernel._io is not None else 0
    counts["external"] = kernel.external
    counts["thread_calls"] = len(kernel._calls)
    return counts


def _getenv(name: str) -> "Optional[str]":
    try:
        from os import getenv
    except ImportError:  # (a MicroPython port without os.getenv)
        return None
    return getenv(name) or None


def observe(kernel: "Kernel", monitor: "Any", slow_step: "Any", trace: "Any" = None) -> None:
    """``Kernel(monitor=..., slow_step=..., trace=...)``, or else ``GENLET_MONITOR`` /
    ``GENLET_SLOW_STEP`` / ``GENLET_TRACE`` from the environment: install the monitor and the
    slow-step detector (genlet.monitor), the trace recorder (genlet.trace), each imported
    only then."""
    if trace is None:
        trace = _getenv("GENLET_TRACE")
    if trace is not None:
        try:
            from ..trace import instrument
        except ImportError as error:
            raise RuntimeError("trace= needs genlet.trace, which runs on CPython and PyPy (%s)" % error)
        kernel.add_instrument(instrument(trace))
    names = ["monitor=", "slow_step="]
    if monitor is None:
        monitor, names[0] = _getenv("GENLET_MONITOR"), "GENLET_MONITOR"
    if slow_step is None:
        slow_step, names[1] = _getenv("GENLET_SLOW_STEP"), "GENLET_SLOW_STEP"
    if monitor is not None or slow_step is not None:
        from ..monitor import install

        install(kernel, monitor, slow_step, names)

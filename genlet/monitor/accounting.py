# genlet/monitor/accounting.py
"""What each task has cost, and ``genlet.ps()``: a table of the running kernel's tasks.

The task dump (``Kernel.dump``, what ``Deadlock`` prints) already says who waits on what. Two
things only an observer of every step can add: how many steps each task took and how long
they held the kernel, and how long each task has been in its state (waiting, or ready). The
``Accounting`` instrument keeps those; ``ps()`` prints the dump's words beside them.

Discussion: "CPU" is the real time (``time.perf_counter``) the task's steps held the kernel,
not the thread's CPU clock. In a cooperative kernel that is what a task costs the others: a
step that calls ``time.sleep(1)`` uses no CPU but stops every other task for a second, and
shows here. It is also cheap to read (the thread's CPU clock is a system call, on every step).
"""

import sys

try:
    from typing import Any, Dict, List, Optional, TextIO
except ImportError:
    pass

try:
    from weakref import WeakKeyDictionary

    _ACCOUNTS = WeakKeyDictionary()  # type: Any  # kernel -> its Accounting (see accounting())
except ImportError:  # (MicroPython: a kernel keeps its accounting until the process ends)
    _ACCOUNTS = {}

from ..kernel.debug import user_frame
from ..kernel.lowlevel import Instrument, describe_wait
from ..kernel.running import running_kernel
from .text import perf as _perf
from .text import seconds

NOT_RECORDED = (
    "steps, CPU and how long each task has been in its state are not recorded: turn the "
    "accounting on with genlet.run(main, monitor=True), or genlet.monitor.accounting() in a task"
)


class Accounting(Instrument):
    """An instrument that counts each task's steps, the real time they held the kernel, and
    since when (on the kernel's clock) the task has been ready or waiting."""

    def __init__(self) -> None:
        self.kernel = None  # type: Any  # the kernel it reports on, once it has seen one
        self.records = {}  # type: Dict[Any, List[Any]]  # task -> [steps, seconds, since]
        self.steps = 0  # steps of every task
        self.busy = 0.0  # seconds in the steps of every task
        self.started = _perf()
        self.running = None  # type: Any  # the task in a step now
        self.step_started = 0.0

    def _attach(self, kernel: "Any") -> None:
        self.kernel = kernel
        _ACCOUNTS[kernel] = self

    def _now(self) -> float:
        kernel = self.kernel
        if kernel is None:
            kernel = running_kernel()  # (instruments are called in the kernel's thread)
            if kernel is None:
                return 0.0
            self._attach(kernel)
        return kernel.clock.now()  # type: ignore[no-any-return]

    def _since(self, task: "Any") -> "List[Any]":
        """``task`` entered a new state (ready, waiting) now; its record."""
        record = self.records.get(task)
        if record is None:
            record = self.records[task] = [0, 0.0, self._now()]
        else:
            record[2] = self._now()
        return record

    # -- the instrument's events --------------------------------------------------------------
    def before_run(self, kernel: "Any") -> None:
        self._attach(kernel)

    def task_spawned(self, task: "Any", parent: "Optional[Any]") -> None:
        self._since(task)

    def task_scheduled(self, task: "Any", waker: "Optional[Any]", cause: str) -> None:
        self._since(task)

    def task_parked(self, task: "Any") -> None:
        self._since(task)

    def before_task_step(self, task: "Any") -> None:
        self.running = task
        self.step_started = _perf()

    def after_task_step(self, task: "Any") -> None:
        if self.running is not task:  # (added during this step: it saw no beginning)
            return
        held = _perf() - self.step_started
        self.running = None
        self.steps += 1
        self.busy += held
        record = self.records.get(task)
        if record is None:  # (it started before the accounting did)
            record = self._since(task)
        record[0] += 1
        record[1] += held

    def task_exited(self, task: "Any") -> None:
        self.records.pop(task, None)


def accounting(kernel: "Any" = None) -> Accounting:
    """The kernel's ``Accounting``, installed now if it has none (a plain call).

    ``kernel``: the running one by default (call it from a task). The counts start now.
    """
    kernel = _kernel(kernel, "genlet.monitor.accounting()")
    found = _ACCOUNTS.get(kernel)
    if found is None:
        found = Accounting()
        found._attach(kernel)
        kernel.add_instrument(found)
    return found  # type: ignore[no-any-return]


def _kernel(kernel: "Any", what: str) -> "Any":
    if kernel is not None:
        return kernel
    kernel = running_kernel()
    if kernel is None:
        raise RuntimeError(
            "%s looks at the kernel running in this thread, and none is: call it from a task, "
            "or pass the kernel: %s" % (what, what.replace("()", "(kernel)"))
        )
    return kernel


class Row:
    """One task, as ``ps()`` shows it. ``since``, ``steps`` and ``cpu`` are None when not
    recorded (no accounting, or the task started before it was turned on)."""

    __slots__ = ("id", "name", "state", "waiting_on", "since", "steps", "cpu", "where", "task")

    def __init__(self, task: "Any", record: "Optional[List[Any]]", now: float) -> None:
        self.task = task
        self.id = task.id  # type: int
        self.name = task.name  # type: str
        self.state = task.state  # type: str
        self.waiting_on = describe_wait(task) or None  # type: Optional[str]
        frame = user_frame(task)
        self.where = "%s:%d in %s" % frame if frame is not None else None  # type: Optional[str]
        self.since = self.steps = self.cpu = None  # type: Any
        if record is not None:
            self.steps, self.cpu = record[0], record[1]
            self.since = max(0.0, now - record[2])

    def __repr__(self) -> str:
        return "<Row %d %r %s>" % (self.id, self.name, self.state)


def rows(kernel: "Any" = None) -> "List[Row]":
    """A ``Row`` for every unfinished task of ``kernel`` (the running one by default)."""
    kernel = _kernel(kernel, "genlet.ps()")
    account = _ACCOUNTS.get(kernel)
    now = kernel.clock.now()
    found = []
    for task in kernel.tasks():
        record = account.records.get(task) if account is not None else None
        row = Row(task, record, now)
        if account is not None and task is account.running and row.steps is not None:
            row.since = None  # running: it has been since its step began (below)
            row.cpu += _perf() - account.step_started  # this step so far
        found.append(row)
    return found


def table(found: "List[Row]", recorded: bool) -> str:
    """The rows as a text table, with the accounting's columns if ``recorded``."""
    width = max([4] + [min(len(row.name), 32) for row in found])
    head = "%4s  %-*s  %-8s" % ("ID", width, "NAME", "STATE")
    if recorded:
        head += "  %8s  %7s  %8s" % ("FOR", "STEPS", "CPU")
    lines = [head + "  WAITING ON"]
    for row in found:
        name = row.name if len(row.name) <= 32 else row.name[:31] + "~"
        line = "%4d  %-*s  %-8s" % (row.id, width, name, row.state)
        if recorded:
            line += "  %8s  %7s  %8s" % (
                "-" if row.since is None else seconds(row.since),
                "-" if row.steps is None else row.steps,
                "-" if row.cpu is None else seconds(row.cpu),
            )
        lines.append((line + "  " + (row.waiting_on or "")).rstrip())
    if not recorded:
        lines.append("(%s)" % NOT_RECORDED)
    return "\n".join(lines)


def ps(kernel: "Any" = None, file: "Optional[TextIO]" = None) -> "List[Row]":
    """Print a table of the kernel's tasks (the running kernel's by default); return its rows.

    Columns: id, name, state, how long it has been in that state, steps taken, the time its
    steps held the kernel, and what it waits on. The middle three need the accounting
    (``monitor=True``, or ``genlet.monitor.accounting()``); without it, the table says so.
    """
    kernel = _kernel(kernel, "genlet.ps()")
    found = rows(kernel)
    print(table(found, kernel in _ACCOUNTS), file=file if file is not None else sys.stdout)
    return found

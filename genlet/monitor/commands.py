# genlet/monitor/commands.py
"""The monitor's commands: one line in, a text answer out, run inside the kernel.

A ``Session`` belongs to one connection. ``execute(line)`` returns the answer and whether the
session goes on; it never raises for a client's mistake (the answer says what went wrong), so
a typo never ends a session, let alone the kernel.
"""

import os
import sys
import time

try:
    from typing import Any, Callable, Dict, List, Tuple
except ImportError:
    pass

from ..kernel import report
from ..kernel.debug import statistics
from ..kernel.lowlevel import describe_wait
from ..kernel.running import current_task
from .accounting import rows, table
from .text import format_stack, seconds, user_stack

PROMPT = "genlet> "

HELP = """\
ps          every task: id, name, state, for how long, steps, CPU in its steps, what it waits on
where N     the stack of task N (its id, as ps shows it)
cancel N    cancel task N (Cancelled is raised at its current or next checkpoint)
stats       tasks by state, switches per second, timers, descriptor waits, thread jobs
trace on [S]  record a timeline of the next S seconds (5 by default) into an HTML file
trace off   stop recording now, and write the file
help        this list
quit        leave the monitor (the program runs on)"""


class Session:
    """One client's conversation with the monitor."""

    def __init__(self, monitor: "Any") -> None:
        self.monitor = monitor
        self.kernel = monitor.kernel
        self.last = None  # type: Any  # (time, steps) at the last `stats`, for switches/s
        self.commands = {
            "ps": self.ps, "where": self.where, "cancel": self.cancel, "stats": self.stats,
            "trace": self.trace, "help": self.help, "quit": self.quit, "exit": self.quit,
        }  # type: Dict[str, Callable[[List[str]], str]]  # fmt: skip

    def greeting(self) -> str:
        return "genlet monitor: process %d (%s), %r. Type help for the commands." % (
            os.getpid(), os.path.basename(sys.argv[0]) if sys.argv and sys.argv[0] else "python", self.kernel
        )  # fmt: skip

    def execute(self, line: str) -> "Tuple[str, bool]":
        """Run one command line: (the answer, whether the session goes on)."""
        words = line.split()
        if not words:
            return "", True
        command = self.commands.get(words[0].lower())
        if command is None:
            return "unknown command %r: type help for the list" % words[0], True
        try:
            answer = command(words[1:])
        except _Mistake as mistake:
            answer = str(mistake)
        except Exception as error:  # a bug here must not end the session, nor go unseen
            report.failure("the monitor's command %r failed" % line.strip(), error)
            answer = "%r failed: %s: %s (a bug in genlet.monitor; the traceback is on the genlet logger)" % (
                line.strip(), type(error).__name__, error
            )  # fmt: skip
        return answer, command != self.quit

    # -- the commands ---------------------------------------------------------------------------
    def help(self, args: "List[str]") -> str:
        return HELP

    def quit(self, args: "List[str]") -> str:
        return "bye"

    def ps(self, args: "List[str]") -> str:
        return table(rows(self.kernel), True)

    def where(self, args: "List[str]") -> str:
        task = self._task(args, "where")
        stack = user_stack(task.where())
        head = "task %d %r %s" % (task.id, task.name, task.state)
        if describe_wait(task):
            head += " on " + describe_wait(task)
        if not stack:
            return head + " (no stack to show: this interpreter's generators carry no frames)"
        return head + ", at (most recent call last):\n" + format_stack(stack)

    def cancel(self, args: "List[str]") -> str:
        task = self._task(args, "cancel")
        if task is current_task():
            return "task %d is this monitor session; type quit to leave it" % task.id
        task.cancel()
        return "cancelled task %d %r: Cancelled is raised at its current or next checkpoint" % (task.id, task.name)

    def stats(self, args: "List[str]") -> str:
        counts = statistics(self.kernel)
        account = self.monitor.accounting
        now, steps = time.perf_counter(), account.steps
        since, before = self.last if self.last is not None else (account.started, 0)
        self.last = (now, steps)
        lines = [
            "tasks: %(tasks)d (%(running)d running, %(ready)d ready, %(waiting)d waiting)" % counts,
            "switches: %d in all, %.0f/s over the last %s" % (steps, (steps - before) / max(now - since, 1e-9), seconds(now - since)),
            "time in steps: %s in all" % seconds(account.busy),
            "timers: %(timers)d; tasks waiting on descriptors: %(fd_waits)d" % counts,
            "thread jobs and signal waits in flight: %(external)d; calls queued from threads: %(thread_calls)d" % counts,
        ]
        pool = sys.modules.get("genlet.io.threads")
        if pool is not None:
            lines.append("worker threads: %r" % (pool.statistics(),))
        return "\n".join(lines)

    def trace(self, args: "List[str]") -> str:
        return self.monitor.tracing.command(args)  # type: ignore[no-any-return]

    def _task(self, args: "List[str]", command: str) -> "Any":
        """The task whose id is ``args[0]``, or a _Mistake that says what to type."""
        if len(args) != 1 or not args[0].isdigit():
            raise _Mistake("%s takes a task's id, as ps shows it: %s 3" % (command, command))
        wanted = int(args[0])
        for task in self.kernel.tasks():
            if task.id == wanted:
                return task
        raise _Mistake("no task %d: it has finished, or never was (ps lists the tasks)" % wanted)


class _Mistake(Exception):
    """A command the client got wrong: its message is the answer."""

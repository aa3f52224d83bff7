# genlet/kernel/__init__.py
"""genlet.kernel: the scheduler, its traps, tasks, timers and cancel scopes.

Portable: runs unchanged on CPython, PyPy and MicroPython.
"""

from .blocking import notify_closing, read_wait, sleep, sleep_until, write_wait
from .cancel import CancelScope, fail_after, fail_at, move_on_after, move_on_at
from .clock import MonotonicClock, VirtualClock
from .describing import FINISHED, READY, RUNNING, WAITING
from .driving import run
from .errors import (
    Cancelled,
    ChannelClosed,
    Deadlock,
    TaskCancelled,
    TaskGroupError,
    TimeoutError,
    WouldBlock,
)
from .instrument import Instrument
from .local import local
from .loop import Kernel
from .running import clock, current_kernel, current_task
from .select import Op, select
from .spawning import spawn
from .task import Task
from .traps import park, reschedule
from .waiting import IWait, iwait, joinall, killall, spawn_later
from .waitqueue import Waiter, WaitQueue

__all__ = [
    "CancelScope", "Cancelled", "ChannelClosed", "Deadlock", "FINISHED", "IWait", "Instrument", "Kernel", "MonotonicClock",
    "Op", "READY", "RUNNING", "Task", "TaskCancelled", "TaskGroupError", "TimeoutError", "VirtualClock",
    "WAITING", "WaitQueue", "Waiter", "WouldBlock", "clock", "current_kernel", "current_task",
    "fail_after", "fail_at", "iwait", "joinall", "killall", "local", "move_on_after", "move_on_at", "notify_closing",
    "park", "read_wait", "reschedule", "run", "select", "sleep", "sleep_until", "spawn", "spawn_later", "write_wait",
]  # fmt: skip

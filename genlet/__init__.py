# genlet/__init__.py
"""genlet: a pure-generator coroutine kernel.

Plain generator functions are tasks; they talk to one scheduler only by yielding trap
instructions (``yield``, ``yield from``). No greenlet, no ``async``/``await``, no stack
switching: it runs on CPython, PyPy and MicroPython alike.

    import genlet

    def worker(n):
        yield from genlet.sleep(0.1 * n)
        return n * n

    def main():
        tasks = [genlet.spawn(worker, i) for i in range(3)]
        results = []
        for t in tasks:
            results.append((yield from t.join()))
        return results

    print(genlet.run(main))          # [0, 1, 4]
"""

try:
    from typing import Any, List, Optional, TextIO
except ImportError:
    pass

from .kernel import (
    FINISHED,
    READY,
    RUNNING,
    WAITING,
    Cancelled,
    CancelScope,
    ChannelClosed,
    Deadlock,
    Kernel,
    MonotonicClock,
    Task,
    TaskCancelled,
    TaskGroupError,
    TimeoutError,
    VirtualClock,
    WouldBlock,
    clock,
    current_task,
    fail_after,
    fail_at,
    iwait,
    joinall,
    killall,
    local,
    move_on_after,
    move_on_at,
    run,
    select,
    sleep,
    sleep_until,
    spawn,
    spawn_later,
)
from .sync import (
    CLOSED,
    AsyncResult,
    BoundedSemaphore,
    Channel,
    Condition,
    Event,
    LifoQueue,
    Lock,
    Pool,
    PriorityQueue,
    Queue,
    RLock,
    Semaphore,
    TaskGroup,
    task_group,
)

__version__ = "0.1.0"


def ps(kernel: "Optional[Kernel]" = None, file: "Optional[TextIO]" = None) -> "List[Any]":
    """Print a table of the running kernel's tasks; return its rows (see genlet.monitor.ps)."""
    from .monitor.accounting import ps as _ps

    return _ps(kernel, file)


__all__ = [
    "CLOSED", "CancelScope", "Cancelled", "Channel", "ChannelClosed", "Deadlock", "FINISHED", "Kernel",
    "MonotonicClock", "READY", "RUNNING", "Task", "TaskCancelled", "TaskGroupError", "TimeoutError", "VirtualClock",
    "WAITING", "WouldBlock", "clock", "current_task", "fail_after", "fail_at", "iwait", "joinall", "killall", "local",
    "move_on_after", "move_on_at", "ps", "run", "select", "sleep", "sleep_until", "spawn", "spawn_later",
    # genlet.sync
    "AsyncResult", "BoundedSemaphore", "Condition", "Event", "LifoQueue", "Lock", "Pool",
    "PriorityQueue", "Queue", "RLock", "Semaphore", "TaskGroup", "task_group",
]  # fmt: skip

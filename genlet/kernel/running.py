# genlet/kernel/running.py
"""Which kernel runs, and in which thread: entering and leaving ``run`` and ``step``.

A kernel belongs to one thread at a time, and a thread runs one kernel at a time: kernels do
not nest (a task that wants more concurrency spawns it). ``Running`` is a base class of
``Kernel``: ``_enter`` checks those rules and records the kernel as this thread's running one
(``traps.running_kernel``, which every trap reads), ``_leave`` undoes it. The set of kernels
running in any thread lets a ``Deadlock`` say when another kernel might have been meant to
wake these tasks (a primitive belongs to one kernel: see ``Kernel._foreign_wake``).
"""

try:
    from typing import Any
except ImportError:
    pass

from .outside import Outside, get_ident
from .traps import running_kernel, set_running_kernel

_RUNNING = set()  # type: Any  # the kernels running now, in any thread (see deadlock_title)


def deadlock_title() -> str:
    """The first line of a Deadlock's report.

    Discussion: a task of a kernel running in another thread cannot wake these (a primitive
    belongs to one kernel), and a program that meant it to would see only this; so the title
    says so when another kernel is running.
    """
    title = "every task is waiting, and nothing (no timer, no IO, no thread) can wake any of them:"
    if len(_RUNNING) > 1:
        title = title[:-1] + (
            ". Another genlet kernel is running in another thread, and its tasks cannot wake "
            "these: a primitive belongs to one kernel. Hand work from thread to thread with "
            "kernel.call_from_thread(fn, *args), e.g. kernel.call_from_thread(event.set):"
        )
    return title


class Running(Outside):
    """Entering and leaving a run of the kernel (a base class of ``Kernel``)."""

    def _enter(self) -> None:
        other = running_kernel()
        if self._stepping and other is not self:
            raise RuntimeError(
                "this kernel is running in another thread: a kernel belongs to one thread at a "
                "time; from other threads, hand it work with kernel.call_from_thread(fn, *args)"
            )
        if self._stepping:
            raise RuntimeError(
                "this kernel is already running: step() and run() cannot be called from its own "
                "tasks; to run more code concurrently, spawn it: `yield from genlet.spawn(fn).join()`"
            )
        if other is not None and other is not self:
            raise RuntimeError(
                "another genlet kernel is running in this thread; kernels do not nest: inside a "
                "task, spawn the work (`yield from genlet.spawn(main).join()`) instead of genlet.run()"
            )
        kernel = self  # type: Any  # (a Kernel: Running is one of its bases)
        set_running_kernel(kernel)
        self._stepping = True
        self._thread = get_ident()
        _RUNNING.add(self)

    def _leave(self) -> None:
        _RUNNING.discard(self)
        self._stepping = False
        set_running_kernel(None)

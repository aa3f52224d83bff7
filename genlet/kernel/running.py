# genlet/kernel/running.py
"""Which kernel runs, and in which thread: entering and leaving ``run`` and ``step``.

A kernel belongs to one thread at a time, and a thread runs one kernel at a time: kernels do
not nest (a task that wants more concurrency spawns it). ``Running`` is a base class of
``Kernel``: ``_enter`` checks those rules and records the kernel as this thread's running one
(``running_kernel``, below, which every trap reads), ``_leave`` undoes it. The set of kernels
running in any thread lets a ``Deadlock`` say when another kernel might have been meant to
wake these tasks (a primitive belongs to one kernel: see ``Kernel._foreign_wake``).
"""

import sys as _sys

try:
    import threading as _threading
except ImportError:  # MicroPython has no threading module: one kernel per interpreter
    _threading = None  # type: ignore[assignment]

try:
    from typing import Any, Optional
except ImportError:
    pass

from ._typing import TYPE_CHECKING
from .outside import Outside, get_ident

if TYPE_CHECKING:
    from .loop import Kernel
    from .task import Task

# -- the running kernel -------------------------------------------------------------------------
# One kernel runs per thread, and every plain call that needs "the running task" (spawn, a free
# Lock's acquire, entering a cancel scope, every blocking call) asks ``running_kernel()``.
# Discussion: a module global would be the fastest answer, but two threads may each run a
# kernel (as two threads may each run an asyncio loop), so the answer must be per thread.
# On CPython a ``ContextVar`` is that answer at a fraction of a thread-local's cost (its
# ``get`` is C code with a cache): each thread starts in its own empty context, so it
# is per thread as long as new threads do not inherit their starter's context (free-threaded
# CPython 3.14 makes them inherit; there, and on PyPy, a thread-local is used). The kernel
# sets it when it starts stepping and clears it when it stops (``Kernel._enter``/``_leave``);
# a task run in its own context (``run(contextvars=True)``) has it set in that context too.
# MicroPython has neither threads nor contextvars: a plain object stands in.


if _threading is not None:

    class _Running(_threading.local):
        kernel = None  # the default, in every thread

else:

    class _Running:  # type: ignore[no-redef]
        kernel = None


_running = _Running()  # type: Any


def _running_kernel() -> "Optional[Kernel]":
    """The kernel running in this thread, or None."""
    return _running.kernel  # type: ignore[no-any-return]


def _set_running_kernel(kernel: "Optional[Kernel]") -> None:
    _running.kernel = kernel


running_kernel = _running_kernel
set_running_kernel = _set_running_kernel
KERNEL_PER_THREAD = _threading is not None  # else one kernel runs at a time (MicroPython)
KERNEL_IN_CONTEXT = False  # True when the running kernel is kept in a ContextVar

if _sys.implementation.name == "cpython" and not getattr(_sys.flags, "thread_inherit_context", 0):
    try:
        from contextvars import ContextVar as _ContextVar
    except ImportError:  # pragma: no cover - CPython has had contextvars since 3.7
        pass
    else:
        _kernel_var = _ContextVar("genlet.running_kernel", default=None)  # type: Any
        running_kernel = _kernel_var.get  # C code: no Python frame per call
        set_running_kernel = _kernel_var.set
        KERNEL_IN_CONTEXT = True


def current_kernel() -> "Kernel":
    """The kernel running in this thread; a clear RuntimeError if there is none."""
    kernel = running_kernel()
    if kernel is None or not kernel._stepping:  # (a context copied in a task outlives its run)
        raise RuntimeError(
            "no genlet kernel is running in this thread: start one with genlet.run(main), "
            "or call this from inside a task"
        )
    return kernel


def current_task() -> "Task[Any]":
    """The task that is running now (a plain call: nothing blocks)."""
    kernel = running_kernel()
    if kernel is not None:
        task = kernel.current
        if task is not None:
            return task
        raise RuntimeError("no genlet task is running: call this from inside a task")
    current_kernel()  # raises the RuntimeError that explains it
    raise AssertionError("unreachable")


def clock() -> float:
    """The running kernel's clock: monotonic seconds, as a float."""
    return current_kernel().clock.now()


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

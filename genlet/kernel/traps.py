# genlet/kernel/traps.py
"""The trap instruction set: everything a task can say to the kernel.

A task is a plain generator. It reaches the kernel only through what it yields, and the kernel
understands exactly two instructions:

    =============  ===========  ===========================  ===================================
    yielded value  instruction  arguments                    effect
    =============  ===========  ===========================  ===================================
    ``None``       CHECKPOINT   none                         The task goes to the back of the
    (bare                                                    ready tasks. A pending cancellation
    ``yield``)                                               is raised here instead (``throw``).
    ``PARK``       PARK         ``task._wait``: the wait     The task sleeps until somebody
                                object it registered with;   calls ``reschedule(task, reply)``,
                                ``task._timer``: an          its deadline passes (it gets the
                                optional deadline entry      timeout reply), or it is cancelled
                                                             (the kernel calls
                                                             ``wait.abort(task)``; if that
                                                             succeeds the task gets
                                                             ``Cancelled``).
    =============  ===========  ===========================  ===================================

Anything else is a mistake and the task gets a ``TypeError`` at that ``yield`` that says how to
fix it. Every blocking operation in genlet (sleep, IO, locks, channels, select, threads) is the
same three steps: register the task somewhere that will wake it (a ``WaitQueue``, the timer
heap, the poller), call ``park()``, and return what ``park()`` returns, for the caller to
``yield from``. A *wait object* is anything with ``abort(task) -> bool`` (leave the line; False
means "cannot, the result is on its way") and ``describe() -> str`` (for ``task.waiting_on``).

Replies travel with ``send()``: the kernel resumes a parked task with ``gen.send(reply)``. An
error travels as a ``Failure(exc)`` reply, raised at the trap, so the kernel never throws into a
parked task. (Bare ``yield`` is the one exception: a cancellation can only reach it by
``throw``.)

Discussion: why is there no generator here? ``yield from`` works on any iterator, and a parked
generator frame costs about 200 bytes on CPython, as much as the task's own. So ``park()``
returns ``TRAP``, one shared, stateless iterator: ``next()`` on it yields ``PARK``; ``send(r)``
on it ends the ``yield from`` with ``r``. A parked task keeps only its own frames alive, and
no blocking call allocates a generator (which matters on MicroPython, where every allocation
may run the garbage collector). The kernel never resumes a parked task with ``None`` (that
would call ``next()`` and park it again); ``None`` replies travel as ``NOTHING``.

Operations that never block (spawn, cancel, current_task, clock) are plain calls, not traps.
"""

import sys as _sys

try:
    import threading as _threading
except ImportError:  # MicroPython has no threading module: one kernel per interpreter
    _threading = None  # type: ignore[assignment]

try:
    from typing import Any, Generator, Optional
except ImportError:
    pass

from ._typing import TYPE_CHECKING, T

if TYPE_CHECKING:
    from .core import Kernel
    from .task import Task

from .errors import describe as _describe
from .flags import ENDED

PARK = "PARK"  # the instruction; a string, so that it reads well in a debugger
INFINITY = float("inf")  # a deadline that never comes: it gets no timer entry


class Failure:
    """A reply that is raised at the trap instead of returned."""

    __slots__ = ("error",)

    def __init__(self, error: BaseException) -> None:
        self.error = error

    def __repr__(self) -> str:
        return "Failure(%r)" % (self.error,)


class _Nothing:
    __slots__ = ()

    def __repr__(self) -> str:
        return "NOTHING"


NOTHING = _Nothing()  # how a None reply travels (see the Discussion above)


class _Trap:
    """The iterator that every blocking call returns: ``yield from`` it to park."""

    __slots__ = ()

    def __iter__(self) -> "_Trap":
        return self

    def __next__(self) -> str:
        return PARK

    def send(self, reply: "Any") -> "Any":
        if reply.__class__ is Failure:
            raise reply.error
        raise StopIteration(None if reply is NOTHING else reply)

    def __repr__(self) -> str:
        return "TRAP"


TRAP = _Trap()  # type: Any



def _finished() -> "Generator[Any, Any, None]":
    return None
    yield  # unreachable: makes this a generator function


# Iterables for operations that finish at once: `yield from DONE` is None, immediately;
# `yield from YIELD_ONCE` yields None once (a bare `yield`), then is None.
# Discussion: DONE is a generator that has already finished, shared by every caller. `yield from`
# takes a generator as it is and, finding it finished, goes on with None: no iterator is made,
# as one is for an empty tuple, and a fast path (a free lock, a channel with a receiver
# waiting, `join` of a finished task) costs a third less for it on CPython.
DONE = _finished()  # type: Any
for _ in DONE:  # run it to its end
    pass
YIELD_ONCE = (None,)  # type: Any


def completed(value: "T") -> "Generator[Any, Any, T]":
    """An iterable that ``yield from`` finishes at once with ``value`` (no suspension)."""
    return value
    yield  # unreachable: makes this a generator function


# -- the running kernel -------------------------------------------------------------------------
# One kernel runs per thread, and every plain call that needs "the running task" (spawn, a free
# Lock's acquire, entering a cancel scope, every blocking call) asks ``running_kernel()``.
# Discussion: a module global would be the fastest answer, but two threads may each run a
# kernel (as two threads may each run an asyncio loop), so the answer must be per thread.
# On CPython a ``ContextVar`` is that answer at a third of a thread-local's cost (12 ns against
# 35: its ``get`` is C code with a cache): each thread starts in its own empty context, so it
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


# -- parking ------------------------------------------------------------------------------------


def parking_task() -> "Task[Any]":
    """The running task, about to register a wait; checks that it is not registered already.

    Discussion: blocking calls register the task *before* the caller's ``yield from`` parks
    it. If the caller forgot the ``yield from``, the task is still in some queue while it runs
    on. The kernel notices at the task's next yield; this check catches the common case
    sooner, at the next blocking call, and names the call that was never waited on.
    """
    kernel = running_kernel()
    task = None if kernel is None else kernel.current
    if task is None:
        current_task()  # raises the RuntimeError that explains it
    if task._wait is not None:  # type: ignore[union-attr]
        task._kernel._stale_wait(task)  # type: ignore[union-attr]  # raises the TypeError that explains it
    return task  # type: ignore[return-value]


def park(task: "Task[Any]", wait: "Any", deadline: "Optional[float]" = None, timeout_reply: "Any" = None) -> "Any":
    """Park ``task`` (the current one) on ``wait``; return the iterable to ``yield from``.

    With a ``deadline``, the kernel aborts the wait when the clock reaches it and the task gets
    ``timeout_reply`` (a ``Failure`` to raise, or a value to return).
    """
    task._wait = wait
    if deadline is not None and deadline < INFINITY:  # an infinite deadline never fires
        task._timer = task._kernel._timers.add(deadline, task, timeout_reply)
    return TRAP


def _hand_off_trap() -> "Any":
    """PARK from a small generator: what ``park_for_hand_off`` returns."""
    reply = yield PARK
    if reply.__class__ is Failure:
        raise reply.error
    return None if reply is NOTHING else reply


def park_for_hand_off(task: "Task[Any]", wait: "Any") -> "Any":
    """Like ``park`` (no deadline), tuned for waits that end in a quick hand-off.

    Discussion: the two ways to park trade memory for speed. ``park`` returns ``TRAP``, which
    keeps no frame alive while the task waits (the cheapest parked task there is), but ending
    its ``yield from`` means raising ``StopIteration`` from Python code. This returns a small
    generator instead: about 200 bytes more while parked, and a resume that is a plain
    generator return, roughly a third cheaper per round trip. Channels use it (two tasks
    handing values back and forth), and so do locks (a contended lock is handed from task to
    task: 20% more hand-offs per second); events, sleeps and joins, where thousands of tasks
    may wait at once, use ``park``.

    Discussion: which of the two resumes faster depends on the interpreter, and no feature
    test can tell: it was measured (ping-pong through two channels). The generator wins on
    CPython, by about a fifth. The frame-free ``TRAP`` wins on PyPy (about 40%) and on
    MicroPython (about 60% with the default heap): there every generator is a heap allocation
    and every collection sweeps the whole heap, so with an 8 MB heap the generator made
    channels lose to MicroPython's own asyncio. So only CPython gets the generator.
    """
    task._wait = wait
    return _hand_off_trap() if _GENERATOR_HAND_OFF else TRAP


_GENERATOR_HAND_OFF = _sys.implementation.name == "cpython"  # see park_for_hand_off


def reschedule(task: "Task[Any]", reply: "Any" = None) -> None:
    """Wake a parked task: it will get ``reply`` from its trap. The hand-off point.

    Once this is called the task's wait is over: a cancel that comes later is delivered at its
    next checkpoint, never instead of ``reply`` (nothing handed over is lost).

    Discussion: the task to wake may be the running one. It registered a wait (``ch.recv()``
    without ``yield from``) and, before yielding, completes that wait itself
    (``ch.send_nowait(x)``). Waking it would queue a task that is running, to be resumed
    twice, and hand ``x`` to a trap that nobody waits on. Instead its wait is undone and the
    TypeError that explains the missing ``yield from`` is raised here, in the operation that
    would have completed it; that operation does nothing else (every caller of ``reschedule``
    changes its own state only after this call, or undoes it), so ``x`` stays with the caller.
    """
    if task._wait is None:
        if task._flags & ENDED:  # closed by force while its wait could not be aborted
            return  # nobody can take the reply any more
        raise RuntimeError("reschedule(%r): that task is not parked (woken twice?)" % (task,))
    kernel = task._kernel
    if task is kernel.current:  # it is running: the wait is one it never yielded for
        raise kernel._stale_wait_error(task, True)
    task._wait = None
    if task._timer is not None:
        kernel._timers.discard(task)
    task._value = NOTHING if reply is None else reply
    kernel._ready.append(task)


def refuse_own_wait(waiters: "Any") -> None:
    """Call before waking every task in ``waiters`` (``Event.set``, ``Channel.close``).

    If the running task is one of them (a wait it never yielded for), this raises the
    TypeError that explains it, before the caller has changed anything (see ``reschedule``).
    """
    kernel = running_kernel()
    task = None if kernel is None else kernel.current
    if task is not None:
        wait = task._wait
        if wait is not None and getattr(wait, "queue", None) is waiters:
            raise task._kernel._stale_wait_error(task, True)


class Unwaited:
    """The wait object of an operation that finished at once and still needs its ``yield from``.

    Discussion: ``lock.acquire()`` on a free lock takes it at once; its ``yield from`` only
    collects True. Forgotten, nothing would look wrong until the lock is contended, and then
    two tasks would be in the critical section. So such an operation registers one of these as
    the task's wait (``unwaited``), and the iterator it returns (``answer``) takes it away. A
    task that never runs that iterator is caught as for any wait it never yielded for: at its
    next yield, its next blocking call or its end, by a TypeError that names the call and its
    fix. What the operation did stays done: the lock stays held (the task's ``finally``
    releases it), the permit taken, the task started. One instance per operation, made once.
    """

    __slots__ = ("call", "fix")

    def __init__(self, call: str, fix: str) -> None:
        self.call = call  # "Lock.acquire()"
        self.fix = fix  # "yield from lock.acquire()"

    def abort(self, task: "Any") -> bool:
        return True  # nothing to leave: the operation is complete

    def describe(self) -> str:
        return self.call


def answer(task: "Task[Any]", value: "Any") -> "Generator[Any, Any, Any]":
    """What an operation that registered an ``Unwaited`` returns: ``yield from`` it takes the
    ``Unwaited`` away and finishes with ``value`` (no suspension)."""
    if task._wait.__class__ is Unwaited:
        task._wait = None
    return value
    yield  # unreachable: makes this a generator function


def unwaited(task: "Task[Any]", marker: Unwaited, value: "Any") -> "Generator[Any, Any, Any]":
    """Register ``marker`` as the running ``task``'s wait; return ``answer(task, value)``."""
    if task._wait is not None:
        task._kernel._stale_wait(task)  # raises the TypeError about the wait before
    task._wait = marker
    return answer(task, value)


class _Sleeping:
    """The wait object of a sleeping task: only its timer can wake it."""

    __slots__ = ()

    def abort(self, task: "Any") -> bool:
        return True  # the kernel cancels the timer entry itself

    def describe(self) -> str:
        return "sleep"


SLEEPING = _Sleeping()


def sleep_until(deadline: float) -> "Generator[Any, Any, None]":
    """``yield from sleep_until(deadline)``: park until the kernel clock reaches ``deadline``."""
    if deadline != deadline:  # NaN
        raise ValueError("sleep_until: the deadline is NaN")
    task = parking_task()
    if deadline <= task._kernel.clock.now():
        return YIELD_ONCE  # type: ignore[no-any-return]
    return park(task, SLEEPING, deadline)  # type: ignore[no-any-return]


def sleep(seconds: float) -> "Generator[Any, Any, None]":
    """``yield from sleep(seconds)``: park for ``seconds``; ``sleep(0)`` is a checkpoint."""
    if seconds != seconds:
        raise ValueError("sleep: the duration is NaN")
    if seconds <= 0:
        current_task()  # the same error as a real sleep outside a task
        return YIELD_ONCE  # type: ignore[no-any-return]
    task = parking_task()
    return park(task, SLEEPING, task._kernel.clock.now() + seconds)  # type: ignore[no-any-return]


def read_wait(fileobj: "Any", deadline: "Optional[float]" = None, timeout_reply: "Any" = None) -> "Generator[Any, Any, Any]":
    """``yield from read_wait(sock)``: park until ``fileobj`` (or a descriptor) is readable.

    With a ``deadline`` (kernel clock), the wait ends there if the descriptor is still not
    readable, and returns ``timeout_reply`` (a ``Failure`` is raised) instead of None.
    """
    task = parking_task()
    return park(task, task._kernel._io_wait(task, fileobj, 1), deadline, timeout_reply)  # type: ignore[no-any-return]


def write_wait(fileobj: "Any", deadline: "Optional[float]" = None, timeout_reply: "Any" = None) -> "Generator[Any, Any, Any]":
    """``yield from write_wait(sock)``: park until ``fileobj`` (or a descriptor) is writable.

    ``deadline`` and ``timeout_reply``: as for ``read_wait``.
    """
    task = parking_task()
    return park(task, task._kernel._io_wait(task, fileobj, 2), deadline, timeout_reply)  # type: ignore[no-any-return]


def notify_closing(fileobj: "Any") -> None:
    """Call before closing ``fileobj``: tasks waiting on it get an ``OSError`` (plain call)."""
    kernel = running_kernel()
    if kernel is not None:
        kernel._io_closing(fileobj)


def bad_yield_message(task: "Any", value: "Any") -> str:
    """The TypeError text for a task that yielded something that is not a trap."""
    head = "task %r yielded %s" % (task.name, _describe(value))
    kind = type(value).__name__
    if value is TRAP or value is YIELD_ONCE or value is DONE:
        return "task %r yielded a genlet operation instead of waiting on it; write `yield from`, not `yield`" % (
            task.name,
        )
    if hasattr(value, "send") and hasattr(value, "throw"):
        if kind == "coroutine" or hasattr(value, "cr_frame"):
            return head + (
                ", a coroutine from `async def`: genlet runs plain generators; write the "
                "function with `def` and `yield from` instead of `async def` and `await`"
            )
        return head + ", a generator; did you mean `yield from` it?"
    if kind == "tuple":
        return head + (
            ", a tuple: tasks yield only to the kernel. Use a bare `yield` for a checkpoint, "
            "and `yield from` for genlet operations (`yield from genlet.sleep(1)`)"
        )
    if kind == "Task":
        return head + ", a Task: to wait for it, write `yield from task.join()` (or `task.wait()`)"
    if kind in ("int", "float"):
        return head + ", a number: to sleep, write `yield from genlet.sleep(%r)`" % (value,)
    if hasattr(value, "__await__") or kind == "Future":
        return head + ", an awaitable from another framework: genlet runs plain generators only"
    return head + (
        ", which is not a genlet trap. Use a bare `yield` for a checkpoint, and `yield from` "
        "for genlet operations"
    )

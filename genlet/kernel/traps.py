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
generator frame costs as much memory as the task's own. So ``park()`` returns ``TRAP``, one
shared, stateless iterator: ``next()`` on it yields ``PARK``; ``send(r)`` on it ends the
``yield from`` with ``r``. A task parked that way keeps only its own frames alive, and its
blocking call allocates no generator (which matters on MicroPython, where every allocation
may run the garbage collector). The one exception is ``park_for_hand_off`` on CPython, which
trades a small generator for speed (see there; the figures are in docs/benchmarks.md). The kernel never resumes a parked task with ``None`` (that
would call ``next()`` and park it again); ``None`` replies travel as ``NOTHING``.

Operations that never block (spawn, cancel, current_task, clock) are plain calls, not traps.
"""

import sys as _sys

try:
    from typing import Any, Generator, Optional
except ImportError:
    pass

from ._typing import TYPE_CHECKING, T

if TYPE_CHECKING:
    from .task import Task

from .flags import ENDED
from .running import current_task, running_kernel

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
# waiting, `join` of a finished task) costs less for it on CPython.
DONE = _finished()  # type: Any
for _ in DONE:  # run it to its end
    pass
YIELD_ONCE = (None,)  # type: Any


def completed(value: "T") -> "Generator[Any, Any, T]":
    """An iterable that ``yield from`` finishes at once with ``value`` (no suspension)."""
    return value
    yield  # unreachable: makes this a generator function


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
        raise task._kernel._stale_wait_error(task)  # type: ignore[union-attr]
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
    generator instead: a generator frame more while parked, and a resume that is a plain
    generator return, cheaper per round trip. Channels use it (two tasks handing values back
    and forth), and so do locks (a contended lock is handed from task to task); events,
    sleeps and joins, where thousands of tasks may wait at once, use ``park``.

    Discussion: which of the two resumes faster depends on the interpreter, and no feature
    test can tell: it was measured (ping-pong through two channels; docs/benchmarks.md). The
    generator wins on CPython. The frame-free ``TRAP`` wins on PyPy and on MicroPython: there
    every generator is a heap allocation and every collection sweeps the whole heap, so with
    a large heap the generator made channels lose to MicroPython's own asyncio. So only
    CPython gets the generator.
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
        raise task._kernel._stale_wait_error(task)  # the wait before: explained
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

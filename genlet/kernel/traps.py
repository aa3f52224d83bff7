# genlet/kernel/traps.py
"""The trap instruction set: everything a task can say to the kernel.

A task reaches the kernel only through what it yields, and the kernel understands two
instructions (the table is in docs/kernel.md): ``None``, a bare ``yield``, is a CHECKPOINT (the
task goes behind the other ready tasks; a pending cancellation is thrown in there); ``PARK``
parks the task on the *wait object* it registered (``task._wait``, with an optional deadline
in ``task._timer``) until ``reschedule(task, reply)``, its deadline or a cancel (the kernel
calls ``wait.abort(task)``) wakes it. Anything else is a mistake: the task gets a
``TypeError`` at that ``yield`` that says how to fix it.

Every blocking call is the same three steps: register the task somewhere that will wake it (a
``WaitQueue``, the timer heap, the poller), call ``park()``, and return what ``park()``
returns, for the caller to ``yield from``. A wait object is anything with ``abort(task) ->
bool`` (leave the line; False: "cannot, the result is on its way") and ``describe() -> str``.
Replies travel with ``send()``; an error as a ``Failure(exc)`` reply the trap raises, so the
kernel never throws into a parked task (a cancel at a bare ``yield`` is the one ``throw``).

Discussion: ``park()`` returns ``TRAP``, one shared, stateless iterator, not a generator:
``next()`` on it yields ``PARK``, ``send(r)`` ends the ``yield from`` with ``r``, so a blocking
call allocates nothing (``park_for_hand_off`` says when that is not the fastest). A parked task
is never resumed with ``None`` (that would call ``next()`` and park it again): ``None`` replies
travel as ``NOTHING``.
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
from .unwaited import stale_wait_error

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


def completed(value: "T") -> "Generator[Any, Any, T]":
    """An iterable that ``yield from`` finishes at once with ``value`` (no suspension)."""
    return value
    yield  # unreachable: makes this a generator function


# Iterables for operations that finish at once: `yield from DONE` is None, immediately;
# `yield from YIELD_ONCE` yields None once (a bare `yield`), then is None.
# Discussion: DONE is a generator that has already finished, shared by every caller. `yield from`
# takes a generator as it is and, finding it finished, goes on with None: no iterator is made,
# as one is for an empty tuple, and a fast path (a free lock, a channel with a receiver
# waiting, `join` of a finished task) costs less for it on CPython.
DONE = completed(None)  # type: Any
for _ in DONE:  # run it to its end
    pass
YIELD_ONCE = (None,)  # type: Any


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
        raise stale_wait_error(task)  # type: ignore[arg-type]
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

    Discussion: ``TRAP`` keeps no frame alive while the task waits, but ending its ``yield
    from`` raises ``StopIteration`` from Python code; a small generator costs a frame while
    parked and resumes with a plain return, cheaper per round trip. Which is faster depends on
    the interpreter, and no feature test can tell (ping-pong measured it: docs/benchmarks.md):
    the generator on CPython; ``TRAP`` on PyPy and MicroPython, where every generator is a heap
    allocation. Channels and locks (values and locks handed from task to task) use this;
    events, sleeps and joins, where thousands of tasks may wait at once, use ``park``.
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
        raise stale_wait_error(task, True)
    task._wait = None
    if task._timer is not None:
        kernel._timers.discard(task)
    task._value = NOTHING if reply is None else reply
    kernel._ready.append(task)

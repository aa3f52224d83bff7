# genlet/kernel/spawning.py
"""Making a task: ``genlet.spawn``, the late start, and spawning a genlet operation.

``spawn(fn, *args)`` makes a ``Task`` (``new_task``) and puts it in the ready list; nothing of
``fn`` runs yet. A plain generator function whose arguments fit it starts late: its generator
is made at the task's first step (``NotStarted``), so a burst of spawns holds only the tasks.
Anything else (a generator object, a named task, a genlet operation such as
``spawn(genlet.sleep, 5)``, everything under ``contextvars=True``) goes through ``spawn_now``,
which makes the generator at once, as the new task, so that an operation that registers a
wait registers the new task (which then starts out parked: ``parked``).
"""

try:
    from typing import Any, Optional
except ImportError:
    pass

from . import ending
from ._typing import TYPE_CHECKING
from .describing import name_of
from .errors import describe
from .flags import DAEMON, ID_STEP, NAMED
from .local import InContext
from .running import current_kernel, running_kernel
from .task import Task
from .traps import DONE, PARK, TRAP, YIELD_ONCE
from .unwaited import Unwaited
from .waitqueue import SLOTS

# -- what spawn() runs ---------------------------------------------------------------------------


def _generator_function() -> "Any":
    yield


def new_task(kernel: "Any", gen: "Any", name: "Any", flags: int, value: "Any" = None) -> "Task[Any]":
    """A new task: ``Task()`` makes it empty, and this fills its slots.

    Discussion: Task has no ``__init__``. CPython (before 3.13) runs a class's Python
    ``__init__`` from C, in a fresh run of its interpreter loop: that alone was a large part
    of the life of a task that returns at once. ``Task()`` with no ``__init__`` runs no Python
    code, and a plain function fills the slots at the speed of any attribute store.
    """
    task = Task()  # type: Task[Any]
    task._name = name
    task._gen = gen
    task._kernel = kernel
    bits = kernel._id_bits + ID_STEP  # its id, in spawn order (see Task.id)
    kernel._id_bits = bits
    task._flags = flags | bits
    task._wait = task._cancel = None  # read at every switch: always the task's own
    if SLOTS:  # the others start as None: slots must be set; elsewhere they are class attributes
        task._value = value
        task._timer = task._scopes = task._joiners = None
    elif value is not None:  # (see the Discussion at `if not SLOTS` above)
        task._value = value
    return task


GENERATOR = type(_generator_function())


def as_generator(fn: "Any", args: "Any") -> "Any":
    """What ``spawn`` runs: ``fn(*args)`` if it is a generator, or ``fn`` itself if it is one."""
    if type(fn) is not GENERATOR and callable(fn):
        gen = fn(*args)
        if type(gen) is GENERATOR and gen is not DONE:
            return gen  # the usual case, first
    if hasattr(fn, "send") and hasattr(fn, "throw"):
        gen = fn
        if args:
            raise TypeError("spawn() got a generator object and arguments; pass the generator function instead: spawn(f, *args)")
    elif callable(fn):
        if gen is TRAP:
            return gen  # a genlet operation that has to wait: the new task waits (see spawn_now)
        if gen is DONE or gen is YIELD_ONCE:
            return run_iterable(gen)  # a genlet operation that finished (or checkpoints) at once
        if not (hasattr(gen, "send") and hasattr(gen, "throw")):
            raise TypeError(
                "spawn(%s): it returned %s, not a generator. Make it a generator function (use "
                "`yield` or `yield from` in it), or run blocking code in a thread with "
                "`yield from genlet.io.run_in_thread(fn, *args)`" % (name_of(fn, None), describe(gen))
            )
    else:
        raise TypeError("spawn() needs a generator function or a generator, got %s" % describe(fn))
    if type(gen).__name__ == "coroutine" or hasattr(gen, "cr_frame"):
        gen.close()  # no "never awaited" warning on top of this error
        raise TypeError("spawn(): got a coroutine from `async def`; genlet runs plain generators: write `def` with `yield from`")
    return gen


# -- starting late ------------------------------------------------------------------------------
FUNCTION = type(_generator_function)  # type: Any
CO_GENERATOR = 0x20  # code.co_flags: calling the function makes a generator and runs nothing


def _code_readable() -> bool:
    try:
        return bool(_generator_function.__code__.co_flags & CO_GENERATOR)
    except AttributeError:  # MicroPython: functions have no __code__
        return False


if not _code_readable():

    class _Never:
        pass

    FUNCTION = _Never  # no function is one: every task starts at once


class NotStarted:
    """What stands in for a task's generator until its first step, when ``fn(*args)`` is called.

    ``spawn(fn, *args)`` of a plain generator function whose arguments fit it does not call
    ``fn`` yet. The task keeps ``fn`` as its ``_name`` (where an unnamed task keeps it anyway)
    and ``args`` as its ``_value``, and this stand-in, one per kernel, as its ``_gen``. The
    run loop sees the stand-in, makes the generator, puts it in its place and steps it.

    Discussion: the call is not needed sooner. Calling a generator function only binds its
    arguments into a new frame (the fit was checked at spawn, so that cannot fail) and runs
    nothing. Made at the first step, the generator lives only as long as the task has work:
    100,000 tasks spawned in a burst hold 100,000 Task objects until they start, not twice as
    many objects for CPython's cycle collector to scan again and again. gevent starts its
    greenlets the same way. A task cancelled before its first step gets the exception at
    the top of its generator, before any of its code has run.
    """

    __slots__ = ("kernel",)

    def __init__(self, kernel: "Any") -> None:
        self.kernel = kernel

    def throw(self, error: BaseException) -> "Any":
        """Failed before its first step (closed at shutdown): it ends with ``error``, having run nothing."""
        self.kernel.current._value = None
        raise error

    def close(self) -> None:
        self.kernel.current._value = None  # nothing ran, so nothing to clean up


def run_iterable(iterable: "Any") -> "Any":
    return (yield from iterable)


def starts_late(kernel: "Any", fn: "Any", args: "Any") -> bool:
    """Can ``fn(*args)`` wait for the task's first step? (See NotStarted.)

    Yes for a plain generator function whose arguments fit it, so that calling it later
    cannot fail; not under ``contextvars=True``, where the call must be made in a copy of the
    spawner's context, nor while ``run`` is ending (``Kernel._spawn`` cancels such tasks).

    Discussion: the last code object that got a yes is remembered (``kernel._late_code``), so
    a loop spawning one function asks once, and ``genlet.spawn`` takes its fast path from the
    second call on. Not the function: it may be a closure over large objects; a code object
    is constant.
    """
    if fn.__class__ is not FUNCTION or kernel._swallowed is not None:
        return False
    code = fn.__code__
    if code is kernel._late_code and len(args) == kernel._late_arity:
        return True
    if (
        not code.co_flags & CO_GENERATOR or code.co_argcount != len(args)
        or code.co_kwonlyargcount or kernel._context is not None
    ):
        return False
    kernel._late_code, kernel._late_arity = code, len(args)
    return True


def spawn_now(kernel: "Any", fn: "Any", args: "Any", name: "Any", flags: int) -> "Task[Any]":
    """``Kernel._spawn`` for what cannot start late: generator objects, other callables, named
    tasks, and everything under ``contextvars=True``. Makes the task's generator now.

    Discussion: ``fn`` may be a genlet operation (``spawn(genlet.sleep, 5)``,
    ``spawn(lock.acquire)``), which acts at once, for the running task: it registers it to
    wait, takes a lock for it. That must be the new task's doing, not the spawner's (which
    would be put to sleep, or made the lock's owner). So ``fn`` is called as the new task
    (``kernel.current``); a task that it registered to wait starts parked, its generator
    already at the ``PARK`` it would yield.
    """
    caller = kernel.current
    if caller is not None:
        kernel._add_to_roll(caller)  # in its first step, maybe: the roll lists parents first
    task = new_task(kernel, None, fn, flags)
    kernel.current = task
    try:
        gen = as_generator(fn, args)
        wait = task._wait
        if wait.__class__ is Unwaited:
            task._wait = None  # it finished at once: gen returns its value when the task runs
            wait = None
        elif wait is not None:  # it registered the task to wait: start it parked
            if gen is TRAP:
                gen = parked()
            if next(gen) is not PARK:
                raise TypeError("spawn(%s): it registered a wait it did not return" % name_of(fn, gen))
    except BaseException:
        if task._wait is not None:
            kernel._abort(task)  # leave no registration behind for a task that never exists
        raise
    finally:
        kernel.current = caller
    if name is not None:
        task._name = str(name)
        task._flags |= NAMED
    elif fn is gen or wait is not None:
        task._name = name_of(fn, gen)  # a string now: keep no reference to the generator
    else:
        task._name = fn  # its name is looked up only when somebody asks (Task.name)
    if kernel._context is not None:
        gen = InContext(gen, kernel._context.copy_context(), kernel)
    task._gen = gen
    kernel._add_to_roll(task)
    if wait is None:
        kernel._ready.append(task)  # (else it is parked: whoever it waits on wakes it)
    return task


def parked() -> "Any":
    """The body of a task that starts out parked (see ``spawn_now``)."""
    return (yield from TRAP)


def spawn(fn: "Any", *args: "Any", name: "Optional[str]" = None, daemon: bool = False) -> "Task[Any]":
    """Start a task in the running kernel; a plain call that returns the Task at once."""
    kernel = running_kernel()
    if kernel is None or not kernel._stepping:  # (a context copied in a task outlives its run)
        kernel = current_kernel()  # raises the RuntimeError that explains it
    # Discussion: a loop spawning one generator function (``starts_late`` has said yes to its
    # code) makes each task with no Python call but this one: the two calls it saves are a
    # large part of the life of a task that returns at once (docs/benchmarks.md). Only CPython
    # and PyPy get here (elsewhere no function is a FUNCTION), so every slot is set. ``run``
    # ending clears ``_late_code``, closing this path.
    if fn.__class__ is FUNCTION and fn.__code__ is kernel._late_code and len(args) == kernel._late_arity and name is None:
        # inlined copy of Kernel._spawn and new_task: benchmarks/spawn.py
        task = Task()  # type: Task[Any]
        task._name = fn
        task._gen = kernel._not_started
        task._kernel = kernel
        task._value = args
        bits = kernel._id_bits + ID_STEP  # its id, in spawn order (see Task.id)
        kernel._id_bits = bits
        task._flags = bits | DAEMON if daemon else bits
        task._wait = task._cancel = task._timer = task._scopes = task._joiners = None
        kernel._ready.append(task)
        return task
    return kernel._spawn(fn, args, name, daemon)


class Spawning:
    """``kernel.spawn`` (a base class of ``Kernel``)."""

    if TYPE_CHECKING:  # a Kernel's, for the type checker (see loop.py)
        current = _not_started = _ready = _swallowed = None  # type: Any
        _stepping = False

    def spawn(self, fn: "Any", *args: "Any", name: "Optional[str]" = None, daemon: bool = False) -> "Task[Any]":
        """Start ``fn(*args)`` (a generator function) or a generator object as a new task.

        ``fn`` may also be a genlet operation (``spawn(genlet.sleep, 5)``, ``spawn(ch.send, v)``):
        it runs at once, and if it has to wait, the new task does the waiting.
        """
        if self.current is None and self._stepping and running_kernel() is not self:
            raise RuntimeError(
                "spawn() from another thread while the kernel runs: a kernel belongs to one "
                "thread; from other threads use kernel.call_from_thread(kernel.spawn, fn, *args)"
            )
        return self._spawn(fn, args, name, daemon)

    def _spawn(self, fn: "Any", args: "Any", name: "Any", daemon: bool) -> "Task[Any]":
        flags = DAEMON if daemon else 0
        kernel = self  # type: Any  # (a Kernel: Spawning is one of its bases)
        if name is None and starts_late(kernel, fn, args):
            task = new_task(kernel, self._not_started, fn, flags, args)
            self._ready.append(task)  # on the roll once it has started (see _add_to_roll)
            return task
        task = spawn_now(kernel, fn, args, name, flags)
        if self._swallowed is not None:
            ending.cancel_late_spawn(kernel, task)
        return task

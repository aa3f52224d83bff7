# genlet/kernel/task.py
"""Task: a generator plus the little the kernel must know about it.

The kernel's whole view of a task is a handful of slots: the generator, the value it deals
with next (``_value``: the reply to send it at its next step; once it has ended, its result or
the exception that ended it; before its first step, the arguments for its function, see
``NotStarted``), what it is parked on (``_wait``, None when it can run), its deadline entry
(``_timer``), its stack of cancel scopes and the one currently cancelling it (``_scopes``,
``_cancel``), who waits for its end (``_joiners``) and its state bits and id (``_flags``).
Everything else (``state``, ``waiting_on``, ``name``) is computed when asked, so that a switch
writes nothing it does not need and a parked task stays small (``__slots__``, lazily made
lists): every slot is paid for by every task, in its making and in each pass of CPython's
cycle collector over it.

A task is also the outermost cancel scope of its own code: ``task.cancel()`` cancels it, and
the ``Cancelled`` that ends a cancelled task carries the task as its scope.
"""

try:
    from typing import Any, Iterable, List, Optional, Tuple
except ImportError:
    pass

from ._typing import TYPE_CHECKING, Generic, T

if TYPE_CHECKING:
    from typing import Generator

from .errors import TaskCancelled, TimeoutError, describe
from .select import Op
from .local import InContext
from .traps import DONE, PARK, TRAP, Failure, Unwaited, YIELD_ONCE, completed, current_kernel, park, parking_task, reschedule
from .waitqueue import SLOTS, WaitQueue, Waiter, make_room

READY = "READY"
RUNNING = "RUNNING"
WAITING = "WAITING"
FINISHED = "FINISHED"

from .flags import CANCEL_REQUESTED, CANCELLED, DAEMON, ENDED, FAILED, ID_SHIFT, ID_STEP, NAMED, OBSERVED

_JOIN = "join"  # Waiter.value of a join (gets the outcome); None means wait (gets None)


class Task(Generic[T]):
    """A running generator. Create tasks with ``genlet.spawn``, not directly."""

    # Every slot, and each thing it may hold (several hold different things at different
    # times, so that a task stays small: see the module's docstring):
    __slots__ = (
        "_name",  # the name given to spawn (NAMED); else the function, or its name once asked
        "_gen",  # the generator; before the first step NotStarted, under contextvars InContext
        "_kernel",  # the Kernel it belongs to
        "_value",  # start arguments (NotStarted), the next reply, then its result or exception
        "_wait",  # the wait object it is parked on (None: it can run); see traps.py
        "_timer",  # its deadline's entry in the kernel's Timers, or None
        "_scopes",  # its stack of entered cancel scopes, or None (cancel.py)
        "_cancel",  # the scope (or the task itself) cancelling it now, or None
        "_joiners",  # the WaitQueue of tasks waiting for its end, made when first needed
        "_flags",  # its state bits (flags.py), and above them its id (Task.id)
    )

    if TYPE_CHECKING:  # the slots' types, for the type checker: new_task sets them
        _name = _gen = _kernel = _value = _wait = _timer = _cancel = None  # type: Any
        _scopes = None  # type: Optional[List[Any]]
        _joiners = None  # type: Optional[WaitQueue]
        _flags = 0

    # -- what it is ------------------------------------------------------------------------
    @property
    def id(self) -> int:
        """A small number, unique in its kernel: 1 for the first task spawned, 2 for the next.

        Discussion: the id is the task's place in spawn order, so that names (``worker-3``)
        are the same from run to run, whoever asks first. It is kept in ``_flags``, above the
        state bits, rather than in a slot of its own: the kernel keeps its count already
        shifted (``_id_bits``), so numbering a task at spawn is one addition and no store more
        than setting its flags (gevent numbers its greenlets lazily, when first asked, and so
        did genlet, which made names depend on who asked first).
        """
        return self._flags >> ID_SHIFT

    @property
    def kernel(self) -> "Any":
        """The Kernel it belongs to."""
        return self._kernel

    @property
    def name(self) -> str:
        """The name given to spawn(), else the function's name and the task's id."""
        if self._flags & NAMED:
            return self._name  # type: ignore[no-any-return]
        name = self._name  # the function, or already its name (see Kernel._spawn)
        return "%s-%d" % (name if name.__class__ is str else name_of(name, None), self.id)

    @property
    def daemon(self) -> bool:
        return bool(self._flags & DAEMON)

    @property
    def state(self) -> str:
        if self._flags & ENDED:
            return FINISHED
        if self._kernel.current is self:
            return RUNNING
        return READY if self._wait is None else WAITING

    @property
    def waiting_on(self) -> "Optional[str]":
        """What it is blocked on, in a few words; None unless it is WAITING."""
        wait = self._wait
        if wait is None or self._flags & ENDED or self._kernel.current is self:
            return None
        return wait.describe()  # type: ignore[no-any-return]

    def describe(self) -> str:
        return "task %r" % self.name

    def __repr__(self) -> str:
        return "<Task %d %r %s>" % (self.id, self.name, self.state)

    # -- how it ended ----------------------------------------------------------------------
    def done(self) -> bool:
        return bool(self._flags & ENDED)

    def successful(self) -> bool:
        """Finished by returning (not by an exception, not by cancellation)."""
        return self._flags & (ENDED | FAILED | CANCELLED) == ENDED

    def cancelled(self) -> bool:
        """Finished because it was cancelled."""
        return bool(self._flags & CANCELLED)

    @property
    def result(self) -> "Optional[T]":
        """What it returned; None if it failed or was cancelled. RuntimeError while it runs."""
        self._require_done("result")
        return None if self._flags & (FAILED | CANCELLED) else self._value

    @property
    def exception(self) -> "Optional[BaseException]":
        """The exception that ended it (``Cancelled`` if cancelled), or None if it returned."""
        self._require_done("exception")
        self._flags |= OBSERVED
        return self._value if self._flags & (FAILED | CANCELLED) else None

    def mark_observed(self) -> None:
        """Its failure is taken care of (a primitive will raise or hand it on): never report it
        as one nobody was waiting for."""
        self._flags |= OBSERVED

    def _require_done(self, what: str) -> None:
        if not self._flags & ENDED:
            raise RuntimeError(
                "task %r has not finished, so it has no %s yet: `yield from task.join()` first"
                % (self.name, what)
            )

    def _join_reply(self) -> "Any":
        """What a joiner gets: the value, or a Failure to raise."""
        flags = self._flags
        if flags & CANCELLED:
            return Failure(TaskCancelled(self))
        if flags & FAILED:
            return Failure(self._value)
        return self._value

    # -- waiting for it --------------------------------------------------------------------
    def _joiners_queue(self) -> WaitQueue:
        queue = self._joiners
        if queue is None:
            queue = self._joiners = WaitQueue(self, "to finish")
        return queue

    def _park_joiner(self, kind: "Any", timeout: "Optional[float]" = None) -> "Any":
        task = parking_task()
        if task is self:
            raise _waits_for_itself(task)
        if timeout is None:
            return park(task, self._joiners_queue().push(task, kind))
        if timeout != timeout:
            raise ValueError("task.join(): the timeout is NaN; give seconds, or None to wait forever")
        expired = Failure(TimeoutError(
            "task.join() timed out after %r seconds: %s is still running" % (timeout, self.describe())
        ))  # fmt: skip
        return park(task, self._joiners_queue().push(task, kind), task._kernel.clock.now() + timeout, expired)

    def join(self, timeout: "Optional[float]" = None) -> "Generator[Any, Any, T]":
        """``yield from task.join(timeout=None)``: its value, or its exception re-raised.

        A cancelled task raises ``TaskCancelled``, an ordinary Exception: the joiner was not
        cancelled itself, so it must not see a ``Cancelled``. If it is still running after
        ``timeout`` seconds: ``genlet.TimeoutError`` (the task runs on), as every genlet call
        that returns a value does (gevent's ``get(timeout=)``; its ``join(timeout)`` returns
        None instead, which genlet's ``task.wait()`` is for).
        """
        flags = self._flags
        if flags & ENDED:
            if flags & (FAILED | CANCELLED):  # (only a failure needs to be marked observed)
                self._flags = flags | OBSERVED
                raise self._join_reply().error
            value = self._value
            return DONE if value is None else completed(value)  # no generator for None
        return self._park_joiner(_JOIN, timeout)  # type: ignore[no-any-return]

    def wait(self) -> "Generator[Any, Any, None]":
        """``yield from task.wait()``: wait until it finishes; never raises its error."""
        if self._flags & ENDED:
            self._flags |= OBSERVED
            return DONE  # type: ignore[no-any-return]
        return self._park_joiner(None)  # type: ignore[no-any-return]

    def cancel(self) -> None:
        """Ask it to stop: ``Cancelled`` is raised at its current or next checkpoint.

        A plain call. Level-triggered: every later blocking call in the task raises
        ``Cancelled`` too (cleanup that must block uses ``CancelScope(shield=True)``).
        Does nothing to a finished task.
        """
        if not self._flags & (ENDED | CANCEL_REQUESTED):
            self._flags |= CANCEL_REQUESTED
            self._kernel._refresh_cancel(self)

    def kill(self) -> "Generator[Any, Any, None]":
        """``yield from task.kill()``: cancel it and wait until it has finished."""
        self.cancel()
        return self.wait()

    def link(self, callback: "Any") -> None:
        """Call ``callback(task)`` when it finishes, however it ends (at once if it has).

        Called inline where the kernel records the end, outside any task (see
        ``waiting.call_back``); what it raises is reported. It receives no failure.
        """
        from .waiting import link

        link(self, callback, False)

    def link_exception(self, callback: "Any") -> None:
        """Call ``callback(task)`` if it fails (not if it returns or is cancelled).

        A callback that is called receives the failure: it is not reported as one nobody was
        waiting for (unless the callback raises).
        """
        from .waiting import link

        link(self, callback, True)

    def unlink(self, callback: "Any") -> None:
        """Take back every ``link`` / ``link_exception`` of ``callback`` not called yet."""
        from .waiting import unlink

        unlink(self, callback)

    def join_op(self) -> "JoinOp":
        """A ``select`` op that completes when the task finishes; its value is the task."""
        return JoinOp(self)

    def where(self) -> "List[Tuple[str, int, str]]":
        """Its stack now, outermost first, as ``(filename, lineno, function)`` tuples.

        Follows ``gi_yieldfrom`` down the chain of generators; empty on interpreters whose
        generators carry no frames (MicroPython), and for a finished task. A task that has not
        started yet (see ``NotStarted``) is where its function begins.
        """
        stack = []
        gen = self._gen if not self._flags & ENDED else None
        if gen.__class__ is NotStarted:  # it has not started: where its function begins
            code = self._name.__code__
            return [(code.co_filename, code.co_firstlineno, code.co_name)]
        while gen is not None:
            frame = getattr(gen, "gi_frame", None)
            if frame is None:
                break
            code = frame.f_code
            stack.append((code.co_filename, frame.f_lineno, code.co_name))
            gen = getattr(gen, "gi_yieldfrom", None)
        return stack


def _waits_for_itself(task: "Task[Any]") -> RuntimeError:
    return RuntimeError("task %r cannot wait for itself to finish (it would wait forever)" % task.name)


if not SLOTS:
    # Discussion: where __slots__ is ignored (MicroPython), every attribute set on an instance
    # goes into its own dict, which grows with every attribute stored. So every slot starts as
    # a class attribute (None), and a task stores only what it has changed.
    #
    # Discussion: there, every attribute *store* on a task first looks the name up in the class
    # (Task has properties, and a property could take the store). A MicroPython dict grows
    # only when it is full, and a lookup probes on until it meets its key or a free slot: when
    # Task's class dict happened to be full, each store scanned all of it and a switch cost
    # twice as much. So every attribute a task stores is also a class attribute (the lookup
    # stops at it), and the class dict is kept from being full or nearly so.
    #
    # Discussion: each attribute a task stores there takes room in its own dict, which grows
    # two entries at a time. A task stores ``_value`` only once it is not None (see new_task):
    # a task parked on its first step keeps six, one pair fewer. The rest are read at every
    # switch, and reading one from the class instead costs several times a read from the task's
    # own dict, so they are stored from the start.
    for _attribute in Task.__slots__:
        setattr(Task, _attribute, None)
    make_room(Task)


class JoinOp(Op):
    """``task.join_op()``: ready when the task has finished; the select's value is the task."""

    __slots__ = ("task",)

    def __init__(self, task: "Task[Any]") -> None:
        self.task = task

    def ready(self) -> bool:
        return bool(self.task._flags & ENDED)

    def commit(self) -> "Task[Any]":
        self.task._flags |= OBSERVED
        return self.task

    def enroll(self, task: "Task[Any]", group: "Any") -> Waiter:
        if task is self.task:
            raise _waits_for_itself(task)
        return self.task._joiners_queue().push(task, _JOIN, group)  # a join: see wake_joiners

    def describe(self) -> str:
        return "%s to finish" % self.task.describe()


# -- what spawn() runs ---------------------------------------------------------------------------


def _generator_function() -> "Any":
    yield


def new_task(kernel: "Any", gen: "Any", name: "Any", flags: int, value: "Any" = None) -> "Task[Any]":
    """A new task: ``Task()`` makes it empty, and this fills its slots.

    Discussion: Task has no ``__init__``. CPython (before 3.13) runs a class's Python
    ``__init__`` from C, in a fresh run of its interpreter loop: that alone cost a tenth of
    the life of a task that returns at once. ``Task()`` with no ``__init__`` runs no Python
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


def name_of(fn: "Any", gen: "Any") -> str:
    for obj in (fn, getattr(fn, "func", None), gen):
        name = getattr(obj, "__name__", None)
        if isinstance(name, str):
            return name
    return "task"


def wake_joiners(task: "Task[Any]", joiners: "Any") -> bool:
    """Hand the end of ``task`` to everyone waiting for it; True if one of them receives
    its failure, i.e. will re-raise it or is handed the task to deal with.

    Discussion: the rule is "a failure is reported when it happens, unless at that moment
    someone waits to receive it". A Waiter whose value is ``"join"`` receives: a plain one
    (``join()``) always, one in a group (a ``select``'s ``join_op``, ``joinall`` with
    ``raise_error``, ``link_exception``) when the group's ``fire`` takes it (returns True).
    ``wait()``, ``kill()``, a pool and ``joinall`` without ``raise_error`` only wait for
    the end. A wait that gave up earlier (timeout, cancel) has left the queue: it does
    not count.
    """
    reply = task._join_reply()
    received = False
    node = joiners.pop()
    while node is not None:
        group = node.group
        if group is None:
            if node.value == _JOIN:
                received = True
                reschedule(node.task, reply)
            else:
                reschedule(node.task, None)
        elif group.fire(node, task) and node.value == _JOIN:
            received = True
        node = joiners.pop()
    return received

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
    from typing import Any, List, Optional, Tuple
except ImportError:
    pass

from ._typing import TYPE_CHECKING, Generic, T

if TYPE_CHECKING:
    from typing import Generator

from .errors import TaskCancelled, TimeoutError
from .select import Op
from .traps import DONE, Failure, completed, park, parking_task
from .waitqueue import SLOTS, WaitQueue, make_room

READY = "READY"
RUNNING = "RUNNING"
WAITING = "WAITING"
FINISHED = "FINISHED"

from .flags import CANCEL_REQUESTED, CANCELLED, DAEMON, ENDED, FAILED, ID_SHIFT, NAMED, OBSERVED

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

    # ``kernel`` and ``wait_object`` are published (lowlevel.py); where slots exist they are the
    # slots themselves, under a public name (see the end of this module).
    @property
    def kernel(self) -> "Any":
        """The Kernel it belongs to."""
        return self._kernel

    @property
    def wait_object(self) -> "Any":
        """The wait object it is registered on (a Waiter, a WaitQueue, an Unwaited...), or None."""
        return self._wait

    @wait_object.setter
    def wait_object(self, marker: "Any") -> None:
        self._wait = marker

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

    def join_op(self) -> "Op":
        """A ``select`` op that completes when the task finishes; its value is the task."""
        from .waiting import JoinOp

        return JoinOp(self)

    def where(self) -> "List[Tuple[str, int, str]]":
        """Its stack now, outermost first, as ``(filename, lineno, function)`` tuples.

        Follows ``gi_yieldfrom`` down the chain of generators; empty on interpreters whose
        generators carry no frames (MicroPython), and for a finished task. A task that has not
        started yet (see ``NotStarted``) is where its function begins.
        """
        stack = []
        gen = self._gen if not self._flags & ENDED else None
        if gen is not None and gen is self._kernel._not_started:  # it has not started: where its function begins
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


if SLOTS:
    # Discussion: a primitive's fast path reads a task's kernel and wait object (a free Lock's
    # acquire and release: benchmarks/locks.py). A property costs a Python call per read; the
    # slot's own descriptor, published under a second name, costs what reading the slot does
    # and takes no room in the task. (Where slots are ignored, the properties above serve.)
    setattr(Task, "kernel", Task.__dict__["_kernel"])
    setattr(Task, "wait_object", Task.__dict__["_wait"])
else:
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


def name_of(fn: "Any", gen: "Any") -> str:
    for obj in (fn, getattr(fn, "func", None), gen):
        name = getattr(obj, "__name__", None)
        if isinstance(name, str):
            return name
    return "task"

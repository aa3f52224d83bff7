# genlet/kernel/task.py
"""Task: a generator plus the little the kernel must know about it.

The kernel's whole view of a task is a handful of slots, each declared once below with what it
may hold. Everything else is computed when asked (``describing.py``: its name, state, where it
is), so that a switch writes nothing it does not need and a parked task stays small: every
slot is paid for by every task, in its making and in each pass of CPython's cycle collector
over it. Waiting for a task's end is in ``join.py``.

A task is also the outermost cancel scope of its own code: ``task.cancel()`` cancels it, and
the ``Cancelled`` that ends a cancelled task carries the task as its scope.
"""

try:
    from typing import Any, List, Optional
except ImportError:
    pass

from ._typing import TYPE_CHECKING, Generic, T
from .cancel import refresh_cancel
from .flags import CANCEL_REQUESTED, CANCELLED, ENDED, FAILED, OBSERVED
from .join import Joinable
from .waitqueue import SLOTS, WaitQueue, make_room  # noqa: F401  (WaitQueue: in a `# type:` comment)

if TYPE_CHECKING:
    from typing import Generator


class Task(Joinable, Generic[T]):
    """A running generator. Create tasks with ``genlet.spawn``, not directly."""

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

        # Discussion: ``join`` is Joinable's (join.py), a base class that cannot be generic
        # here: MicroPython cannot subscript a class, so ``Task(Joinable[T])`` would not
        # import there. Its type for a ``Task[T]`` is declared here, for the type checker
        # only: ``yield from task.join()`` gives back what the task returns.
        def join(self, timeout: "Optional[float]" = None) -> "Generator[Any, Any, T]": ...

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

    # -- stopping it -----------------------------------------------------------------------
    def cancel(self) -> None:
        """Ask it to stop: ``Cancelled`` is raised at its current or next checkpoint.

        A plain call. Level-triggered: every later blocking call in the task raises
        ``Cancelled`` too (cleanup that must block uses ``CancelScope(shield=True)``).
        Does nothing to a finished task.
        """
        if not self._flags & (ENDED | CANCEL_REQUESTED):
            self._flags |= CANCEL_REQUESTED
            refresh_cancel(self)

    def kill(self) -> "Generator[Any, Any, None]":
        """``yield from task.kill()``: cancel it and wait until it has finished."""
        self.cancel()
        return self.wait()


if SLOTS:
    # Discussion: a primitive's fast path reads a task's kernel and wait object (a free Lock's
    # acquire and release: benchmarks/locks.py). A property costs a Python call per read; the
    # slot's own descriptor, published under a second name, costs what reading the slot does
    # and takes no room in the task. (Where slots are ignored, the properties above serve.)
    setattr(Task, "kernel", Task.__dict__["_kernel"])
    setattr(Task, "wait_object", Task.__dict__["_wait"])
else:
    # Discussion: where __slots__ is ignored (MicroPython), a task stores its attributes in its
    # own dict, which grows two entries at a time, and every store first looks the name up in
    # the class (a property could take it). So every slot is also a class attribute (None):
    # the lookup stops at it, and a task stores only what it has changed (``_value`` only once
    # it is not None: see new_task). ``make_room`` keeps the class dict from being full, where
    # each such lookup would scan all of it (a switch cost twice as much).
    for _attribute in Task.__slots__:
        setattr(Task, _attribute, None)
    make_room(Task)

# genlet/kernel/cancel.py
"""Cancel scopes: timeouts and cancellation as plain ``with`` blocks (trio's design).

::

    with genlet.move_on_after(5) as scope:      # leave the block quietly after 5 s
        yield from sock.recv(100)
    if scope.cancelled_caught: ...

    with genlet.fail_after(5):                  # raise TimeoutError after 5 s
        yield from sock.recv(100)

    with genlet.CancelScope(shield=True):       # hold off cancellation for cleanup
        yield from conn.send_goodbye()

Entering and leaving a scope needs no ``yield``: a scope only marks a region of the task's
code. The rules:

1. **Level-triggered.** Once a scope is cancelled (``scope.cancel()``, or its deadline passed),
   every checkpoint inside it raises ``Cancelled``, not just the first: cleanup code that must
   block goes in a shielded scope.
2. **Caught by its own scope only.** The ``Cancelled`` carries the scope it is for: the
   outermost cancelled scope the task can see. Only that scope's ``with`` catches it, so an
   inner ``move_on_after`` never swallows an outer deadline.
3. **Shields.** A scope with ``shield=True`` hides every cancellation from outside it (outer
   scopes, ``task.cancel()``) until it ends; its own deadline still applies.
4. **The task is the outermost scope.** ``task.cancel()`` cancels it; a ``Cancelled`` for the
   task ends the task, cancelled.

The kernel keeps ``task._cancel`` (which scope, if any, is cancelling the task now) up to date
whenever a scope is entered, left or cancelled, so checking it at a checkpoint costs one
attribute read.
"""

try:
    from typing import Any, List, Optional
except ImportError:
    pass

from ._typing import TYPE_CHECKING
from .errors import Cancelled, TimeoutError
from .flags import CANCEL_REQUESTED
from .running import current_kernel, current_task, running_kernel
from .traps import INFINITY

if TYPE_CHECKING:
    from .task import Task


class CancelScope:
    """A region of a task's code that can be cancelled as a whole, by hand or by a deadline.

    ``deadline`` is absolute, on the kernel's clock (``genlet.clock()``); None means none.
    """

    __slots__ = ("_deadline", "_shield", "cancel_called", "cancelled_caught", "_task", "_timer", "_label", "_state", "_arg")

    def __init__(self, deadline: "Optional[float]" = None, shield: bool = False, label: str = "") -> None:
        if deadline is not None and deadline != deadline:
            raise ValueError("a cancel scope's deadline cannot be NaN")
        self._deadline = deadline
        self._shield = shield
        self.cancel_called = False
        self.cancelled_caught = False
        self._task = None  # type: Optional[Task[Any]]
        self._timer = None  # type: Any
        self._label = label
        self._arg = None  # type: Any  # with _label, how describe() names it: fail_after(5)
        self._state = 0  # 0: not entered yet, 1: active, 2: exited

    def __enter__(self) -> "CancelScope":
        if self._state:
            raise RuntimeError("a cancel scope can be entered only once; make a new one")
        task = current_task()
        self._task = task
        self._state = 1
        if task._scopes is None:
            task._scopes = [self]
        else:
            task._scopes.append(self)
        if self._deadline is not None and not self.cancel_called:
            self._arm()
        if self.cancel_called or self._shield:
            refresh_cancel(task)
        return self

    def __exit__(self, exc_type: "Any", exc: "Any", tb: "Any") -> bool:
        task = self._task
        scopes = task._scopes  # type: ignore[union-attr]
        if not scopes or scopes[-1] is not self:
            raise RuntimeError(
                "cancel scopes must be left in the reverse order they were entered (a `with` "
                "block that spans a `yield` in another generator?): %r" % (self,)
            )
        scopes.pop()
        self._state = 2
        task._kernel._timers.discard(self)  # type: ignore[union-attr]
        if task._cancel is not None or self._shield:  # type: ignore[union-attr]
            refresh_cancel(task)  # type: ignore[arg-type]
        if exc is not None and exc.__class__ is Cancelled and exc.scope is self:
            self.cancelled_caught = True
            return True
        return False

    def cancel(self) -> None:
        """Cancel the scope: its code gets ``Cancelled`` at its current or next checkpoint."""
        if self.cancel_called:
            return
        self.cancel_called = True
        task = self._task
        if self._timer is not None:
            task._kernel._timers.discard(self)  # type: ignore[union-attr]
        if self._state == 1:
            refresh_cancel(task)  # type: ignore[arg-type]

    def _arm(self) -> None:
        kernel = self._task._kernel  # type: ignore[union-attr]
        if self._deadline <= kernel.clock.now():
            self.cancel_called = True  # already past: cancelled at the first checkpoint
        elif self._deadline < INFINITY:  # type: ignore[operator]
            self._timer = kernel._timers.add(self._deadline, self)

    @property
    def deadline(self) -> "Optional[float]":
        return self._deadline

    @deadline.setter
    def deadline(self, deadline: "Optional[float]") -> None:
        if deadline is not None and deadline != deadline:
            raise ValueError("a cancel scope's deadline cannot be NaN")
        if self._timer is not None:
            self._task._kernel._timers.discard(self)  # type: ignore[union-attr]
        self._deadline = deadline
        if self._state == 1 and deadline is not None and not self.cancel_called:
            self._arm()
            if self.cancel_called:
                refresh_cancel(self._task)

    @property
    def shield(self) -> bool:
        return self._shield

    @shield.setter
    def shield(self, shield: bool) -> None:
        self._shield = bool(shield)
        if self._state == 1:
            refresh_cancel(self._task)  # type: ignore[arg-type]

    def describe(self) -> str:
        if self._arg is not None:  # formatted only when asked: most scopes are never described
            return "%s(%r)" % (self._label, self._arg)
        return self._label or ("CancelScope(shield=True)" if self._shield else "CancelScope()")

    def __repr__(self) -> str:
        state = " cancelled" if self.cancel_called else ""
        return "<%s%s>" % (self.describe(), state)


class _FailScope(CancelScope):
    """The scope of ``fail_after`` / ``fail_at``: a caught cancellation becomes TimeoutError."""

    __slots__ = ()

    def __exit__(self, exc_type: "Any", exc: "Any", tb: "Any") -> bool:
        caught = CancelScope.__exit__(self, exc_type, exc, tb)
        if caught:
            raise TimeoutError("%s expired before the block finished" % self.describe())
        return caught


def visible_scopes(task: "Task[Any]") -> "List[CancelScope]":
    """The cancel scopes ``task`` can see, outermost first: all of them, or from the innermost
    shield in (a shield hides every scope outside it)."""
    scopes = task._scopes  # type: Optional[List[CancelScope]]
    if not scopes:
        return []
    index = len(scopes) - 1
    while index > 0 and not scopes[index]._shield:
        index -= 1
    return scopes[index:]


def cancel_target(task: "Task[Any]") -> "Any":
    """Which scope cancels ``task`` now: the outermost cancelled one it can see, or None.

    The task itself (``task.cancel()``) is the outermost scope of all, unless a shield hides it.
    """
    visible = visible_scopes(task)
    if task._flags & CANCEL_REQUESTED and not (visible and visible[0]._shield):
        return task
    for scope in visible:
        if scope.cancel_called:
            return scope
    return None


CANCEL = object()  # the reply to ``Kernel._interrupt`` that stands for the task's Cancelled


def refresh_cancel(task: "Task[Any]") -> None:
    """Recompute which scope cancels ``task``; interrupt its wait if it just became one.

    Called whenever a scope of ``task`` is entered, left or cancelled, and by ``task.cancel()``.
    """
    target = cancel_target(task)
    task._cancel = target
    if target is not None and task._wait is not None and task is not task._kernel.current:
        task._kernel._interrupt(task, CANCEL)


def cancelled_error(task: "Task[Any]") -> Cancelled:
    """The Cancelled the kernel delivers to ``task`` now (counted at shutdown: ``ending.py``)."""
    scope = task._cancel
    swallowed = task._kernel._swallowed
    if swallowed is not None:
        swallowed[task] = swallowed.get(task, 0) + 1
    if scope is task:
        return Cancelled(task, "task %r was cancelled" % task.name)
    return Cancelled(scope, "cancelled by %s" % scope.describe())


def move_on_at(deadline: float, shield: bool = False) -> CancelScope:
    """``with move_on_at(deadline):`` leave the block quietly at ``deadline`` (kernel clock)."""
    scope = CancelScope(deadline, shield, "move_on_at")
    scope._arg = deadline
    return scope


def move_on_after(seconds: float, shield: bool = False) -> CancelScope:
    """``with move_on_after(seconds) as scope:`` leave the block quietly after ``seconds``.

    ``scope.cancelled_caught`` says whether it timed out.
    """
    kernel = running_kernel() or current_kernel()
    scope = CancelScope(kernel.clock.now() + seconds, shield, "move_on_after")
    scope._arg = seconds
    return scope


def fail_at(deadline: float, shield: bool = False) -> CancelScope:
    """``with fail_at(deadline):`` raise ``TimeoutError`` at the block's edge at ``deadline``."""
    scope = _FailScope(deadline, shield, "fail_at")
    scope._arg = deadline
    return scope


def fail_after(seconds: float, shield: bool = False) -> CancelScope:
    """``with fail_after(seconds):`` raise ``TimeoutError`` at the block's edge after ``seconds``."""
    kernel = running_kernel() or current_kernel()
    scope = _FailScope(kernel.clock.now() + seconds, shield, "fail_after")
    scope._arg = seconds
    return scope

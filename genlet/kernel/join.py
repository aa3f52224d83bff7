# genlet/kernel/join.py
"""Waiting for a task's end: ``join``, ``wait``, ``link``, ``join_op``.

The tasks (and groups: ``lowlevel.watch_end``) waiting for a task's end stand in its
``_joiners``, a ``WaitQueue`` made when the first one comes; ``waiting.wake_joiners`` hands
them the end when the kernel records it (``Kernel._finish``). ``Joinable`` is a base class of
``Task``; ``joinall``, ``iwait`` and the callbacks of ``link`` are in ``waiting.py``.
"""

try:
    from typing import Any, Generator, Optional
except ImportError:
    pass

from ._typing import TYPE_CHECKING
from .describing import Described
from .errors import TaskCancelled, TimeoutError
from .flags import CANCELLED, ENDED, FAILED, OBSERVED
from .traps import DONE, Failure, completed, park, parking_task
from .waitqueue import WaitQueue

if TYPE_CHECKING:
    from .select import Op

_JOIN = "join"  # Waiter.value of a join (gets the outcome); None means wait (gets None)


class Joinable(Described):
    """Waiting for a task's end (a base class of ``Task``)."""

    __slots__ = ()

    if TYPE_CHECKING:  # a Task's slots (task.py)
        _value = None  # type: Any
        _joiners = None  # type: Optional[WaitQueue]

    def join(self, timeout: "Optional[float]" = None) -> "Generator[Any, Any, Any]":
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
                self._flags = flags | OBSERVED  # type: ignore[misc]  # (a slot of Task)
                raise self._join_reply().error
            value = self._value
            return DONE if value is None else completed(value)  # no generator for None
        return self._park_joiner(_JOIN, timeout)  # type: ignore[no-any-return]

    def wait(self) -> "Generator[Any, Any, None]":
        """``yield from task.wait()``: wait until it finishes; never raises its error."""
        if self._flags & ENDED:
            self._flags |= OBSERVED  # type: ignore[misc]  # (a slot of Task)
            return DONE  # type: ignore[no-any-return]
        return self._park_joiner(None)  # type: ignore[no-any-return]

    def _join_reply(self) -> "Any":
        """What a joiner gets: the value, or a Failure to raise."""
        flags = self._flags
        if flags & CANCELLED:
            return Failure(TaskCancelled(self))
        if flags & FAILED:
            return Failure(self._value)
        return self._value

    def _joiners_queue(self) -> WaitQueue:
        queue = self._joiners
        if queue is None:
            queue = self._joiners = WaitQueue(self, "to finish")  # type: ignore[misc]  # (a slot of Task)
        return queue

    def _park_joiner(self, kind: "Any", timeout: "Optional[float]" = None) -> "Any":
        task = parking_task()
        if task is self:
            raise waits_for_itself(task)
        if timeout is None:
            return park(task, self._joiners_queue().push(task, kind))
        if timeout != timeout:
            raise ValueError("task.join(): the timeout is NaN; give seconds, or None to wait forever")
        expired = Failure(TimeoutError(
            "task.join() timed out after %r seconds: %s is still running" % (timeout, self.describe())
        ))  # fmt: skip
        return park(task, self._joiners_queue().push(task, kind), task._kernel.clock.now() + timeout, expired)

    def link(self, callback: "Any") -> None:
        """Call ``callback(task)`` when it finishes, however it ends (at once if it has).

        Called inline where the kernel records the end, outside any task (see
        ``waiting.call_back``); what it raises is reported. It receives no failure.
        """
        from .waiting import link

        link(self, callback, False)  # type: ignore[arg-type]  # (self is a Task)

    def link_exception(self, callback: "Any") -> None:
        """Call ``callback(task)`` if it fails (not if it returns or is cancelled).

        A callback that is called receives the failure: it is not reported as one nobody was
        waiting for (unless the callback raises).
        """
        from .waiting import link

        link(self, callback, True)  # type: ignore[arg-type]

    def unlink(self, callback: "Any") -> None:
        """Take back every ``link`` / ``link_exception`` of ``callback`` not called yet."""
        from .waiting import unlink

        unlink(self, callback)  # type: ignore[arg-type]

    def join_op(self) -> "Op":
        """A ``select`` op that completes when the task finishes; its value is the task."""
        from .waiting import JoinOp

        return JoinOp(self)  # type: ignore[arg-type]


def waits_for_itself(task: "Any") -> RuntimeError:
    return RuntimeError("task %r cannot wait for itself to finish (it would wait forever)" % task.name)

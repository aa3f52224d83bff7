# genlet/sync/events.py
"""Event and AsyncResult: wait until something has happened (once, or with a value).

::

    ready = genlet.Event()
    ...
    yield from ready.wait()              # in any number of tasks
    ...
    ready.set()                          # wakes them all; later waits return at once

    result = genlet.AsyncResult()        # gevent's: a value (or an error) delivered once
    ...
    value = yield from result.get(timeout=5)   # raises genlet.TimeoutError if nothing came
    ...
    result.set(42)                       # or result.set_exception(ValueError("no"))

Both are a flag plus one ``WaitQueue``. Setting wakes every waiter with ``reschedule`` (the
hand-off: a waiter cancelled after that still returns normally, and is cancelled at its next
checkpoint). ``ev.wait_op()`` makes an Event usable in ``select``; a waiter that belongs to a
``select`` is woken through its group, and skipped if that select already completed.
"""

try:
    from typing import Any, Generator, Optional
except ImportError:
    pass

from ..kernel.errors import WouldBlock
from ..kernel.lowlevel import Failure, Op, Waiter, WaitQueue, completed, parking_task
from ._base import naming, park_in_line, wake_all


class Event:
    """A flag that tasks can wait for: ``set()``, ``clear()``, ``is_set()``, ``wait()``."""

    __slots__ = ("_flag", "_waiters", "name", "_label")

    _kind = "Event"

    def __init__(self, name: "Optional[str]" = None) -> None:
        self._flag = False
        self._waiters = WaitQueue(self, "to be set")
        self.name, self._label = naming("Event", name)

    def is_set(self) -> bool:
        return self._flag

    def set(self) -> None:
        """Set the flag and wake every waiting task (a plain call)."""
        wake_all(self._waiters, True)
        self._flag = True

    def clear(self) -> None:
        """Unset the flag: later waits wait again."""
        self._flag = False

    def wait(self, timeout: "Optional[float]" = None) -> "Generator[Any, Any, bool]":
        """``yield from ev.wait(timeout=None)``: True once set; False if ``timeout`` ran out."""
        if self._flag:
            return completed(True)
        return park_in_line(parking_task(), self._waiters, None, timeout, "wait")

    def wait_op(self) -> "EventWaitOp":
        """A ``select`` op, ready when the event is set; its value is True."""
        return EventWaitOp(self)

    def describe(self) -> str:
        return self._label

    def __repr__(self) -> str:
        return "<%s %s, %d waiting>" % (self._label, "set" if self._flag else "unset", len(self._waiters))


class EventWaitOp(Op):
    """``ev.wait_op()``: the ``select`` side of ``ev.wait()``."""

    __slots__ = ("event",)

    def __init__(self, event: Event) -> None:
        self.event = event

    def ready(self) -> bool:
        return self.event._flag

    def commit(self) -> bool:
        return True

    def enroll(self, task: "Any", group: "Any") -> Waiter:
        return self.event._waiters.push(task, None, group)

    def describe(self) -> str:
        return self.event._waiters.describe()


_PENDING, _VALUE, _ERROR = 0, 1, 2


class AsyncResult:
    """gevent's AsyncResult: a value or an exception, set once, waited for by any task."""

    __slots__ = ("_state", "_outcome", "_waiters", "name", "_label")

    _kind = "AsyncResult"

    def __init__(self, name: "Optional[str]" = None) -> None:
        self._state = _PENDING
        self._outcome = None  # type: Any  # the value, or the exception
        self._waiters = WaitQueue(self, "get")
        self.name, self._label = naming("AsyncResult", name)

    def set(self, value: "Any" = None) -> None:
        """Store ``value`` and wake every task waiting in ``get()``."""
        wake_all(self._waiters, value)
        self._state = _VALUE
        self._outcome = value

    def set_exception(self, exception: BaseException) -> None:
        """Store ``exception``: every ``get()``, now and later, raises it."""
        if not isinstance(exception, BaseException):
            raise TypeError(
                "set_exception() needs an exception instance, e.g. ValueError('bad'), got %r" % (exception,)
            )
        failure = Failure(exception)
        wake_all(self._waiters, failure)
        self._state = _ERROR
        self._outcome = exception

    def ready(self) -> bool:
        """Has a value or an exception been set?"""
        return self._state != _PENDING

    def successful(self) -> bool:
        """Set with a value (not an exception)."""
        return self._state == _VALUE

    @property
    def value(self) -> "Any":
        """The value, or None if not set yet or set with an exception."""
        return self._outcome if self._state == _VALUE else None

    @property
    def exception(self) -> "Optional[BaseException]":
        """The exception, or None."""
        return self._outcome if self._state == _ERROR else None

    def get(self, timeout: "Optional[float]" = None) -> "Generator[Any, Any, Any]":
        """``yield from r.get(timeout=None)``: the value (or its exception raised).

        Raises ``genlet.TimeoutError`` if nothing was set within ``timeout`` seconds.
        """
        state = self._state
        if state == _VALUE:
            return completed(self._outcome)
        if state == _ERROR:
            raise self._outcome
        return park_in_line(parking_task(), self._waiters, None, timeout, "get", "")

    def get_nowait(self) -> "Any":
        """The value at once; ``genlet.WouldBlock`` if nothing has been set yet."""
        if self._state == _PENDING:
            raise WouldBlock("%s has no value yet" % self._label)
        if self._state == _ERROR:
            raise self._outcome
        return self._outcome

    def describe(self) -> str:
        return self._label

    def __repr__(self) -> str:
        state = ("pending", "value=%r" % (self._outcome,), "exception=%r" % (self._outcome,))[self._state]
        return "<%s %s>" % (self._label, state)

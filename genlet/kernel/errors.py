# genlet/kernel/errors.py
"""The exceptions genlet raises, with portable fallbacks.

Every name here exists on every interpreter genlet runs on. Where the interpreter has a builtin
of the same meaning (``TimeoutError`` on CPython and PyPy), genlet uses the builtin itself, so
``except TimeoutError`` works whichever name the user imported; elsewhere (MicroPython) genlet
defines a stand-in subclass of ``OSError``.
"""

try:
    from typing import Any, Optional
except ImportError:
    pass

from ._typing import TYPE_CHECKING


def builtin(name: str) -> "Any":
    """The builtin called `name`, or None where the interpreter lacks it."""
    import builtins

    return getattr(builtins, name, None)


class Cancelled(BaseException):
    """Raised inside a task at a checkpoint when its cancel scope (or the task) is cancelled.

    A ``BaseException``, so ``except Exception`` blocks never swallow it. It carries the scope
    that cancelled it, and only that scope's ``with`` block catches it (an inner scope never
    swallows an outer deadline). Catch it only to clean up, then re-raise.
    """

    def __init__(self, scope: "Any" = None, message: str = "") -> None:
        super().__init__(message or "cancelled by %r" % (scope,))
        self.scope = scope


class TaskCancelled(Exception):
    """Raised by ``yield from task.join()`` when the joined task was cancelled.

    An ordinary ``Exception``: the joiner itself was not cancelled, so it must not see a
    ``Cancelled`` that its own scopes would mistake for theirs.
    """

    def __init__(self, task: "Any" = None) -> None:
        super().__init__("task %r was cancelled" % (task,))
        self.task = task


class Deadlock(Exception):
    """Nothing can ever wake the blocked tasks; the message is a dump of who waits on what.

    The message does not begin with "Deadlock": a traceback names the class before it.

    ``summary`` is the same dump without file locations: the same text on every interpreter
    (MicroPython cannot tell where a generator is suspended), for logs and tests to compare.
    """

    def __init__(self, message: str = "", summary: "Optional[str]" = None) -> None:
        super().__init__(message)
        self.summary = message if summary is None else summary


class WouldBlock(Exception):
    """Raised by the ``*_nowait`` operations when the operation would have to wait."""


class ChannelClosed(Exception):
    """Sending on a closed channel, receiving from a closed and drained one, closing twice."""


_ExceptionGroup = builtin("ExceptionGroup")

if _ExceptionGroup is not None and not TYPE_CHECKING:
    # Python 3.11+: a real ExceptionGroup, so `except*` and traceback printing work.

    class TaskGroupError(_ExceptionGroup):
        """Several children of a task group failed; ``.exceptions`` holds every error."""

        def __new__(cls, message, exceptions):
            return super().__new__(cls, message, list(exceptions))

        def __init__(self, message, exceptions):
            super().__init__(message, list(exceptions))

        def derive(self, excs):
            return TaskGroupError(self.message, excs)

else:

    class TaskGroupError(Exception):
        """Several children of a task group failed; ``.exceptions`` holds every error."""

        def __init__(self, message: str, exceptions: "Any") -> None:
            super().__init__(message)
            self.message = message
            self.exceptions = tuple(exceptions)


_TimeoutError = builtin("TimeoutError")
if _TimeoutError is None:

    class TimeoutError(OSError):  # noqa: A001
        """An operation did not finish in time (stand-in for the builtin, same meaning)."""

else:
    TimeoutError = _TimeoutError  # type: ignore[misc]  # noqa: A001


def stray_cancelled(task: "Any", cancelled: Cancelled) -> RuntimeError:
    """Discussion: a ``Cancelled`` ends a task only when it is for the task itself; one for a
    scope is caught by that scope's ``with``. So a task that ends with another scope's
    Cancelled caught it and raised it again outside its block. Passed on as it is, it would
    kill every joiner (a BaseException no ``except Exception`` stops), though none of them
    was cancelled; so the task fails with an error that says what went wrong instead."""
    error = RuntimeError(
        "task %r ended with a Cancelled for %s, outside that scope's `with` block: catch "
        "Cancelled only to clean up, and re-raise it inside the block it belongs to"
        % (task.name, cancelled.scope.describe() if hasattr(cancelled.scope, "describe") else repr(cancelled.scope))
    )
    try:
        error.__cause__ = cancelled  # where the interpreter keeps causes: its traceback too
    except AttributeError:
        pass
    return error


def unwaited_error(task: "Any", wait: "Any", woke_itself: bool = False) -> TypeError:
    """``task`` registered ``wait`` in a blocking call it never waited on: say how to fix it.

    ``woke_itself``: the task was about to complete that wait itself (see ``reschedule``).
    """
    what = wait.describe()
    fix = getattr(wait, "fix", None)  # an Unwaited knows its call's fix
    if fix is not None:
        text = "task %r called %s without waiting for it: write `%s`" % (task.name, what, fix)
    else:
        text = (
            "task %r called a blocking operation (%s) without waiting for it: write `yield "
            "from` before the call, e.g. `value = yield from channel.recv()`" % (task.name, what)
        )
    if woke_itself:
        text += "; this call would have completed that wait for the task itself, and did nothing"
    return TypeError(text)


def plural(count: "Any", noun: str) -> str:
    """``plural(1, "second")`` is ``'1 second'``, ``plural(2.5, "second")`` ``'2.5 seconds'``."""
    return "%r %s" % (count, noun if count == 1 else noun + "s")


def describe(value: "Optional[object]", limit: int = 60) -> str:
    """A short repr for error messages: never huge, never raising."""
    try:
        text = repr(value)
    except Exception:
        text = "<%s object>" % type(value).__name__
    if len(text) > limit:
        text = text[: limit - 3] + "..."
    return text


def bad_yield_message(task: "Any", value: "Any") -> str:
    """The TypeError text for a task that yielded something that is not a trap."""
    from .traps import DONE, TRAP, YIELD_ONCE

    head = "task %r yielded %s" % (task.name, describe(value))
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

# genlet/sync/group.py
"""task_group: structured concurrency; children never outlive the code that started them.

::

    def body(group, urls):
        for url in urls:
            group.spawn(fetch, url)
        return "started %d" % len(urls)

    result = yield from genlet.task_group(body, urls)   # returns once every fetch has ended

Trio's nursery, with a generator for a body. The body runs in the calling task, inside a
cancel scope of its own; ``group.spawn`` starts children. ``task_group`` returns what the body
returned, after every child has finished (None if the group was cancelled). The rules:

1. **A failure cancels the rest.** When a child fails (or the body raises), the body's scope
   and every other child are cancelled. Once all have finished, the error is raised as itself;
   several errors are raised together as ``genlet.TaskGroupError`` (an ``ExceptionGroup`` where
   the interpreter has one), all of them in ``.exceptions``. A child that was cancelled is not
   an error.
2. **Children never outlive the group.** Even when the calling task itself is cancelled while
   it waits for them: the children are cancelled, and waited for under a shield; then the
   ``Cancelled`` goes on. (Only ``gen.close()`` of the caller, which cannot wait, leaves them
   cancelled but still finishing.)

The group learns that a child ended the way ``joinall`` does: it sits on the child's joiners
as the group of a Waiter, and the kernel calls ``group.fire(node, child)``.
"""

try:
    from typing import Any, Callable, Dict, Generator, List, Optional
except ImportError:
    pass

from ..kernel.cancel import CancelScope
from ..kernel.errors import Cancelled, TaskGroupError
from ..kernel.lowlevel import Group, current_task, park, reschedule, watch_end


class TaskGroup(Group):
    """What the body of ``task_group`` gets: ``group.spawn(fn, *args)`` starts a child."""

    __slots__ = ("_parent", "_scope", "_children", "_errors", "_parked", "_closed", "_cancelling")

    def __init__(self, parent: "Any", scope: CancelScope) -> None:
        self._parent = parent  # the task that runs the body and waits for the children
        self._scope = scope  # the body's cancel scope
        self._children = {}  # type: Dict[Any, None]  # the children still running
        self._errors = []  # type: List[BaseException]
        self._parked = False  # is the parent waiting for the children?
        self._closed = False
        self._cancelling = False

    def spawn(self, fn: "Any", *args: "Any", name: "Optional[str]" = None) -> "Any":
        """Start ``fn(*args)`` as a child of the group; returns its Task (a plain call)."""
        if self._closed:
            raise RuntimeError(
                "this task group has finished, so it cannot start %r: spawn children only while "
                "the group's body or its other children are still running" % (fn,)
            )
        child = self._parent.kernel.spawn(fn, *args, name=name)
        self._children[child] = None
        watch_end(child, self, receive=True)  # the kernel calls self.fire at its end
        if self._cancelling:
            child.cancel()  # a group that is cancelling cancels late children too
        return child

    def cancel(self) -> None:
        """Cancel the body and every child (what a failure does); the group then returns None."""
        if self._cancelling:
            return
        self._cancelling = True
        self._scope.cancel()
        for child in list(self._children):
            child.cancel()

    @property
    def children(self) -> "List[Any]":
        """The children still running."""
        return list(self._children)

    def fire(self, node: "Any", child: "Any") -> bool:
        """Called by the kernel when a child has finished. True: the group receives its
        failure (``watch_end(..., receive=True)``) and raises it; the kernel does not report it."""
        del self._children[child]
        error = child.exception
        if error is not None and not child.cancelled():
            self._errors.append(error)
            self.cancel()
        if self._parked and not self._children:
            self._parked = False
            reschedule(self._parent, None)
        return True

    # -- the parent's wait for the children ---------------------------------------------------
    def abort(self, task: "Any") -> bool:
        self._parked = False
        return True

    def describe(self) -> str:
        return "task group (%d children still running)" % len(self._children)

    def _wait_children(self) -> "Generator[Any, Any, Optional[Cancelled]]":
        """Wait until every child has finished; returns a Cancelled that came meanwhile."""
        parent = self._parent
        try:
            while self._children:
                self._parked = True
                yield from park(parent, self)
        except Cancelled as cancelled:
            # The parent was cancelled from outside: cancel the children, and wait for them
            # anyway, shielded (rule 2).
            self.cancel()
            with CancelScope(shield=True):
                while self._children:
                    self._parked = True
                    yield from park(parent, self)
            return cancelled
        return None


def task_group(body: "Callable[..., Any]", *args: "Any") -> "Generator[Any, Any, Any]":
    """``result = yield from task_group(body, *args)``: run ``body(group, *args)`` and its children.

    Returns the body's value once every child has finished. See the module docstring for
    what happens on failure and cancellation.
    """
    parent = current_task()
    scope = CancelScope(label="task group")
    group = TaskGroup(parent, scope)
    gen = body(group, *args)
    if not (hasattr(gen, "send") and hasattr(gen, "throw")):
        group.cancel()  # a plain function may have spawned children already: none outlives us
        yield from group._wait_children()
        group._closed = True
        raise TypeError(
            "task_group(body): body(group, ...) returned %r, not a generator. Write the body as a "
            "generator function that takes the group first: def body(group): group.spawn(...); yield" % (gen,)
        )
    value = None
    outer = None  # type: Optional[BaseException]  # a cancellation from outside the group
    try:
        with scope:
            value = yield from gen
    except GeneratorExit:
        group.cancel()  # the task is being closed and cannot wait: cancel what we can
        raise
    except Cancelled as cancelled:
        outer = cancelled  # our own scope's Cancelled is caught by its `with`: this is outside's
        group.cancel()
    except BaseException as error:
        group._errors.insert(0, error)
        group.cancel()
    late = yield from group._wait_children()
    group._closed = True
    if outer is None:
        outer = late
    errors = group._errors
    if errors:
        if len(errors) == 1:
            raise errors[0]
        for each in errors:
            if not isinstance(each, Exception):  # an ExceptionGroup holds Exceptions only
                raise each
        raise TaskGroupError("%d tasks in a task group failed" % len(errors), errors)
    if outer is not None:
        raise outer
    # Discussion: a cancelled group returns None, whatever the body returned: a body may call
    # group.cancel() and return before its next checkpoint, or a child may cancel the group
    # after the body returned; either way its value is the value of work that was called off.
    return None if group._cancelling else value

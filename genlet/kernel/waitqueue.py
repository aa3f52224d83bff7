# genlet/kernel/waitqueue.py
"""WaitQueue: the one FIFO of parked tasks that every primitive shares.

Locks, semaphores, events, queues, channels and joins all need the same thing: park the
current task at the back of a line, wake the task at the front, and take a task out of the
middle when it is cancelled or its timeout fires. A ``WaitQueue`` is a doubly linked list of
``Waiter`` nodes, so all three are O(1) (MicroPython's ``deque`` has no ``remove``, and its
dicts keep no order). On MicroPython, where objects cost more, it is a list instead, in which
a plain wait costs no Waiter: see the Discussion at ``if not SLOTS`` below.

A ``Waiter`` is also the task's *wait object* while it is parked (see ``traps``): the kernel
calls ``waiter.abort(task)`` to take it out of line, and ``waiter.describe()`` to say what it
waits on. ``value`` carries a payload (a sender's value, a requested count); ``group`` is None
for a plain wait, or the ``select`` that parked this waiter on several queues at once.
"""

try:
    from typing import Any, Iterator, List, Optional
except ImportError:
    pass

from ._typing import TYPE_CHECKING
from .running import KERNEL_PER_THREAD, running_kernel


class _Probe:
    __slots__ = ("a",)


def _slots_enforced() -> bool:
    try:
        _Probe().b = 1  # type: ignore[attr-defined]
    except AttributeError:
        return True
    return False


SLOTS = _slots_enforced()  # CPython, PyPy: yes; MicroPython ignores __slots__
_MAP_SIZES = (17, 23, 29, 37, 47, 59, 73, 97, 127)  # MicroPython's dict sizes (py/map.c)


def make_room(cls: "Any") -> None:
    """Add unused class attributes until ``cls``'s dict is not full, or nearly, on MicroPython."""
    while any(0 <= size - len(cls.__dict__) <= 2 for size in _MAP_SIZES):
        setattr(cls, "_room%d" % len(cls.__dict__), None)


class Waiter:
    __slots__ = ("task", "queue", "prev", "next")

    value = None  # type: Any  # a plain wait carries nothing; ValueWaiter has a slot for it
    group = None  # type: Any  # a plain wait; GroupWaiter has a slot of its own

    def __init__(self, task: "Any", queue: "WaitQueue") -> None:
        self.task = task
        self.queue = queue  # type: Optional[WaitQueue]  # None once removed; kept when popped
        self.prev = None  # type: Optional[Waiter]
        self.next = None  # type: Optional[Waiter]

    def abort(self, task: "Any") -> bool:
        """Called by the kernel to cancel this wait: leave the line. Always succeeds."""
        queue = self.queue
        if queue is not None:
            queue.remove(self)
        return True

    def describe(self) -> str:
        queue = self.queue
        return queue.describe() if queue is not None else "nothing (woken)"

    def __repr__(self) -> str:
        return "<Waiter %r on %s>" % (self.task, self.describe())


class Group:
    """The group protocol: a waiter's ``group`` that stands for more than one wait.

    A primitive that takes a ``Waiter`` out of line and finds ``waiter.group`` set calls
    ``group.fire(waiter, value)`` instead of ``reschedule(waiter.task, value)``. ``fire``
    returns True if it took ``value`` (the primitive is done), False if it did not (the group
    had completed already, say another op of a ``select`` won): the primitive keeps ``value``
    and goes on to its next waiter. ``fire`` runs inside the waking call, so it must not block.
    ``select``, task groups, pools, ``iwait`` and ``link`` are groups.
    """

    __slots__ = ()

    def fire(self, waiter: Waiter, value: "Any") -> bool:
        raise NotImplementedError


def _unslotted_init(self: Waiter, task: "Any", queue: "WaitQueue") -> None:
    self.task = task
    self.queue = queue


if not SLOTS:
    # Discussion: where __slots__ is ignored (MicroPython), each attribute stored on an instance
    # takes room in its own dict, which grows two entries at a time. A parked task's Waiter
    # stores only what is not None: ``prev`` and ``next`` start as class attributes (as Task's
    # slots do, see task.py).
    for _attribute in ("prev", "next"):
        setattr(Waiter, _attribute, None)
    setattr(Waiter, "__init__", _unslotted_init)
    make_room(Waiter)


class ValueWaiter(Waiter):
    """A Waiter that carries a payload: a sender's value, a requested count, a join's marker.

    Discussion: a plain wait (an Event, a Lock, a sleep on a queue) carries nothing, and most
    parked tasks wait that way; without the ``value`` slot its Waiter is one allocation size
    class smaller on CPython (see ``memory`` in benchmarks/).
    """

    __slots__ = ("value",)

    # Discussion: no __init__ of its own (nor GroupWaiter's): ``push`` makes one without calling
    # an __init__ and stores ``value`` (and ``group``) with Waiter's slots. An __init__ was a
    # second Python call in every park that carries a value (a channel's sender, benchmarks/pingpong.py).


class GroupWaiter(ValueWaiter):
    """A Waiter that is one of several for one task (a ``select``, a ``joinall``)."""

    __slots__ = ("group",)


_new = object.__new__  # (see WaitQueue.push)


class WaitQueue:
    """A FIFO of Waiters with O(1) push, pop and removal.

    ``owner`` and ``action`` name the queue in task dumps: ``Lock 'db'`` + ``acquire``.
    """

    __slots__ = ("_head", "_tail", "length", "owner", "action")

    def __init__(self, owner: "Any" = None, action: str = "wait") -> None:
        self._head = None  # type: Optional[Waiter]
        self._tail = None  # type: Optional[Waiter]
        self.length = 0
        self.owner = owner
        self.action = action

    def __len__(self) -> int:
        return self.length

    def __bool__(self) -> bool:
        return self.length > 0

    def __iter__(self) -> "Iterator[Waiter]":
        node = self._head
        while node is not None:
            following = node.next  # the caller may remove `node`
            yield node
            node = following

    def push(self, task: "Any", value: "Any" = None, group: "Any" = None) -> Waiter:
        """Add ``task`` at the back of the line; returns its Waiter.

        Discussion: the Waiter is made with ``object.__new__`` and its four slots are stored
        here: calling the class would run ``Waiter.__init__``, a second Python call in every
        park (a channel's sender parks once per hand-off: ``ping-pong`` in benchmarks/).
        """
        if group is not None:
            node = _new(GroupWaiter)  # type: Waiter
            node.group = group
            node.value = value
        elif value is None:
            node = _new(Waiter)
        else:
            node = _new(ValueWaiter)
            node.value = value
        node.task = task
        node.queue = self
        node.next = None
        tail = node.prev = self._tail
        if tail is None:
            self._head = node
        else:
            tail.next = node
        self._tail = node
        self.length += 1
        return node

    def peek(self) -> "Optional[Waiter]":
        """The Waiter at the front, left in line; None if the line is empty."""
        return self._head

    def pop(self) -> "Optional[Waiter]":
        """Take the Waiter at the front out of line; None if the line is empty.

        Refused (RuntimeError) when the waiter's task belongs to a kernel that runs in another
        thread: see ``Kernel._foreign_wake``. The line is left as it was.

        Discussion: a popped Waiter keeps its ``queue``, so that it can still say what its task
        waited on (``describe``) when ``reschedule`` explains a wait the running task never
        yielded for. It is out of line all the same: ``remove`` leaves it alone.
        """
        node = self._head
        if node is not None:  # remove(node), unrolled: the hot path of every hand-off
            task = node.task  # (None for a hook: a group that watches tasks end)
            if KERNEL_PER_THREAD and task is not None and task._kernel is not running_kernel():
                task._kernel._foreign_wake(self, task)  # another thread's task: raises, unless safe
            after = node.next
            self._head = after
            if after is None:
                self._tail = None
            else:
                after.prev = None
            node.next = None  # (its prev is None already: it was first)
            self.length -= 1
        return node

    def remove(self, node: Waiter) -> None:
        """Take ``node`` out of line, wherever it is; a node already out is left alone."""
        if node.queue is not self or (node.prev is None and self._head is not node):
            return  # removed, or popped (see pop)
        before, after = node.prev, node.next
        if before is None:
            self._head = after
        else:
            before.next = after
        if after is None:
            self._tail = before
        else:
            after.prev = before
        node.prev = node.next = node.queue = None
        self.length -= 1

    def describe(self) -> str:
        owner = self.owner
        if owner is None:
            return self.action
        if hasattr(owner, "describe"):
            owner = owner.describe()
        elif not isinstance(owner, str):
            owner = repr(owner)
        return "%s %s" % (owner, self.action)

    def __repr__(self) -> str:
        return "<WaitQueue %s: %d waiting>" % (self.describe(), self.length)


if TYPE_CHECKING:
    _Base = WaitQueue  # (the methods below become WaitQueue's: see the Discussion after them)
else:
    _Base = object  # (MicroPython: no special methods may be added to a class with subclasses)


class _ListQueue(_Base):
    """WaitQueue's methods where ``__slots__`` is ignored (MicroPython): see the Discussion below."""

    def __init__(self, owner: "Any" = None, action: str = "wait") -> None:
        self._line = []  # type: List[Any]  # Tasks (plain waits) and Waiters, front first
        self.length = 0  # (read by the primitives' hot paths)
        self.owner = owner
        self.action = action

    def __iter__(self) -> "Iterator[Waiter]":
        for entry in self._line[:]:  # a copy: the caller may remove what it is given
            yield entry if isinstance(entry, Waiter) else _StandIn(entry, self)

    @property
    def queue(self) -> "Any":
        """The queue a task's wait object is on (see ``refuse_own_wait``): a plain wait's is this one."""
        return self

    def push(self, task: "Any", value: "Any" = None, group: "Any" = None) -> "Any":
        """Add ``task`` at the back of the line; returns its wait object (this queue, or a Waiter)."""
        if group is not None:
            node = GroupWaiter(task, self)  # type: Any
            node.group = group
            node.value = value
        elif value is None and task is not None:
            node = task  # a plain wait: the task itself is in line, the queue is its wait object
        else:
            node = ValueWaiter(task, self)
            node.value = value
        self._line.append(node)
        self.length += 1
        return self if node is task else node

    def abort(self, task: "Any") -> bool:
        """The kernel cancels a plain wait on this queue: ``task`` leaves the line."""
        line = self._line
        if task in line:  # (not if it was popped already)
            line.remove(task)
            self.length -= 1
        return True

    def peek(self) -> "Optional[Waiter]":
        line = self._line
        if not line:
            return None
        entry = line[0]
        return entry if isinstance(entry, Waiter) else _StandIn(entry, self)

    def pop(self) -> "Optional[Waiter]":
        line = self._line
        if not line:
            return None
        entry = line[0]
        task = entry.task if isinstance(entry, Waiter) else entry
        if KERNEL_PER_THREAD and task is not None and task._kernel is not running_kernel():
            task._kernel._foreign_wake(self, task)  # (see WaitQueue.pop)
        line.pop(0)
        self.length -= 1
        return entry if entry is not task else Waiter(task, self)

    def remove(self, node: Waiter) -> None:
        line = self._line
        if node.__class__ is _StandIn:  # stands in for a task in line (see peek)
            node = node.task
        if node in line:
            line.remove(node)
            self.length -= 1


class _StandIn(Waiter):
    """The Waiter ``peek`` and iteration give for a task that waits in line without one."""


if not SLOTS:
    # Discussion: where __slots__ is ignored (MicroPython), a Waiter is an object with a dict of
    # its own, and a parked task's Waiter was most of what parking cost. So here a WaitQueue is
    # a list, and a plain wait (no value, no select) puts the task itself in line: the queue is
    # the task's wait object (``abort`` takes it out of line) and ``pop`` makes the Waiter that
    # callers get only when the task is woken. Waits with a value or a group keep their Waiter.
    # Taking a task out of the middle of the line (a cancel, a timeout) is a search of the list
    # rather than O(1): a short scan in C for the number of tasks a MicroPython board runs.
    for _name in ("__init__", "__iter__", "queue", "push", "abort", "peek", "pop", "remove"):
        setattr(WaitQueue, _name, _ListQueue.__dict__[_name])
    make_room(WaitQueue)

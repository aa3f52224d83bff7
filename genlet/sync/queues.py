# genlet/sync/queues.py
"""Queue, LifoQueue, PriorityQueue: hand items between tasks, with a size limit if you want.

::

    q = genlet.Queue(maxsize=100)        # 0 (the default): no limit

    def producer():
        for job in jobs:
            yield from q.put(job)        # waits while the queue is full
        yield from q.join()              # until every item is marked done

    def consumer():
        while True:
            job = yield from q.get()     # waits while it is empty
            ...
            q.task_done()

The same API as the standard library's ``queue`` and gevent's queues, with trio's names for
the parts that do not wait: ``put_nowait`` / ``get_nowait`` raise ``genlet.WouldBlock``. A
timed ``put`` or ``get`` raises ``genlet.TimeoutError`` when the time runs out.

Two lines of waiting tasks, getters and putters, and the items in between. Getters wait only
while the queue is empty, putters only while it is full, so at most one line is ever occupied,
and:

- ``put`` with a getter waiting hands the item straight to that getter (``reschedule``);
- ``get`` that frees a slot moves the first waiting putter's item in and wakes that putter
  (a PriorityQueue item that does not compare cannot go in: its putter gets the TypeError,
  and the next putter takes the slot; see ``_Heap``).

Both are hand-offs: a getter cancelled after it was handed an item still returns the item
(the cancellation comes at its next checkpoint), and a putter cancelled after its item was
taken in still returns normally. An item is never lost and never delivered twice.

``q.get_op()`` and ``q.put_op(item)`` let ``select`` wait on queues next to channels, events
and tasks. A waiter that belongs to a select is completed through ``waiter.group.fire``, and
skipped if that select has already completed.

Storage: each kind keeps its items in a container and reaches them through two callables,
``_push`` and ``_pop``, chosen once in ``__init__`` (``_storage``): a Queue a ``deque``
(``append``, ``popleft``), a LifoQueue a list (``append``, ``pop``), a PriorityQueue a
``_Heap``. Discussion: bound methods of built-in containers are C calls, cheaper than a
Python method that calls them (``queue-put-get`` in benchmarks/; docs/benchmarks.md).
MicroPython's ``deque`` must be given a maximum length, so an unbounded Queue there keeps its
items in a ``_ListFifo``, a list with a moving head. The item count is kept in ``_size``.
"""

from collections import deque
from heapq import heappop, heappush

try:
    from typing import Any, Callable, Dict, Generator, List, Optional, Tuple
except ImportError:
    pass

from ..kernel.errors import WouldBlock, describe
from ..kernel.lowlevel import DONE, Failure, Op, Waiter, WaitQueue, completed, parking_task, refuse_own_wait
from ._base import naming, park_in_line, wake, wake_all


class Queue:
    """A FIFO queue of items between tasks; ``maxsize`` <= 0 means no limit."""

    __slots__ = (
        "maxsize", "_items", "_push", "_pop", "_size", "_getters", "_putters", "_joiners", "_unfinished",
        "name", "_label",
    )  # fmt: skip

    _kind = "Queue"

    def __init__(self, maxsize: int = 0, name: "Optional[str]" = None) -> None:
        if not isinstance(maxsize, int):
            raise TypeError("%s(maxsize=%r): maxsize must be an int (0 for no limit)" % (self._kind, maxsize))
        self.maxsize = maxsize
        self.name, self._label = naming(self._kind, name)
        self._items, self._push, self._pop = self._storage()
        self._size = 0  # items stored: kept, so that the hot paths read a slot, not call qsize()
        self._getters = WaitQueue(self, "get")
        self._putters = WaitQueue(self, "put")
        self._joiners = None  # type: Optional[WaitQueue]  # made by the first join()
        self._unfinished = 0  # items put and not yet marked task_done()

    def _storage(self) -> "Tuple[Any, Callable[[Any], None], Callable[[], Any]]":
        """(the container, push, pop): what LifoQueue and PriorityQueue replace."""
        if UNBOUNDED_DEQUE:
            items = deque()  # type: Any
        elif self.maxsize > 0:
            items = deque((), self.maxsize)  # MicroPython: bounded, as this queue is
        else:
            items = _ListFifo()
            return items, items.push, items.pop
        return items, items.append, items.popleft

    def qsize(self) -> int:
        """The number of items in the queue (not counting items handed straight to getters)."""
        return self._size

    # -- state -------------------------------------------------------------------------------
    def empty(self) -> bool:
        return self.qsize() == 0

    def full(self) -> bool:
        return 0 < self.maxsize <= self.qsize()

    # -- putting -----------------------------------------------------------------------------
    def put(self, item: "Any", timeout: "Optional[float]" = None) -> "Generator[Any, Any, None]":
        """``yield from q.put(item, timeout=None)``: add ``item``, waiting while the queue is full.

        Raises ``genlet.TimeoutError`` if there is still no room after ``timeout`` seconds.

        Discussion: the one place where an item goes in (``put_nowait`` and ``put_op`` call
        this once there is room, and then it finishes at once). A getter waits only while the
        queue is empty, so one that waits always finds room: the item goes to the first
        getter that takes it, else into the queue.
        """
        if self.maxsize <= 0 or self._size < self.maxsize:
            if not self._getters.length or wake(self._getters.pop(), item, self._getters) is None:
                self._push(item)
                self._size += 1
            self._unfinished += 1
            return DONE  # type: ignore[no-any-return]
        return park_in_line(parking_task(), self._putters, item, timeout, "put", ": still full")

    def put_nowait(self, item: "Any") -> None:
        """Add ``item`` at once; ``genlet.WouldBlock`` if the queue is full."""
        if self.full():
            raise WouldBlock("%s is full (maxsize=%d); put() would wait for room" % (self._label, self.maxsize))
        self.put(item)  # (there is room: it finishes at once, nothing to yield from)

    # -- getting -----------------------------------------------------------------------------
    def _take(self) -> "Any":
        """Take the next item (there is one); let the first waiting putter into the freed slot."""
        putters = self._putters.length
        if putters:
            refuse_own_wait(self._putters)  # the running task's own put? before anything is taken
        item = self._pop()
        self._size -= 1
        if putters:
            self._admit()
        return item

    def _admit(self) -> None:
        """Move the first waiting putter's item into the freed slot, and wake that putter.

        Discussion: the item goes in first, and the putter is woken after, with None, or with
        the error if the item could not go in (a PriorityQueue item that does not compare):
        then the next putter in line gets the slot. The task that freed the slot never sees
        another task's error. A putter in a ``select`` that has completed already is skipped
        before its item goes in (``fire`` would refuse it).
        """
        waiter = self._putters.pop()
        while waiter is not None:
            group = waiter.group
            if group is None or not group.done:
                try:
                    self._push(waiter.value)
                except Exception as error:
                    wake(waiter, Failure(error))
                else:
                    self._size += 1
                    self._unfinished += 1
                    wake(waiter, None)
                    return
            waiter = self._putters.pop()

    def get(self, timeout: "Optional[float]" = None) -> "Generator[Any, Any, Any]":
        """``yield from q.get(timeout=None)``: the next item, waiting while the queue is empty.

        Raises ``genlet.TimeoutError`` if nothing came within ``timeout`` seconds.
        """
        if self._size:
            if self._putters.length:
                return completed(self._take())
            self._size -= 1  # the usual case, inlined: nobody waits to fill the freed slot
            return completed(self._pop())
        return park_in_line(parking_task(), self._getters, None, timeout, "get", ": still empty")

    def get_nowait(self) -> "Any":
        """The next item at once; ``genlet.WouldBlock`` if the queue is empty."""
        if not self._size:
            raise WouldBlock("%s is empty; get() would wait for an item" % self._label)
        return self._take()

    # -- select ops --------------------------------------------------------------------------
    def get_op(self) -> "QueueGetOp":
        """A ``select`` op that gets the next item; its value is the item."""
        return QueueGetOp(self)

    def put_op(self, item: "Any") -> "QueuePutOp":
        """A ``select`` op that puts ``item``; its value is None."""
        return QueuePutOp(self, item)

    # -- tracking work -----------------------------------------------------------------------
    def task_done(self) -> None:
        """Mark one item that was got as processed; ``join()`` waits until all are."""
        if self._unfinished <= 0:
            raise ValueError(
                "%s.task_done() called more times than items were put: call it once per item "
                "got, after processing it" % self._label
            )
        if self._unfinished == 1 and self._joiners is not None:
            wake_all(self._joiners, None)
        self._unfinished -= 1

    def join(self) -> "Generator[Any, Any, None]":
        """``yield from q.join()``: wait until every item put has been marked ``task_done()``."""
        if self._unfinished == 0:
            return DONE  # type: ignore[no-any-return]
        if self._joiners is None:
            self._joiners = WaitQueue(self, "join (all items done)")
        return park_in_line(parking_task(), self._joiners, None, None, "join")

    def describe(self) -> str:
        return self._label

    def __len__(self) -> int:
        return self.qsize()

    def __repr__(self) -> str:
        return "<%s %d items, maxsize=%d, %d getting, %d putting>" % (
            self._label, self.qsize(), self.maxsize, len(self._getters), len(self._putters),
        )  # fmt: skip


class LifoQueue(Queue):
    """A last in, first out queue (a stack)."""

    __slots__ = ()

    _kind = "LifoQueue"

    def _storage(self) -> "Tuple[Any, Callable[[Any], None], Callable[[], Any]]":
        items = []  # type: List[Any]
        return items, items.append, items.pop


class PriorityQueue(Queue):
    """Items come out smallest first (``(priority, data)`` tuples are usual); ties in order."""

    __slots__ = ()

    _kind = "PriorityQueue"

    def _storage(self) -> "Tuple[Any, Callable[[Any], None], Callable[[], Any]]":
        heap = _Heap(self._label)
        return heap, heap.push, heap.pop


def _deque_is_unbounded() -> bool:
    try:
        deque()  # MicroPython: TypeError, it needs a maximum length
    except TypeError:
        return False
    return True


UNBOUNDED_DEQUE = _deque_is_unbounded()


class _ListFifo:
    """First in, first out without a deque (unbounded queues on MicroPython): a list with a
    moving head, amortized O(1), compacted when more than half of the list is spent."""

    __slots__ = ("items", "head")

    def __init__(self) -> None:
        self.items = []  # type: List[Any]
        self.head = 0

    def push(self, item: "Any") -> None:
        self.items.append(item)

    def pop(self) -> "Any":
        items, head = self.items, self.head
        item = items[head]
        items[head] = None  # let the item go now, not when the list is compacted
        head += 1
        if head == len(items):
            del items[:]
            head = 0
        elif head > 32 and head * 2 > len(items):
            del items[:head]
            head = 0
        self.head = head
        return item

    def __len__(self) -> int:
        return len(self.items) - self.head


class _Heap:
    """PriorityQueue's items: a ``heapq`` heap of ``(item, seq)`` pairs, where ``seq`` counts
    puts, so that equal items come out first in, first out (``heapq`` is not stable by itself,
    and MicroPython's sort is not stable either).

    Items that do not compare (``(1, {...})`` twice: a tie compares the dicts) never cost an
    item. A push whose comparisons raise leaves the heap as it was and raises, so the putter
    gets the error and keeps its item. A pop always returns the smallest item: if putting the
    rest back in order meets two items that do not compare, those two come out in the order
    they were put (the standard library's ``get`` would raise and lose the item it took).

    Discussion: ``heappush`` and ``heappop`` are C code, and fast; they may raise half way
    through, leaving the list in a state that depends on the interpreter: CPython's C code
    swaps items, so the list still holds each entry once; the Python version (PyPy) and
    MicroPython's move them, so one entry may be there twice and another missing. ``_mend``
    puts back exactly the entries that should be there (entries are tuples made by ``push``,
    each a distinct object, so identity tells them apart) and re-heaps them with a comparison
    that cannot fail. It runs only after an error, so the usual push and pop cost nothing more.
    """

    __slots__ = ("items", "seq", "label")

    def __init__(self, label: str) -> None:
        self.items = []  # type: List[Any]
        self.seq = 0
        self.label = label

    def push(self, item: "Any") -> None:
        self.seq += 1
        entry = (item, self.seq)
        items = self.items
        try:
            heappush(items, entry)
        except Exception as error:
            _mend(items, entry, None)
            if not isinstance(error, TypeError):
                raise
            explained = TypeError(
                "%s cannot take %s: it does not compare with an item already queued (%s). "
                "Items of equal priority are compared as a whole: put (priority, n, data) "
                "with a unique n, or give the data an order" % (self.label, describe(item), error)
            )
            try:
                explained.__cause__ = error  # (`raise ... from` makes MicroPython print a warning)
            except AttributeError:
                pass
            raise explained

    def pop(self) -> "Any":
        items = self.items
        first, last = items[0], items[-1]
        try:
            return heappop(items)[0]
        except Exception:
            _mend(items, first, last)
            return first[0]

    def __len__(self) -> int:
        return len(self.items)


def _mend(items: "List[Any]", unwanted: "Any", wanted: "Any") -> None:
    """After a heapq call raised: make ``items`` hold every entry it should once, without
    ``unwanted`` and with ``wanted`` (if not None), then put them in heap order again."""
    seen = {}  # type: Dict[int, None]
    index = 0
    while index < len(items):
        entry = items[index]
        if entry is unwanted or id(entry) in seen:
            del items[index]  # what heapq left twice, or the entry that must go
        else:
            seen[id(entry)] = None
            index += 1
    if wanted is not None and id(wanted) not in seen:
        items.append(wanted)
    index = len(items) // 2
    while index > 0:
        index -= 1
        _sift(items, index)


def _sift(items: "List[Any]", index: int) -> None:
    """Move ``items[index]`` down below every child smaller than it (``_before``)."""
    size = len(items)
    while True:
        smallest, child = index, 2 * index + 1
        if child < size and _before(items[child], items[smallest]):
            smallest = child
        if child + 1 < size and _before(items[child + 1], items[smallest]):
            smallest = child + 1
        if smallest == index:
            return
        items[index], items[smallest] = items[smallest], items[index]
        index = smallest


def _before(a: "Any", b: "Any") -> bool:
    """Does entry ``a`` come out before ``b``? Items that do not compare: the first put first."""
    try:
        return bool(a < b)
    except Exception:
        return bool(a[1] < b[1])


class QueueGetOp(Op):
    """``q.get_op()``: the ``select`` side of ``q.get()``."""

    __slots__ = ("queue",)

    def __init__(self, queue: Queue) -> None:
        self.queue = queue

    def ready(self) -> bool:
        return self.queue._size > 0

    def commit(self) -> "Any":
        return self.queue._take()

    def enroll(self, task: "Any", group: "Any") -> Waiter:
        return self.queue._getters.push(task, None, group)

    def describe(self) -> str:
        return "%s get" % self.queue._label


class QueuePutOp(Op):
    """``q.put_op(item)``: the ``select`` side of ``q.put(item)``."""

    __slots__ = ("queue", "item")

    def __init__(self, queue: Queue, item: "Any") -> None:
        self.queue = queue
        self.item = item

    def ready(self) -> bool:
        return not self.queue.full()

    def commit(self) -> None:
        self.queue.put(self.item)  # (ready: there is room; it finishes at once)

    def enroll(self, task: "Any", group: "Any") -> Waiter:
        return self.queue._putters.push(task, self.item, group)

    def describe(self) -> str:
        return "%s put" % self.queue._label

# genlet/kernel/timers.py
"""Pending deadlines: a binary heap with lazy invalidation.

Every sleep, every timed wait and every cancel scope with a deadline puts one entry here:
``[deadline, seq, target, reply]``. ``seq`` grows by one per entry, so two entries never
compare equal and the heap never compares targets. Adding is O(log n).

Cancelling is O(1): the entry stays in the heap with its target set to None (curio's "lazy
invalidation"), and is thrown away when it reaches the top. Most timeouts never fire (the
operation finishes first), so the heap could fill up with dead entries; when more than half of
it is dead, it is rebuilt without them in O(n), which keeps the cost amortized O(1) per cancel
and the memory bounded by twice the live entries.
"""

from heapq import heapify, heappop, heappush

try:
    from typing import Any, Callable, List, Optional
except ImportError:
    pass

# An entry is a list so that cancel() can blank its target in place.
DEADLINE, SEQ, TARGET, REPLY = 0, 1, 2, 3


class Timers:
    """The heap of deadline entries. ``earliest`` is published: the deadline at the top of the
    heap (a cancelled entry's included), None if it is empty. The run loop reads it between
    passes and looks at the timers only once the clock has reached it."""

    __slots__ = ("_heap", "_seq", "_dead", "earliest")

    def __init__(self) -> None:
        self._heap = []  # type: List[List[Any]]
        self._seq = 0
        self._dead = 0
        self.earliest = None  # type: Optional[float]

    def __len__(self) -> int:
        """The number of live (not cancelled) entries."""
        return len(self._heap) - self._dead

    def add(self, deadline: float, target: "Any", reply: "Any" = None) -> "List[Any]":
        """Schedule ``target`` at ``deadline``; returns the entry, the handle for cancel()."""
        self._seq += 1
        entry = [deadline, self._seq, target, reply]
        heap = self._heap
        heappush(heap, entry)
        self.earliest = heap[0][DEADLINE]
        return entry

    def cancel(self, entry: "List[Any]") -> None:
        """Forget an entry, in O(1); cancelling twice, or after it fired, is harmless."""
        if entry[TARGET] is not None and entry[SEQ] > 0:
            entry[TARGET] = None
            self._dead += 1
            heap = self._heap
            if self._dead > 64 and self._dead * 2 > len(heap):
                # Discussion: rebuild in place, so that references to the list stay valid.
                heap[:] = [e for e in heap if e[TARGET] is not None]
                heapify(heap)
                self._dead = 0
                self.earliest = heap[0][DEADLINE] if heap else None

    def discard(self, owner: "Any") -> None:
        """Cancel ``owner``'s entry (a task's or a cancel scope's ``_timer``), if it has one."""
        entry = owner._timer
        if entry is not None:
            owner._timer = None
            self.cancel(entry)

    def next_deadline(self) -> "Optional[float]":
        """The earliest live deadline, or None."""
        heap = self._heap
        while heap:
            if heap[0][TARGET] is not None:
                self.earliest = deadline = heap[0][DEADLINE]  # (dead entries before it: gone)
                return deadline  # type: ignore[no-any-return]
            heappop(heap)
            self._dead -= 1
        self.earliest = None
        return None

    def pop_due(self, now: float) -> "List[List[Any]]":
        """Remove and return the live entries whose deadline is <= now, earliest first.

        Each is marked as fired (its ``seq`` set to 0), so a later cancel() of it, by a target
        that still holds the handle, does nothing. Cancelled entries met on the way are
        thrown away. One call for all that are due: a pass often finds many (timers that
        share a deadline, or a clock that moved on while the tasks ran).
        """
        heap = self._heap
        due = []  # type: List[List[Any]]
        while heap and heap[0][DEADLINE] <= now:
            entry = heappop(heap)
            if entry[TARGET] is None:
                self._dead -= 1
                continue
            entry[SEQ] = 0
            due.append(entry)
        self.earliest = heap[0][DEADLINE] if heap else None
        return due

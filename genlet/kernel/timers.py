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
    __slots__ = ("_heap", "_seq", "_dead")

    def __init__(self) -> None:
        self._heap = []  # type: List[List[Any]]
        self._seq = 0
        self._dead = 0

    def __len__(self) -> int:
        """The number of live (not cancelled) entries."""
        return len(self._heap) - self._dead

    def add(self, deadline: float, target: "Any", reply: "Any" = None) -> "List[Any]":
        """Schedule ``target`` at ``deadline``; returns the entry, the handle for cancel()."""
        self._seq += 1
        entry = [deadline, self._seq, target, reply]
        heappush(self._heap, entry)
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

    def discard(self, owner: "Any") -> None:
        """Cancel ``owner``'s entry (a task's or a cancel scope's ``_timer``), if it has one."""
        entry = owner._timer
        if entry is not None:
            owner._timer = None
            self.cancel(entry)

    def due(self, clock: "Callable[[], float]") -> bool:
        """Is an entry due now (or a cancelled one to clear)? O(1): the run loop asks between
        passes. ``clock`` (the kernel clock's ``now``) is read only if there is an entry."""
        heap = self._heap
        return bool(heap) and heap[0][DEADLINE] <= clock()

    def next_deadline(self) -> "Optional[float]":
        """The earliest live deadline, or None."""
        heap = self._heap
        while heap:
            if heap[0][TARGET] is not None:
                return heap[0][DEADLINE]  # type: ignore[no-any-return]
            heappop(heap)
            self._dead -= 1
        return None

    def pop_due(self, now: float) -> "Optional[List[Any]]":
        """Remove and return the earliest live entry whose deadline is <= now, else None.

        The entry is marked as fired (its ``seq`` set to 0), so a later cancel() of it, by a
        target that still holds the handle, does nothing.
        """
        heap = self._heap
        while heap and heap[0][DEADLINE] <= now:
            entry = heappop(heap)
            if entry[TARGET] is None:
                self._dead -= 1
                continue
            entry[SEQ] = 0
            return entry
        return None

# genlet/kernel/timers.py
"""Pending deadlines: a binary heap of deadlines (and a sorted run), with lazy invalidation.

Every sleep, every timed wait and every cancel scope with a deadline puts one entry here:
``[deadline, live, target, reply]``. The heap holds the distinct deadlines themselves, plain
numbers, and a dict maps each to its entry (or to the list of its entries, in the order they
were added, when several share it). Adding is O(log n).

Discussion: a heap of entries compared entries, and comparing two lists is two comparisons
and more indirections than comparing two floats; a pop compares about twice per level of the
heap. With 100,000 sleeping tasks (benchmarks/timers.py) popping was the biggest cost of the
timers; a heap of numbers pops faster for the price of one dict operation per add and pop.

Adding is lazier still: a new entry waits in ``_fresh``, in the order added, and goes into the
heap only when the loop asks what is due or how long it may block (``_settle``). Most timeouts
are cancelled before that (the operation they guard finishes first: benchmarks/timeouts.py),
and a cancelled fresh entry never touches the heap or the dict.

Discussion: a large batch of new deadlines (100,000 tasks that each start with a sleep:
benchmarks/timers.py) goes instead, with the heap's, into one sorted list, the *run* (``_run``;
its next deadline at ``_pos``). What is due then comes off the run's front by moving an index,
where each pop from a heap sifts through all its levels; and one sort costs less than pushing
each deadline (CPython's ``list.sort`` compares floats directly, ``heapq`` through the generic
comparison). Small batches go on the heap, and what is due next is the earlier of the two fronts.

Cancelling is O(1): the entry stays where it is with its target set to None (curio's "lazy
invalidation"), and is thrown away when its deadline is popped. Most timeouts never fire (the
operation finishes first), so dead entries could pile up; when more than half of the entries
are dead, the heap and the dict are rebuilt without them in O(n), which keeps the cost
amortized O(1) per cancel and the memory bounded by twice the live entries.
"""

from heapq import heapify, heappop, heappush

try:
    from typing import Any, Dict, List, Optional
except ImportError:
    pass

# An entry is a list so that cancel() can blank its target in place; ``live`` is 1 until it
# fires (then 0: a cancel() by a target that still holds the handle does nothing).
DEADLINE, LIVE, TARGET, REPLY = 0, 1, 2, 3
_BATCH = 64  # new deadlines at once: at least this many (and a quarter of those held) go to the run


class Timers:
    """The pending deadlines. ``earliest`` is published: no later than the earliest live
    deadline (a cancelled entry's may hold it until it is thrown away), None if there is no
    entry. The run loop reads it between passes and looks at the timers (``pop_due``) only once
    the clock has reached it."""

    __slots__ = ("_heap", "_run", "_pos", "_at", "_fresh", "_count", "_dead", "earliest")

    def __init__(self) -> None:
        self._heap = []  # type: List[Any]  # distinct deadlines, a heap
        self._run = []  # type: List[Any]  # distinct deadlines, sorted; those before _pos are gone
        # (_pos < len(_run) unless _run is empty: its last one taken, it is emptied)
        self._pos = 0
        # deadline -> its entry, or a list of them (an entry's first item is a number, a list's
        # an entry: ``item[0].__class__ is list`` tells which)
        self._at = {}  # type: Dict[Any, List[Any]]
        self._fresh = []  # type: List[List[Any]]  # entries added since the last _settle, in order
        self._count = 0  # entries held, live or cancelled
        self._dead = 0  # cancelled entries still held
        self.earliest = None  # type: Optional[float]  # no later than the earliest live deadline

    def __len__(self) -> int:
        """The number of live (not cancelled) entries."""
        return self._count - self._dead

    def add(self, deadline: float, target: "Any", reply: "Any" = None) -> "List[Any]":
        """Schedule ``target`` at ``deadline``; returns the entry, the handle for cancel()."""
        entry = [deadline, 1, target, reply]
        self._fresh.append(entry)
        self._count += 1
        earliest = self.earliest
        if earliest is None or deadline < earliest:
            self.earliest = deadline
        return entry

    def _settle(self) -> None:
        """Move the fresh entries into the dict, and their deadlines into the heap or the run
        (the cancelled ones: dropped)."""
        fresh = self._fresh
        live = [entry for entry in fresh if entry[TARGET] is not None]
        dropped = len(fresh) - len(live)
        self._count -= dropped
        self._dead -= dropped
        del fresh[:]
        at = self._at
        new = []  # type: List[Any]  # the deadlines not held yet
        for entry in live:
            deadline = entry[DEADLINE]
            other = at.setdefault(deadline, entry)  # (one lookup for both cases)
            if other is entry:
                new.append(deadline)
            elif other[0].__class__ is list:
                other.append(entry)  # a third (or later) entry at this deadline
            else:
                at[deadline] = [other, entry]
        heap, run = self._heap, self._run
        if len(new) < _BATCH or len(new) * 4 < len(heap) + len(run) - self._pos:
            for deadline in new:
                heappush(heap, deadline)
        else:  # a large batch: the run takes it, and the heap (one sort, see the module docstring)
            del run[: self._pos]
            self._pos = 0
            run.extend(heap)
            run.extend(new)
            run.sort()
            del heap[:]
        # (``earliest``: both callers set it)

    def cancel(self, entry: "List[Any]") -> None:
        """Forget an entry, in O(1); cancelling twice, or after it fired, is harmless."""
        if entry[TARGET] is not None and entry[LIVE]:
            entry[TARGET] = None
            self._dead += 1
            if self._dead > 64 and self._dead * 2 > self._count:
                self._compact()

    def _compact(self) -> None:
        """Drop the cancelled entries (the order of entries that share a deadline kept).

        Discussion: this runs once per about as many cancels as there are entries, so its cost
        per entry is a cost per cancel (benchmarks/timeouts.py). The fresh entries are only
        filtered; the heap and the dict are rebuilt only if they hold anything. ``earliest``
        stays as it is: entries were only taken away, so it is still no later than any of them.
        """
        fresh = self._fresh
        fresh[:] = [entry for entry in fresh if entry[TARGET] is not None]
        if self._at:
            at = {}  # type: Dict[Any, List[Any]]
            for deadline, item in self._at.items():
                if item[0].__class__ is not list:
                    if item[TARGET] is not None:
                        at[deadline] = item
                else:
                    live = [entry for entry in item if entry[TARGET] is not None]
                    if live:
                        at[deadline] = live[0] if len(live) == 1 else live
            self._at = at
            heap = self._heap
            heap[:] = list(at)  # (in place: the same list for as long as the kernel lives)
            heapify(heap)
            del self._run[:]
            self._pos = 0
        self._count -= self._dead
        self._dead = 0
        if not self._count:
            self.earliest = None

    def discard(self, owner: "Any") -> None:
        """Cancel ``owner``'s entry (a task's or a cancel scope's ``_timer``), if it has one."""
        entry = owner._timer
        if entry is not None:
            owner._timer = None
            self.cancel(entry)

    def next_deadline(self) -> "Optional[float]":
        """The earliest live deadline, or None (deadlines with only cancelled entries: gone)."""
        if self._fresh:
            self._settle()
        heap, run, at = self._heap, self._run, self._at
        while True:
            pos = self._pos
            on_heap = heap and not (run and run[pos] < heap[0])
            if on_heap:
                deadline = heap[0]
            elif run:
                deadline = run[pos]
            else:
                self.earliest = None
                return None
            item = at[deadline]
            entries = item if item[0].__class__ is list else (item,)
            for entry in entries:
                if entry[TARGET] is not None:
                    self.earliest = deadline
                    return deadline  # type: ignore[no-any-return]
            if on_heap:
                heappop(heap)
            elif pos + 1 < len(run):
                self._pos = pos + 1
            else:
                del run[:]
                self._pos = 0
            del at[deadline]
            self._dead -= len(entries)
            self._count -= len(entries)

    def pop_due(self, now: float) -> "List[List[Any]]":
        """Remove and return the live entries whose deadline is <= now, earliest first (in the
        order they were added, for one deadline).

        Each is marked as fired (``live`` 0), so a later cancel() of it, by a target that still
        holds the handle, does nothing. Cancelled entries met on the way are thrown away. One
        call for all that are due: a pass often finds many (timers that share a deadline, or a
        clock that moved on while the tasks ran).
        """
        if self._fresh:
            self._settle()
        heap, run, at = self._heap, self._run, self._at
        pos = self._pos
        if run and run[pos] <= now:
            start, end = pos, len(run)
            pos += 1
            while pos < end and run[pos] <= now:
                pos += 1
            deadlines = run[start:pos]  # the due ones, in order
            if pos * 2 > end:  # most of the run is gone: drop its front (each deadline moves once)
                del run[:pos]
                pos = 0
            self._pos = pos
        else:
            deadlines = []
        if heap and heap[0] <= now:
            merge = len(deadlines)
            while heap and heap[0] <= now:
                deadlines.append(heappop(heap))
            if merge:
                deadlines.sort()  # two sorted parts: merged
        due = []  # type: List[List[Any]]
        taken = 0  # entries taken out, live or cancelled (the counts are updated once, after)
        for deadline in deadlines:
            item = at.pop(deadline)
            entries = item if item[0].__class__ is list else (item,)
            taken += len(entries)
            for entry in entries:
                if entry[TARGET] is not None:
                    entry[LIVE] = 0
                    due.append(entry)
        self._count -= taken
        self._dead -= taken - len(due)
        earliest = heap[0] if heap else None
        if run and (earliest is None or run[pos] < earliest):
            earliest = run[pos]
        self.earliest = earliest
        return due

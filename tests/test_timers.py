"""The timer heap: order, lazy cancellation, compaction, a million entries."""

import random

from genlet.kernel.timers import Timers


def drain(timers, now):
    return [entry[2] for entry in timers.pop_due(now)]


def test_pop_in_deadline_then_insertion_order():
    t = Timers()
    for name, deadline in [("c", 3), ("a", 1), ("b", 2), ("a2", 1)]:
        t.add(deadline, name)
    assert t.next_deadline() == 1
    assert drain(t, 1.5) == ["a", "a2"]
    assert drain(t, 10) == ["b", "c"]
    assert t.next_deadline() is None and len(t) == 0


def test_cancel_is_lazy_and_counted():
    t = Timers()
    entries = [t.add(i, i) for i in range(10)]
    for e in entries[::2]:
        t.cancel(e)
        t.cancel(e)  # twice: harmless
    assert len(t) == 5
    assert drain(t, 100) == [1, 3, 5, 7, 9]


def test_cancel_after_fire_is_harmless():
    t = Timers()
    e = t.add(1, "x")
    assert drain(t, 1) == ["x"]
    t.cancel(e)
    assert len(t) == 0 and t.next_deadline() is None


def test_compaction_keeps_memory_bounded():
    t = Timers()
    for i in range(10000):
        t.cancel(t.add(i, i))
    assert len(t) == 0
    assert len(t._heap) <= 200  # rebuilt whenever more than half was dead


def test_a_million_pending_timers():
    rng = random.Random(1)
    t = Timers()
    entries = [t.add(rng.random() * 1000, i) for i in range(1_000_000)]
    for e in entries[::3]:
        t.cancel(e)
    assert len(t) == 1_000_000 - len(entries[::3])
    last = -1.0
    count = 0
    for entry in t.pop_due(2000):
        assert entry[0] >= last
        last = entry[0]
        count += 1
    assert count == 1_000_000 - len(entries[::3])


def test_earliest_follows_the_top_of_the_heap_and_discard():
    """Issue 15: the run loop reads ``earliest`` (no call, no clock read without timers)."""
    timers = Timers()
    assert timers.earliest is None
    owner = type("Owner", (), {"_timer": None})()
    owner._timer = timers.add(5.0, owner)
    later = timers.add(7.0, "later")
    assert timers.earliest == 5.0
    timers.discard(owner)
    assert owner._timer is None and len(timers) == 1
    assert timers.earliest == 5.0  # (a cancelled entry stays on top until it is thrown away)
    timers.discard(owner)  # nothing to discard: harmless
    assert timers.next_deadline() == 7.0 and timers.earliest == 7.0
    assert timers.pop_due(6.0) == [] and timers.earliest == 7.0
    assert timers.pop_due(10.0) == [later] and timers.earliest is None
    for i in range(100):
        timers.cancel(timers.add(i, i))  # compaction on the way
    kept = [timers.add(200.0 + i, i) for i in range(3)]
    for i in range(100):
        timers.cancel(timers.add(100.0 + i, i))
    assert timers.earliest is not None and timers.earliest <= 200.0  # a lower bound
    assert timers.next_deadline() == 200.0 and timers.earliest == 200.0  # and exact once asked
    assert timers.pop_due(300.0) == kept and timers.earliest is None


def test_entries_added_and_cancelled_before_the_loop_looks_never_reach_the_heap():
    """A timeout cancelled before the loop asks what is due is dropped from ``_fresh`` alone."""
    timers = Timers()
    live = timers.add(50.0, "live")
    for i in range(1000):
        timers.cancel(timers.add(10.0 + i, i))
    assert not timers._heap and len(timers._fresh) < 200 and len(timers) == 1
    assert timers.earliest is not None and timers.earliest <= 10.0
    assert timers.pop_due(49.0) == [] and timers.earliest == 50.0 and timers._heap == [50.0]
    assert timers.pop_due(50.0) == [live] and len(timers) == 0


def test_entries_that_share_a_deadline_keep_their_order_through_cancels_and_compaction():
    t = Timers()
    entries = [t.add(float(i % 3), i) for i in range(300)]  # three deadlines, 100 entries each
    for i, e in enumerate(entries):
        if i % 4 != 3:
            t.cancel(e)  # more than half dead on the way: rebuilt
    kept = [i for i in range(300) if i % 4 == 3]
    assert len(t) == len(kept) and t._count < 300 and t.earliest == 0.0
    assert drain(t, 0.5) == [i for i in kept if i % 3 == 0]
    assert t.next_deadline() == 1.0
    assert drain(t, 5) == [i for i in kept if i % 3 == 1] + [i for i in kept if i % 3 == 2]
    assert len(t) == 0 and t.earliest is None and not t._at

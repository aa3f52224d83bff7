"""The timer heap: order, lazy cancellation, compaction, a million entries."""

import random

from hypothesis import given, settings
from hypothesis import strategies as st

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


# -- the heap and the run together, against a model ------------------------------------------
_STEP = st.one_of(
    st.tuples(st.just("add"), st.tuples(st.integers(1, 200), st.integers(0, 2**32))),  # a batch: size, seed
    st.tuples(st.just("cancel"), st.integers(0, 10**6)),
    st.tuples(st.just("cancel many"), st.integers(1, 5)),
    st.tuples(st.just("pop"), st.integers(0, 420)),
    st.tuples(st.just("next"), st.just(0)),
)


@settings(max_examples=300)
@given(st.lists(_STEP, max_size=40))
def test_any_sequence_fires_in_deadline_then_insertion_order(steps):
    """Batches large enough to go to the sorted run, small ones to the heap, cancels (and the
    compactions they cause), pops and peeks: the timers agree with a plain list."""
    timers, model, handles = Timers(), [], []  # model: [deadline, number, entry] of live ones
    for op, arg in steps:
        if op == "add":
            size, seed = arg
            rng = random.Random(seed)
            for _ in range(size):
                deadline = rng.randrange(400)
                entry = timers.add(deadline / 4.0, len(handles))
                handles.append(entry)
                model.append([deadline / 4.0, len(handles) - 1, entry])
        elif op == "cancel" and handles:
            entry = handles[arg % len(handles)]
            timers.cancel(entry)
            model = [m for m in model if m[2] is not entry]
        elif op == "cancel many":
            for entry in handles[::arg]:
                timers.cancel(entry)
            gone = set(map(id, handles[::arg]))
            model = [m for m in model if id(m[2]) not in gone]
        elif op == "pop":
            now = arg / 4.0
            due = sorted((m for m in model if m[0] <= now), key=lambda m: (m[0], m[1]))
            assert [e[2] for e in timers.pop_due(now)] == [m[1] for m in due]
            model = [m for m in model if m[0] > now]
        else:
            assert timers.next_deadline() == min((m[0] for m in model), default=None)
        assert len(timers) == len(model)
        if model:
            assert timers.earliest is not None and timers.earliest <= min(m[0] for m in model)
    assert [e[2] for e in timers.pop_due(100.0)] == [m[1] for m in sorted(model, key=lambda m: (m[0], m[1]))]
    assert len(timers) == 0 and timers.next_deadline() is None and timers.earliest is None


def test_a_large_batch_goes_to_the_run_and_pops_from_its_front():
    t = Timers()
    entries = [t.add(float(i % 500), i) for i in range(1000)]  # 500 deadlines at once: the run
    assert t.next_deadline() == 0.0 and not t._heap and len(t._run) == 500
    later = t.add(0.5, "small batch")  # one more: the heap
    assert t.next_deadline() == 0.0 and t._heap == [0.5]
    assert drain(t, 1.0) == [0, 500, "small batch", 1, 501]
    assert [e[2] for e in t.pop_due(1000.0)] == [e[2] for e in sorted(entries[2:500] + entries[502:], key=lambda e: e[0])]
    assert later[1] == 0 and len(t) == 0 and not t._run and t.earliest is None

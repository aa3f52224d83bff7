"""Properties of genlet.sync under random schedules, timeouts and cancellations (hypothesis).

Each example runs a small program on the virtual clock: tasks start at random times, hold or
wait for random durations, give up after random timeouts (a ``timeout=`` argument or a cancel
scope's deadline), and a canceller task cancels random tasks at random times. Afterwards the
invariants must hold and no waiter may be left in any line.
"""

from hypothesis import given
from hypothesis import strategies as st

import genlet

from .helpers import vrun

times = st.sampled_from([0, 0.5, 1, 1.5, 2, 3])
# how a wait may end early: None (it does not), ("timeout", s) or ("scope", s)
limits = st.one_of(st.none(), st.tuples(st.sampled_from(["timeout", "scope"]), st.sampled_from([0, 0.5, 1, 2, 4])))
cancels = st.lists(st.tuples(st.integers(0, 30), times), max_size=4)


def canceller(tasks, plan):
    for index, at in sorted(plan, key=lambda p: p[1]):
        yield from genlet.sleep_until(at)
        tasks[index % len(tasks)].cancel()


def finish(tasks, plan):
    """Run the cancellation plan, give everything time to end, then cancel what is left."""
    genlet.spawn(canceller, tasks, plan, daemon=True)
    yield from genlet.joinall(tasks, timeout=100)
    for task in tasks:
        task.cancel()
    yield from genlet.joinall(tasks)
    for task in tasks:
        assert task.successful() or task.cancelled(), task.exception


def attempt(limit, op):
    """Run ``op(timeout)`` under ``limit``: ``(True, value)`` if it completed, else ``(False, None)``.

    Nothing may checkpoint between the operation's return and the caller's bookkeeping.
    """
    if limit is None:
        return True, (yield from op(None))
    kind, seconds = limit
    if kind == "timeout":
        try:
            return True, (yield from op(seconds))
        except genlet.TimeoutError:
            return False, None
    with genlet.move_on_after(seconds):
        return True, (yield from op(None))
    return False, None


# -- mutual exclusion ------------------------------------------------------------------------


@given(
    kind=st.sampled_from(["Lock", "RLock"]),
    workers=st.lists(st.tuples(times, times, limits, st.booleans()), min_size=1, max_size=7),
    plan=cancels,
    seed=st.integers(0, 2**16),
)
def test_lock_mutual_exclusion(kind, workers, plan, seed):
    inside = [0]
    peak = [0]
    entered = []

    def worker(index, start, hold, limit, with_form):
        lock_ = lock
        yield from genlet.sleep(start)

        def critical():
            inside[0] += 1
            peak[0] = max(peak[0], inside[0])
            entered.append(index)
            try:
                if kind == "RLock":
                    with (yield from lock_):  # re-entry by the owner never waits
                        yield
                yield from genlet.sleep(hold) if hold else genlet.sleep(0)
            finally:
                inside[0] -= 1

        if with_form and limit is None:
            with (yield from lock_):
                yield from critical()
            return
        ok, got = yield from attempt(limit, lambda t: lock_.acquire(timeout=t))
        if ok and got:
            try:
                yield from critical()
            finally:
                lock_.release()

    lock = getattr(genlet, kind)()

    def main():
        tasks = [genlet.spawn(worker, i, *w) for i, w in enumerate(workers)]
        yield from finish(tasks, plan)
        assert not lock.locked() and len(lock._waiters) == 0

    vrun(main, seed=seed)
    assert peak[0] <= 1 and inside[0] == 0


@given(
    n=st.integers(1, 3),
    bounded=st.booleans(),
    workers=st.lists(st.tuples(times, times, limits), min_size=1, max_size=8),
    plan=cancels,
    seed=st.integers(0, 2**16),
)
def test_semaphore_never_admits_more_than_n(n, bounded, workers, plan, seed):
    sem = (genlet.BoundedSemaphore if bounded else genlet.Semaphore)(n)
    inside = [0]
    peak = [0]

    def worker(start, hold, limit):
        yield from genlet.sleep(start)
        ok, got = yield from attempt(limit, lambda t: sem.acquire(timeout=t))
        if not (ok and got):
            return
        inside[0] += 1
        peak[0] = max(peak[0], inside[0])
        try:
            yield from genlet.sleep(hold) if hold else genlet.sleep(0)
        finally:
            inside[0] -= 1
            sem.release()

    def main():
        tasks = [genlet.spawn(worker, *w) for w in workers]
        yield from finish(tasks, plan)
        assert sem.value == n and len(sem._waiters) == 0

    vrun(main, seed=seed)
    assert peak[0] <= n and inside[0] == 0


# -- queues ----------------------------------------------------------------------------------

# (start, how many items, pause between, limit on each operation)
actors = st.lists(st.tuples(times, st.integers(1, 5), st.sampled_from([0, 0.5, 1]), limits), min_size=1, max_size=4)


@given(
    kind=st.sampled_from(["Queue", "PriorityQueue"]),
    maxsize=st.integers(0, 3),
    producers=actors,
    consumers=actors,
    priorities=st.lists(st.integers(0, 3), min_size=20, max_size=20),
    plan=cancels,
    seed=st.integers(0, 2**16),
)
def test_queue_loses_and_duplicates_nothing_and_keeps_order(kind, maxsize, producers, consumers, priorities, plan, seed):
    q = getattr(genlet, kind)(maxsize)
    put, got = [], []  # items whose put returned; (consumer, item) for each get that returned

    def producer(p, start, count, pause, limit):
        yield from genlet.sleep(start)
        for seq in range(count):
            item = (priorities[(p * 5 + seq) % 20], p, seq) if kind == "PriorityQueue" else (p, seq)
            ok, _ = yield from attempt(limit, lambda t: q.put(item, timeout=t))
            if ok:
                put.append(item)
            yield from genlet.sleep(pause)

    def consumer(c, start, count, pause, limit):
        yield from genlet.sleep(start)
        for _ in range(count):
            expected = _next_item(q)  # what a get that does not wait must return
            ok, item = yield from attempt(limit, lambda t: q.get(timeout=t))
            if ok:
                assert expected is _NOTHING or item == expected, (item, expected)
                got.append((c, item))
            yield from genlet.sleep(pause)

    left = vrun(run_queue_actors, q, producer, producers, consumer, consumers, plan, seed=seed)
    delivered = [item for _, item in got] + left
    assert sorted(delivered) == sorted(put)  # nothing lost, nothing twice
    if kind == "Queue":  # FIFO: each consumer sees each producer's items in the order put
        for c in range(len(consumers)):
            seen = [item for who, item in got if who == c]
            for p in range(len(producers)):
                seqs = [s for pp, s in seen if pp == p]
                assert seqs == sorted(seqs)
    else:
        assert left == sorted(left)  # drained smallest first


def run_queue_actors(q, producer, producers, consumer, consumers, plan):
    """Run the producers and consumers to their end; then no task may be left waiting, and the
    item count must match the items. Returns the items left in the queue, drained."""
    tasks = [genlet.spawn(producer, i, *p) for i, p in enumerate(producers)]
    tasks += [genlet.spawn(consumer, i, *c) for i, c in enumerate(consumers)]
    yield from finish(tasks, plan)
    assert len(q._getters) == 0 and len(q._putters) == 0 and q.qsize() == len(q._items)
    left = []
    while not q.empty():
        left.append(q.get_nowait())
    return left


_NOTHING = object()


def _next_item(q):
    """The item a get would return at once, or _NOTHING if it would wait."""
    if q.empty():
        return _NOTHING
    if isinstance(q, genlet.PriorityQueue):
        return min(q._items.items)[0]
    return q._items[0]


# -- PriorityQueue items that do not compare -------------------------------------------------

# (start, the priorities of its items, pause between, limit on each operation, how it puts or gets)
tie_actors = st.lists(
    st.tuples(
        times, st.lists(st.integers(0, 1), min_size=1, max_size=5), st.sampled_from([0, 0.5, 1]), limits,
        st.sampled_from(["wait", "nowait", "select"]),
    ),
    min_size=1, max_size=4,
)  # fmt: skip


@given(maxsize=st.integers(0, 3), producers=tie_actors, consumers=tie_actors, plan=cancels, seed=st.integers(0, 2**16))
def test_priority_queue_of_items_that_do_not_compare_loses_nothing(maxsize, producers, consumers, plan, seed):
    """Items ``(priority, {"id": n})``: two of one priority do not compare (the dicts).

    A put either raises TypeError (the item is not in the queue) or puts it; a get never gets
    another task's TypeError; every item put comes out exactly once, smallest priority first,
    and the counters match the items.
    """
    q = genlet.PriorityQueue(maxsize)
    put, rejected, got = [], [], []  # ids

    def producer(p, start, priorities, pause, limit, how):
        yield from genlet.sleep(start)
        for n, priority in enumerate(priorities):
            item = (priority, {"id": (p, n)})
            try:
                if how == "nowait":
                    try:
                        q.put_nowait(item)
                    except genlet.WouldBlock:
                        continue
                    ok = True
                elif how == "select":
                    ok, _ = yield from attempt(limit, lambda t: genlet.select(q.put_op(item), timeout=t))
                    ok = ok and _ == (0, None)
                else:
                    ok, _ = yield from attempt(limit, lambda t: q.put(item, timeout=t))
            except TypeError:
                rejected.append(item[1]["id"])
                continue
            if ok:
                put.append(item[1]["id"])
            yield from genlet.sleep(pause)
        assert q.qsize() == len(q._items)

    def consumer(c, start, priorities, pause, limit, how):
        yield from genlet.sleep(start)
        for _ in priorities:
            if how == "nowait":
                try:
                    ok, item = True, q.get_nowait()
                except genlet.WouldBlock:
                    ok = False
            elif how == "select":
                ok, reply = yield from attempt(limit, lambda t: genlet.select(q.get_op(), timeout=t))
                ok, item = ok and reply[0] == 0, reply and reply[1]
            else:
                ok, item = yield from attempt(limit, lambda t: q.get(timeout=t))
            if ok:
                got.append(item[1]["id"])
            assert q.qsize() == len(q._items)
            yield from genlet.sleep(pause)

    left = vrun(run_queue_actors, q, producer, producers, consumer, consumers, plan, seed=seed)
    assert len(q._items) == 0 and q._unfinished == len(put)
    assert [priority for priority, _ in left] == sorted(priority for priority, _ in left)
    delivered = got + [data["id"] for _, data in left]
    assert sorted(delivered) == sorted(put)  # nothing lost, nothing twice
    assert not set(rejected) & set(delivered)

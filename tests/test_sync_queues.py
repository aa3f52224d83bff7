"""Queue, LifoQueue, PriorityQueue; their select ops mixed with events and joins."""

import pytest

import genlet

from .helpers import vrun


@pytest.mark.parametrize("deque_unbounded", [True, False], ids=["deque", "list-fifo (MicroPython)"])
def test_queue_fifo_unbounded_and_nowait(monkeypatch, deque_unbounded):
    from genlet.sync import queues

    monkeypatch.setattr(queues, "UNBOUNDED_DEQUE", deque_unbounded)

    def main():
        q = genlet.Queue()
        assert isinstance(q._items, queues.deque if deque_unbounded else queues._ListFifo)
        for i in range(100):
            q.put_nowait(i)
        assert q.qsize() == 100 and not q.full() and not q.empty()
        out = [q.get_nowait() for _ in range(60)]
        for i in range(100, 150):
            yield from q.put(i)
        while not q.empty():
            out.append((yield from q.get()))
        assert out == list(range(150)) and len(q._items) == 0
        with pytest.raises(genlet.WouldBlock, match="is empty"):
            q.get_nowait()

    vrun(main)


def test_queue_bounded_put_waits_and_hands_off():
    trace = []

    def producer(q):
        for i in range(5):
            yield from q.put(i)
            trace.append(("put", i, genlet.clock()))

    def main():
        q = genlet.Queue(2, name="jobs")
        p = genlet.spawn(producer, q)
        yield from genlet.sleep(1)
        assert q.full() and p.waiting_on == "Queue 'jobs' put"
        with pytest.raises(genlet.WouldBlock) as info:
            q.put_nowait("x")
        assert str(info.value) == "Queue 'jobs' is full (maxsize=2); put() would wait for room"
        got = []
        for _ in range(5):
            got.append((yield from q.get()))
            yield from genlet.sleep(1)
        yield from p.join()
        assert got == [0, 1, 2, 3, 4] and len(q._putters) == 0

    vrun(main)
    assert [t for _, _, t in trace] == [0, 0, 1, 2, 3]


def test_queue_timeouts_raise_timeout_error():
    def main():
        q = genlet.Queue(1, name="q")
        with pytest.raises(genlet.TimeoutError) as info:
            yield from q.get(timeout=2)
        assert str(info.value) == "Queue 'q'.get() timed out after 2 seconds: still empty"
        yield from q.put("a")
        with pytest.raises(genlet.TimeoutError, match=r"put\(\) timed out after 1.5 seconds: still full"):
            yield from q.put("b", timeout=1.5)
        assert genlet.clock() == 3.5 and len(q._getters) == 0 and len(q._putters) == 0
        assert q.get_nowait() == "a"

    vrun(main)


def test_lifo_and_priority_order():
    class Job:
        def __init__(self, prio, tag):
            self.prio, self.tag = prio, tag

        def __lt__(self, other):
            return self.prio < other.prio

        def __eq__(self, other):
            return self.prio == other.prio

    def main():
        lifo = genlet.LifoQueue()
        for i in range(5):
            yield from lifo.put(i)
        out = []
        for _ in range(5):
            out.append((yield from lifo.get()))
        assert out == [4, 3, 2, 1, 0]
        pq = genlet.PriorityQueue()
        for prio, tag in [(3, "a"), (1, "b"), (2, "c"), (1, "d"), (3, "e"), (1, "f")]:
            pq.put_nowait(Job(prio, tag))
        out = [pq.get_nowait() for _ in range(6)]
        assert [(j.prio, j.tag) for j in out] == [(1, "b"), (1, "d"), (1, "f"), (2, "c"), (3, "a"), (3, "e")]

    vrun(main)


def test_task_done_and_join():
    def main():
        q = genlet.Queue()
        done = []

        def worker():
            while True:
                item = yield from q.get()
                yield from genlet.sleep(1)
                done.append(item)
                q.task_done()

        workers = [genlet.spawn(worker, name="w1"), genlet.spawn(worker, name="w2")]
        yield from q.join()  # nothing put yet: returns at once
        for i in range(4):
            yield from q.put(i)
        yield from q.join()
        assert sorted(done) == [0, 1, 2, 3] and genlet.clock() == 2
        with pytest.raises(ValueError, match=r"task_done\(\) called more times than items were put"):
            q.task_done()
        for t in workers:
            t.cancel()

    vrun(main)


def test_queue_hand_off_to_getter_survives_cancellation():
    got = []

    def getter(q):
        got.append((yield from q.get()))
        yield
        got.append("not reached")

    def main():
        q = genlet.Queue()
        g = genlet.spawn(getter, q)
        yield
        yield from q.put("item")  # handed straight to the waiting getter ...
        g.cancel()  # ... which is cancelled before it runs: it still gets the item
        yield from g.wait()
        assert g.cancelled() and q.qsize() == 0

    vrun(main)
    assert got == ["item"]


def test_queue_hand_off_from_putter_survives_cancellation():
    trace = []

    def putter(q):
        yield from q.put("second")
        trace.append("put returned")
        yield

    def main():
        q = genlet.Queue(1)
        q.put_nowait("first")
        p = genlet.spawn(putter, q)
        yield
        assert q.get_nowait() == "first"  # frees the slot: the putter's item moves in ...
        p.cancel()  # ... and the putter, cancelled afterwards, keeps its put
        yield from p.wait()
        assert q.get_nowait() == "second" and q.empty()

    vrun(main)
    assert trace == ["put returned"]


def test_select_mixes_event_queue_and_join_ops():
    def sleeper(d):
        yield from genlet.sleep(d)
        return d

    def main():
        ev, q, full = genlet.Event(), genlet.Queue(), genlet.Queue(1)
        full.put_nowait("x")
        t = genlet.spawn(sleeper, 4)

        def later(delay, fn, *args):
            yield from genlet.sleep(delay)
            fn(*args)

        ops = lambda: (ev.wait_op(), q.get_op(), full.put_op("y"), t.join_op())  # noqa: E731
        genlet.spawn(later, 1, q.put_nowait, "item")
        assert (yield from genlet.select(*ops())) == (1, "item")
        assert genlet.clock() == 1
        assert all(len(w) == 0 for w in (ev._waiters, q._getters, full._putters, t._joiners))

        genlet.spawn(later, 1, ev.set)
        assert (yield from genlet.select(*ops())) == (0, True)
        ev.clear()

        genlet.spawn(later, 0.5, full.get_nowait)
        assert (yield from genlet.select(*ops())) == (2, None)
        assert genlet.clock() == 2.5 and full.get_nowait() == "y"
        full.put_nowait("z")

        i, task = yield from genlet.select(ev.wait_op(), q.get_op(), full.put_op("y"), t.join_op())
        assert (i, task, genlet.clock()) == (3, t, 4)
        # ready at once: put into a queue with room, get from a queue with an item
        assert (yield from genlet.select(q.put_op(1))) == (0, None)
        assert (yield from genlet.select(q.get_op())) == (0, 1)
        assert q.get_op().describe().endswith(" get") and "put" in repr(full.put_op(0))

    vrun(main)


def test_select_loser_queue_ops_do_not_take_items():
    def main():
        a, b = genlet.Queue(), genlet.Queue()

        def putter():
            yield from genlet.sleep(1)
            a.put_nowait("A")
            b.put_nowait("B")  # the select has already taken A: B stays queued

        genlet.spawn(putter)
        assert (yield from genlet.select(a.get_op(), b.get_op())) == (0, "A")
        assert b.qsize() == 1 and len(b._getters) == 0
        with genlet.move_on_after(1):  # cancelled: both of its waiters leave a's line
            yield from genlet.select(a.get_op(), a.get_op())
        assert len(a._getters) == 0

    vrun(main)


def test_select_mixes_queue_and_event_ops_with_channel_ops():
    def main():
        ch, q, ev = genlet.Channel(), genlet.Queue(), genlet.Event()

        def sender():
            yield from genlet.sleep(1)
            yield from ch.send("from channel")
            yield from genlet.sleep(1)
            q.put_nowait("from queue")

        genlet.spawn(sender)
        got = []
        for _ in range(2):
            got.append((yield from genlet.select(ch.recv_op(), q.get_op(), ev.wait_op())))
        assert got == [(0, "from channel"), (1, "from queue")] and genlet.clock() == 2
        assert len(q._getters) == 0 and len(ev._waiters) == 0

    vrun(main)


# -- PriorityQueue items that do not compare (issue 14) ----------------------------------------
# (priority, dict) with a tie: comparing the two items compares the dicts, a TypeError.


def _pure_python_heapq():
    """The standard library's heapq without its C part: what PyPy runs. It moves items where
    the C code swaps them, so a comparison that raises leaves the list in another state."""
    import importlib.util
    import sys

    spec = importlib.util.find_spec("heapq")
    saved = sys.modules.get("_heapq")
    sys.modules["_heapq"] = None  # type: ignore[assignment]  # blocks `from _heapq import *`
    try:
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
    finally:
        if saved is None:
            del sys.modules["_heapq"]
        else:
            sys.modules["_heapq"] = saved
    assert module.heappush.__module__ == "heapq"
    return module


@pytest.fixture(params=["C heapq", "Python heapq"])
def heapq_kind(request, monkeypatch):
    if request.param == "Python heapq":
        from genlet.sync import queues

        pure = _pure_python_heapq()
        monkeypatch.setattr(queues, "heappush", pure.heappush)
        monkeypatch.setattr(queues, "heappop", pure.heappop)
    return request.param


def test_priority_queue_moving_in_an_item_that_does_not_compare_fails_its_putter_only(heapq_kind):
    """A get that frees a slot moves the first waiting putter's item in. When that item did
    not compare with the ones queued, the getter got the TypeError (and lost the item it had
    taken), and the putter's put() returned although its item never went in."""
    outcome = []

    def putter(q, item):
        try:
            yield from q.put(item)
            outcome.append(("put", item[1]["id"]))
        except TypeError as error:
            outcome.append(("TypeError", item[1]["id"], str(error)))

    def main():
        q = genlet.PriorityQueue(2, name="jobs")
        q.put_nowait((0, {"id": "first"}))
        q.put_nowait((1, {"id": "tie-a"}))
        bad = genlet.spawn(putter, q, (1, {"id": "tie-b"}))  # waits: the queue is full
        good = genlet.spawn(putter, q, (2, {"id": "later"}))  # waits behind it
        yield
        assert len(q._putters) == 2
        got = yield from q.get()  # frees a slot: tie-b cannot go in, so "later" takes it
        assert got == (0, {"id": "first"})
        yield from genlet.joinall([bad, good])
        assert bad.successful() and good.successful()
        assert q.qsize() == 2 and q._unfinished == 3 and len(q._putters) == 0
        assert [q.get_nowait(), q.get_nowait()] == [(1, {"id": "tie-a"}), (2, {"id": "later"})]
        assert q.empty() and len(q._items) == 0

    vrun(main)
    assert outcome[0][:2] == ("TypeError", "tie-b") and outcome[1] == ("put", "later")
    assert "PriorityQueue 'jobs'" in outcome[0][2] and "does not compare" in outcome[0][2]


@pytest.mark.parametrize("how", ["put_nowait", "put", "put with a timeout"])
def test_priority_queue_put_of_an_item_that_does_not_compare_raises_and_changes_nothing(how, heapq_kind):
    def main():
        q = genlet.PriorityQueue(3)
        q.put_nowait((0, {"id": 0}))
        q.put_nowait((1, {"id": 1}))
        before = list(q._items.items)
        with pytest.raises(TypeError, match="does not compare"):
            if how == "put_nowait":
                q.put_nowait((0, {"id": 2}))
            elif how == "put":
                yield from q.put((0, {"id": 2}))
            else:
                yield from q.put((0, {"id": 2}), timeout=5)
        assert q._items.items == before and q.qsize() == 2 and q._unfinished == 2
        assert [q.get_nowait(), q.get_nowait()] == [(0, {"id": 0}), (1, {"id": 1})]
        assert q.empty() and len(q._items) == 0

    vrun(main)


def test_priority_queue_get_returns_its_item_when_the_rest_do_not_compare(heapq_kind):
    """Two items of one priority that were never compared with each other (siblings in the
    heap) meet when the item above them is taken: the standard library's get raises TypeError
    and loses the item it took. Here the getter gets it, and the two ties come out first in,
    first out."""

    def main():
        q = genlet.PriorityQueue()
        for item in [(0, {"id": 0}), (1, {"id": 1}), (1, {"id": 2})]:
            q.put_nowait(item)
        assert (yield from q.get()) == (0, {"id": 0})
        assert q.qsize() == 2 and len(q._items) == 2
        assert [q.get_nowait(), q.get_nowait()] == [(1, {"id": 1}), (1, {"id": 2})]
        assert q.empty() and q._unfinished == 3

    vrun(main)


def test_priority_queue_mends_its_heap_when_a_comparison_fails_half_way(heapq_kind):
    """heapq may raise after it has moved items (a duplicate left behind by the Python and
    MicroPython versions, a half-sifted permutation by the C one): every item stays, once."""

    def item(priority, tag):
        return (priority, {"tag": tag})

    def drain(q):
        return [(p, data["tag"]) for p, data in (q.get_nowait() for _ in range(q.qsize()))]

    def main():
        q = genlet.PriorityQueue()
        for priority, tag in [(0, "a"), (2, "b"), (1, "c"), (3, "d")]:
            q.put_nowait(item(priority, tag))
        with pytest.raises(TypeError, match="does not compare"):
            q.put_nowait(item(0, "e"))  # moves (2, b) down, then ties with (0, a)
        assert len(q._items) == q.qsize() == 4
        assert drain(q) == [(0, "a"), (1, "c"), (2, "b"), (3, "d")]

        for priority, tag in [(0, "x"), (1, "A"), (5, "B"), (2, "p"), (2, "q"), (6, "C"), (7, "D")]:
            q.put_nowait(item(priority, tag))  # (2, p) and (2, q) are siblings: never compared
        assert (yield from q.get()) == item(0, "x")  # moves (1, A) up, then compares p with q
        assert len(q._items) == q.qsize() == 6
        assert drain(q) == [(1, "A"), (2, "p"), (2, "q"), (5, "B"), (6, "C"), (7, "D")]

    vrun(main)

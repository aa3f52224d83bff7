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

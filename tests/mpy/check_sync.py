"""genlet.sync on any interpreter: a plain script, no pytest, no hypothesis.

Run from the repository root:
    MICROPYPATH=. micropython tests/mpy/check_sync.py      (unix port; MPY_BACKEND=wasm too)
    python3 tests/mpy/check_sync.py                          (CPython; also run by pytest)
Prints "sync: ok" at the end; any failure raises.
"""

import sys

if "genlet" not in sys.modules:
    sys.path.insert(0, ".")  # run from the repository root: genlet/ is there

import genlet  # noqa: E402

V = genlet.VirtualClock


def check_locks():
    lock = genlet.Lock(name="db")
    trace = []

    def holder(i):
        with (yield from lock):
            trace.append(i)
            yield from genlet.sleep(1)

    def main():
        ts = [genlet.spawn(holder, i) for i in range(3)]
        yield from genlet.joinall(ts)
        assert trace == [0, 1, 2] and not lock.locked()
        assert genlet.clock() == 3
        r = genlet.RLock()
        with (yield from r):
            with (yield from r):
                assert r._count == 2
        assert not r.locked()
        try:
            lock.release()
            raise AssertionError("no error")
        except RuntimeError as exc:
            assert "not locked" in str(exc)
        # timeout
        yield from lock.acquire()

        def try_it():
            return (yield from lock.acquire(timeout=2))

        t = genlet.spawn(try_it)  # (a lambda generator returns None on MicroPython)
        got = yield from t.join()
        assert got is False and genlet.clock() == 5
        lock.release()

    genlet.run(main, clock=V())


def check_deadlock():
    def take(first, second):
        with (yield from first):
            yield from genlet.sleep(1)
            with (yield from second):
                pass

    def main():
        a, b = genlet.RLock(name="a"), genlet.RLock(name="b")
        ta = genlet.spawn(take, a, b, name="task_a")
        tb = genlet.spawn(take, b, a, name="task_b")
        try:
            yield from tb.join()
            raise AssertionError("no deadlock")
        except genlet.Deadlock as exc:
            msg = str(exc)
        yield from ta.join()
        assert "task 'task_b' would wait for RLock 'a'" in msg, msg
        assert "task 'task_a' waits for RLock 'b'" in msg, msg

    genlet.run(main, clock=V())


def check_semaphores_condition():
    def main():
        sem = genlet.Semaphore(2)
        peak = [0, 0]

        def w():
            with (yield from sem):
                peak[0] += 1
                peak[1] = max(peak)
                yield from genlet.sleep(1)
                peak[0] -= 1

        yield from genlet.joinall([genlet.spawn(w) for _ in range(5)])
        assert peak[1] == 2 and genlet.clock() == 3
        b = genlet.BoundedSemaphore(1)
        try:
            b.release()
            raise AssertionError
        except ValueError:
            pass
        try:
            genlet.Semaphore(-1)
            raise AssertionError
        except ValueError:
            pass
        cond = genlet.Condition()
        items = []

        def consumer():
            with (yield from cond):
                yield from cond.wait_for(lambda: items)
                return items.pop()

        c = genlet.spawn(consumer)
        yield
        with (yield from cond):
            items.append(7)
            cond.notify()
        assert (yield from c.join()) == 7
        try:
            yield from cond.wait()
            raise AssertionError
        except RuntimeError:
            pass

    genlet.run(main, clock=V())


def check_events_queues_select():
    def main():
        ev = genlet.Event()
        r = genlet.AsyncResult()
        assert (yield from ev.wait(timeout=1)) is False
        try:
            yield from r.get(timeout=1)
            raise AssertionError
        except genlet.TimeoutError:
            pass
        r.set(5)
        assert (yield from r.get()) == 5
        q = genlet.Queue(2)
        for i in range(2):
            yield from q.put(i)
        try:
            q.put_nowait(9)
            raise AssertionError
        except genlet.WouldBlock:
            pass
        out = []
        for i in range(100):
            if q.full():
                out.append(q.get_nowait())
            q.put_nowait(i + 2)
        while not q.empty():
            out.append((yield from q.get()))
        assert out == list(range(102)), out
        big = genlet.Queue()
        for i in range(100):
            big.put_nowait(i)
        out = [big.get_nowait() for _ in range(60)]  # compacts the list on the way
        for i in range(100, 150):
            big.put_nowait(i)
        while not big.empty():
            out.append(big.get_nowait())
        assert out == list(range(150)) and len(big._items) == 0
        pq = genlet.PriorityQueue()
        for x in [3, 1, 2, 1]:
            pq.put_nowait((x, "x"))
        assert [pq.get_nowait()[0] for _ in range(4)] == [1, 1, 2, 3]
        lq = genlet.LifoQueue()
        for x in range(3):
            lq.put_nowait(x)
        assert lq.get_nowait() == 2

        def later():
            yield from genlet.sleep(1)
            q.put_nowait("item")

        genlet.spawn(later)
        i, v = yield from genlet.select(ev.wait_op(), q.get_op())
        assert (i, v) == (1, "item")
        t = genlet.spawn(genlet.sleep, 2)
        full = genlet.Queue(1)
        full.put_nowait(0)
        i, v = yield from genlet.select(ev.wait_op(), full.put_op(1), t.join_op())
        assert i == 2 and v is t
        ev.set()
        assert (yield from genlet.select(ev.wait_op())) == (0, True)

    genlet.run(main, clock=V())


def check_pool_group():
    def job(x):
        yield from genlet.sleep(2)
        return x * x

    def main():
        pool = genlet.Pool(3)
        res = yield from pool.map(job, range(6))
        assert res == [0, 1, 4, 9, 16, 25] and genlet.clock() == 4
        for results, want in ((pool.imap(job, range(4)), [0, 1, 4, 9]), (pool.imap_unordered(job, [3]), [9])):
            out = []
            while True:
                value, ok = yield from results.recv_ok()
                if not ok:
                    break
                out.append(value)
            assert out == want, out
        try:
            genlet.Pool(0)
            raise AssertionError
        except ValueError:
            pass

        def body(group):
            for i in range(3):
                group.spawn(job, i)
            return "ok"
            yield

        assert (yield from genlet.task_group(body)) == "ok"

        def fail(msg):
            yield from genlet.sleep(1)
            raise ValueError(msg)

        def bad(group):
            group.spawn(fail, "a")
            group.spawn(fail, "b")
            yield from genlet.sleep(10)

        try:
            yield from genlet.task_group(bad)
            raise AssertionError
        except genlet.TaskGroupError as exc:
            assert len(exc.exceptions) == 2

    genlet.run(main, clock=V())


def check():
    check_locks()
    check_deadlock()
    check_semaphores_condition()
    check_events_queues_select()
    check_pool_group()


if __name__ == "__main__":
    check()
    print("sync: ok")

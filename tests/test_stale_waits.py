"""A forgotten `yield from`: every blocking call says so, and nothing is lost (issue 14).

Two mistakes, one cause: a blocking call acts when it is *called*, and its `yield from` only
waits for (or collects) the result.

- The task registers a wait it never yields for (`ch.recv()`), then completes that wait
  itself before it yields (`ch.send_nowait(x)`). The completing call raises the TypeError that
  explains the missing `yield from` and does nothing else: no value handed to the stale wait,
  no task queued twice.
- An operation that finishes at once (`lock.acquire()` on a free lock, `sem.acquire()`,
  `pool.spawn()` with a free slot) marks the task until its `yield from` runs, so that the
  mistake is a TypeError at the task's next yield, next blocking call, or end.
"""

import logging

import pytest

import genlet
from genlet import Channel

from .helpers import vrun

SELF_WAKE = r"without waiting for it.*would have completed that wait for the task itself, and did nothing"


# -- a task that completes its own stale wait ---------------------------------------------------
# Each case: (setup, forget, complete, check). `setup(state)` runs first (it may yield from),
# `forget(state)` is the blocking call without `yield from`, `complete(state)` the plain call
# that would complete that wait, and `check(state)` (it may yield from) shows nothing was lost
# and the primitive works on.


def _channel_recv_then_send_nowait():
    def setup(s):
        s["ch"] = Channel()
        return
        yield

    def check(s):
        ch = s["ch"]
        assert ch.statistics().waiting_receivers == 0
        receiver = genlet.spawn(ch.recv)
        yield
        ch.send_nowait("x")  # the value the failed call kept goes through now
        assert (yield from receiver.join()) == "x"

    return setup, lambda s: s["ch"].recv(), lambda s: s["ch"].send_nowait("x"), check


def _channel_recv_ok_then_send():
    setup, _, _, check = _channel_recv_then_send_nowait()

    def complete(s):
        for _ in s["ch"].send("x"):  # a send that finds the receiver completes at once
            raise AssertionError("it would wait")

    return setup, lambda s: s["ch"].recv_ok(), complete, check


def _channel_send_then_recv_nowait():
    def setup(s):
        s["ch"] = ch = Channel(1)
        ch.send_nowait("buffered")
        return
        yield

    def check(s):
        ch = s["ch"]
        assert len(ch) == 1 and ch.statistics().waiting_senders == 0
        assert ch.recv_nowait() == "buffered"  # the buffered value was not lost
        return
        yield

    return setup, lambda s: s["ch"].send("mine"), lambda s: s["ch"].recv_nowait(), check


def _channel_send_then_select_recv():
    setup, _, _, check = _channel_send_then_recv_nowait()

    def complete(s):
        return s["ch"].recv_op().commit()  # what select does with a ready op

    return setup, lambda s: s["ch"].send("mine"), complete, check


def _channel_recv_then_close():
    def setup(s):
        s["ch"] = ch = Channel()
        s["other"] = genlet.spawn(ch.recv_ok)
        yield

    def check(s):
        ch = s["ch"]
        assert not ch.closed and ch.statistics().waiting_receivers == 1  # only the other task
        ch.close()
        assert (yield from s["other"].join()) == (None, False)

    return setup, lambda s: s["ch"].recv(), lambda s: s["ch"].close(), check


def _event_wait_then_set():
    def setup(s):
        s["ev"] = ev = genlet.Event()
        s["other"] = genlet.spawn(ev.wait)
        yield

    def check(s):
        ev = s["ev"]
        assert not ev.is_set() and len(ev._waiters) == 1  # only the other task waits
        ev.set()
        assert (yield from s["other"].join()) is True

    return setup, lambda s: s["ev"].wait(timeout=5), lambda s: s["ev"].set(), check


def _async_result_get_then_set():
    def setup(s):
        s["r"] = genlet.AsyncResult()
        return
        yield

    def check(s):
        r = s["r"]
        assert not r.ready()
        r.set(42)
        assert (yield from r.get()) == 42

    return setup, lambda s: s["r"].get(), lambda s: s["r"].set(42), check


def _queue_get_then_put(kind):
    def setup(s):
        s["q"] = kind()
        return
        yield

    def check(s):
        q = s["q"]
        assert q.qsize() == 0 and len(q._getters) == 0
        q.put_nowait("item")  # the item the failed put kept
        assert q.get_nowait() == "item"
        return
        yield

    return setup, lambda s: s["q"].get(), lambda s: s["q"].put_nowait("item"), check


def _queue_put_then_get(kind):
    def setup(s):
        s["q"] = q = kind(maxsize=1)
        q.put_nowait("queued")
        return
        yield

    def check(s):
        q = s["q"]
        assert q.qsize() == 1 and len(q._putters) == 0
        assert q.get_nowait() == "queued"  # the queued item was not lost
        return
        yield

    return setup, lambda s: s["q"].put("mine"), lambda s: s["q"].get_nowait(), check


def _queue_join_then_task_done():
    def setup(s):
        s["q"] = q = genlet.Queue()
        q.put_nowait(1)
        q.get_nowait()
        return
        yield

    def check(s):
        q = s["q"]
        joiner = genlet.spawn(q.join)
        yield
        q.task_done()  # still owed: the failed call did not count
        yield from joiner.join()

    return setup, lambda s: s["q"].join(), lambda s: s["q"].task_done(), check


def _semaphore_acquire_then_release(kind):
    def setup(s):
        s["sem"] = sem = kind(1)
        yield from sem.acquire()

    def check(s):
        sem = s["sem"]
        assert sem.value == 0 and len(sem._waiters) == 0  # the permit is still ours
        sem.release()
        assert sem.value == 1
        return
        yield

    return setup, lambda s: s["sem"].acquire(), lambda s: s["sem"].release(), check


def _lock_acquire_then_release(kind):
    def setup(s):
        s["lock"] = lock = kind()
        yield from lock.acquire()

    def check(s):
        lock = s["lock"]
        assert lock._held()  # still ours: the release did nothing
        lock.release()
        assert not lock.locked()
        return
        yield

    # A task that holds a Lock and asks for it again with a timeout waits for itself (until the
    # timeout); forgetting that `yield from` and releasing would hand the lock to itself.
    return setup, lambda s: s["lock"].acquire(timeout=1), lambda s: s["lock"].release(), check


SELF_WAKES = {
    "channel recv, send_nowait": _channel_recv_then_send_nowait(),
    "channel recv_ok, send": _channel_recv_ok_then_send(),
    "channel send, recv_nowait": _channel_send_then_recv_nowait(),
    "channel send, select recv op": _channel_send_then_select_recv(),
    "channel recv, close": _channel_recv_then_close(),
    "event wait, set": _event_wait_then_set(),
    "async result get, set": _async_result_get_then_set(),
    "queue get, put_nowait": _queue_get_then_put(genlet.Queue),
    "lifo queue get, put_nowait": _queue_get_then_put(genlet.LifoQueue),
    "priority queue get, put_nowait": _queue_get_then_put(genlet.PriorityQueue),
    "queue put, get_nowait": _queue_put_then_get(genlet.Queue),
    "lifo queue put, get_nowait": _queue_put_then_get(genlet.LifoQueue),
    "priority queue put, get_nowait": _queue_put_then_get(genlet.PriorityQueue),
    "queue join, task_done": _queue_join_then_task_done(),
    "semaphore acquire, release": _semaphore_acquire_then_release(genlet.Semaphore),
    "bounded semaphore acquire, release": _semaphore_acquire_then_release(genlet.BoundedSemaphore),
    "lock acquire, release": _lock_acquire_then_release(genlet.Lock),
    "condition acquire, release": _lock_acquire_then_release(genlet.Condition),
}


@pytest.mark.parametrize("case", sorted(SELF_WAKES))
def test_completing_its_own_stale_wait_raises_and_loses_nothing(case):
    setup, forget, complete, check = SELF_WAKES[case]
    trace = []

    def culprit():
        state = {}
        yield from setup(state)
        forget(state)  # the mistake: no `yield from`
        with pytest.raises(TypeError, match=SELF_WAKE) as info:
            complete(state)
        assert genlet.current_task()._wait is None  # the stale wait is undone
        for step in range(3):
            trace.append(step)
            yield
        yield from check(state)
        return str(info.value)

    def main():
        task = genlet.spawn(culprit, name="culprit")
        others = genlet.spawn(bystander, trace)
        message = yield from task.join()
        yield from others.join()
        return message

    message = vrun(main)
    assert message.startswith("task 'culprit' called ")
    # It ran once per pass, next to the bystander: not queued twice by its own hand-off.
    assert trace[:6] in ([0, "b0", 1, "b1", 2, "b2"], ["b0", 0, "b1", 1, "b2", 2])


def bystander(trace):
    for step in range(3):
        trace.append("b%d" % step)
        yield


def test_the_reported_case_join_no_longer_fails_inside_the_kernel():
    """Issue 14: `ch.recv()` then `ch.send_nowait("x")` queued the task twice; it was resumed
    after it had finished, and `join()` raised an AttributeError from inside the kernel."""
    ran = []

    def careless():
        ch = Channel()
        ch.recv()
        try:
            ch.send_nowait("x")
        except TypeError as exc:
            ran.append("TypeError" if "yield from" in str(exc) else str(exc))
        ran.append("after")
        yield
        ran.append("resumed")
        return "done"

    def main():
        task = genlet.spawn(careless)
        yield
        yield
        yield
        return (yield from task.join())

    assert vrun(main) == "done"
    assert ran == ["TypeError", "after", "resumed"]


# -- operations that finish at once still need their `yield from` -------------------------------


@pytest.mark.parametrize(
    "make,call,fix",
    [
        (genlet.Lock, lambda p: p.acquire(), "Lock.acquire() without waiting for it: write `yield from lock.acquire()`"),
        (genlet.RLock, lambda p: p.acquire(), "RLock.acquire() without waiting for it: write `yield from rlock.acquire()`"),
        (genlet.Condition, lambda p: p.acquire(), "Lock.acquire() without waiting for it: write `yield from lock.acquire()`"),
        (genlet.Semaphore, lambda p: p.acquire(), "Semaphore.acquire() without waiting for it: write `yield from sem.acquire()`"),
        (
            genlet.BoundedSemaphore,
            lambda p: p.acquire(),
            "BoundedSemaphore.acquire() without waiting for it: write `yield from sem.acquire()`",
        ),
        (lambda: genlet.Pool(2), lambda p: p.spawn(genlet.sleep, 1), "Pool.spawn() without waiting for it: write `task = yield from pool.spawn(fn, \\*args)`"),
    ],
    ids=["Lock", "RLock", "Condition", "Semaphore", "BoundedSemaphore", "Pool"],
)
@pytest.mark.parametrize("caught_at", ["yield", "blocking call"])
def test_an_operation_that_finished_at_once_without_yield_from_is_explained(make, call, fix, caught_at):
    def main():
        prim = make()
        call(prim)  # the mistake: no `yield from`
        with pytest.raises(TypeError) as info:
            if caught_at == "yield":
                yield
            else:
                yield from genlet.sleep(1)
        assert str(info.value) == "task %r called %s" % (genlet.current_task().name, fix.replace("\\", ""))
        yield from genlet.sleep(1)  # the task is usable again
        return True

    assert vrun(main) is True


def test_lock_acquire_without_yield_from_lets_nobody_else_in():
    """Issue 14: `lock.acquire()` without `yield from` let two tasks into the critical section."""
    inside, overlaps, errors = [], [], []

    def worker(lock, n):
        try:
            lock.acquire()  # the mistake
            try:
                inside.append(n)
                if len(inside) > 1:
                    overlaps.append(list(inside))
                yield from genlet.sleep(1)  # the TypeError comes here, with the lock held
            finally:
                inside.remove(n)
                lock.release()
        except TypeError as exc:
            errors.append(str(exc))

    def main():
        lock = genlet.Lock()
        yield from genlet.joinall([genlet.spawn(worker, lock, n, name="w%d" % n) for n in range(2)])
        assert not lock.locked()

    vrun(main)
    assert overlaps == []
    assert errors == ["task 'w%d' called Lock.acquire() without waiting for it: write `yield from lock.acquire()`" % n for n in range(2)]


def test_semaphore_acquire_without_yield_from_takes_no_permit_silently():
    def main():
        sem = genlet.Semaphore(1)
        sem.acquire()
        with pytest.raises(TypeError, match=r"Semaphore.acquire\(\) without waiting for it"):
            yield
        return sem.value  # the permit is taken (what the call did stays done): release it yourself

    assert vrun(main) == 0


def test_pool_spawn_without_yield_from_as_in_gevent_is_explained():
    """Issue 14: the seed article's Pool example typed as in gevent ran 3 of 6 tasks and dropped
    the rest without a word."""
    started = []

    def job(n):
        started.append(n)
        yield from genlet.sleep(1)

    def main():
        pool = genlet.Pool(3)
        with pytest.raises(TypeError, match=r"task 'main-\d+' called Pool.spawn\(\) without waiting for it"):
            for n in range(6):
                pool.spawn(job, n)
        yield from pool.join()
        return started

    assert vrun(main) == [0]  # the first call started its task; the second explained the mistake


def test_pool_spawn_without_yield_from_in_a_full_pool_is_explained():
    started = []

    def job(n):
        started.append(n)
        yield from genlet.sleep(1)

    def main():
        pool = genlet.Pool(1)
        yield from pool.spawn(job, 0)
        pool.spawn(job, 1)  # full: it registers in the line of spawners
        with pytest.raises(TypeError, match=r"Pool#\d+ spawn \(a free slot\)\) without waiting for it"):
            yield
        assert len(pool._spawners) == 0
        yield from pool.join()
        return started

    assert vrun(main) == [0]


def test_an_unwaited_acquire_at_task_end_is_reported(caplog):
    def careless(lock):
        lock.acquire()
        lock.release()
        return "done"
        yield

    def main():
        lock = genlet.Lock()
        return (yield from genlet.spawn(careless, lock, name="careless").join())

    with caplog.at_level(logging.ERROR, logger="genlet"):
        assert vrun(main) == "done"
    assert any("careless" in r.getMessage() and "Lock.acquire() without waiting" in r.getMessage() for r in caplog.records)


def test_acquire_with_yield_from_leaves_no_mark():
    def main():
        for prim in (genlet.Lock(), genlet.RLock(), genlet.Semaphore(1), genlet.BoundedSemaphore(1)):
            assert (yield from prim.acquire()) is True
            assert genlet.current_task()._wait is None
            prim.release()
        pool = genlet.Pool(1)
        task = yield from pool.spawn(genlet.sleep, 0)
        assert genlet.current_task()._wait is None
        yield from task.join()
        yield
        return True

    assert vrun(main) is True


# -- spawn(operation): the new task does it ------------------------------------------------------


@pytest.mark.parametrize("kind", [genlet.Lock, genlet.RLock])
def test_spawn_of_acquire_makes_the_new_task_the_owner(kind):
    def main():
        lock = kind()
        task = genlet.spawn(lock.acquire)
        assert lock._owner is task  # it acquires: it owns (the spawner did, for an RLock)
        assert (yield from task.join()) is True
        with pytest.raises(RuntimeError, match="cannot release"):
            lock.release()
        return True

    assert vrun(main) is True


@pytest.mark.parametrize("kind", [genlet.Lock, genlet.RLock])
def test_spawn_of_acquire_of_a_lock_the_spawner_holds_waits(kind):
    def main():
        lock = kind()
        yield from lock.acquire()
        task = genlet.spawn(lock.acquire)
        yield
        assert task.state == "WAITING" and lock._owner is genlet.current_task()
        lock.release()  # once: an RLock was not entered again by the spawn
        assert (yield from task.join()) is True
        return lock._owner is task

    assert vrun(main) is True


def test_spawn_of_an_operation_that_waits_still_parks_the_new_task():
    def main():
        ch = Channel()
        receiver = genlet.spawn(ch.recv)
        sleeper = genlet.spawn(genlet.sleep, 5)
        assert genlet.current_task()._wait is None  # the spawner waits for nothing
        yield from ch.send("x")
        assert (yield from receiver.join()) == "x"
        yield from sleeper.join()
        return genlet.clock()

    assert vrun(main) == 5


def test_closing_a_descriptor_it_forgot_to_wait_on_fails_the_others_then_explains():
    import socket

    a, b = socket.socketpair()
    a.setblocking(False)
    try:
        while True:
            a.send(b"x" * 65536)  # fill it: a writer waits
    except BlockingIOError:
        pass

    def writer():
        yield from genlet.kernel.write_wait(a)

    def main():
        other = genlet.spawn(writer)
        yield
        kernel = genlet.current_task()._kernel
        genlet.kernel.read_wait(a)  # the mistake: no `yield from` (the reader comes first)
        with pytest.raises(TypeError, match=SELF_WAKE):
            genlet.kernel.notify_closing(a)
        assert genlet.current_task()._wait is None and kernel._io.count == 0
        with pytest.raises(OSError):
            yield from other.join()  # the other waiter got its error all the same
        return True

    try:
        assert vrun(main) is True
    finally:
        a.close()
        b.close()


def test_a_forgotten_join_is_explained_at_the_next_yield():
    def main():
        child = genlet.spawn(genlet.sleep, 1, name="child")
        child.join()  # the mistake: no `yield from`
        with pytest.raises(TypeError, match=r"\(task 'child' to finish\) without waiting for it"):
            yield
        assert len(child._joiners) == 0
        return (yield from child.join())

    assert vrun(main) is None


def test_rlock_acquire_again_without_yield_from_is_explained():
    """The owner's second acquire takes the same fast path as the first: it is marked too."""

    def main():
        rlock = genlet.RLock()
        yield from rlock.acquire()
        rlock.acquire()  # the mistake, by the owner
        with pytest.raises(TypeError, match=r"RLock.acquire\(\) without waiting for it"):
            yield
        assert rlock._count == 2  # what the call did stays done: release it yourself
        assert (yield from rlock.acquire()) is True and genlet.current_task()._wait is None
        for _ in range(3):
            rlock.release()
        return rlock.locked()

    assert vrun(main) is False


def test_the_published_wait_object_is_the_tasks_wait():
    """Issue 14: ``task.wait_object`` and ``task.kernel`` (lowlevel.py) are plain attributes
    that follow the task's state: what a free Lock's acquire reads and sets."""
    seen = []

    def main():
        task = genlet.current_task()
        lock = genlet.Lock()
        seen.append(task.wait_object)
        lock.acquire()  # no yield from: the task is marked
        seen.append(task.wait_object.describe())
        with pytest.raises(TypeError, match=r"Lock.acquire\(\) without waiting for it"):
            yield
        seen.append(task.wait_object)
        return task.kernel is genlet.kernel.current_kernel()

    assert vrun(main) is True
    assert seen == [None, "Lock.acquire()", None]

"""Lock, RLock, Semaphore, BoundedSemaphore, Condition: behaviour, hand-offs, bad input."""

import logging

import pytest

import genlet
from genlet.kernel.traps import TRAP

from .helpers import vrun


def holder(lock, seconds, trace, label):
    with (yield from lock):
        trace.append((label, "in", genlet.clock()))
        yield from genlet.sleep(seconds)
        trace.append((label, "out", genlet.clock()))


# -- Lock ----------------------------------------------------------------------------------------


def test_lock_with_form_is_fifo_and_exclusive():
    trace = []

    def main():
        lock = genlet.Lock()
        tasks = [genlet.spawn(holder, lock, 1, trace, i) for i in range(3)]
        yield from genlet.joinall(tasks)
        assert not lock.locked() and len(lock._waiters) == 0

    vrun(main)
    assert trace == [(0, "in", 0), (0, "out", 1), (1, "in", 1), (1, "out", 2), (2, "in", 2), (2, "out", 3)]


def test_uncontended_acquire_does_not_suspend_or_allocate_a_waiter():
    def main():
        lock = genlet.Lock()
        it = lock.acquire()
        assert it is not TRAP  # finishes at once: not a park
        assert (yield from it) is True
        assert lock.locked() and lock._owner is genlet.current_task() and len(lock._waiters) == 0
        lock.release()
        assert not lock.locked()
        with (yield from lock) as held:
            assert held is lock and lock.locked()
        assert not lock.locked()

    vrun(main)


def test_lock_acquire_timeout_returns_false_and_leaves_the_line():
    def main():
        lock = genlet.Lock()
        t = genlet.spawn(holder, lock, 5, [], "h")
        yield
        assert (yield from lock.acquire(timeout=2)) is False
        assert genlet.clock() == 2 and len(lock._waiters) == 0
        assert (yield from lock.acquire(timeout=10)) is True
        assert genlet.clock() == 5
        lock.release()
        yield from t.join()

    vrun(main)


def test_lock_no_barging_release_hands_straight_to_the_waiter():
    def main():
        lock = genlet.Lock()
        got = []

        def waiter():
            yield from lock.acquire()
            got.append("waiter")
            lock.release()

        yield from lock.acquire()
        w = genlet.spawn(waiter)
        yield  # the waiter is now in line
        lock.release()
        assert lock.locked() and lock._owner is w  # handed over, not freed
        assert (yield from lock.acquire(timeout=0)) is False  # no barging by the releaser
        yield from w.join()
        assert got == ["waiter"] and not lock.locked()

    vrun(main)


def test_lock_hand_off_survives_cancellation():
    trace = []

    def waiter(lock):
        try:
            with (yield from lock):
                trace.append("got it")
                yield  # the first checkpoint: the cancel arrives here
                trace.append("not reached")
        finally:
            trace.append(("finally", lock.locked()))

    def main():
        lock = genlet.Lock()
        yield from lock.acquire()
        w = genlet.spawn(waiter, lock)
        yield
        lock.release()  # handed to w ...
        w.cancel()  # ... and then w is cancelled: it must still get the lock, and release it
        yield from w.wait()
        assert w.cancelled()
        assert not lock.locked() and len(lock._waiters) == 0

    vrun(main)
    assert trace == ["got it", ("finally", False)]


def test_lock_waiter_cancelled_before_hand_off_leaves_the_line():
    def main():
        lock = genlet.Lock()
        yield from lock.acquire()
        ws = [genlet.spawn(holder, lock, 1, [], i) for i in range(3)]
        yield
        ws[1].cancel()
        yield
        assert len(lock._waiters) == 2
        lock.release()
        yield from genlet.joinall(ws)
        assert ws[1].cancelled() and ws[0].successful() and ws[2].successful()
        assert not lock.locked()

    vrun(main)


def test_lock_names_in_reports_and_task_dump():
    def main():
        named = genlet.Lock(name="db")
        plain = genlet.Lock()
        assert named.name == "db" and named.describe() == "Lock 'db'"
        assert plain.name.startswith("Lock#") and plain.describe() == plain.name
        yield from named.acquire()
        t = genlet.spawn(holder, named, 1, [], "x")
        yield
        assert t.waiting_on == "Lock 'db' acquire (held by task 'main-1')"
        assert "held by" in repr(named) and "1 waiting" in repr(named)
        named.release()
        yield from t.join()

    vrun(main)


# -- RLock ---------------------------------------------------------------------------------------


def test_rlock_counts_reentries():
    def main():
        lock = genlet.RLock(name="r")
        with (yield from lock):
            with (yield from lock):
                assert (yield from lock.acquire()) is True
                assert lock._count == 3
                lock.release()
            assert lock.locked() and lock._count == 1
            t = genlet.spawn(holder, lock, 1, [], "other")
            yield from genlet.sleep(1)
            assert t.waiting_on == "RLock 'r' acquire (held by task 'main-1')"
        yield from t.join()
        assert not lock.locked()

    vrun(main)


def test_rlock_hand_off_sets_count_one():
    def main():
        lock = genlet.RLock()
        trace = []
        yield from lock.acquire()
        yield from lock.acquire()
        t = genlet.spawn(holder, lock, 1, trace, "t")
        yield
        lock.release()
        assert lock._owner is genlet.current_task()
        lock.release()
        assert lock._owner is t and lock._count == 1
        yield from t.join()
        assert not lock.locked() and trace[0] == ("t", "in", 0)

    vrun(main)


# -- Semaphores ----------------------------------------------------------------------------------


def test_semaphore_admits_n_and_hands_off_fifo():
    trace = []

    def main():
        sem = genlet.Semaphore(2)
        tasks = [genlet.spawn(holder, sem, 1, trace, i) for i in range(5)]
        yield from genlet.joinall(tasks)
        assert sem.value == 2 and len(sem._waiters) == 0

    vrun(main)
    ins = [(label, t) for label, what, t in trace if what == "in"]
    assert ins == [(0, 0), (1, 0), (2, 1), (3, 1), (4, 2)]


def test_semaphore_acquire_timeout_and_release_by_any_task():
    def main():
        sem = genlet.Semaphore(0)
        assert sem.locked()
        assert (yield from sem.acquire(timeout=1)) is False
        assert genlet.clock() == 1 and len(sem._waiters) == 0

        def releaser():
            yield from genlet.sleep(2)
            sem.release()  # no owner: any task may release

        genlet.spawn(releaser)
        assert (yield from sem.acquire()) is True
        assert genlet.clock() == 3 and sem.value == 0

    vrun(main)


def test_semaphore_hand_off_survives_cancellation():
    def main():
        sem = genlet.Semaphore(1)
        trace = []
        yield from sem.acquire()
        w = genlet.spawn(holder, sem, 1, trace, "w")
        yield
        sem.release()
        w.cancel()
        yield from w.wait()
        assert trace == [("w", "in", 0)] and sem.value == 1

    vrun(main)


def test_bounded_semaphore_over_release_is_value_error():
    def main():
        sem = genlet.BoundedSemaphore(2, name="slots")
        with (yield from sem):
            pass
        with pytest.raises(ValueError) as info:
            sem.release()
        assert str(info.value) == (
            "BoundedSemaphore 'slots' released too many times: all 2 permits are already free. "
            "Release only after a matching acquire (`with (yield from sem):` pairs them for you)"
        )
        assert sem.value == 2
        plain = genlet.Semaphore(1)
        plain.release()  # a plain Semaphore just grows
        assert plain.value == 2

    vrun(main)


def test_semaphore_negative_is_value_error():
    with pytest.raises(ValueError) as info:
        genlet.Semaphore(-1)
    assert str(info.value) == "Semaphore(-1): the initial value is the number of free permits, an int >= 0"
    with pytest.raises(ValueError, match=r"BoundedSemaphore\(-3\)"):
        genlet.BoundedSemaphore(-3)


# -- bad input -----------------------------------------------------------------------------------


def test_release_of_unheld_lock_is_runtime_error():
    def main():
        lock = genlet.Lock(name="db")
        with pytest.raises(RuntimeError) as info:
            lock.release()
        assert str(info.value) == (
            "release() of Lock 'db', which is not locked: release only a lock that this task "
            "acquired (and only once per acquire)"
        )
        rlock = genlet.RLock(name="r")
        with pytest.raises(RuntimeError, match=r"release\(\) of RLock 'r', which is not locked"):
            rlock.release()
        yield

    vrun(main)


def test_release_by_another_task_is_runtime_error():
    def main():
        lock = genlet.RLock(name="db")
        yield from lock.acquire()
        errors = []

        def thief():
            try:
                lock.release()
            except RuntimeError as exc:
                errors.append(str(exc))
            yield

        yield from genlet.spawn(thief, name="thief").join()
        assert errors == [
            "task 'thief' cannot release RLock 'db': task 'main-1' holds it. A lock is released by "
            "the task that acquired it; to hand work over between tasks use a Semaphore or a Queue"
        ]
        assert lock._owner is genlet.current_task()
        lock.release()

    vrun(main)


def test_with_lock_without_yield_from_is_explained():
    def main():
        for primitive in (genlet.Lock(name="x"), genlet.Semaphore(1), genlet.Condition()):
            with pytest.raises(TypeError, match=r"write `with \(yield from lock\):`"):
                with primitive:
                    pass
        yield

    vrun(main)


def test_nan_timeout_is_value_error():
    def main():
        lock = genlet.Lock()
        yield from lock.acquire()
        other = genlet.spawn(lambda: (yield from lock.acquire(timeout=float("nan"))))
        with pytest.raises(ValueError, match="timeout is NaN"):
            yield from other.join()
        lock.release()

    vrun(main)


# -- Condition -----------------------------------------------------------------------------------


def test_condition_wait_without_lock_is_runtime_error():
    def main():
        cond = genlet.Condition(name="c")
        with pytest.raises(RuntimeError) as info:
            yield from cond.wait()
        assert str(info.value) == (
            "Condition 'c'.wait() needs the condition's lock, and this task does not hold it: "
            "call it inside `with (yield from cond):`"
        )
        with pytest.raises(RuntimeError, match=r"notify\(\) needs the condition's lock"):
            cond.notify()
        with pytest.raises(RuntimeError, match=r"wait_for\(\) needs"):
            yield from cond.wait_for(lambda: True)
        with pytest.raises(TypeError, match="must be a genlet Lock or RLock"):
            genlet.Condition(genlet.Semaphore())

    vrun(main)


def test_condition_notify_wakes_fifo_and_reacquires():
    trace = []

    def main():
        cond = genlet.Condition()
        items = []

        def consumer(i):
            with (yield from cond):
                yield from cond.wait_for(lambda: items)
                assert cond._lock._owner is genlet.current_task()
                trace.append((i, items.pop(0)))

        cs = [genlet.spawn(consumer, i) for i in range(3)]
        yield from genlet.sleep(1)
        for n in range(3):
            with (yield from cond):
                items.append(n)
                cond.notify()
            yield from genlet.sleep(1)
        yield from genlet.joinall(cs)
        assert len(cond._waiters) == 0 and not cond.locked()

    vrun(main)
    assert trace == [(0, 0), (1, 1), (2, 2)]


def test_condition_wait_timeout_and_notify_all():
    def main():
        cond = genlet.Condition(genlet.RLock())
        with (yield from cond):
            with (yield from cond):  # an RLock held twice: wait lets go completely
                assert (yield from cond.wait(timeout=2)) is False
                assert genlet.clock() == 2 and cond._lock._count == 2
        woken = []

        def waiter(i):
            with (yield from cond):
                woken.append((i, (yield from cond.wait())))

        ws = [genlet.spawn(waiter, i) for i in range(3)]
        yield
        with (yield from cond):
            cond.notify_all()
        yield from genlet.joinall(ws)
        assert woken == [(0, True), (1, True), (2, True)]
        with (yield from cond):
            assert (yield from cond.wait_for(lambda: False, timeout=1)) is False
        assert genlet.clock() == 3

    vrun(main)


def test_condition_wait_cancelled_still_reacquires_the_lock():
    trace = []

    def waiter(cond):
        try:
            with (yield from cond):
                yield from cond.wait()
        except genlet.Cancelled:
            trace.append("cancelled")
            raise

    def main():
        cond = genlet.Condition()
        w = genlet.spawn(waiter, cond)
        yield
        yield from cond.acquire()  # hold the lock while w's wait is cancelled
        w.cancel()
        yield from genlet.sleep(1)
        assert not w.done() and w.waiting_on.endswith("acquire (held by task 'main-1')")  # taking it back, shielded
        cond.release()
        yield from w.wait()
        assert w.cancelled() and not cond.locked() and len(cond._waiters) == 0

    vrun(main)
    assert trace == ["cancelled"]


# -- a task that ends holding a lock (issue 14) ---------------------------------------------------


def forgets_to_release(lock):
    yield from lock.acquire()  # and never lock.release()


@pytest.mark.parametrize("kind", ["Lock", "RLock"])
def test_a_task_that_ended_holding_a_lock_is_reported_when_somebody_asks_for_it(kind, caplog):
    """Nothing said that a task had ended with a lock held: the next task just waited."""

    def main():
        lock = getattr(genlet, kind)(name="x")
        yield from genlet.spawn(forgets_to_release, lock, name="w").join()
        assert (yield from lock.acquire(timeout=1)) is False
        assert (yield from lock.acquire(timeout=1)) is False  # reported once, not at each ask
        return genlet.clock()

    with caplog.at_level(logging.WARNING, logger="genlet"):
        assert vrun(main) == 2
    assert [r.getMessage() for r in caplog.records] == [
        "task 'w' ended while holding %s 'x', so it stays locked for good (task 'main-1' asks for "
        "it): release a lock in a `finally:` block, or hold it with `with (yield from lock):`, "
        "which releases it however the block ends" % kind
    ]


def test_a_deadlock_dump_says_who_holds_the_lock_and_that_it_has_finished(caplog):
    def main():
        lock = genlet.Lock(name="x")
        yield from genlet.spawn(forgets_to_release, lock, name="w").join()
        yield from lock.acquire()

    with caplog.at_level(logging.WARNING, logger="genlet"):
        with pytest.raises(genlet.Deadlock) as info:
            vrun(main)
    assert "task 1 'main-1' WAITING on Lock 'x' acquire (held by task 'w', which has finished)" in (
        info.value.summary
    )
    assert "task 'w' ended while holding Lock 'x'" in caplog.text


def test_a_condition_whose_lock_was_left_held_is_reported_too(caplog):
    def main():
        cond = genlet.Condition(genlet.Lock(name="c"))
        yield from genlet.spawn(forgets_to_release, cond, name="w").join()
        with genlet.move_on_after(1):
            with (yield from cond):
                pass
        return genlet.clock()

    with caplog.at_level(logging.WARNING, logger="genlet"):
        assert vrun(main) == 1
    assert "task 'w' ended while holding Lock 'c'" in caplog.text

"""Deadlock cycles named: a task about to close a cycle of lock waits gets genlet.Deadlock."""

import pytest

import genlet

from .helpers import vrun


def take_two(first, second, trace, pause=1, timeout=None):
    with (yield from first):
        yield from genlet.sleep(pause)
        if timeout is None:
            with (yield from second):
                trace.append(("both", genlet.current_task().name, genlet.clock()))
        else:
            if (yield from second.acquire(timeout=timeout)):
                trace.append(("both", genlet.current_task().name, genlet.clock()))
                second.release()
            else:
                trace.append(("gave up", genlet.current_task().name, genlet.clock()))


def ticker(trace, n):
    for i in range(n):
        yield from genlet.sleep(1)
        trace.append(("tick", i))


def test_classic_two_lock_deadlock_is_named_while_others_run():
    trace = []

    def main():
        a, b = genlet.RLock(name="a"), genlet.RLock(name="b")
        task_a = genlet.spawn(take_two, a, b, trace, name="task_a")
        task_b = genlet.spawn(take_two, b, a, trace, name="task_b")
        bystander = genlet.spawn(ticker, trace, 5, name="bystander")
        with pytest.raises(genlet.Deadlock) as info:
            yield from task_b.join()
        error = info.value
        yield from task_a.join()  # task_b's error released b, so task_a finishes
        yield from bystander.join()
        return error

    error = vrun(main)
    message = str(error)
    assert message.startswith(
        "task 'task_b' would wait for RLock 'a', closing a cycle of 2 tasks that each "
        "wait for a lock the next one holds:"
    )
    assert "  task 'task_b' waits for RLock 'a' (held by task 'task_a'), at " in message
    assert "  task 'task_a' waits for RLock 'b' (held by task 'task_b'), at " in message
    assert message.count("test_sync_deadlock.py") == 2 and "in take_two" in message
    assert "Take locks in one fixed order" in message
    assert [t.name for t in error.tasks] == ["task_b", "task_a"]
    assert [lk.name for lk in error.locks] == ["a", "b"]
    assert ("both", "task_a", 1) in trace
    assert [e for e in trace if e[0] == "tick"] == [("tick", i) for i in range(5)]  # never stopped


def test_three_task_cycle():
    def main():
        locks = [genlet.Lock(name="L%d" % i) for i in range(3)]
        trace = []
        tasks = [genlet.spawn(take_two, locks[i], locks[(i + 1) % 3], trace, 1 + i, name="t%d" % i) for i in range(3)]
        bystander = genlet.spawn(ticker, trace, 4)
        done = yield from genlet.joinall(tasks + [bystander])
        assert len(done) == 4
        failed = [t for t in tasks if not t.successful()]
        assert [t.name for t in failed] == ["t2"]  # the last to block closes the cycle
        return str(failed[0].exception), trace

    message, trace = vrun(main)
    assert "closing a cycle of 3 tasks" in message
    for line in (
        "task 't2' waits for Lock 'L0' (held by task 't0')",
        "task 't0' waits for Lock 'L1' (held by task 't1')",
        "task 't1' waits for Lock 'L2' (held by task 't2')",
    ):
        assert line in message
    assert ("both", "t1", 3) in trace and ("both", "t0", 3) in trace


def test_cycle_with_a_timeout_is_not_reported():
    trace = []

    def main():
        a, b = genlet.Lock(name="a"), genlet.Lock(name="b")
        task_a = genlet.spawn(take_two, a, b, trace, 1, 5, name="task_a")  # waits with a timeout
        task_b = genlet.spawn(take_two, b, a, trace, 2, name="task_b")
        yield from genlet.joinall([task_a, task_b], raise_error=True)

    vrun(main)
    assert trace == [("gave up", "task_a", 6), ("both", "task_b", 6)]


def test_cycle_with_a_scope_deadline_is_not_reported():
    trace = []

    def patient(first, second):
        with genlet.move_on_after(10):
            yield from take_two(first, second, trace)

    def main():
        a, b = genlet.Lock(name="a"), genlet.Lock(name="b")
        task_a = genlet.spawn(patient, a, b, name="task_a")
        task_b = genlet.spawn(take_two, b, a, trace, 2, name="task_b")
        yield from genlet.joinall([task_a, task_b], raise_error=True)

    vrun(main)
    assert trace == [("both", "task_b", 10)]


def test_shield_hides_an_outer_deadline_so_the_cycle_is_reported():
    def shielded(first, second):
        with genlet.move_on_after(10):
            with genlet.CancelScope(shield=True):
                yield from take_two(first, second, [])

    def main():
        a, b = genlet.Lock(name="a"), genlet.Lock(name="b")
        task_a = genlet.spawn(shielded, a, b, name="task_a")
        task_b = genlet.spawn(take_two, b, a, [], 2, name="task_b")
        with pytest.raises(genlet.Deadlock, match="task 'task_b' would wait for Lock 'a'"):
            yield from task_b.join()
        yield from task_a.join()

    vrun(main)


def test_lock_taken_twice_by_one_task_is_a_cycle_of_one():
    def main():
        lock = genlet.Lock(name="once")
        with (yield from lock):
            with pytest.raises(genlet.Deadlock) as info:
                yield from lock.acquire()
            assert (yield from lock.acquire(timeout=1)) is False  # with a timeout: just waits
        return str(info.value)

    message = vrun(main)
    assert message.startswith(
        "task 'main-1' would wait for Lock 'once', which it holds itself; a Lock is not "
        "re-entrant (use RLock to take a lock again in the same task)"
    )


def test_chain_without_cycle_just_waits():
    def main():
        a, b = genlet.Lock(name="a"), genlet.Lock(name="b")
        trace = []
        t1 = genlet.spawn(take_two, a, b, trace, 1, name="t1")
        yield
        yield from b.acquire()
        yield from genlet.sleep(2)  # t1 now waits for b, which we hold
        t2 = genlet.spawn(take_two, a, b, trace, 0, name="t2")  # waits for a: t1 -> b -> us, no cycle
        yield from genlet.sleep(1)
        b.release()
        yield from genlet.joinall([t1, t2], raise_error=True)
        assert [e[1] for e in trace] == ["t1", "t2"]

    vrun(main)


def _condition_cycle(timeout):
    """waiter holds `other` and waits on cond; blocker notifies, then wants `other` while
    holding cond's lock: the waiter's taking back of the lock closes the cycle."""
    lock, other = genlet.Lock(name="cond-lock"), genlet.Lock(name="other")
    cond = genlet.Condition(lock)
    caught, trace = [], []

    def waiter():
        with (yield from other):
            try:
                with (yield from cond):
                    yield from cond.wait()
                    trace.append(("waiter woke", genlet.clock()))
            except genlet.Deadlock as exc:
                assert not lock.locked() or lock._owner is not genlet.current_task()
                caught.append(str(exc))

    def blocker():
        yield from genlet.sleep(1)
        with (yield from cond):
            cond.notify()
            if (yield from other.acquire(timeout=timeout)):
                trace.append(("blocker got other", genlet.clock()))
                other.release()
            else:
                trace.append(("blocker gave up", genlet.clock()))

    w = genlet.spawn(waiter, name="waiter")
    b = genlet.spawn(blocker, name="blocker")
    yield from genlet.joinall([w, b], raise_error=True)
    assert not lock.locked() and not other.locked()
    return caught, trace


def test_deadlock_in_condition_reacquire_is_reported_without_masking():
    caught, trace = vrun(_condition_cycle, None)
    assert len(caught) == 1
    assert caught[0].startswith("task 'waiter' would wait for Lock 'cond-lock'")
    assert "task 'blocker' waits for Lock 'other' (held by task 'waiter')" in caught[0]
    assert trace == [("blocker got other", 1)]


def test_condition_cycle_with_timeout_is_not_reported():
    caught, trace = vrun(_condition_cycle, 5)
    assert caught == []
    assert trace == [("blocker gave up", 6), ("waiter woke", 6)]


@pytest.mark.parametrize("how", ["task.cancel()", "scope.cancel()", "a deadline already past"])
def test_a_task_being_cancelled_gets_cancelled_not_deadlock(how):
    """A task whose cancellation is pending never waits: its acquire raises Cancelled at once.
    So its wait cannot close a cycle, and the check must not report one (it raised Deadlock)."""
    seen = []

    def closer(a, b):
        with (yield from b):
            yield from genlet.sleep(1)
            try:
                if how == "task.cancel()":
                    genlet.current_task().cancel()
                    yield from a.acquire()
                elif how == "scope.cancel()":
                    with genlet.CancelScope() as scope:
                        scope.cancel()
                        yield from a.acquire()
                    seen.append("scope caught it")
                else:
                    with genlet.move_on_after(0):
                        yield from a.acquire()
                    seen.append("scope caught it")
            except genlet.Cancelled:
                seen.append("Cancelled")
                raise
            except genlet.Deadlock:
                seen.append("Deadlock")
                raise

    def main():
        a, b = genlet.Lock(name="a"), genlet.Lock(name="b")
        first = genlet.spawn(take_two, a, b, [], name="first")
        second = genlet.spawn(closer, a, b, name="second")
        yield from genlet.joinall([first, second])
        assert first.successful() and not a.locked() and not b.locked()
        return second

    second = vrun(main)
    if how == "task.cancel()":
        assert seen == ["Cancelled"] and second.cancelled()
    else:
        assert seen == ["scope caught it"] and second.successful()


def test_a_deadlock_traceback_says_deadlock_once():
    """str(Deadlock) began with "Deadlock:", so a traceback read "Deadlock: Deadlock: ..."."""
    import traceback

    def stuck():
        yield from genlet.Event().wait()

    def cycle():
        lock = genlet.Lock(name="once")
        with (yield from lock):
            with (yield from lock):
                pass

    last_lines = []
    for main in (stuck, cycle):
        with pytest.raises(genlet.Deadlock) as info:
            vrun(main)
        text = "".join(traceback.format_exception_only(type(info.value), info.value))
        assert text.count("Deadlock") == 1 and text.startswith("genlet.kernel.errors.Deadlock: ")
        last_lines.append(text.splitlines()[0])
    assert last_lines == [
        "genlet.kernel.errors.Deadlock: every task is waiting, and nothing (no timer, no IO, no "
        "thread) can wake any of them:",
        "genlet.kernel.errors.Deadlock: task 'cycle-1' would wait for Lock 'once', which it holds "
        "itself; a Lock is not re-entrant (use RLock to take a lock again in the same task)",
    ]

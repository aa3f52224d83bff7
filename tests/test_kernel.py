"""The kernel: spawn, run, checkpoints, sleep, join, task API, ordering."""

import asyncio
import logging

import pytest

import genlet
from genlet.kernel import Kernel, WaitQueue, park, reschedule
from genlet.kernel.traps import parking_task

from .helpers import vrun


def worker(n):
    yield from genlet.sleep(0.1 * n)
    return n * n


def readme_main():
    tasks = [genlet.spawn(worker, i) for i in range(3)]
    results = []
    for t in tasks:
        results.append((yield from t.join()))
    return results


def test_readme_example_real_clock():
    assert genlet.run(readme_main) == [0, 1, 4]


def test_readme_example_virtual_clock():
    assert vrun(readme_main) == [0, 1, 4]


def test_run_accepts_generator_object_and_args():
    def main(a, b):
        yield
        return a + b

    assert vrun(main, 2, 3) == 5
    assert vrun(main(4, 5)) == 9


def test_run_raises_main_exception():
    def main():
        yield
        raise KeyError("boom")

    with pytest.raises(KeyError, match="boom"):
        vrun(main)


def test_checkpoint_order_is_fifo_per_pass():
    trace = []

    def t(name):
        for i in range(3):
            trace.append((name, i))
            yield

    def main():
        for name in "abc":
            genlet.spawn(t, name)
        yield from genlet.sleep(1)

    vrun(main)
    assert trace == [(n, i) for i in range(3) for n in "abc"]


def test_task_made_ready_during_pass_runs_next_pass():
    trace = []

    def child():
        trace.append("child")
        yield

    def main():
        genlet.spawn(child)
        trace.append("main spawned")
        yield
        trace.append("main again")

    vrun(main)
    assert trace == ["main spawned", "child", "main again"]


def test_sleep_order_and_virtual_time():
    trace = []

    def sleeper(d):
        yield from genlet.sleep(d)
        trace.append((d, genlet.clock()))

    def main():
        for d in (3, 1, 2, 1):
            genlet.spawn(sleeper, d)
        yield from genlet.sleep(10)
        return genlet.clock()

    assert vrun(main) == 10
    assert trace == [(1, 1), (1, 1), (2, 2), (3, 3)]


def test_sleep_until_and_zero_and_negative_sleep():
    def main():
        start = genlet.clock()
        yield from genlet.sleep_until(start + 5)
        assert genlet.clock() == start + 5
        yield from genlet.sleep_until(0)  # in the past: a checkpoint
        yield from genlet.sleep(0)
        yield from genlet.sleep(-1)
        return genlet.clock()

    assert vrun(main) == 5


def test_sleep_nan_is_an_error():
    def main():
        yield from genlet.sleep(float("nan"))

    with pytest.raises(ValueError, match="NaN"):
        vrun(main)


def test_current_task_and_clock_outside_kernel():
    with pytest.raises(RuntimeError, match="no genlet kernel is running"):
        genlet.current_task()
    with pytest.raises(RuntimeError, match="genlet.run"):
        genlet.spawn(worker, 1)
    with pytest.raises(RuntimeError, match="no genlet kernel"):
        genlet.clock()


def test_current_task_inside():
    seen = []

    def child():
        seen.append(genlet.current_task())
        yield

    def main():
        t = genlet.spawn(child, name="kid")
        yield from t.join()
        return t

    t = vrun(main)
    assert seen == [t] and t.name == "kid"


def test_spawn_non_generator_is_type_error_at_once():
    def plain(x):
        return x + 1

    def main():
        with pytest.raises(TypeError, match="not a generator.*generator function.*run_in_thread"):
            genlet.spawn(plain, 1)
        with pytest.raises(TypeError, match="needs a generator function"):
            genlet.spawn(42)
        with pytest.raises(TypeError, match="generator object and arguments"):
            genlet.spawn(worker(1), 2)
        yield

    vrun(main)


def test_spawn_async_def_is_refused():
    async def coro():
        pass

    def main():
        with pytest.raises(TypeError, match="async def.*plain generators"):
            genlet.spawn(coro)
        yield

    vrun(main)


def test_task_attributes_lifecycle():
    def child():
        yield from genlet.sleep(1)
        return "done"

    def main():
        t = genlet.spawn(child, name="c")
        assert t.state == genlet.READY and not t.done()
        assert t.id > 0 and t.name == "c"
        yield
        assert t.state == genlet.WAITING and t.waiting_on == "sleep"
        assert genlet.current_task().state == genlet.RUNNING
        with pytest.raises(RuntimeError, match="has not finished"):
            t.result
        value = yield from t.join()
        assert t.state == genlet.FINISHED and t.done() and t.successful() and not t.cancelled()
        assert t.result == "done" and t.exception is None and t.waiting_on is None
        return value

    assert vrun(main) == "done"


def test_default_names_are_function_and_id():
    def main():
        t = genlet.spawn(worker, 0)
        assert t.name == "worker-%d" % t.id
        yield from t.join()

    vrun(main)


def test_join_reraises_and_failed_attributes():
    def bad():
        yield
        raise ValueError("nope")

    def main():
        t = genlet.spawn(bad)
        with pytest.raises(ValueError, match="nope"):
            yield from t.join()
        # a second join raises again
        with pytest.raises(ValueError):
            yield from t.join()
        assert t.done() and not t.successful() and not t.cancelled()
        assert isinstance(t.exception, ValueError) and t.result is None

    vrun(main)


def test_wait_never_raises():
    def bad():
        yield
        raise ValueError("nope")

    def main():
        t = genlet.spawn(bad)
        yield from t.wait()
        yield from t.wait()  # finished: returns at once
        return t.exception

    assert isinstance(vrun(main), ValueError)


def test_join_cancelled_task_raises_taskcancelled_not_cancelled():
    def sleeper():
        yield from genlet.sleep(100)

    def main():
        t = genlet.spawn(sleeper)
        yield
        t.cancel()
        with pytest.raises(genlet.TaskCancelled):
            yield from t.join()
        assert t.cancelled() and not t.successful()
        assert isinstance(t.exception, genlet.Cancelled)
        assert not issubclass(genlet.TaskCancelled, genlet.Cancelled)
        assert issubclass(genlet.TaskCancelled, Exception)
        return "main fine"

    assert vrun(main) == "main fine"


def test_cancel_finished_task_does_nothing():
    def quick():
        yield
        return 1

    def main():
        t = genlet.spawn(quick)
        assert (yield from t.join()) == 1
        t.cancel()
        assert t.successful() and not t.cancelled()
        assert (yield from t.join()) == 1

    vrun(main)


def test_kill_cancels_and_waits_finally_runs():
    trace = []

    def child():
        try:
            yield from genlet.sleep(100)
        finally:
            trace.append("finally")

    def main():
        t = genlet.spawn(child)
        yield
        yield from t.kill()
        assert t.cancelled() and trace == ["finally"]
        return genlet.clock()

    assert vrun(main) == 0


def test_task_cancelled_before_it_starts_never_runs():
    trace = []

    def child():
        trace.append("ran")
        yield

    def main():
        t = genlet.spawn(child)
        t.cancel()
        yield from t.wait()
        return t.cancelled()

    assert vrun(main) is True
    assert trace == []


def test_task_cannot_join_itself():
    def main():
        me = genlet.current_task()
        with pytest.raises(RuntimeError, match="cannot wait for itself"):
            yield from me.join()

    vrun(main)


def test_where_walks_yield_from_chain():
    def inner():
        yield from genlet.sleep(5)

    def outer():
        yield from inner()

    def main():
        t = genlet.spawn(outer)
        yield
        stack = t.where()
        names = [fn for _, _, fn in stack]
        assert names == ["outer", "inner"]
        assert all(path.endswith("test_kernel.py") for path, _, _ in stack)
        t.cancel()
        yield from t.wait()
        assert t.where() == []

    vrun(main)


def test_joinall_gevent_semantics():
    def sleeper(d, fail=False):
        yield from genlet.sleep(d)
        if fail:
            raise ValueError(d)
        return d

    def main():
        ts = [genlet.spawn(sleeper, d) for d in (3, 1, 2)]
        done = yield from genlet.joinall(ts)
        assert [t.result for t in done] == [1, 2, 3]  # completion order
        ts = [genlet.spawn(sleeper, d) for d in (5, 1, 10)]
        done = yield from genlet.joinall(ts, timeout=6)
        assert [t.result for t in done] == [1, 5]
        assert genlet.clock() == 3 + 6
        yield from genlet.joinall(ts)
        ts = [genlet.spawn(sleeper, 1, True), genlet.spawn(sleeper, 2)]
        with pytest.raises(ValueError):
            yield from genlet.joinall(ts, raise_error=True)
        assert genlet.clock() == 14  # raised as soon as the first failed (13 + 1)
        done = yield from genlet.joinall(ts)  # no raise_error: errors stay on the tasks
        assert len(done) == 2
        assert (yield from genlet.joinall([])) == []

    vrun(main)


def test_joinall_with_already_finished_tasks():
    def quick(v):
        return v
        yield

    def main():
        ts = [genlet.spawn(quick, i) for i in range(3)]
        yield from genlet.sleep(1)
        done = yield from genlet.joinall(ts)
        return [t.result for t in done]

    assert vrun(main) == [0, 1, 2]


def test_unjoined_failure_is_logged_once_and_join_still_raises(caplog):
    def bad():
        yield
        raise ZeroDivisionError("unseen")

    def main():
        t = genlet.spawn(bad, name="loner")
        yield from genlet.sleep(1)
        with pytest.raises(ZeroDivisionError):
            yield from t.join()

    with caplog.at_level(logging.ERROR, logger="genlet"):
        vrun(main)
    records = [r for r in caplog.records if "loner" in r.getMessage()]
    assert len(records) == 1
    assert "nobody was waiting" in records[0].getMessage()
    assert records[0].exc_info[0] is ZeroDivisionError


def test_joined_failure_is_not_logged(caplog):
    def bad():
        yield
        raise ZeroDivisionError("seen")

    def main():
        t = genlet.spawn(bad)
        with pytest.raises(ZeroDivisionError):
            yield from t.join()

    with caplog.at_level(logging.ERROR, logger="genlet"):
        vrun(main)
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]


def test_waitqueue_park_and_reschedule_roundtrip():
    q = WaitQueue("test queue", "wait")

    def waiter(name, out):
        task = parking_task()
        value = yield from park(task, q.push(task))
        out.append((name, value))

    def main():
        out = []
        for name in "xyz":
            genlet.spawn(waiter, name, out)
        yield
        assert len(q) == 3
        assert [w.task.name.split("-")[0] for w in q] == ["waiter"] * 3
        for value in (1, None, "three"):
            reschedule(q.pop().task, value)
        yield
        return out

    assert vrun(main) == [("x", 1), ("y", None), ("z", "three")]


class StandIn:
    """A stand-in for a task in a bare WaitQueue (pop reads its ``_kernel``: none runs here)."""

    _kernel = None

    def __init__(self, n):
        self.n = n


def test_waitqueue_remove_middle_and_double_remove():
    q = WaitQueue()
    nodes = [q.push(StandIn(i)) for i in range(5)]
    q.remove(nodes[2])
    q.remove(nodes[2])
    q.remove(nodes[0])
    q.remove(nodes[4])
    assert [n.task.n for n in q] == [1, 3] and len(q) == 2
    assert q.pop().task.n == 1 and q.pop().task.n == 3 and q.pop() is None and not q


def test_reschedule_twice_is_an_error():
    q = WaitQueue()

    def waiter():
        task = parking_task()
        yield from park(task, q.push(task))

    def main():
        t = genlet.spawn(waiter)
        yield
        reschedule(q.pop().task, 1)
        with pytest.raises(RuntimeError, match="not parked"):
            reschedule(t, 2)
        yield from t.join()

    vrun(main)


def test_local_is_per_task():
    data = genlet.local()

    def child(v):
        data.value = v
        yield
        yield
        return data.value

    def main():
        data.value = "main"
        ts = [genlet.spawn(child, i) for i in range(3)]
        results = []
        for t in ts:
            results.append((yield from t.join()))
        assert data.value == "main"
        return results

    assert vrun(main) == [0, 1, 2]
    data.outside = 1
    assert data.outside == 1
    with pytest.raises(AttributeError):
        data.missing


def test_local_subclass_init_runs_per_task():
    class Counter(genlet.local):
        def __init__(self, start):
            self.count = start

    counter = Counter(10)

    def child():
        counter.count += 1
        yield
        return counter.count

    def main():
        a, b = genlet.spawn(child), genlet.spawn(child)
        return [(yield from a.join()), (yield from b.join())]

    assert vrun(main) == [11, 11]


def test_contextvars_mode_isolates_tasks():
    import contextvars

    var = contextvars.ContextVar("var", default="unset")

    def child(v):
        var.set(v)
        yield
        return var.get()

    def main():
        var.set("main")
        ts = [genlet.spawn(child, i) for i in range(3)]
        out = []
        for t in ts:
            out.append((yield from t.join()))
        return out, var.get()

    assert genlet.run(main, clock=genlet.VirtualClock(), contextvars=True) == ([0, 1, 2], "main")


def test_kernel_step_embedding():
    clock = genlet.VirtualClock()
    k = Kernel(clock=clock)
    trace = []

    def sleeper():
        trace.append("start")
        yield from genlet.sleep(5)
        trace.append("woke")

    k.spawn(sleeper)
    assert trace == []
    assert k.step() == 5.0  # ran the task; its timer is 5 s away
    assert trace == ["start"]
    assert k.step() == 5.0  # nothing to do yet
    clock.advance(5)
    assert k.step() == 0.0  # timer fired: the task is ready
    assert k.step() is None  # it ran and finished; nothing scheduled
    assert trace == ["start", "woke"]
    k.close()


def test_kernel_fileno_and_nesting():
    k = Kernel()
    fd = k.fileno()
    assert fd is None or isinstance(fd, int)

    def main():
        with pytest.raises(RuntimeError, match="already running|nest"):
            k.step()
        with pytest.raises(RuntimeError, match="nest"):
            genlet.run(worker, 0)
        yield

    k.run(main)
    k.close()


def test_asyncio_cannot_be_confused_with_genlet():
    async def coro():
        await asyncio.sleep(0)

    def main():
        with pytest.raises(TypeError, match="async def"):
            genlet.spawn(coro)
        yield

    vrun(main)


def test_spawn_a_genlet_operation_the_new_task_does_the_waiting():
    def main():
        t = genlet.spawn(genlet.sleep, 5)
        assert genlet.current_task()._wait is None  # the caller was not put to sleep
        assert t.state == genlet.WAITING and t.waiting_on == "sleep"
        yield from genlet.sleep(1)
        assert not t.done()
        assert (yield from t.join()) is None
        assert genlet.clock() == 5
        t2 = genlet.spawn(genlet.sleep, 0)  # a checkpoint: finishes at its first step
        yield from t2.join()
        queue = WaitQueue("q")

        def op():
            task = parking_task()
            return park(task, queue.push(task))

        t3 = genlet.spawn(op)
        assert queue.peek().task is t3
        reschedule(queue.pop().task, "handed")
        assert (yield from t3.join()) == "handed"
        t4 = genlet.spawn(genlet.sleep, 100)
        t4.cancel()
        yield from t4.wait()
        assert t4.cancelled()
        return genlet.clock()

    assert vrun(main) == 5


def test_ids_are_in_spawn_order_and_survive_every_state_change():
    """A task's id lives above its state bits (``Task.id``): asking for it, cancelling,
    failing, joining and observing must change neither the id nor the state."""

    def fails():
        yield
        raise ValueError("no")

    def sleeps():
        yield from genlet.sleep(10)

    def main():
        a, b, c = genlet.spawn(fails), genlet.spawn(sleeps), genlet.spawn(sleeps, daemon=True)
        ids = [c.id, a.id, b.id]  # numbered in spawn order (main is 1), whoever asks first
        assert ids == [4, 2, 3]
        assert c.daemon and not a.daemon and not a.done()
        b.cancel()
        with pytest.raises(ValueError):
            yield from a.join()
        with pytest.raises(genlet.TaskCancelled):
            yield from b.join()
        assert a.done() and not a.successful() and b.cancelled() and not a.cancelled()
        assert [c.id, a.id, b.id] == ids and a.name == "fails-%d" % ids[1]
        c.cancel()
        yield from c.wait()
        return ids, c.id, c.daemon

    ids, c_id, daemon = vrun(main)
    assert c_id == ids[0] and daemon


def test_done_finishes_at_once_for_everyone_and_yielding_it_is_explained():
    """``DONE`` is one finished generator shared by every operation that completes at once:
    ``yield from`` it any number of times, in any task, gives None without a suspension; a
    task that yields it instead gets the TypeError that says to write ``yield from``."""
    from genlet.kernel.traps import DONE

    def twice():
        first = yield from DONE
        second = yield from DONE
        return first, second

    def wrong():
        try:
            yield DONE
        except TypeError as error:
            return str(error)

    def main():
        a, b, c = genlet.spawn(twice), genlet.spawn(twice), genlet.spawn(wrong)
        return (yield from a.join()), (yield from b.join()), (yield from c.join())

    first, second, message = vrun(main)
    assert first == second == (None, None)
    assert "yield from" in message and "genlet operation" in message


def test_a_plain_wait_keeps_a_waiter_without_a_value_slot():
    # A parked task's Waiter is most of what parking costs beside the task and its generator
    # (benchmarks/memory.py): a plain wait (an Event) carries no payload, so no `value` slot.
    from genlet.kernel.waitqueue import GroupWaiter, ValueWaiter, Waiter, WaitQueue

    queue = WaitQueue()
    plain = queue.push(StandIn(1))
    valued = queue.push(StandIn(2), 5)
    grouped = queue.push(StandIn(3), None, group=object())
    assert type(plain) is Waiter and plain.value is None and not hasattr(plain, "__dict__")
    assert "value" not in Waiter.__slots__
    assert type(valued) is ValueWaiter and valued.value == 5
    assert type(grouped) is GroupWaiter and grouped.value is None
    assert [queue.pop().task.n for _ in range(3)] == [1, 2, 3]

"""What a gevent user reaches for on day one: join(timeout), spawn_later, killall, iwait, link."""

import logging

import pytest

import genlet
from tests.helpers import vrun


def after(seconds, value=None, error=None):
    yield from genlet.sleep(seconds)
    if error is not None:
        raise error
    return value


# -- task.join(timeout) ---------------------------------------------------------------------------
def test_join_with_a_timeout_returns_the_value_in_time():
    def main():
        t = genlet.spawn(after, 1, "v")
        return (yield from t.join(timeout=2)), genlet.clock()

    assert vrun(main) == ("v", 1.0)


def test_join_that_times_out_raises_timeouterror_and_the_task_runs_on():
    def main():
        t = genlet.spawn(after, 5, "v", name="slow")
        with pytest.raises(genlet.TimeoutError, match="after 1 seconds: task 'slow' is still running"):
            yield from t.join(timeout=1)
        assert genlet.clock() == 1.0 and not t.done()
        return (yield from t.join())

    assert vrun(main) == "v"


def test_join_timeout_nan_is_refused():
    def main():
        t = genlet.spawn(after, 1)
        with pytest.raises(ValueError, match="NaN"):
            yield from t.join(timeout=float("nan"))
        yield from t.join()

    vrun(main)


# -- spawn_later ----------------------------------------------------------------------------------
def test_spawn_later_starts_after_the_delay_and_is_named_like_spawn():
    started = []

    def work(x):
        started.append(genlet.clock())
        yield
        return x * 2

    def main():
        t = genlet.spawn_later(3, work, 21)
        assert t.name.startswith("work-")
        assert (yield from t.join()) == 42
        named = genlet.spawn_later(1, work, 1, name="later")
        assert named.name == "later"
        yield from named.join()

    vrun(main)
    assert started == [3.0, 4.0]


def test_spawn_later_cancelled_before_it_starts_never_calls_fn():
    called = []

    def work():
        called.append(1)
        yield

    def main():
        t = genlet.spawn_later(3, work)
        yield from genlet.sleep(1)
        yield from t.kill()
        assert t.cancelled()

    vrun(main)
    assert called == []


def test_spawn_later_refuses_what_cannot_run():
    def main():
        with pytest.raises(TypeError, match="generator function"):
            genlet.spawn_later(1, 42)
        with pytest.raises(ValueError, match="NaN"):
            genlet.spawn_later(float("nan"), after, 1)
        yield

    vrun(main)


# -- killall --------------------------------------------------------------------------------------
def test_killall_cancels_and_waits_for_every_task():
    cleaned = []

    def worker(n):
        try:
            yield from genlet.sleep(100)
        finally:
            with genlet.CancelScope(shield=True):  # cleanup that blocks: killall waits for it
                yield from genlet.sleep(1)
            cleaned.append(n)

    def main():
        tasks = [genlet.spawn(worker, n) for n in range(3)]
        yield
        done = yield from genlet.killall(tasks)
        assert done == tasks and all(t.cancelled() for t in tasks) and genlet.clock() == 1.0

    vrun(main)
    assert sorted(cleaned) == [0, 1, 2]


def test_killall_without_yield_from_only_cancels():
    def main():
        tasks = [genlet.spawn(after, 100) for _ in range(2)]
        genlet.killall(tasks)
        assert not any(t.done() for t in tasks)
        yield from genlet.joinall(tasks)
        assert all(t.cancelled() for t in tasks)

    vrun(main)


def test_killall_refuses_the_calling_task_and_non_tasks():
    def main():
        other = genlet.spawn(after, 1)
        with pytest.raises(RuntimeError, match="cannot wait for itself"):
            genlet.killall([other, genlet.current_task()])
        assert not other._flags & 8  # nothing was cancelled
        with pytest.raises(TypeError, match="takes tasks"):
            genlet.killall([other, "x"])
        yield from other.join()

    vrun(main)


# -- iwait ----------------------------------------------------------------------------------------
def test_iwait_hands_out_tasks_in_the_order_they_finish():
    def main():
        tasks = [genlet.spawn(after, s, s) for s in (3, 1, 2)]
        done = genlet.spawn(after, 0, 0)
        yield from done.join()
        waiter = genlet.iwait(tasks + [done])
        order = []
        while True:
            task = yield from waiter.next()
            if task is None:
                break
            order.append((task.result, genlet.clock()))
        return order

    assert vrun(main) == [(0, 0.0), (1, 1.0), (2, 2.0), (3, 3.0)]


def test_iwait_timeout_counts_for_the_whole_wait():
    def main():
        tasks = [genlet.spawn(after, s, s) for s in (1, 2, 5)]
        got = []
        with genlet.iwait(tasks, timeout=3) as waiter:
            for _ in range(len(tasks)):
                task = yield from waiter.next()
                got.append(task and task.result)
        assert genlet.clock() == 3.0
        assert all(t._joiners is None or not t._joiners for t in tasks)  # it stopped listening
        yield from genlet.killall(tasks)
        return got

    assert vrun(main) == [1, 2, None]


def test_iwait_keeps_tasks_that_finished_before_anyone_asked():
    def main():
        tasks = [genlet.spawn(after, s, s) for s in (2, 1)]
        waiter = genlet.iwait(tasks)
        yield from genlet.sleep(5)
        assert len(waiter) == 2
        first = yield from waiter.next()
        second = yield from waiter.next()
        return first.result, second.result, (yield from waiter.next())

    assert vrun(main) == (1, 2, None)


def test_iwait_closed_by_another_task_wakes_its_reader():
    def main():
        waiter = genlet.iwait([genlet.spawn(after, 10, "late")])
        reader = genlet.spawn(waiter.next)
        yield from genlet.sleep(1)
        waiter.close()
        assert (yield from reader.join()) is None and genlet.clock() == 1.0
        assert (yield from waiter.next()) is None

    vrun(main)


def test_iwait_does_not_receive_failures(caplog):
    def main():
        t = genlet.spawn(after, 1, None, KeyError("x"), name="bad")
        assert (yield from genlet.iwait([t]).next()) is t

    with caplog.at_level(logging.ERROR, logger="genlet"):
        vrun(main)
    assert "task 'bad' failed and nobody was waiting for it" in caplog.text


# -- link -----------------------------------------------------------------------------------------
def test_link_calls_back_at_the_end_outside_any_task():
    calls = []

    def main():
        t = genlet.spawn(after, 1, "v")

        def callback(task):
            with pytest.raises(RuntimeError, match="no genlet task is running"):
                genlet.current_task()
            calls.append((task.result, genlet.clock()))
            genlet.spawn(after, 1)  # it may start tasks

        t.link(callback)
        t.link_exception(lambda task: calls.append("never"))
        yield from t.join()
        t.link(lambda task: calls.append("at once"))  # already finished: called at once

    vrun(main)
    assert calls == [("v", 1.0), "at once"]


def test_link_exception_receives_the_failure(caplog):
    seen = []

    def main():
        t = genlet.spawn(after, 1, None, KeyError("x"), name="bad")
        t.link_exception(lambda task: seen.append(repr(task.exception)))
        c = genlet.spawn(after, 1, name="cancelled")
        c.link_exception(lambda task: seen.append("cancelled is not a failure"))
        c.cancel()
        yield from genlet.sleep(2)

    with caplog.at_level(logging.ERROR, logger="genlet"):
        vrun(main)
    assert seen == ["KeyError('x')"]
    assert not caplog.records


def test_link_alone_does_not_receive_the_failure(caplog):
    def main():
        t = genlet.spawn(after, 1, None, KeyError("x"), name="bad")
        t.link(lambda task: None)
        yield from genlet.sleep(2)

    with caplog.at_level(logging.ERROR, logger="genlet"):
        vrun(main)
    assert "task 'bad' failed and nobody was waiting for it" in caplog.text


def test_a_callback_that_raises_is_reported_and_the_kernel_carries_on(caplog):
    def broken(task):
        raise RuntimeError("oops")

    def gen_callback(task):
        yield

    def main():
        t = genlet.spawn(after, 1, None, KeyError("x"), name="bad")
        t.link_exception(broken)
        t.link(gen_callback)
        other = genlet.spawn(after, 2, "fine")
        return (yield from other.join())

    with caplog.at_level(logging.ERROR, logger="genlet"):
        assert vrun(main) == "fine"
    text = caplog.text
    assert "the link callback broken of task 'bad' failed" in text
    assert "returned a generator" in text
    assert "task 'bad' failed and nobody was waiting for it" in text  # the callback failed it


def test_unlink_takes_a_callback_back():
    calls = []

    def callback(task):
        calls.append(task)

    def main():
        t = genlet.spawn(after, 1)
        t.link(callback)
        t.link_exception(callback)
        t.unlink(callback)
        yield from t.join()
        with pytest.raises(TypeError, match="callable"):
            t.link(42)

    vrun(main)
    assert calls == []

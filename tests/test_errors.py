"""Mistakes get explanations: bad yields, forgotten `yield from`, deadlocks, leftovers."""

import logging
import re

import pytest

import genlet
from genlet.kernel import WaitQueue, park
from genlet.kernel.traps import parking_task

from .helpers import vrun


def bystander(trace):
    for i in range(3):
        yield from genlet.sleep(1)
        trace.append("bystander %d" % i)
    return "unharmed"


def _bad_yield(value):
    def culprit():
        yield value

    return culprit


async def _coroutine():
    pass


def _gen():
    yield


BAD_YIELDS = [
    ("generator", lambda: _gen(), r"yielded <generator .*a generator; did you mean `yield from` it\?"),
    ("coroutine", lambda: _coroutine(), r"a coroutine from `async def`: genlet runs plain generators"),
    ("tuple", lambda: (1, 2), r"yielded \(1, 2\), a tuple: tasks yield only to the kernel.*bare `yield`"),
    ("int", lambda: 5, r"yielded 5, a number: to sleep, write `yield from genlet.sleep\(5\)`"),
    ("float", lambda: 0.5, r"a number: to sleep, write `yield from genlet.sleep\(0.5\)`"),
    ("str", lambda: "hello", r"yielded 'hello', which is not a genlet trap"),
]


@pytest.mark.parametrize("kind,make,message", BAD_YIELDS, ids=[k for k, _, _ in BAD_YIELDS])
def test_bad_yield_raises_typeerror_inside_task_others_unharmed(kind, make, message):
    trace = []
    value = make()

    def culprit():
        try:
            yield value
        except TypeError as exc:
            trace.append(str(exc))
            raise

    def main():
        other = genlet.spawn(bystander, trace)
        bad = genlet.spawn(culprit, name="worker-3")
        yield from bad.wait()
        assert isinstance(bad.exception, TypeError)
        assert (yield from other.join()) == "unharmed"

    vrun(main)
    if kind == "coroutine":
        value.close()
    assert re.search(message, trace[0]), trace[0]
    assert trace[0].startswith("task 'worker-3' yielded")
    assert trace[1:] == ["bystander 0", "bystander 1", "bystander 2"]


def test_bad_yield_can_be_caught_and_the_task_continues():
    def main():
        try:
            yield 42
        except TypeError:
            pass
        yield from genlet.sleep(1)
        return "recovered"

    assert vrun(main) == "recovered"


def test_yield_instead_of_yield_from_a_genlet_operation():
    def main():
        with pytest.raises(TypeError, match="write `yield from`, not `yield`"):
            yield genlet.sleep(0)
        with pytest.raises(TypeError, match="without waiting for it|write `yield from`"):
            yield genlet.sleep(5)
        return genlet.clock()

    assert vrun(main) == 0


def test_forgotten_yield_from_detected_at_next_blocking_call():
    q = WaitQueue("queue")

    def main():
        genlet.sleep(5)  # forgot `yield from`: registered, never waited on
        with pytest.raises(TypeError, match="blocking operation \\(sleep\\) without waiting for it"):
            task = parking_task()
            yield from park(task, q.push(task))
        assert len(q) == 0
        yield from genlet.sleep(1)  # the task is usable again
        return genlet.clock()

    assert vrun(main) == 1


def test_forgotten_yield_from_detected_at_next_checkpoint():
    def main():
        genlet.sleep(5)
        with pytest.raises(TypeError, match="without waiting for it.*`yield from`"):
            yield
        yield from genlet.sleep(1)
        return genlet.clock()

    assert vrun(main) == 1


def test_forgotten_yield_from_at_task_end_is_reported(caplog):
    def careless():
        genlet.sleep(5)
        return "done"
        yield

    def main():
        t = genlet.spawn(careless, name="careless")
        return (yield from t.join())

    with caplog.at_level(logging.ERROR, logger="genlet"):
        assert vrun(main) == "done"
    assert any("careless" in r.getMessage() and "without waiting" in r.getMessage() for r in caplog.records)


def test_task_that_ignores_every_error_is_closed(caplog):
    trace = []

    def stubborn():
        try:
            while True:
                try:
                    yield "nonsense"
                except TypeError:
                    pass
        finally:
            trace.append("finally")

    def main():
        t = genlet.spawn(stubborn, name="stubborn")
        yield from t.wait()
        return t.cancelled()

    with caplog.at_level(logging.WARNING, logger="genlet"):
        assert vrun(main) is True
    assert trace == ["finally"]
    assert any("closing task 'stubborn'" in r.getMessage() for r in caplog.records)


# -- deadlock ---------------------------------------------------------------------------------


def parked_forever():
    q = WaitQueue("Gate", "to open")
    task = parking_task()
    yield from park(task, q.push(task))


def test_deadlock_names_both_tasks_and_where_they_wait():
    def main():
        t = genlet.spawn(parked_forever, name="stuck")
        yield from t.join()

    with pytest.raises(genlet.Deadlock) as info:
        vrun(main)
    message = str(info.value)
    assert "every task is waiting" in message
    assert re.search(r"task 1 'main-1' WAITING on task 'stuck' to finish, at .*test_errors.py:\d+ in main", message)
    assert re.search(r"task 2 'stuck' WAITING on Gate to open, at .*test_errors.py:\d+ in parked_forever", message)
    assert "genlet/kernel" not in message  # the user's own line, not genlet's


def test_no_deadlock_while_a_timer_is_pending():
    def main():
        t = genlet.spawn(genlet.sleep, 5)
        yield from t.join()
        return genlet.clock()

    assert vrun(main) == 5


def test_deadlock_after_shutdown_finally_blocks_ran():
    trace = []

    def stuck():
        try:
            yield from parked_forever()
        finally:
            trace.append("stuck finally")

    def main():
        try:
            t = genlet.spawn(stuck)
            yield from t.join()
        finally:
            trace.append("main finally")

    with pytest.raises(genlet.Deadlock):
        vrun(main)
    assert sorted(trace) == ["main finally", "stuck finally"]


def test_deadlock_on_real_clock_does_not_hang():
    def main():
        yield from parked_forever()

    with pytest.raises(genlet.Deadlock):
        genlet.run(main)


# -- the end of run --------------------------------------------------------------------------


def test_leftover_tasks_cancelled_finally_runs_and_warning_names_them(caplog):
    trace = []

    def lingering(name):
        try:
            yield from genlet.sleep(100)
        finally:
            trace.append(name)

    def main():
        genlet.spawn(lingering, "a", name="linger-a")
        genlet.spawn(lingering, "d", name="quiet", daemon=True)
        yield from genlet.sleep(1)
        return "main done"

    with caplog.at_level(logging.WARNING, logger="genlet"):
        assert vrun(main) == "main done"
    assert sorted(trace) == ["a", "d"]
    warnings = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert len(warnings) == 1
    assert "'linger-a' (sleep)" in warnings[0] and "quiet" not in warnings[0]


def test_daemon_only_leftovers_give_no_warning(caplog):
    def main():
        genlet.spawn(genlet.sleep, 100, daemon=True)
        yield

    with caplog.at_level(logging.WARNING, logger="genlet"):
        vrun(main)
    assert not caplog.records


def test_leftover_that_swallows_cancelled_is_closed_with_a_warning(caplog):
    trace = []

    def swallower():
        try:
            while True:
                try:
                    yield from genlet.sleep(1)
                except genlet.Cancelled:
                    trace.append("swallowed")
        finally:
            trace.append("finally")

    def main():
        genlet.spawn(swallower, name="swallower")
        yield

    with caplog.at_level(logging.WARNING, logger="genlet"):
        vrun(main)
    assert trace[-1] == "finally" and 3 <= trace.count("swallowed") <= 10
    assert any("closing task 'swallower'" in r.getMessage() and "swallowed" in r.getMessage() for r in caplog.records)


def test_leftover_with_shielded_cleanup_finishes_it():
    trace = []

    def careful():
        try:
            yield from genlet.sleep(100)
        finally:
            with genlet.CancelScope(shield=True):
                yield from genlet.sleep(2)
                trace.append("cleanup done at %g" % genlet.clock())

    def main():
        genlet.spawn(careful)
        yield

    vrun(main)
    assert trace == ["cleanup done at 2"]


def test_main_failure_still_finishes_others():
    trace = []

    def other():
        try:
            yield from genlet.sleep(100)
        finally:
            trace.append("other finally")

    def main():
        genlet.spawn(other)
        yield
        raise RuntimeError("main broke")

    with pytest.raises(RuntimeError, match="main broke"):
        vrun(main)
    assert trace == ["other finally"]


def test_main_cancelled_raises_taskcancelled():
    def main():
        genlet.current_task().cancel()
        yield

    with pytest.raises(genlet.TaskCancelled):
        vrun(main)

"""Cancellation: task.cancel(), cancel scopes, shields, deadlines, the hand-off rule."""

import builtins
import socket

import pytest

import genlet
from genlet.kernel import WaitQueue, park, read_wait, reschedule
from genlet.kernel.traps import parking_task

from .helpers import vrun


def parked_on(queue):
    """Park the current task on ``queue``; return the reply."""
    task = parking_task()
    return park(task, queue.push(task))


# -- cancellation at every kind of checkpoint -------------------------------------------------


def _checkpoints():
    """(name, factory) pairs: each factory returns a generator that blocks at one checkpoint."""

    def bare():
        while True:
            yield

    def sleep():
        yield from genlet.sleep(100)

    def sleep_until():
        yield from genlet.sleep_until(1000)

    def zero_sleep():
        while True:
            yield from genlet.sleep(0)

    def join():
        other = genlet.spawn(sleep, name="forever")
        try:
            yield from other.join()
        finally:
            other.cancel()

    def wait():
        other = genlet.spawn(sleep, name="forever")
        try:
            yield from other.wait()
        finally:
            other.cancel()

    def joinall():
        other = genlet.spawn(sleep, name="forever")
        try:
            yield from genlet.joinall([other])
        finally:
            other.cancel()

    def queue():
        yield from parked_on(WaitQueue())

    def io():
        a, b = socket.socketpair()
        try:
            yield from read_wait(a)
        finally:
            genlet.kernel.notify_closing(a)
            a.close()
            b.close()

    return [
        ("bare yield", bare), ("sleep", sleep), ("sleep_until", sleep_until), ("sleep(0)", zero_sleep),
        ("join", join), ("wait", wait), ("joinall", joinall), ("wait queue", queue), ("read_wait", io),
    ]  # fmt: skip


@pytest.mark.parametrize("name,blocker", _checkpoints(), ids=[n for n, _ in _checkpoints()])
def test_task_cancel_at_every_checkpoint(name, blocker):
    trace = []

    def child():
        try:
            yield from blocker()
        except genlet.Cancelled:
            trace.append("cancelled")
            raise
        finally:
            trace.append("finally")

    def main():
        t = genlet.spawn(child)
        for _ in range(3):  # a few passes: the child is parked, or busy at its checkpoint
            yield
        t.cancel()
        yield from t.wait()
        assert t.cancelled()
        return genlet.clock()

    assert vrun(main) == 0
    assert trace == ["cancelled", "finally"]


@pytest.mark.parametrize("name,blocker", _checkpoints(), ids=[n for n, _ in _checkpoints()])
def test_move_on_after_at_every_checkpoint(name, blocker):
    busy = name in ("bare yield", "sleep(0)")  # virtual time stands still while a task runs
    timeout = 0.005 if busy else 5

    def main():
        start = genlet.clock()
        with genlet.move_on_after(timeout) as scope:
            yield from blocker()
        assert scope.cancelled_caught and scope.cancel_called
        return genlet.clock() - start

    if busy:
        assert genlet.run(main) >= timeout
    else:
        assert vrun(main) == timeout


# -- scopes -------------------------------------------------------------------------------------


def test_fail_after_raises_builtin_timeout_error():
    def main():
        with genlet.fail_after(2):
            yield from genlet.sleep(10)

    with pytest.raises(builtins.TimeoutError, match="fail_after"):
        vrun(main)
    assert genlet.TimeoutError is builtins.TimeoutError


def test_fail_after_not_expiring_is_silent():
    def main():
        with genlet.fail_after(10) as scope:
            yield from genlet.sleep(1)
        assert not scope.cancel_called and not scope.cancelled_caught
        return genlet.clock()

    assert vrun(main) == 1


def test_fail_at_and_move_on_at_are_absolute():
    def main():
        yield from genlet.sleep(3)
        with genlet.move_on_at(5):
            yield from genlet.sleep(100)
        assert genlet.clock() == 5
        with pytest.raises(TimeoutError):
            with genlet.fail_at(7):
                yield from genlet.sleep(100)
        return genlet.clock()

    assert vrun(main) == 7


def test_deadline_already_past_cancels_at_first_checkpoint():
    trace = []

    def main():
        with genlet.move_on_after(-1) as scope:
            trace.append("inside")  # code before the first checkpoint runs
            yield
            trace.append("not reached")
        assert scope.cancelled_caught
        with genlet.move_on_at(0) as scope:
            yield from genlet.sleep(0)
            trace.append("not reached either")
        assert scope.cancelled_caught

    vrun(main)
    assert trace == ["inside"]


def test_scope_cancel_by_hand_leaves_silently():
    def main():
        with genlet.CancelScope() as scope:
            scope.cancel()
            yield from genlet.sleep(10)
        assert scope.cancelled_caught
        return genlet.clock()

    assert vrun(main) == 0


def test_scope_cancelled_from_another_task():
    def main():
        scope = genlet.CancelScope()

        def canceller():
            yield from genlet.sleep(3)
            scope.cancel()

        genlet.spawn(canceller)
        with scope:
            yield from genlet.sleep(100)
        assert scope.cancelled_caught
        return genlet.clock()

    assert vrun(main) == 3


def test_level_triggered_every_checkpoint_raises():
    trace = []

    def main():
        with genlet.move_on_after(1):
            try:
                yield from genlet.sleep(5)
            except genlet.Cancelled:
                trace.append("first")
            try:
                yield  # still cancelled: raises again
            except genlet.Cancelled:
                trace.append("second")
            try:
                yield from genlet.sleep(1)
            except genlet.Cancelled:
                trace.append("third")
        return genlet.clock()

    assert vrun(main) == 1
    assert trace == ["first", "second", "third"]


def test_inner_scope_never_swallows_outer_deadline():
    trace = []

    def main():
        with genlet.move_on_after(2) as outer:
            with genlet.move_on_after(10) as inner:
                yield from genlet.sleep(100)
            trace.append("after inner: not reached")
        assert outer.cancelled_caught and not inner.cancelled_caught
        return genlet.clock()

    assert vrun(main) == 2
    assert trace == []


def test_inner_deadline_first_then_outer_still_applies():
    def main():
        with genlet.move_on_after(5) as outer:
            with genlet.move_on_after(1) as inner:
                yield from genlet.sleep(100)
            assert inner.cancelled_caught and genlet.clock() == 1
            yield from genlet.sleep(100)
        assert outer.cancelled_caught
        return genlet.clock()

    assert vrun(main) == 5


def test_both_cancelled_outer_catches():
    def main():
        with genlet.move_on_after(1) as outer:
            with genlet.move_on_after(1) as inner:
                yield from genlet.sleep(100)
        return outer.cancelled_caught, inner.cancelled_caught

    assert vrun(main) == (True, False)


def test_fail_after_inside_move_on_after():
    def main():
        with genlet.move_on_after(1) as outer:
            with genlet.fail_after(5):
                yield from genlet.sleep(100)
        # the outer scope's deadline came first: no TimeoutError escapes
        return outer.cancelled_caught, genlet.clock()

    assert vrun(main) == (True, 1)


def test_shield_holds_off_deadline_and_task_cancel():
    trace = []

    def child():
        with genlet.CancelScope(shield=True):
            yield from genlet.sleep(5)
            trace.append("shielded sleep completed at %g" % genlet.clock())
        try:
            yield
        except genlet.Cancelled:
            trace.append("cancelled after the shield")
            raise

    def main():
        t = genlet.spawn(child)
        yield from genlet.sleep(1)
        t.cancel()
        yield from t.wait()
        assert t.cancelled()

    vrun(main)
    assert trace == ["shielded sleep completed at 5", "cancelled after the shield"]


def test_shield_blocks_outer_deadline_but_not_its_own():
    def main():
        with genlet.move_on_after(1) as outer:
            with genlet.CancelScope(shield=True) as shield:
                with genlet.move_on_after(3) as own:
                    yield from genlet.sleep(100)
                assert own.cancelled_caught and genlet.clock() == 3
            yield
        assert outer.cancelled_caught and not shield.cancelled_caught
        return genlet.clock()

    assert vrun(main) == 3


def test_shield_can_be_turned_off():
    def main():
        with genlet.move_on_after(1) as outer:
            with genlet.CancelScope(shield=True) as shield:
                yield from genlet.sleep(2)
                shield.shield = False
                yield from genlet.sleep(100)
        return outer.cancelled_caught, genlet.clock()

    assert vrun(main) == (True, 2)


def test_deadline_can_be_moved():
    def main():
        with genlet.move_on_after(10) as scope:
            scope.deadline = genlet.clock() + 2
            yield from genlet.sleep(100)
        assert genlet.clock() == 2
        with genlet.move_on_after(1) as scope:
            scope.deadline = None
            yield from genlet.sleep(5)
        assert not scope.cancelled_caught
        return genlet.clock()

    assert vrun(main) == 7


def test_scope_entered_twice_is_an_error():
    def main():
        scope = genlet.CancelScope()
        with scope:
            yield
        with pytest.raises(RuntimeError, match="only once"):
            with scope:
                yield

    vrun(main)


def test_scopes_exited_out_of_order_is_an_error():
    def main():
        a = genlet.CancelScope()
        b = genlet.CancelScope()
        a.__enter__()
        b.__enter__()
        with pytest.raises(RuntimeError, match="reverse order"):
            a.__exit__(None, None, None)
        b.__exit__(None, None, None)
        a.__exit__(None, None, None)
        yield

    vrun(main)


def test_cancelled_is_base_exception_not_caught_by_except_exception():
    trace = []

    def main():
        with genlet.move_on_after(1):
            try:
                yield from genlet.sleep(5)
            except Exception:
                trace.append("wrongly caught")
        return genlet.clock()

    assert vrun(main) == 1 and trace == []
    assert issubclass(genlet.Cancelled, BaseException) and not issubclass(genlet.Cancelled, Exception)


def test_task_cancel_is_level_triggered_cleanup_needs_shield():
    trace = []

    def child():
        try:
            yield from genlet.sleep(100)
        except genlet.Cancelled:
            try:
                yield from genlet.sleep(1)  # blocking cleanup without a shield: cancelled again
            except genlet.Cancelled:
                trace.append("cleanup cancelled")
            with genlet.CancelScope(shield=True):
                yield from genlet.sleep(1)
                trace.append("shielded cleanup done")
            raise

    def main():
        t = genlet.spawn(child)
        yield
        t.cancel()
        yield from t.wait()
        return genlet.clock()

    assert vrun(main) == 1
    assert trace == ["cleanup cancelled", "shielded cleanup done"]


# -- the hand-off rule ---------------------------------------------------------------------------


def test_handoff_then_cancel_delivers_value_first():
    queue = WaitQueue()
    trace = []

    def receiver():
        value = yield from parked_on(queue)
        trace.append(("got", value))
        try:
            yield
        except genlet.Cancelled:
            trace.append("cancel arrived at the next checkpoint")
            raise

    def main():
        t = genlet.spawn(receiver)
        yield
        reschedule(queue.pop().task, "precious")  # hand-off: its wait is over
        t.cancel()  # requested after the hand-off
        yield from t.wait()
        assert t.cancelled()

    vrun(main)
    assert trace == [("got", "precious"), "cancel arrived at the next checkpoint"]


def test_handoff_then_scope_cancel_delivers_value_first():
    queue = WaitQueue()
    scopes = []

    def receiver():
        with genlet.CancelScope() as scope:
            scopes.append(scope)
            value = yield from parked_on(queue)
        return value, scope.cancelled_caught

    def main():
        t = genlet.spawn(receiver)
        yield
        reschedule(queue.pop().task, "value")  # the hand-off...
        scopes[0].cancel()  # ...then, in the same pass, its scope is cancelled
        return (yield from t.join())

    # the value arrives; the block ends before any further checkpoint, so nothing is caught
    assert vrun(main) == ("value", False)


def test_cancelled_waiter_leaves_the_queue():
    queue = WaitQueue()

    def main():
        with genlet.move_on_after(1):
            yield from parked_on(queue)
        assert len(queue) == 0

    vrun(main)


def test_timeout_reply_and_park_deadline():
    queue = WaitQueue()

    def main():
        task = parking_task()
        reply = yield from park(task, queue.push(task), genlet.clock() + 2, "timed out")
        assert reply == "timed out" and len(queue) == 0
        task = parking_task()
        from genlet.kernel.traps import Failure

        with pytest.raises(KeyError):
            yield from park(task, queue.push(task), genlet.clock() + 2, Failure(KeyError("t")))
        return genlet.clock()

    assert vrun(main) == 4

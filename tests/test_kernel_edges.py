"""Adversarial kernel tests: races between wake-ups, cancels, timeouts and shutdown.

Each test here failed before the fix it names; together they pin the corners of the contract
(issue 2, docs/kernel.md) that the happy-path tests do not reach.
"""

import logging

import pytest

import genlet
from genlet.kernel import park, reschedule
from genlet.kernel.traps import parking_task

from .helpers import vrun


def swallow_forever(trace):
    """A task that catches every Cancelled at a bare `yield` (closed by force at shutdown)."""
    try:
        while True:
            try:
                yield
            except genlet.Cancelled:
                trace.append("swallowed")
    finally:
        trace.append("swallower finally")


# -- shutdown ------------------------------------------------------------------------------------


def test_closing_a_ready_swallower_does_not_lose_the_other_tasks(caplog):
    """A task closed by force while it sat in the ready list was resumed once more after it
    finished, and finishing it twice unlinked it twice: the other tasks fell out of the kernel
    and their `finally` blocks never ran."""
    trace = []

    def shielded():
        try:
            with genlet.CancelScope(shield=True):
                yield from genlet.sleep(1)
                trace.append("shield done")
        finally:
            trace.append("shielded finally")

    def main():
        genlet.spawn(shielded)
        genlet.spawn(swallow_forever, trace)
        yield

    kernel = genlet.Kernel(clock=genlet.VirtualClock())
    with caplog.at_level(logging.WARNING, logger="genlet"):
        kernel.run(main)
    assert "shield done" in trace and "shielded finally" in trace and "swallower finally" in trace
    assert kernel.tasks() == []
    assert not any("AttributeError" in r.getMessage() or r.exc_info for r in caplog.records)


class Stubborn:
    """A wait object that cannot be aborted: its result is on its way (like a thread job)."""

    def __init__(self):
        self.task = None

    def abort(self, task):
        return False

    def describe(self):
        return "stubborn"


def test_closing_a_task_whose_wait_cannot_be_aborted(caplog):
    """The closed task stayed registered on the wait; the late reply resumed the finished task
    (finishing it twice, losing the other tasks), and the log blamed a forgotten `yield from`."""
    wait = Stubborn()
    trace = []

    def swallower():
        for _ in range(6):  # the sixth Cancelled gets it closed, while parked below
            try:
                yield
            except genlet.Cancelled:
                trace.append("swallowed")
        wait.task = parking_task()
        yield from park(wait.task, wait)
        trace.append("woke")

    def deliverer():
        with genlet.CancelScope(shield=True):
            yield from genlet.sleep(1)
            reschedule(wait.task, "value")  # too late: nobody can take it any more
            yield from genlet.sleep(1)
            trace.append("deliverer done")

    def main():
        genlet.spawn(swallower, name="swallower")
        genlet.spawn(deliverer)
        yield

    kernel = genlet.Kernel(clock=genlet.VirtualClock())
    with caplog.at_level(logging.WARNING, logger="genlet"):
        kernel.run(main)
    assert trace == ["swallowed"] * 6 + ["deliverer done"]
    assert kernel.tasks() == []
    messages = [r.getMessage() for r in caplog.records]
    assert any("closing task 'swallower'" in m for m in messages)
    assert not any("yield from" in m or r.exc_info for m, r in zip(messages, caplog.records))


@pytest.mark.parametrize("fatal", [SystemExit, KeyboardInterrupt])
def test_system_exit_raised_during_shutdown_propagates(fatal):
    """A SystemExit / KeyboardInterrupt raised by a task while run() finished the leftovers was
    swallowed: run() returned main's value as if nothing had happened, and logged nothing."""
    trace = []

    def exiter():
        try:
            yield from genlet.sleep(10)
        except genlet.Cancelled:
            raise fatal(3)

    def other():
        try:
            yield from genlet.sleep(10)
        finally:
            trace.append("other finally")

    def main():
        genlet.spawn(exiter)
        genlet.spawn(other)
        yield
        return "main's value"

    with pytest.raises(fatal):
        vrun(main)
    assert trace == ["other finally"]


def test_system_exit_during_shutdown_after_an_error_wins():
    """When run() was already ending with an exception (here a Deadlock), a SystemExit raised
    while the tasks were finished was dropped and the Deadlock came out instead."""
    never = genlet.kernel.WaitQueue("never opened")

    def exiter():
        try:
            task = parking_task()
            yield from park(task, never.push(task))
        except genlet.Cancelled:
            raise SystemExit(3)

    def main():
        yield from genlet.spawn(exiter).join()

    with pytest.raises(SystemExit):
        vrun(main)


def test_task_spawned_during_shutdown_is_cancelled_too(caplog):
    """A leftover whose cleanup spawned a task: the new task was never cancelled, so run()
    stepped it forever (a hang) instead of finishing."""
    trace = []

    def forever():
        while True:
            yield from genlet.sleep(1)

    def parent():
        try:
            yield from genlet.sleep(10)
        finally:
            helper = genlet.spawn(forever, name="late")
            with genlet.CancelScope(shield=True):
                yield from helper.wait()
            trace.append("late cancelled: %s" % helper.cancelled())

    def main():
        genlet.spawn(parent)
        yield
        return "done"

    with caplog.at_level(logging.WARNING, logger="genlet"):
        assert vrun(main) == "done"
    assert trace == ["late cancelled: True"]
    assert any("'late'" in r.getMessage() and "spawned while run() was ending" in r.getMessage() for r in caplog.records)


# -- select ----------------------------------------------------------------------------------------


class EnrollFails(genlet.kernel.Op):
    def ready(self):
        return False

    def enroll(self, task, group):
        raise RuntimeError("enroll failed")

    def describe(self):
        return "enroll fails"


def test_select_whose_enroll_raises_leaves_no_waiter_behind():
    """An op whose enroll() raised left the ops enrolled before it in their queues: when one
    of them fired later, it woke the task out of an unrelated wait with the select's reply."""

    def child():
        yield from genlet.sleep(1)

    def main():
        t = genlet.spawn(child)
        with pytest.raises(RuntimeError, match="enroll failed"):
            yield from genlet.select(t.join_op(), EnrollFails())
        assert len(t._joiners) == 0
        yield from genlet.sleep(5)  # the child finishes at 1 while this sleep goes on
        return genlet.clock()

    assert vrun(main) == 5


# -- long and infinite deadlines -------------------------------------------------------------------


def test_infinite_deadlines_never_fire_on_a_virtual_clock():
    """A virtual clock jumped to the next deadline even when it was inf: the clock became inf
    and `move_on_after(inf)` (\"no timeout\") cancelled its block."""
    inf = float("inf")

    def sleeper():
        yield from genlet.sleep(1)

    def main():
        genlet.spawn(sleeper)
        with genlet.move_on_after(inf) as scope:
            yield from genlet.sleep(5)
        assert (genlet.clock(), scope.cancelled_caught) == (5, False)
        i, value = yield from genlet.select(genlet.spawn(sleeper).join_op(), timeout=inf)
        assert i == 0 and genlet.clock() == 6
        with genlet.move_on_after(inf):
            yield from genlet.sleep(inf)  # sleeps forever: nothing can wake it

    with pytest.raises(genlet.Deadlock, match="sleep"):
        vrun(main)


def test_timeout_longer_than_the_poller_accepts_while_waiting_on_io():
    """epoll / poll take at most about 24 days: a longer deadline while a task waited on a
    descriptor raised OverflowError out of run() instead of waiting."""
    import socket

    a, b = socket.socketpair()
    try:
        b.send(b"x")  # readable already: the poll returns at once once it is called right

        def main():
            with genlet.move_on_after(30 * 86400.0):  # a month
                yield from genlet.kernel.read_wait(a)
            return a.recv(1)

        assert genlet.run(main) == b"x"
    finally:
        a.close()
        b.close()


# -- embedding and nesting -------------------------------------------------------------------------


def test_run_called_inside_its_own_task_starts_nothing():
    """`kernel.run(other)` from one of the kernel's own tasks raised, but only after spawning
    `other`, which then ran in the background anyway."""
    trace = []

    def other():
        trace.append("other ran")
        yield

    def main():
        kernel = genlet.current_task()._kernel
        with pytest.raises(RuntimeError, match="already running.*spawn"):
            kernel.run(other)
        with pytest.raises(RuntimeError, match="do not nest.*spawn"):
            genlet.run(other)
        for _ in range(3):
            yield
        return len(kernel.tasks())

    assert vrun(main) == 1
    assert trace == []


def test_a_kernel_stepped_from_a_second_thread_says_so():
    """Stepping a kernel that runs in another thread said it was "nested in its tasks"."""
    import threading

    errors = []
    kernel = genlet.Kernel()

    def poke():
        try:
            kernel.step()
        except RuntimeError as exc:
            errors.append(str(exc))

    def main():
        thread = threading.Thread(target=poke)
        thread.start()
        while thread.is_alive():
            yield from genlet.sleep(0.001)
        thread.join()

    kernel.run(main)
    kernel.close()
    assert len(errors) == 1 and "another thread" in errors[0] and "call_from_thread" in errors[0]


# -- cancel scopes ---------------------------------------------------------------------------------


def test_scope_deadline_set_to_nan_is_refused():
    """The constructor refused a NaN deadline but the setter took it: a NaN in the timer heap
    breaks its order, and the kernel spun forever."""

    def main():
        with genlet.move_on_after(5) as scope:
            with pytest.raises(ValueError, match="NaN"):
                scope.deadline = float("nan")
            assert scope.deadline == 5
            yield from genlet.sleep(10)
        return genlet.clock(), scope.cancelled_caught

    assert vrun(main) == (5, True)


# -- joins -----------------------------------------------------------------------------------------


def test_joinall_or_select_on_the_task_itself_is_a_clear_error():
    """`task.join()` refused to wait for itself, but joinall([me]) and select(me.join_op())
    waited silently forever (or until their timeout)."""

    def main():
        me = genlet.current_task()
        with pytest.raises(RuntimeError, match="cannot wait for itself"):
            yield from genlet.joinall([me], timeout=1)
        with pytest.raises(RuntimeError, match="cannot wait for itself"):
            yield from genlet.select(me.join_op(), timeout=1)
        assert me._joiners is None or len(me._joiners) == 0
        return genlet.clock()

    assert vrun(main) == 0


def test_cancelled_re_raised_outside_its_scope_is_not_passed_on_to_joiners():
    """A task that caught Cancelled and re-raised it after its scope had exited ended with that
    Cancelled as its error; `join()` re-raised it in the joiner, which was not cancelled at all
    but died of it (a BaseException, past every `except Exception`), and so did run()."""

    def stray():
        with genlet.move_on_after(1):
            try:
                yield from genlet.sleep(5)
            except genlet.Cancelled as exc:
                caught = exc
        raise caught

    def main():
        t = genlet.spawn(stray, name="stray")
        with pytest.raises(RuntimeError, match="'stray'.*move_on_after.*re-raise it inside"):
            yield from t.join()
        assert not t.cancelled() and isinstance(t.exception, RuntimeError)
        return "main carries on"

    assert vrun(main) == "main carries on"
    with pytest.raises(RuntimeError, match="re-raise it inside"):
        vrun(stray)


def test_joinall_refuses_a_nan_timeout_and_things_that_are_not_tasks():
    """joinall(timeout=nan) put a NaN in the timer heap (a spinning kernel), and a generator in
    place of a task died with "'generator' object has no attribute '_flags'"."""

    def child():
        yield from genlet.sleep(1)

    def main():
        t = genlet.spawn(child)
        with pytest.raises(ValueError, match="NaN"):
            yield from genlet.joinall([t], timeout=float("nan"))
        gen = child()
        with pytest.raises(TypeError, match="joinall.*genlet.spawn.*generator"):
            yield from genlet.joinall([t, gen])
        gen.close()
        assert len(t._joiners or ()) == 0
        return (yield from genlet.joinall([t])) == [t]

    assert vrun(main)


def test_yielding_a_task_says_to_join_it():
    def child():
        yield from genlet.sleep(1)

    def main():
        t = genlet.spawn(child)
        with pytest.raises(TypeError, match=r"a Task.*`yield from task\.join\(\)`"):
            yield t
        yield from t.join()

    vrun(main)


def test_a_task_closed_by_force_runs_all_its_finally_blocks_as_itself(caplog):
    """gen.close() ran the task's finally blocks outside any task: `CancelScope()` in them
    raised "no genlet task is running". And a finally that tried to block ended the close
    with "generator ignored GeneratorExit", so the outer finally blocks never ran (and the
    registered wait was blamed on a forgotten `yield from`)."""
    trace = []
    gate = genlet.kernel.WaitQueue("never opened")

    def stuck():
        try:
            try:
                with genlet.CancelScope(shield=True):  # nothing will ever wake it
                    task = parking_task()
                    yield from park(task, gate.push(task))
            finally:
                trace.append("inner finally, in %s" % genlet.current_task().name)
                with genlet.CancelScope(shield=True):
                    yield from genlet.sleep(1)  # cannot block any more
                trace.append("not reached")
        finally:
            trace.append("outer finally")

    def main():
        genlet.spawn(stuck, name="stuck")
        yield

    with caplog.at_level(logging.WARNING, logger="genlet"):
        vrun(main)
    assert trace == ["inner finally, in stuck", "outer finally"]
    messages = [r.getMessage() for r in caplog.records]
    assert any("closing task 'stuck'" in m for m in messages)
    assert any("'stuck'" in m and "finally" in m and "block" in m for m in messages)
    assert not any("without waiting" in m or "no genlet task" in m for m in messages)


def test_a_task_spawned_by_a_task_closed_at_shutdown_is_finished_too(caplog):
    """When the leftovers were stuck, run() closed them and stopped looking: a task that their
    finally blocks spawned was left unfinished when run() returned."""
    late = []
    gate = genlet.kernel.WaitQueue("never opened")

    def stuck():
        try:
            with genlet.CancelScope(shield=True):  # nothing will ever wake it
                task = parking_task()
                yield from park(task, gate.push(task))
        finally:
            late.append(genlet.spawn(genlet.sleep, 1, name="late"))

    def main():
        genlet.spawn(stuck)
        yield

    kernel = genlet.Kernel(clock=genlet.VirtualClock())
    with caplog.at_level(logging.WARNING, logger="genlet"):
        kernel.run(main)
    assert kernel.tasks() == [] and late[0].cancelled()


def test_spawn_from_another_thread_while_the_kernel_runs_is_refused():
    """kernel.spawn() from a second thread, while the kernel ran, raced the run loop on its
    ready list with no error; call_from_thread is the way in from other threads."""
    import threading
    import time

    kernel = genlet.Kernel()
    outcome = []

    def child():
        yield

    def from_thread(main_task):
        while kernel.current is not None or main_task.state != genlet.WAITING:
            time.sleep(0.0005)  # until the kernel sits in its poller, the main task parked
        try:
            kernel.spawn(child)
        except RuntimeError as exc:
            outcome.append(str(exc))
        kernel.call_from_thread(kernel.spawn, child)  # the right way
        kernel.call_from_thread(reschedule, main_task, "woken")

    def main():
        me = genlet.current_task()
        kernel.external += 1  # the thread will wake us: not a deadlock
        thread = threading.Thread(target=from_thread, args=(me,))
        thread.start()
        reply = yield from park(parking_task(), Stubborn())
        kernel.external -= 1
        thread.join()
        return reply

    assert kernel.run(main) == "woken"
    kernel.close()
    assert len(outcome) == 1 and "another thread" in outcome[0] and "call_from_thread" in outcome[0]


# -- resources -------------------------------------------------------------------------------------


def test_a_finished_task_keeps_no_reference_to_its_last_reply():
    """_finish dropped the generator, the scopes and the locals, but not the last reply the task
    was resumed with: every finished Task kept alive would pin a message (a big buffer)."""
    import gc
    import weakref

    class Message:
        pass

    refs = []

    def receiver():
        task = parking_task()
        message = yield from park(task, Stubborn())
        refs.append(weakref.ref(message))

    def main():
        t = genlet.spawn(receiver)
        yield
        reschedule(t, Message())
        yield from t.join()
        gc.collect()
        return t, refs[0]() is None

    task, freed = vrun(main)
    assert freed and task.successful()


def test_long_run_of_timeouts_cancels_and_selects_leaks_nothing():
    """20,000 rounds of every way a wait can end (timeout, early finish, cancel, IO timeout,
    select timeout): the timer heap, the IO tables and the live objects stay bounded."""
    import gc
    import socket

    a, b = socket.socketpair()

    def child():
        yield from genlet.sleep(1)

    def main():
        kernel = genlet.current_task()._kernel
        sizes = []
        for i in range(20000):
            with genlet.move_on_after(0.5):
                yield from genlet.sleep(1)  # the scope fires
            with genlet.move_on_after(2):
                yield from genlet.sleep(0.1)  # the sleep ends first: the scope's entry is dead
            t = genlet.spawn(child)
            yield
            t.cancel()
            yield from t.wait()
            with genlet.move_on_after(0.01):
                yield from genlet.kernel.read_wait(a)
            yield from genlet.select(genlet.spawn(child).join_op(), timeout=0.5)
            if i % 5000 == 4999:
                kernel.tasks()  # drops the finished tasks the roll still holds (see Kernel._add_to_roll)
                gc.collect()
                sizes.append(len(gc.get_objects()))
                assert kernel._timers._count < 150  # held entries, in the heap or fresh
                assert kernel._io.count == 0 and not kernel._io._waits
        yield from genlet.sleep(2)
        assert kernel._timers._count == 0 and len(kernel.tasks()) == 1
        return sizes

    try:
        sizes = vrun(main)
    finally:
        a.close()
        b.close()
    # Discussion: a leak makes the count grow, so compare with the first count. The count may
    # also fall: genlet.io's idle worker threads, left by earlier tests, end after IDLE_SECONDS,
    # maybe during this test, and take their objects with them; that is no leak.
    assert max(sizes) - sizes[0] < 50


def test_same_seed_same_trace_with_select_and_timeouts():
    def program(trace):
        def worker(i):
            yield from genlet.sleep(i % 3)
            return i

        def chooser(j):
            tasks = [genlet.spawn(worker, i) for i in range(6)]
            yield from genlet.sleep(3)
            for _ in range(4):
                i, _ = yield from genlet.select(*[t.join_op() for t in tasks], timeout=1)
                trace.append((j, i, genlet.clock()))
                with genlet.move_on_after(0.5):
                    yield from genlet.sleep(j % 2)
                trace.append((j, "moved on", genlet.clock()))

        def main():
            yield from genlet.joinall([genlet.spawn(chooser, j) for j in range(5)])

        return main

    def once(seed):
        trace = []
        vrun(program(trace), seed=seed)
        return trace

    traces = [once(seed) for seed in range(4)]
    assert traces == [once(seed) for seed in range(4)]
    assert len(set(map(tuple, traces))) > 1  # the seed does choose


def test_the_portable_script_passes_under_cpython():
    """tests/mpy/check_kernel_edges.py is what MicroPython runs; keep it honest here too."""
    import os
    import runpy

    path = os.path.join(os.path.dirname(__file__), "mpy", "check_kernel_edges.py")
    runpy.run_path(path, run_name="check_kernel_edges")["check"]()


def test_close_with_tasks_alive_says_how_to_finish_them():
    """The error said "run or cancel them first", but a cancelled task is still alive until
    it has been stepped to its end."""
    kernel = genlet.Kernel(clock=genlet.VirtualClock())

    def sleeper():
        yield from genlet.sleep(10)

    task = kernel.spawn(sleeper)
    with pytest.raises(RuntimeError, match=r"1 task still alive.*cancel.*step\(\)") as error:
        kernel.close()
    for line in ["task.cancel()", "while kernel.tasks(): kernel.step()"]:
        assert line in str(error.value)
    task.cancel()
    while kernel.tasks():
        kernel.step()
    kernel.close()
    assert task.cancelled()


def test_default_names_of_generator_objects_and_adopted_operations():
    """With names computed lazily, a task spawned from a generator object or a genlet operation
    stored its name as a string, which the lookup then took for a function without a name:
    every such task was called 'task-N' (in warnings and deadlock dumps too)."""

    def worker():
        yield

    def main():
        by_function, by_object, by_operation = (
            genlet.spawn(worker), genlet.spawn(worker()), genlet.spawn(genlet.sleep, 1)
        )  # fmt: skip
        names = [t.name for t in (by_function, by_object, by_operation)]
        assert names == ["worker-%d" % by_function.id, "worker-%d" % by_object.id, "sleep-%d" % by_operation.id]
        yield from genlet.joinall([by_function, by_object, by_operation])

    vrun(main)


def test_the_running_kernel_is_per_thread_and_ends_with_the_run():
    """The running kernel is found per thread (a ContextVar on CPython, a thread-local
    elsewhere): a plain thread sees none, and a context copied inside a task does not carry
    a finished kernel's tasks past the end of its run."""
    import contextvars
    import threading

    seen = []

    def look():
        try:
            genlet.spawn(genlet.sleep, 1)
        except RuntimeError as exc:
            seen.append(str(exc))

    def main():
        thread = threading.Thread(target=look)
        thread.start()
        thread.join()
        return contextvars.copy_context()
        yield

    for flag in (False, True):
        copied = genlet.run(main, contextvars=flag)
        copied.run(look)  # after the run, inside a context copied during it
        assert len(seen) == 2 and all("no genlet kernel is running" in text for text in seen), seen
        with pytest.raises(RuntimeError, match="no genlet task is running|no genlet kernel"):
            copied.run(genlet.current_task)
        del seen[:]


def test_a_function_spawned_before_shutdown_and_again_during_it_is_cancelled(caplog):
    """``genlet.spawn`` takes a fast path for the function it spawned last; while run() is
    ending it must not: the newcomer is cancelled before it starts, with a warning."""
    ran = []
    late = []

    def job(label):
        ran.append(label)
        yield

    def leftover():
        try:
            yield from genlet.sleep(100)
        finally:
            late.append(genlet.spawn(job, "late"))

    def main():
        genlet.spawn(leftover)
        for label in ("a", "b"):  # the second takes the fast path, and job stays the last
            yield from genlet.spawn(job, label).join()

    kernel = genlet.Kernel(clock=genlet.VirtualClock())
    with caplog.at_level(logging.WARNING, logger="genlet"):
        kernel.run(main)
    assert ran == ["a", "b"] and late[0].cancelled() and kernel.tasks() == []
    assert any("spawned while run() was ending" in r.getMessage() for r in caplog.records)

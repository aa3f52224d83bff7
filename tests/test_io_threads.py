"""genlet.io.threads: run_in_thread on a bounded pool, cancellation, from_thread."""

import threading
import time
import traceback

import pytest

import genlet
import genlet.io
from genlet.io import threads
from genlet.kernel import Deadlock, TaskCancelled, WaitQueue, current_kernel, park
from genlet.kernel.traps import parking_task

from .helpers import vrun

WAIT = 5.0  # the longest any thread here blocks on an Event: a bound, never reached when green


@pytest.fixture
def pool_of(request):
    """set the pool's bound for one test, and put the default back afterwards."""
    before = threads.max_threads()
    yield threads.set_max_threads
    threads.set_max_threads(before)


def forever():
    """Park on a queue nobody will ever pop."""
    task = parking_task()
    return park(task, WaitQueue("nothing", "happen").push(task))


def test_result_and_arguments():
    def main():
        return (yield from genlet.io.run_in_thread(lambda a, b: (a + b, threading.get_ident()), 2, 3))

    value, ident = genlet.run(main)
    assert value == 5
    assert ident != threading.get_ident()


def test_exception_is_raised_in_the_task_with_its_traceback():
    def fails_in_thread():
        raise KeyError("from the worker")

    def main():
        try:
            yield from genlet.io.run_in_thread(fails_in_thread)
        except KeyError as exc:
            return exc

    exc = genlet.run(main)
    assert exc.args == ("from the worker",)
    functions = [frame.name for frame in traceback.extract_tb(exc.__traceback__)]
    assert "fails_in_thread" in functions and "main" in functions


def test_none_result_and_waiting_on_describes_the_job():
    def main():
        started = threading.Event()
        go = threading.Event()

        def job():
            started.set()
            go.wait(WAIT)

        def runner():
            return (yield from genlet.io.run_in_thread(job))

        task = genlet.spawn(runner)
        yield
        assert task.waiting_on == "thread job test_none_result_and_waiting_on_describes_the_job.<locals>.main.<locals>.job()"
        go.set()
        return (yield from task.join())

    assert genlet.run(main) is None


def test_concurrency_is_bounded_by_the_pool(pool_of):
    pool_of(3)
    lock = threading.Lock()
    release = threading.Event()
    active = [0]
    peak = [0]

    def job(n):
        with lock:
            active[0] += 1
            peak[0] = max(peak[0], active[0])
        release.wait(WAIT)
        with lock:
            active[0] -= 1
        return n * n

    def worker(n):
        return (yield from genlet.io.run_in_thread(job, n))

    def main():
        tasks = [genlet.spawn(worker, n) for n in range(10)]
        for _ in range(5000):  # until 3 jobs run and 7 wait in the queue
            stats = threads.statistics()
            if stats.running == 3 and stats.queued == 7:
                break
            yield from genlet.sleep(0.001)
        assert (stats.running, stats.queued) == (3, 7)
        assert current_kernel().external == 10
        release.set()
        results = []
        for t in tasks:
            results.append((yield from t.join()))
        return results

    assert genlet.run(main) == [n * n for n in range(10)]
    assert peak[0] == 3
    assert threads.statistics().threads <= 3


def test_cancel_waits_for_the_result_then_cancels_at_the_next_checkpoint():
    go = threading.Event()
    finished = threading.Event()
    got = []

    def job():
        go.wait(WAIT)
        finished.set()
        return "the result"

    def waiter():
        got.append((yield from genlet.io.run_in_thread(job)))
        yield  # the next checkpoint: the cancel arrives here
        got.append("not reached")

    def main():
        task = genlet.spawn(waiter)
        yield
        task.cancel()
        for _ in range(3):
            yield
        assert not task.done() and task.state == genlet.WAITING
        go.set()
        yield from task.wait()
        return task

    task = genlet.run(main)
    assert task.cancelled()
    assert finished.is_set()
    assert got == ["the result"]


def test_cancel_while_waiting_in_a_timeout_scope_keeps_the_result():
    def main():
        with genlet.move_on_after(0.001) as scope:
            value = yield from genlet.io.run_in_thread(time.sleep, 0.01)
            value = "kept"
            yield
        return value, scope.cancelled_caught

    assert genlet.run(main) == ("kept", True)


class Resource:
    def __init__(self):
        self.closed = threading.Event()

    def close(self):
        self.closed.set()


def test_cancellable_leaves_at_once_and_closes_the_abandoned_result():
    started = threading.Event()
    go = threading.Event()
    resource = Resource()

    def job():
        started.set()
        go.wait(WAIT)
        return resource

    def waiter():
        return (yield from genlet.io.run_in_thread(job, cancellable=True))

    def main():
        task = genlet.spawn(waiter)
        yield
        assert current_kernel().external == 1
        assert (yield from genlet.io.run_in_thread(started.wait, WAIT))
        task.cancel()
        yield from task.wait()
        assert task.cancelled()
        assert current_kernel().external == 0  # nobody can be woken by that job any more
        assert not go.is_set() and not resource.closed.is_set()  # still running, abandoned
        go.set()
        return (yield from genlet.io.run_in_thread(resource.closed.wait, WAIT))

    assert genlet.run(main) is True


def test_cancellable_job_that_never_started_never_runs(pool_of):
    pool_of(1)
    go = threading.Event()
    ran = []

    def blocker():
        go.wait(WAIT)

    def main():
        first = genlet.spawn(genlet.io.run_in_thread, blocker)
        second = genlet.spawn(genlet.io.run_in_thread(ran.append, "ran", cancellable=True))
        for _ in range(5000):  # until the blocker runs and the second job waits for a thread
            stats = threads.statistics()
            if (stats.running, stats.queued) == (1, 1):
                break
            yield from genlet.sleep(0.001)
        assert (stats.running, stats.queued) == (1, 1)
        second.cancel()
        yield from second.wait()
        go.set()
        yield from first.join()
        yield from genlet.io.run_in_thread(time.sleep, 0)  # the queue is served in order
        return second.cancelled()

    assert genlet.run(main) is True
    assert ran == []


def test_cancelled_before_the_call_starts_no_job():
    def main():
        genlet.current_task().cancel()
        before = threads.statistics().submitted
        try:
            yield from genlet.io.run_in_thread(time.sleep, 0)
        finally:
            assert threads.statistics().submitted == before

    with pytest.raises(TaskCancelled):
        genlet.run(main)


def test_deadlock_detection_waits_for_a_thread_job():
    def main():
        value = yield from genlet.io.run_in_thread(lambda: time.sleep(0.01) or "slept")
        assert current_kernel().external == 0
        return value

    assert genlet.run(main) == "slept"

    def stuck_after_the_job():
        yield from genlet.io.run_in_thread(time.sleep, 0.005)
        yield from forever()

    with pytest.raises(Deadlock, match="nothing \\(no timer, no IO, no thread\\) can wake"):
        genlet.run(stuck_after_the_job)


def test_virtual_clock_with_a_thread_job():
    def sleeper():
        yield from genlet.sleep(10)
        return genlet.clock()

    def main():
        start = genlet.clock()
        value = yield from genlet.io.run_in_thread(lambda: time.sleep(0.005) or 42)
        assert genlet.clock() == start  # no deadline: virtual time stood still
        other = genlet.spawn(sleeper)
        value2 = yield from genlet.io.run_in_thread(lambda: 7)
        return value, value2, (yield from other.join())

    assert vrun(main) == (42, 7, 10.0)


def test_shutdown_waits_for_an_uncancellable_job():
    go = threading.Event()
    done = []

    def job():
        go.wait(WAIT)
        done.append(True)

    def left_behind():
        try:
            yield from genlet.io.run_in_thread(job)
        finally:
            done.append("finally")

    def main():
        genlet.spawn(left_behind)
        yield
        threading.Timer(0.005, go.set).start()

    genlet.run(main)
    assert done == [True, "finally"]


def test_errors_are_explained():
    with pytest.raises(TypeError, match="needs a function"):
        list(genlet.io.run_in_thread(42))
    with pytest.raises(RuntimeError, match="no genlet kernel is running"):
        list(genlet.io.run_in_thread(time.sleep, 0))
    for bad in (0, -1, 2.5, True):
        with pytest.raises(ValueError, match="int >= 1"):
            threads.set_max_threads(bad)


# -- from_thread ---------------------------------------------------------------------------


def test_from_thread_plain_function_runs_in_the_kernel_thread():
    kernel_thread = threading.get_ident()

    def job():
        return genlet.io.from_thread(lambda x: (x + 1, threading.get_ident()), 41)

    def main():
        return (yield from genlet.io.run_in_thread(job))

    assert genlet.run(main) == (42, kernel_thread)


def test_from_thread_generator_function_runs_as_a_task():
    def in_kernel(x):
        yield from genlet.sleep(0.001)
        return x * 2, genlet.current_task().name

    def main():
        return (yield from genlet.io.run_in_thread(genlet.io.from_thread, in_kernel, 21))

    assert genlet.run(main) == (42, "from_thread:test_from_thread_generator_function_runs_as_a_task.<locals>.in_kernel")
    assert vrun(main)[0] == 42


def test_from_thread_error_paths():
    def plain_fails():
        raise ValueError("plain")

    def gen_fails():
        yield
        raise LookupError("generator")

    def gen_cancelled():
        genlet.current_task().cancel()
        yield

    def job(fn):
        try:
            genlet.io.from_thread(fn)
        except Exception as exc:
            return exc

    def main():
        found = []
        for fn in (plain_fails, gen_fails, gen_cancelled):
            found.append((yield from genlet.io.run_in_thread(job, fn)))
        return found

    plain, gen, cancelled = genlet.run(main)
    assert isinstance(plain, ValueError) and plain.args == ("plain",)
    assert isinstance(gen, LookupError) and gen.args == ("generator",)
    assert isinstance(cancelled, TaskCancelled)


def test_from_thread_in_a_foreign_thread_with_an_explicit_kernel():
    results = []

    def foreign(kernel):
        results.append(genlet.io.from_thread(lambda: "plain", kernel=kernel))

        def gen():
            yield
            return "generator"

        results.append(genlet.io.from_thread(gen, kernel=kernel))
        try:
            genlet.io.from_thread(lambda: 1 / 0, kernel=kernel)
        except ZeroDivisionError:
            results.append("error")

    def main():
        kernel = current_kernel()
        kernel.ensure_waker()
        thread = threading.Thread(target=foreign, args=(kernel,))
        thread.start()
        yield from genlet.io.run_in_thread(thread.join, WAIT)  # keeps the kernel open meanwhile

    genlet.run(main)
    assert results == ["plain", "generator", "error"]


def test_from_thread_explains_misuse():
    with pytest.raises(RuntimeError, match="does not know which genlet kernel"):
        genlet.io.from_thread(print)

    def main():
        genlet.io.from_thread(print, kernel=current_kernel())
        yield

    with pytest.raises(RuntimeError, match="kernel's own thread"):
        genlet.run(main)

    kernel = genlet.Kernel()
    with pytest.raises(RuntimeError, match="no waker"):
        genlet.io.from_thread(print, kernel=kernel)


def test_from_thread_after_the_kernel_stopped():
    started = threading.Event()
    go = threading.Event()
    outcome = []
    ended = threading.Event()

    def job():
        started.set()
        go.wait(WAIT)
        try:
            genlet.io.from_thread(print)
        except RuntimeError as exc:
            outcome.append(str(exc))
        ended.set()

    def main():
        task = genlet.spawn(genlet.io.run_in_thread(job, cancellable=True))
        assert (yield from genlet.io.run_in_thread(started.wait, WAIT))
        task.cancel()

    genlet.run(main)
    go.set()
    assert ended.wait(WAIT)
    assert outcome and "stopped" in outcome[0]


def test_from_thread_rejects_a_coroutine():
    async def coro():
        pass

    def job():
        genlet.io.from_thread(coro)

    def main():
        yield from genlet.io.run_in_thread(job)

    with pytest.raises(TypeError, match="async def"):
        genlet.run(main)


def test_import_genlet_io_is_lazy():
    import subprocess
    import sys

    code = "import sys, genlet.io; print('signal' in sys.modules, 'genlet.io.threads' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60)
    assert out.stdout.split() == ["False", "False"]
    assert set(genlet.io.__all__) <= set(dir(genlet.io))
    with pytest.raises(AttributeError, match="no attribute 'nope'"):
        genlet.io.nope


def test_a_forked_child_gets_a_fresh_pool():
    import os
    import signal
    import warnings

    def main():
        return (yield from genlet.io.run_in_thread(lambda: "from a worker"))

    assert genlet.run(main) == "from a worker"  # the parent's pool has threads now
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)  # "fork() in a multi-threaded process"
        pid = os.fork()
    if pid == 0:  # the child: its pool must not wait for the parent's threads
        code = 1
        try:
            signal.alarm(10)  # a hang ends the child, and the test fails
            code = 0 if genlet.run(main) == "from a worker" and threads.statistics().submitted == 1 else 2
        finally:
            os._exit(code)
    _, status = os.waitpid(pid, 0)
    assert os.WIFEXITED(status) and os.WEXITSTATUS(status) == 0


def test_call_from_thread_from_many_threads_at_once_loses_nothing():
    """The kernel's queue of calls is guarded from the first call on (ensure_waker makes its lock)."""
    count = [0]

    def bump():
        count[0] += 1

    def main():
        kernel = current_kernel()
        kernel.ensure_waker()
        barrier = threading.Barrier(8)

        def hammer():
            barrier.wait(WAIT)
            for _ in range(200):
                kernel.call_from_thread(bump)

        hammers = [threading.Thread(target=hammer) for _ in range(8)]
        for thread in hammers:
            thread.start()
        for thread in hammers:
            yield from genlet.io.run_in_thread(thread.join, WAIT)
        yield from genlet.sleep(0.001)  # the last calls run between two passes
        return count[0]

    results = []  # in a thread other than the main one, genlet.run makes no waker of its own
    runner = threading.Thread(target=lambda: results.append(genlet.run(main)))
    runner.start()
    runner.join(WAIT * 2)
    assert results == [1600]

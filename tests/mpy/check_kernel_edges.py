"""The kernel's corner cases on any interpreter: a plain script, no pytest, no hypothesis.

The same scenarios as tests/test_kernel_edges.py, where they do not need threads or sockets:
shutdown closing tasks by force, tasks spawned during shutdown, a stray Cancelled, infinite
deadlines, a select whose enroll fails, waiting for oneself.

Run from the repository root:
    MICROPYPATH=. micropython tests/mpy/check_kernel_edges.py   (unix port; MPY_BACKEND=wasm too)
    python3 tests/mpy/check_kernel_edges.py                       (CPython; also run by pytest)
Prints "kernel edges: ok" at the end; any failure raises.
"""

import sys

if "genlet" not in sys.modules:
    sys.path.insert(0, ".")  # run from the repository root: genlet/ is there

import genlet  # noqa: E402
from genlet.kernel import Op, WaitQueue, park  # noqa: E402
from genlet.kernel.traps import parking_task  # noqa: E402


def vrun(main):
    kernel = genlet.Kernel(clock=genlet.VirtualClock(), seed=1)
    value = kernel.run(main)
    assert kernel.tasks() == [], kernel.tasks()
    return value


def expect(kind, words, gen_fn):
    """Run ``gen_fn()`` inside the current task; it must raise ``kind`` with ``words``."""
    try:
        yield from gen_fn()
    except kind as exc:
        assert words in str(exc), (words, str(exc))
        return
    raise AssertionError("expected %s" % kind.__name__)


def park_forever(queue):
    with genlet.CancelScope(shield=True):
        task = parking_task()
        yield from park(task, queue.push(task))


def shutdown_closes_and_finishes():
    trace = []
    never = WaitQueue("never opened")

    def swallower():
        try:
            while True:
                try:
                    yield
                except genlet.Cancelled:
                    pass
        finally:
            trace.append("swallower")

    def shielded():
        try:
            with genlet.CancelScope(shield=True):
                yield from genlet.sleep(1)
        finally:
            trace.append("shielded")

    def stuck():
        try:
            try:
                yield from park_forever(never)
            finally:
                trace.append("stuck as " + genlet.current_task().name)
                with genlet.CancelScope(shield=True):
                    yield from genlet.sleep(1)  # a closed task cannot block
        finally:
            trace.append("stuck outer")
            genlet.spawn(genlet.sleep, 1, name="late")

    def main():
        genlet.spawn(shielded)
        genlet.spawn(swallower)
        genlet.spawn(stuck, name="stuck")
        yield

    vrun(main)
    assert sorted(trace) == ["shielded", "stuck as stuck", "stuck outer", "swallower"], trace


class EnrollFails(Op):
    def ready(self):
        return False

    def enroll(self, task, group):
        raise RuntimeError("enroll failed")

    def describe(self):
        return "enroll fails"


def stray():
    with genlet.move_on_after(1):
        try:
            yield from genlet.sleep(5)
        except genlet.Cancelled as exc:
            caught = exc
    raise caught


def child():
    yield from genlet.sleep(1)


def main():
    me = genlet.current_task()
    t = genlet.spawn(stray, name="stray")
    yield from expect(RuntimeError, "outside that scope", t.join)
    t = genlet.spawn(child)
    yield from expect(RuntimeError, "enroll failed", lambda: genlet.select(t.join_op(), EnrollFails()))
    yield from genlet.sleep(3)  # the child ends meanwhile: its join must not wake this sleep
    assert genlet.clock() == 4, genlet.clock()
    yield from expect(RuntimeError, "itself", lambda: genlet.joinall([me]))
    yield from expect(RuntimeError, "itself", lambda: genlet.select(me.join_op()))
    with genlet.move_on_after(float("inf")) as scope:
        yield from genlet.sleep(2)
    assert genlet.clock() == 6 and not scope.cancelled_caught
    yield from expect(ValueError, "NaN", lambda: genlet.joinall([t], timeout=float("nan")))
    return "done"


def every_stored_attribute_is_a_class_attribute():
    """Where __slots__ is ignored (MicroPython), whatever a task stores must also be a class
    attribute of Task, so that the class lookup each store makes finds it (task.py)."""
    from genlet.kernel.task import SLOTS, Task

    seen = set()

    def look(tasks):
        for t in tasks:
            seen.update(getattr(t, "__dict__", {}))

    def sleeper():
        with genlet.move_on_after(5):
            yield from genlet.sleep(1)

    def worker():
        yield
        return 1

    def main_():
        tasks = [genlet.spawn(sleeper), genlet.spawn(worker), genlet.spawn(worker, name="w")]
        look(tasks)
        yield
        look(tasks)
        tasks[1].id
        tasks[0].cancel()
        for t in tasks:
            yield from t.wait()
        look(tasks + [genlet.current_task()])

    vrun(main_)
    if not SLOTS:
        assert seen and seen <= set(Task.__dict__), sorted(seen - set(Task.__dict__))


def failure_reports():
    """A failure is reported when it happens unless someone then waits to receive it."""
    from genlet.kernel import report

    reported = []
    saved = report.failure
    report.failure = lambda message, error: reported.append(message.split("'")[1])

    def fails_at(seconds):
        yield from genlet.sleep(seconds)
        raise ValueError("late")

    def main_():
        gave_up = genlet.spawn(fails_at, 5, name="gave_up")
        with genlet.move_on_after(1):
            yield from gave_up.join()
        all_ = genlet.spawn(fails_at, 2, name="joinall")
        yield from genlet.joinall([all_])
        joined = genlet.spawn(fails_at, 1, name="joined")
        try:
            yield from joined.join()
        except ValueError:
            pass
        linked = genlet.spawn(fails_at, 1, name="linked")
        linked.link_exception(lambda task: None)
        yield from genlet.sleep(10)

    try:
        vrun(main_)
    finally:
        report.failure = saved
    assert reported == ["joinall", "gave_up"], reported


def a_parked_task_stores_only_what_it_needs():
    """Where __slots__ is ignored, every attribute stored on a task or its Waiter takes room
    in the object's own dict (task.py, waitqueue.py): a task parked on its first step keeps
    six (no ``_value`` while it is None), and a plain wait has no Waiter: the task waits in
    its queue's list, and the queue is its wait object."""
    from genlet.kernel.task import SLOTS

    seen = []

    def sleeper(event):
        yield from event.wait()

    def main_():
        event = genlet.Event()
        tasks = [genlet.spawn(sleeper, event) for _ in range(3)]
        yield
        middle = tasks[1]
        seen.append(sorted(getattr(middle, "__dict__", {})))
        seen.append(middle._wait is event._waiters)
        event.set()
        for t in tasks:
            yield from t.join()

    vrun(main_)
    if not SLOTS:
        assert seen[0] == ["_cancel", "_flags", "_gen", "_kernel", "_name", "_wait"], seen
        assert seen[1] is True, seen


def a_plain_wait_line():
    """A line of plain waits (tasks in a list where __slots__ is ignored): a task cancelled
    or timed out in the middle leaves it, the rest are woken in order, peek and iteration give
    Waiters that ``remove`` accepts, and a Lock's deadlock check sees through such a wait."""
    from genlet.kernel.waitqueue import WaitQueue

    woken = []

    def sleeper(event, i, timeout=None):
        try:
            woken.append((i, (yield from event.wait(timeout))))
        except genlet.Cancelled:
            woken.append((i, "cancelled"))
            raise

    def main_():
        event = genlet.Event()
        tasks = [genlet.spawn(sleeper, event, i, 5 if i == 3 else None) for i in range(5)]
        yield
        assert len(event._waiters) == 5
        tasks[1].cancel()
        yield from genlet.sleep(10)  # task 3 times out
        assert len(event._waiters) == 3, event._waiters
        queue = WaitQueue(None, "test")
        queue.push(tasks[0])
        queue.push(tasks[2], "a value")
        first = queue.peek()
        assert first.task is tasks[0] and first.value is None
        assert [node.task for node in queue] == [tasks[0], tasks[2]]
        queue.remove(first)
        assert len(queue) == 1 and queue.pop().value == "a value" and queue.pop() is None
        event.set()
        for t in tasks:
            yield from t.wait()
        assert woken == [(1, "cancelled"), (3, False), (0, True), (2, True), (4, True)], woken

        a, b = genlet.Lock(), genlet.Lock()
        cond = genlet.Condition(a)
        failures = []

        def waits_then_reacquires():
            yield from b.acquire()
            yield from a.acquire()
            yield from cond.wait()  # notified, it waits (plainly) to hold `a` again
            a.release()
            b.release()

        def closes_the_cycle():
            yield
            yield from a.acquire()
            cond.notify()
            yield  # the other now waits for `a` and holds `b`
            try:
                yield from b.acquire()
            except genlet.Deadlock as error:
                failures.append(error)
            a.release()

        x = genlet.spawn(waits_then_reacquires)
        y = genlet.spawn(closes_the_cycle)
        yield from x.wait()
        yield from y.wait()
        assert len(failures) == 1, failures

    vrun(main_)


def check():
    failure_reports()
    shutdown_closes_and_finishes()
    every_stored_attribute_is_a_class_attribute()
    a_parked_task_stores_only_what_it_needs()
    a_plain_wait_line()
    assert vrun(main) == "done"


if __name__ == "__main__":
    check()
    print("kernel edges: ok")

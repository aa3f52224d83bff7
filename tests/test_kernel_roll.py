"""The roll of live tasks (``Kernel._add_to_roll``): ``tasks()``, shutdown and ``dump()`` see every
unfinished task, while a task that ends in its first step never touches the roll.

What must hold: ``tasks()`` is every unfinished task, those that have started in the order
they did (a task starts at its first step; one whose generator was made at spawn, a named
task for one, at its spawn; a parent before the children it spawns), then those that have not,
in the order they will; even when asked from the middle of a pass. Right after an enrolment
the finished tasks the roll still holds are within the bound (the tasks kept at the last
prune, or ``_MIN_PRUNE``), and a finished task the program has dropped is freed once the
roll is pruned (``tasks()`` prunes at once), or at once if it never started a second step.
"""

import gc
import weakref

from hypothesis import given
from hypothesis import strategies as st

import genlet
from genlet.kernel import roll

from .helpers import vrun

ACTIONS = ["spawn", "named", "quick", "probe", "set", "cancel"]


def check_bound(kernel):
    """Right after an enrolment: the dead the roll keeps are within the bound."""
    assert sum(1 for t in kernel._roll if t.done()) <= kernel._dead <= max(kernel._prune_at, roll._MIN_PRUNE)


@given(steps=st.lists(st.tuples(st.sampled_from(ACTIONS), st.integers(0, 3)), max_size=60), min_prune=st.sampled_from([1, 2, 5, 64]))
def test_tasks_is_every_live_task_in_the_order_they_started(steps, min_prune):
    """Property: after any mix of spawns (of tasks that wait on one of four events, named or
    not, or that end at once), probes (tasks that ask ``tasks()`` in their first step, with
    tasks spawned after them not started yet), event sets and cancels, ``tasks()`` is the
    model: the started ones in the order they started, then the others in spawn order."""
    saved = roll._MIN_PRUNE
    roll._MIN_PRUNE = min_prune
    started = []  # the model: tasks in the order they started
    spawned = []
    problems = []

    def expected():
        return [t for t in started if not t.done()] + [t for t in spawned if t not in started and not t.done()]

    def waiter(event):
        if genlet.current_task() not in started:  # (a named one started at its spawn)
            started.append(genlet.current_task())
        yield from event.wait()

    def quick():
        return None
        yield

    def probe():
        started.append(genlet.current_task())
        if genlet.current_task()._kernel.tasks() != expected():
            problems.append((genlet.current_task()._kernel.tasks(), expected()))
        yield

    def main():
        kernel = genlet.current_task()._kernel
        started.append(genlet.current_task())
        events = [genlet.Event() for _ in range(4)]
        quick_ones = []
        for action, k in steps:
            if action == "spawn":
                spawned.append(genlet.spawn(waiter, events[k]))
            elif action == "named":  # made at spawn: it starts there
                task = genlet.spawn(waiter, events[k], name="named-%d" % len(spawned))
                spawned.append(task)
                started.append(task)
                check_bound(kernel)
            elif action == "quick":
                quick_ones.append(genlet.spawn(quick))
                spawned.append(quick_ones[-1])
            elif action == "probe":
                spawned.append(genlet.spawn(probe))
                spawned.append(genlet.spawn(waiter, events[k]))  # not started when probe asks
            elif action == "set":
                events[k].set()
                events[k] = genlet.Event()
            elif spawned:
                spawned[k % len(spawned)].cancel()
            assert kernel.tasks() == expected()
            yield  # let them run (or end) for one pass
            assert not problems, problems
            assert kernel.tasks() == expected()
        assert not any(t in kernel._roll for t in quick_ones)  # they ended in their first step
        assert kernel._dead == 0  # tasks() pruned
        for event in events:
            event.set()

    try:
        vrun(main)
    finally:
        roll._MIN_PRUNE = saved


def test_churning_keeps_the_roll_small():
    """10,000 tasks spawned and finished, two alive at a time, each after a second step: the
    roll never holds more than the bound of finished ones."""

    def child():
        yield

    def main():
        kernel = genlet.current_task()._kernel
        longest = 0
        for _ in range(5000):
            a, b = genlet.spawn(child), genlet.spawn(child)
            yield from a.join()
            yield from b.join()
            longest = max(longest, len(kernel._roll))
        return longest

    assert vrun(main) <= roll._MIN_PRUNE + 3


class Result:
    pass


def test_a_dropped_finished_task_is_freed_by_the_next_prune():
    def child():
        yield  # a second step: it is on the roll when it ends
        return Result()

    def main():
        kernel = genlet.current_task()._kernel
        tasks = [genlet.spawn(child) for _ in range(10)]
        refs = []
        for task in tasks:
            refs.append(weakref.ref((yield from task.join())))
        del tasks, task
        yield  # (a checkpoint: the last reply main was sent, one result, is let go too)
        gc.collect()
        held = sum(1 for r in refs if r() is not None)  # the roll still holds the tasks
        kernel.tasks()  # prunes
        gc.collect()
        return held, sum(1 for r in refs if r() is not None)

    held, after = vrun(main)
    assert held == 10 and after == 0


def test_a_task_that_ends_in_its_first_step_is_never_held():
    def child():
        return Result()
        yield

    def main():
        kernel = genlet.current_task()._kernel
        tasks = [genlet.spawn(child) for _ in range(10)]
        assert kernel.tasks() == [genlet.current_task()] + tasks  # not started: still listed
        refs = []
        for task in tasks:
            refs.append(weakref.ref((yield from task.join())))
        assert kernel._roll == [genlet.current_task()]
        del tasks, task
        yield
        gc.collect()
        return sum(1 for r in refs if r() is not None)

    assert vrun(main) == 0


def test_tasks_in_the_middle_of_a_pass_lists_those_not_started_yet():
    """Asked by a task in its first step, with siblings behind it in the same pass: it is
    listed (it has started), and so are they (they will start), and dump() names them."""
    seen = {}

    def sibling():
        yield from genlet.sleep(1)

    def asker():
        kernel = genlet.current_task()._kernel
        seen["tasks"] = kernel.tasks()
        seen["dump"] = kernel.dump(locations=False)
        yield

    def main():
        first = genlet.spawn(sibling)
        me = genlet.spawn(asker)
        rest = [genlet.spawn(sibling) for _ in range(3)]
        yield from me.join()
        assert seen["tasks"] == [genlet.current_task(), first, me] + rest
        assert seen["dump"].count("'sibling-") == 4 and "'asker-" in seen["dump"]
        for task in [first] + rest:
            task.cancel()

    vrun(main)


def test_shutdown_and_close_count_the_live_tasks():
    def sleeper():
        yield from genlet.sleep(100)

    kernel = genlet.Kernel(clock=genlet.VirtualClock())
    tasks = [kernel.spawn(sleeper) for _ in range(3)]
    assert kernel.tasks() == tasks and "3 tasks" in repr(kernel)  # before they start
    kernel.step()
    assert kernel.tasks() == tasks and "3 tasks" in repr(kernel)
    tasks[1].cancel()
    kernel.step()
    assert kernel.tasks() == [tasks[0], tasks[2]]
    try:
        kernel.close()
    except RuntimeError as error:
        assert "2 tasks still alive" in str(error)
    else:
        raise AssertionError("close() with live tasks must refuse")
    for task in tasks:
        task.cancel()
    while kernel.tasks():
        kernel.step()
    kernel.close()

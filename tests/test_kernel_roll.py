"""The roll of live tasks (``Kernel._enrol``): ``tasks()``, shutdown and ``dump()`` see every
unfinished task, oldest first, while a finished task costs nothing at its end.

What must hold: the roll holds every live task in the order they were spawned; ``_alive()``
counts them exactly; the finished tasks it still holds never outnumber the bound (the live
tasks at the last prune, or ``_MIN_PRUNE``); and a finished task the program has dropped is
freed once the roll is pruned (``tasks()`` prunes at once).
"""

import gc
import weakref

from hypothesis import given
from hypothesis import strategies as st

import genlet
from genlet.kernel import core

from .helpers import vrun


def check_roll(kernel, model):
    """The roll's live tasks are ``model``, in order, and it counts its dead ones right."""
    assert [t for t in kernel._roll if not t.done()] == model
    assert kernel._alive() == len(model)
    assert kernel._dead == sum(1 for t in kernel._roll if t.done())


def check_bound(kernel):
    """Right after a spawn: the dead the roll keeps are within the bound."""
    assert kernel._dead <= max(kernel._prune_at, core._MIN_PRUNE)


@given(
    steps=st.lists(st.tuples(st.sampled_from(["spawn", "quick", "set", "cancel"]), st.integers(0, 3)), max_size=60),
    min_prune=st.sampled_from([1, 2, 5, 64]),
)
def test_the_roll_is_every_live_task_oldest_first(steps, min_prune):
    """Property: after any mix of spawns (of tasks that wait on one of four events, or end at
    once), event sets and cancels, the roll holds exactly the unfinished tasks in spawn order,
    ``tasks()`` returns them, and after each spawn the dead it keeps are within the bound."""
    saved = core._MIN_PRUNE
    core._MIN_PRUNE = min_prune

    def waiter(event):
        yield from event.wait()

    def quick():
        return None
        yield

    def main():
        kernel = genlet.current_task()._kernel
        me = genlet.current_task()
        events = [genlet.Event() for _ in range(4)]
        spawned = []
        for action, k in steps:
            if action == "spawn":
                spawned.append(genlet.spawn(waiter, events[k]))
                check_bound(kernel)
            elif action == "quick":
                spawned.append(genlet.spawn(quick))
                check_bound(kernel)
            elif action == "set":
                events[k].set()
                events[k] = genlet.Event()
            elif spawned:
                spawned[k % len(spawned)].cancel()
            yield  # let them run (or end) for one pass
            yield
            check_roll(kernel, [me] + [t for t in spawned if not t.done()])
        assert kernel.tasks() == [me] + [t for t in spawned if not t.done()]
        assert kernel._dead == 0  # tasks() pruned
        for event in events:
            event.set()

    try:
        vrun(main)
    finally:
        core._MIN_PRUNE = saved


def test_churning_keeps_the_roll_small():
    """10,000 tasks spawned and finished, two alive at a time: the roll never holds more than
    the bound of finished ones."""

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

    assert vrun(main) <= core._MIN_PRUNE + 3


def test_a_dropped_finished_task_is_freed_by_the_next_prune():
    class Result:
        pass

    def child():
        return Result()
        yield

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


def test_shutdown_and_close_count_the_live_tasks():
    def sleeper():
        yield from genlet.sleep(100)

    kernel = genlet.Kernel(clock=genlet.VirtualClock())
    tasks = [kernel.spawn(sleeper) for _ in range(3)]
    kernel.step()
    assert kernel._alive() == 3 and "3 tasks" in repr(kernel)
    tasks[1].cancel()
    kernel.step()
    assert kernel._alive() == 2 and kernel.tasks() == [tasks[0], tasks[2]]
    try:
        kernel.close()
    except RuntimeError as error:
        assert "2 task(s) are still alive" in str(error)
    else:
        raise AssertionError("close() with live tasks must refuse")
    for task in tasks:
        task.cancel()
    while kernel.tasks():
        kernel.step()
    kernel.close()

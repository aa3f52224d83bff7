# From gevent: the monkey-patched long_time_task (docs/from-gevent.md, "No monkey-patching").
# gevent patches time.sleep so that it switches greenlets; genlet writes the switch out:
# `yield from genlet.sleep(1)`. The virtual clock makes the seconds pass at once.
import genlet


def long_time_task(n):
    for i in range(3):
        print("Task %d is running (task %d, at %.1f s)" % (i, n, genlet.clock()))
        yield from genlet.sleep(1)  # not time.sleep(1): that would stop every task


def as_in_the_article():
    """Spawn three and sleep 0.5 s, as the article does: then main returns."""
    for n in range(3):
        genlet.spawn(long_time_task, n, daemon=True)  # daemon: no warning when main ends
    yield from genlet.sleep(0.5)
    print("main returns at %.1f s: the tasks still running are cancelled" % genlet.clock())


def waiting_for_all():
    """What the article meant to show: three tasks sleeping at the same time."""
    tasks = [genlet.spawn(long_time_task, n) for n in range(3)]
    yield from genlet.joinall(tasks)
    print("all done at %.1f s, not 9.0" % genlet.clock())


genlet.run(as_in_the_article, clock=genlet.VirtualClock())
genlet.run(waiting_for_all, clock=genlet.VirtualClock())

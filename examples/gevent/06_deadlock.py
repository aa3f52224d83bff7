# From gevent: the two-lock deadlock (docs/from-gevent.md, "Two locks, opposite orders").
# task_a takes a then b, task_b takes b then a. The task that would close the cycle gets
# genlet.Deadlock at once, naming both tasks and both locks; the other one carries on.
import genlet

lock_a = genlet.RLock(name="lock_a")
lock_b = genlet.RLock(name="lock_b")


def task_a():
    with (yield from lock_a):
        print("Task A is running")
        yield from genlet.sleep(1)
        with (yield from lock_b):
            print("Task A acquired both locks")


def task_b():
    with (yield from lock_b):
        print("Task B is running")
        yield from genlet.sleep(1)
        try:
            with (yield from lock_a):
                print("Task B acquired both locks")
        except genlet.Deadlock as error:
            # error.summary: the report without file locations (the same on every interpreter)
            print(error.summary)


def main():
    g1 = genlet.spawn(task_a, name="task_a")
    g2 = genlet.spawn(task_b, name="task_b")
    yield from genlet.joinall([g1, g2])
    print("both ended at %.0f s" % genlet.clock())


genlet.run(main, clock=genlet.VirtualClock())

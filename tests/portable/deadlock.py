# The deadlock report: when every task waits and nothing can wake any of them, run() raises
# Deadlock with a dump of who waits on what (here without file locations, which MicroPython
# cannot give), and every task is still finished: its finally blocks run.
import genlet
from genlet.kernel import WaitQueue, park
from genlet.kernel.traps import parking_task


class Gate:
    """A gate nobody opens (the kernel's own WaitQueue, as every primitive uses)."""

    def __init__(self, name):
        self.name = name
        self.waiters = WaitQueue(self, "open")

    def wait(self):
        task = parking_task()
        return park(task, self.waiters.push(task))

    def describe(self):
        return "Gate %r" % self.name


def waits_for(gate):
    try:
        yield from gate.wait()
    finally:
        print("finally ran in", genlet.current_task().name)


def main():
    a = genlet.spawn(waits_for, Gate("a"), name="worker-a")
    genlet.spawn(waits_for, Gate("b"), name="worker-b")
    yield from a.join()


try:
    genlet.run(main, clock=genlet.VirtualClock())
except genlet.Deadlock as exc:
    print("Deadlock:")
    print(exc.summary)


# Two tasks that take two locks in opposite orders: the one that would close the cycle gets
# Deadlock at once, naming both tasks and locks; the other carries on.
def takes(first, second, name):
    with (yield from first):
        yield from genlet.sleep(1)
        try:
            with (yield from second):
                print(name, "got both locks")
        except genlet.Deadlock as exc:
            print(name, "was told:")
            print(exc.summary)


def lock_cycle():
    a, b = genlet.Lock(name="a"), genlet.Lock(name="b")
    t1 = genlet.spawn(takes, a, b, "t1", name="t1")
    t2 = genlet.spawn(takes, b, a, "t2", name="t2")
    yield from genlet.joinall([t1, t2])


genlet.run(lock_cycle, clock=genlet.VirtualClock())

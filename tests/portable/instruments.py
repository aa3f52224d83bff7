# instruments: an observer told what the tasks do, the same on every interpreter.
import genlet
from genlet.kernel import Instrument
from genlet.kernel.lowlevel import describe_wait


class Show(Instrument):
    def task_spawned(self, task, parent):
        print("spawned", task.name, "by", parent and parent.name)

    def task_scheduled(self, task, waker, cause):
        print("ready", task.name, cause, "by", waker and waker.name)

    def before_task_step(self, task):
        print("step", task.name)

    def task_parked(self, task):
        print("parked", task.name, "on", describe_wait(task))

    def task_exited(self, task):
        print("exited", task.name)


def child():
    yield from genlet.sleep(1)
    return 5


def main():
    task = genlet.spawn(child, name="child")
    value = yield from task.join()
    yield
    return value


print(genlet.run(main, clock=genlet.VirtualClock(), instruments=[Show()]))


class Batches(Instrument):
    """Only the wake-ups and the steps in batches: nothing else is called."""

    def task_woken(self, task, waker, cause):
        print("woken", task.name, cause, "by", waker and waker.name)

    def steps_ran(self, tasks, times):
        print("ran", [task.name for task in tasks], len(times) == len(tasks) + 1)


print(genlet.run(main, clock=genlet.VirtualClock(), instruments=[Batches()]))

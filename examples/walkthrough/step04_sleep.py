# Step 4: sleep. A sleeping task parks with a deadline on a heap of timers; when no task is
# ready, the kernel blocks until the nearest deadline instead of spinning, then wakes the
# tasks whose time has come.
import heapq
import time

try:
    clock = time.monotonic  # seconds, never going backwards
except AttributeError:  # MicroPython has no monotonic(): milliseconds since some moment
    def clock():
        return time.ticks_ms() / 1000

PARK = "PARK"  # what a trap's handler returns when the task must wait for somebody else


class Task:
    """One generator, and what the kernel must remember about it between its turns."""

    next_id = 1

    def __init__(self, gen, name):
        self.gen, self.name = gen, name
        self.id, Task.next_id = Task.next_id, Task.next_id + 1
        self.reply = None  # sent into the generator when it next runs
        self.error = None  # or thrown into it, if set
        self.done = False
        self.result = self.exception = None  # what it returned, or the exception that ended it
        self.joiners = []  # the tasks parked in join(), waiting for it to finish

    def join(self):
        return (yield Trap(_join, self))

    def __repr__(self):
        return "task %d %r" % (self.id, self.name)


class Trap:
    """An instruction: the kernel calls handler(kernel, task, *args) for the task."""

    def __init__(self, handler, *args):
        self.handler, self.args = handler, args


class Kernel:
    def __init__(self):
        self.ready = []  # Tasks that can run
        self.timers = []  # a heap of (deadline, number, task): the nearest deadline first
        self.timer_count = 0  # numbers the timers, so that equal deadlines keep their order

    def spawn(self, gen, name):
        task = Task(gen, name)
        self.ready.append(task)
        return task

    def reschedule(self, task, reply=None, error=None):
        """End a parked task's wait: it will get `reply` (or `error`) from its trap."""
        task.reply, task.error = reply, error
        self.ready.append(task)

    def run(self, main):
        main_task = self.spawn(main(), "main")
        while self.ready or self.timers:
            if not self.ready:  # nothing to do until the nearest deadline: sleep till then
                time.sleep(max(0, self.timers[0][0] - clock()))
            self.expire_timers()
            batch, self.ready = self.ready, []
            for task in batch:
                self.step(task)
        if main_task.exception is not None:
            raise main_task.exception
        return main_task.result

    def expire_timers(self):
        now = clock()
        while self.timers and self.timers[0][0] <= now:
            deadline, _, task = heapq.heappop(self.timers)
            self.reschedule(task)

    def step(self, task):
        """Run `task` up to its next `yield`, then carry out what it yielded."""
        reply, error, task.reply, task.error = task.reply, task.error, None, None
        try:
            if error is not None:
                instruction = task.gen.throw(error)  # raise it at the task's `yield`
            else:
                instruction = task.gen.send(reply)  # the `yield` evaluates to `reply`
        except StopIteration as stop:
            return self.finish(task, stop.value, None)
        except Exception as exc:
            return self.finish(task, None, exc)
        self.dispatch(task, instruction)

    def finish(self, task, result, exception):
        """Record how the task ended, and hand that to every task parked in its join()."""
        task.done, task.result, task.exception = True, result, exception
        if exception is not None and not task.joiners and task.name != "main":
            print("%r failed and nobody joins it: %s: %s" % (task, type(exception).__name__, exception))
        for joiner in task.joiners:
            self.reschedule(joiner, result, exception)
        task.joiners = []

    def dispatch(self, task, instruction):
        """Carry out what the task yielded; a bare `yield` (None) just goes to the back."""
        reply = error = None
        if isinstance(instruction, Trap):
            try:
                reply = instruction.handler(self, task, *instruction.args)
            except Exception as exc:  # a trap that fails raises in the task, not the kernel
                error = exc
            if reply is PARK:
                return  # somebody else will reschedule it
        elif instruction is not None:  # a mistake in the task: tell the task, and carry on
            hint = " (did you mean `yield from`?)" if hasattr(instruction, "send") else ""
            error = TypeError("%r yielded %r, not a trap%s" % (task, type(instruction).__name__, hint))
        self.reschedule(task, reply, error)


# -- the traps: each is a handler and a generator function to `yield from` ----------------------
def _spawn(kernel, task, fn, args):
    return kernel.spawn(fn(*args), fn.__name__)


def spawn(fn, *args):
    return (yield Trap(_spawn, fn, args))


def _join(kernel, task, other):
    if not other.done:
        other.joiners.append(task)
        return PARK  # finish() reschedules it
    if other.exception is not None:
        raise other.exception  # the child's exception, raised in the joiner
    return other.result


def _sleep(kernel, task, seconds):
    kernel.timer_count += 1
    heapq.heappush(kernel.timers, (clock() + seconds, kernel.timer_count, task))
    return PARK  # expire_timers() reschedules it


def sleep(seconds):
    yield Trap(_sleep, seconds)


# -- a program -----------------------------------------------------------------------------------
def napper(name, seconds):
    yield from sleep(seconds)
    print(name, "woke after", seconds, "s")
    return seconds


def main():
    start = clock()
    naps = []
    for name, seconds in (("a", 0.06), ("b", 0.02), ("c", 0.04), ("d", 0.02)):
        naps.append((yield from spawn(napper, name, seconds)))
    total = 0
    for t in naps:
        total += yield from t.join()
    elapsed = clock() - start
    print("slept", round(total, 2), "s in all, in about 0.06 s:", 0.05 <= elapsed < 0.5)  # ms clocks round


Kernel().run(main)

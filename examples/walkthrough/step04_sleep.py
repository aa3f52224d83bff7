# Step 4: sleep. A sleeping task parks with a deadline on a heap of timers; when no task is
# ready, the kernel blocks until the nearest deadline instead of spinning, then wakes the
# tasks whose time has come.
import heapq
import time

# seconds, never going backwards; MicroPython has no monotonic(), but milliseconds since some moment
clock = getattr(time, "monotonic", None) or (lambda: time.ticks_ms() / 1000)

PARK = "PARK"  # what a trap's handler returns when the task must wait for somebody else


class Task:
    """One generator, and what the kernel must remember about it between its turns."""

    count = 0  # tasks made so far: the next one's id is count + 1

    def __init__(self, gen, name):
        Task.count += 1
        self.gen, self.name, self.id = gen, name, Task.count
        self.done, self.result, self.exception = False, None, None  # how it ended
        self.joiners = []  # the tasks parked in join(), waiting for it to finish

    def join(self):
        if not self.done:  # wait in its joiners' line: finish() reschedules us with how it ended
            return (yield (Kernel.park, self.joiners))
        if self.exception is not None:
            raise self.exception  # the child's exception, raised in the joiner
        return self.result

    def __repr__(self):
        return "task %d %r" % (self.id, self.name)


class Kernel:
    def __init__(self):
        self.ready = []  # (task, reply, error): who runs next, and what its `yield` gives it
        self.timers = []  # a heap of (deadline, number, task): the nearest deadline first
        self.timer_count = 0  # numbers the timers, so that equal deadlines keep their order

    def spawn(self, parent, fn, args):  # also the handler of the spawn trap (parent asks)
        task = Task(fn(*args), fn.__name__)
        self.ready.append((task, None, None))
        return task

    def park(self, task, line):  # the handler of a trap that waits in `line`
        line.append(task)
        return PARK  # somebody takes it out of the line and reschedules it

    def reschedule(self, task, reply=None, error=None):  # its trap returns `reply` or raises `error`
        self.ready.append((task, reply, error))

    def run(self, main, *args):
        self.main = self.spawn(None, main, args)
        while self.ready or self.timers:
            if not self.ready:  # nothing to do until the nearest deadline: sleep till then
                time.sleep(max(0, self.timers[0][0] - clock()))
            now = clock()
            while self.timers and self.timers[0][0] <= now:  # wake the tasks whose time has come
                self.reschedule(heapq.heappop(self.timers)[2])
            batch, self.ready = self.ready, []
            for task, reply, error in batch:
                self.step(task, reply, error)
        if self.main.exception is not None:
            raise self.main.exception
        return self.main.result

    def step(self, task, reply, error):
        """Run the task up to its next `yield`, then carry out the trap it yielded."""
        try:
            trap = task.gen.send(reply) if error is None else task.gen.throw(error)
        except StopIteration as stop:
            return self.finish(task, stop.value, None)
        except Exception as exc:
            return self.finish(task, None, exc)
        reply = error = None
        if type(trap) is tuple:  # (handler, *args): what the handler returns is the reply
            try:
                reply = trap[0](self, task, *trap[1:])
            except Exception as exc:  # a trap that fails raises in the task, not the kernel
                error = exc
        elif trap is not None:  # a bare `yield` only goes to the back; anything else is a mistake
            error = TypeError("%r yielded a %r, not a trap (forgot `yield from`?)" % (task, type(trap).__name__))
        if reply is not PARK:  # PARK: somebody else will reschedule it
            self.reschedule(task, reply, error)

    def finish(self, task, result, exception):  # record how it ended, and tell its joiners
        task.done, task.result, task.exception = True, result, exception
        if exception is not None and not task.joiners and task is not self.main:
            print("%r failed and nobody joins it: %s: %s" % (task, type(exception).__name__, exception))
        for joiner in task.joiners:
            self.reschedule(joiner, result, exception)

    def _sleep(self, task, seconds):
        self.timer_count += 1
        heapq.heappush(self.timers, (clock() + seconds, self.timer_count, task))
        return PARK  # run() reschedules it when its deadline has passed


def spawn(fn, *args):
    return (yield (Kernel.spawn, fn, args))


def sleep(seconds):
    yield (Kernel._sleep, seconds)


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

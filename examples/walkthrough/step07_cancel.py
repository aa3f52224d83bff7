# Step 7: cancellation. task.cancel() takes a parked task out of whatever it waits in and
# throws Cancelled into it, so its `finally` blocks run; a task that is not parked gets it at
# its next `yield`. A wait that has already ended (a lock handed over) is never undone.
import heapq
import time

try:
    clock = time.monotonic  # seconds, never going backwards
except AttributeError:  # MicroPython has no monotonic(): milliseconds since some moment
    def clock():
        return time.ticks_ms() / 1000


class Cancelled(BaseException):
    """Thrown into a cancelled task. Not an Exception, so `except Exception` lets it pass."""


PARK = "PARK"  # what a trap's handler returns when the task must wait for somebody else


class Task:
    """One generator, and what the kernel must remember about it between its turns."""

    next_id = 1

    def __init__(self, gen, name):
        self.gen = gen
        self.id = Task.next_id
        Task.next_id += 1
        self.name = name
        self.reply = None  # sent into the generator when it next runs
        self.error = None  # or thrown into it, if set
        self.done = False
        self.result = None  # what it returned
        self.exception = None  # or the exception that ended it
        self.joiners = WaitQueue("%r to finish" % self)  # the tasks parked in its join()
        self.wait = None  # what it is parked in (something with abort()), or None
        self.cancel_pending = False
        self.kernel = None  # the kernel it runs on: plain calls like Event.set() need it

    def join(self):
        return (yield Trap(_join, self))

    def cancel(self):
        if self.done:
            return
        if self.wait is not None:  # parked: leave the line, and wake up to Cancelled
            self.wait.abort(self)
            self.kernel.reschedule(self, None, Cancelled())
        else:  # running, or ready to run: Cancelled comes at its next `yield`
            self.cancel_pending = True

    def __repr__(self):
        return "task %d %r" % (self.id, self.name)


class Trap:
    """An instruction: the kernel calls handler(kernel, task, *args) for the task."""

    def __init__(self, handler, *args):
        self.handler = handler
        self.args = args


class Kernel:
    def __init__(self):
        self.ready = []  # Tasks that can run
        self.timers = []  # a heap of (deadline, number, task): the nearest deadline first
        self.timer_count = 0  # numbers the timers, so that equal deadlines keep their order

    def spawn(self, gen, name):
        task = Task(gen, name)
        task.kernel = self
        self.ready.append(task)
        return task

    def reschedule(self, task, reply=None, error=None):
        """End a parked task's wait: it will get `reply` (or `error`) from its trap."""
        task.reply, task.error, task.wait = reply, error, None
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
            self.finish(task, stop.value, None)
            return
        except Cancelled:
            self.finish(task, None, None)  # it ended cancelled: its joiners get None
            return
        except Exception as exc:
            self.finish(task, None, exc)
            return
        self.dispatch(task, instruction)

    def finish(self, task, result, exception):
        """Record how the task ended, and hand that to every task parked in its join()."""
        task.done, task.result, task.exception = True, result, exception
        if exception is not None and not task.joiners.tasks and task.name != "main":
            print("%r failed and nobody joins it: %s: %s" % (task, type(exception).__name__, exception))
        while task.joiners.tasks:
            task.joiners.wake_one(result, exception)

    def dispatch(self, task, instruction):
        """Carry out what the task yielded; a bare `yield` (None) just goes to the back."""
        reply = error = None
        if task.cancel_pending:  # every `yield` is where a pending cancel is delivered
            task.cancel_pending = False
            error = Cancelled()
        elif isinstance(instruction, Trap):
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
        return _park(kernel, task, other.joiners)  # finish() reschedules it
    if other.exception is not None:
        raise other.exception  # the child's exception, raised in the joiner
    return other.result


class Sleeping:
    """What a sleeping task waits in: its entry in the timer heap."""

    def __init__(self, kernel, entry):
        self.kernel, self.entry = kernel, entry

    def abort(self, task):
        self.kernel.timers.remove(self.entry)  # O(n), and simple; genlet marks it dead instead
        heapq.heapify(self.kernel.timers)


def _sleep(kernel, task, seconds):
    kernel.timer_count += 1
    entry = [clock() + seconds, kernel.timer_count, task]
    heapq.heappush(kernel.timers, entry)
    task.wait = Sleeping(kernel, entry)
    return PARK  # expire_timers() reschedules it


def sleep(seconds):
    yield Trap(_sleep, seconds)


def reschedule(task, reply=None, error=None):
    """Wake a parked task from anywhere: a plain call, so set() and release() need no yield."""
    task.kernel.reschedule(task, reply, error)


def _park(kernel, task, queue):
    queue.tasks.append(task)
    task.wait = queue
    return PARK


def park(queue):
    """Wait in `queue` until somebody takes this task out and reschedules it."""
    return (yield Trap(_park, queue))


class WaitQueue:
    """The tasks parked on one thing, in the order they came."""

    def __init__(self, what):
        self.what = what  # what they wait for, in words: "Event 'go'"
        self.tasks = []

    def wake_one(self, reply=None, error=None):
        reschedule(self.tasks.pop(0), reply, error)

    def abort(self, task):
        self.tasks.remove(task)  # a cancelled waiter leaves the line


class Event:
    def __init__(self, name):
        self.flag = False
        self.waiters = WaitQueue("Event %r" % name)

    def wait(self):
        if not self.flag:  # no other task runs between this test and the park: no race
            yield from park(self.waiters)

    def set(self):
        self.flag = True
        while self.waiters.tasks:
            self.waiters.wake_one()


def _acquire(kernel, task, lock):
    if lock.owner is None:
        lock.owner = task
        return None
    return _park(kernel, task, lock.waiters)


class Lock:
    def __init__(self, name):
        self.owner = None
        self.waiters = WaitQueue("Lock %r" % name)

    def acquire(self):
        yield Trap(_acquire, self)

    def release(self):
        if self.waiters.tasks:  # hand the lock straight to the first waiter: nobody can cut in
            self.owner = self.waiters.tasks[0]
            self.waiters.wake_one()
        else:
            self.owner = None


# -- a program -----------------------------------------------------------------------------------
def sleeper():
    try:
        yield from sleep(10)
        print("sleeper woke up: cannot happen")
    finally:
        print("sleeper's finally runs")


def waiter(name, event):
    yield from event.wait()
    print(name, "woke up")


def locker(lock):
    yield from lock.acquire()
    try:
        print("locker has the lock, though it was cancelled before it ran")
        yield  # the pending Cancelled arrives here
    finally:
        lock.release()
        print("locker's finally released the lock")


def main():
    t = yield from spawn(sleeper)
    yield from sleep(0.01)
    t.cancel()  # no 10 s wait: its timer left the heap
    yield from t.join()
    go, waiters = Event("go"), []
    for name in ("a", "b", "c"):
        waiters.append((yield from spawn(waiter, name, go)))
    yield  # let them park
    waiters[1].cancel()
    print("waiting for go:", go.waiters.tasks)
    go.set()
    lock = Lock("l")
    yield from lock.acquire()
    t = yield from spawn(locker, lock)
    yield  # it parks in the lock's queue
    lock.release()  # hands the lock to it: its wait is over
    t.cancel()  # too late to undo that: it will be raised at t's next yield
    for t in waiters + [t]:
        yield from t.join()
    print("the lock is free again:", lock.owner is None)


Kernel().run(main)

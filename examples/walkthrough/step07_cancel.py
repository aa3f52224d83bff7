# Step 7: cancellation. task.cancel() takes a parked task out of whatever it waits in and
# throws Cancelled into it, so its `finally` blocks run; a task that is not parked gets it at
# its next `yield`. A wait that has already ended (a lock handed over) is never undone.


class Cancelled(BaseException):
    """Thrown into a cancelled task. Not an Exception, so `except Exception` lets it pass."""


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
        self.joiners = WaitQueue("%r to finish" % self)  # the tasks parked in its join()
        self.wait = None  # what it is parked in (something with abort()), or None
        self.cancel_pending = False
        self.kernel = None  # the kernel it runs on: a plain call that wakes it needs it

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
        self.handler, self.args = handler, args


class Kernel:
    def __init__(self):
        self.ready = []  # Tasks that can run

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
        while self.ready:
            batch, self.ready = self.ready, []
            for task in batch:
                self.step(task)
        if main_task.exception is not None:
            raise main_task.exception
        return main_task.result

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
        except Cancelled:
            return self.finish(task, None, None)  # it ended cancelled: its joiners get None
        except Exception as exc:
            return self.finish(task, None, exc)
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


def reschedule(task, reply=None, error=None):
    """Wake a parked task from anywhere: a plain call, so set() and release() need no yield."""
    task.kernel.reschedule(task, reply, error)


def _park(kernel, task, queue):
    queue.tasks.append(task)
    task.wait = queue
    return PARK


class WaitQueue:
    """The tasks parked on one thing, in the order they came."""

    def __init__(self, what):
        self.what = what  # what they wait for, in words: "Lock 'l'"
        self.tasks = []

    def wake_one(self, reply=None, error=None):
        reschedule(self.tasks.pop(0), reply, error)

    def abort(self, task):
        self.tasks.remove(task)  # a cancelled waiter leaves the line


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
def locker(name, lock):
    try:
        yield from lock.acquire()
        try:
            print(name, "has the lock")
            yield  # a pending Cancelled arrives here
        finally:
            lock.release()
    finally:
        print(name + "'s finally runs")


def main():
    lock = Lock("l")
    yield from lock.acquire()
    a = yield from spawn(locker, "a", lock)
    b = yield from spawn(locker, "b", lock)
    c = yield from spawn(locker, "c", lock)
    yield  # they park in the lock's line
    b.cancel()  # b leaves the line, and will get Cancelled at its trap
    print("waiting for the lock:", lock.waiters.tasks)
    lock.release()  # hands the lock to a: its wait is over
    a.cancel()  # too late to undo that: a gets Cancelled at its next `yield`, lock in hand
    for t in (a, b, c):
        yield from t.join()
    print("the lock is free again:", lock.owner is None)


Kernel().run(main)

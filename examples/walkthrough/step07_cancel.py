# Step 7: cancellation. task.cancel() takes a parked task out of whatever it waits in and
# throws Cancelled into it, so its `finally` blocks run; a task that is not parked gets it at
# its next `yield`. A wait that has already ended (a lock handed over) is never undone.


class Cancelled(BaseException):
    """Thrown into a cancelled task. Not an Exception, so `except Exception` lets it pass."""


PARK = "PARK"  # what a trap's handler returns when the task must wait for somebody else


class Task:
    """One generator, and what the kernel must remember about it between its turns."""

    count = 0  # tasks made so far: the next one's id is count + 1

    def __init__(self, gen, name):
        Task.count += 1
        self.gen, self.name, self.id = gen, name, Task.count
        self.wait, self.cancel_pending = None, False  # what it is parked in (it has abort())

    def cancel(self):
        if self.wait is not None:  # parked: leave the line, and wake up to Cancelled
            self.wait.abort(self)
            self.kernel.reschedule(self, None, Cancelled())
        else:  # running, or ready to run: Cancelled comes at its next `yield`
            self.cancel_pending = True

    def __repr__(self):
        return "task %d %r" % (self.id, self.name)


class Kernel:
    def __init__(self):
        self.ready = []  # (task, reply, error): who runs next, and what its `yield` gives it

    def spawn(self, parent, fn, args):  # also the handler of the spawn trap (parent asks)
        task = Task(fn(*args), fn.__name__)
        task.kernel = self  # the kernel it runs on: a plain call that wakes it needs it
        self.ready.append((task, None, None))
        return task

    def reschedule(self, task, reply=None, error=None):  # its trap returns `reply` or raises `error`
        task.wait = None
        self.ready.append((task, reply, error))

    def run(self, main, *args):
        self.spawn(None, main, args)
        while self.ready:
            batch, self.ready = self.ready, []
            for task, reply, error in batch:
                self.step(task, reply, error)

    def step(self, task, reply, error):
        """Run the task up to its next `yield`, then carry out the trap it yielded."""
        try:
            trap = task.gen.send(reply) if error is None else task.gen.throw(error)
        except (StopIteration, Cancelled):  # it returned, or it ended cancelled
            return
        except Exception as exc:
            print("%r failed: %s: %s" % (task, type(exc).__name__, exc))
            return
        reply = error = None
        if task.cancel_pending:  # every `yield` is where a pending cancel is delivered
            task.cancel_pending, error = False, Cancelled()
        elif type(trap) is tuple:  # (handler, *args): what the handler returns is the reply
            try:
                reply = trap[0](self, task, *trap[1:])
            except Exception as exc:  # a trap that fails raises in the task, not the kernel
                error = exc
        elif trap is not None:  # a bare `yield` only goes to the back; anything else is a mistake
            error = TypeError("%r yielded a %r, not a trap (forgot `yield from`?)" % (task, type(trap).__name__))
        if reply is not PARK:  # PARK: somebody else will reschedule it
            self.reschedule(task, reply, error)


def spawn(fn, *args):
    return (yield (Kernel.spawn, fn, args))


class WaitQueue:
    """The tasks parked on one thing, first come first served."""

    def __init__(self):
        self.tasks = []

    def park(self, kernel, task):  # a trap's handler: `yield (queue.park,)` parks in the queue
        self.tasks.append(task)
        task.wait = self
        return PARK

    def wake_one(self, reply=None, error=None):  # a plain call: waking never waits
        task = self.tasks.pop(0)
        task.kernel.reschedule(task, reply, error)
        return task

    def abort(self, task):
        self.tasks.remove(task)  # a cancelled waiter leaves the line


class Lock(WaitQueue):
    owner = None

    def acquire(self):
        yield (self._acquire,)

    def _acquire(self, kernel, task):  # a trap: only the kernel knows which task is running
        if self.owner is not None:
            return self.park(kernel, task)
        self.owner = task

    def release(self):  # hand the lock straight to the first waiter: nobody can cut in
        self.owner = self.wake_one() if self.tasks else None


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
    yield from lock.acquire()
    a = yield from spawn(locker, "a", lock)
    b = yield from spawn(locker, "b", lock)
    yield from spawn(locker, "c", lock)
    yield  # they park in the lock's line
    b.cancel()  # b leaves the line, and will get Cancelled at its trap
    print("waiting for the lock:", lock.tasks)
    lock.release()  # hands the lock to a: its wait is over
    a.cancel()  # too late to undo that: a gets Cancelled at its next `yield`, lock in hand


lock = Lock()
Kernel().run(main)
print("the lock is free again:", lock.owner is None)

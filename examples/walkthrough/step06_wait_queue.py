# Step 6: wake-ups. A task that waits for another one parks in a WaitQueue; whoever changes
# the state it waits for takes it out and reschedules it. No polling, no spinning, first come
# first served. An Event and a Lock, both built on that one queue.

PARK = "PARK"  # what a trap's handler returns when the task must wait for somebody else


class Task:
    """One generator, and what the kernel must remember about it between its turns."""

    count = 0  # tasks made so far: the next one's id is count + 1

    def __init__(self, gen, name):
        Task.count += 1
        self.gen, self.name, self.id = gen, name, Task.count
        self.done, self.result, self.exception = False, None, None  # how it ended
        self.joiners = WaitQueue()  # the tasks parked in join(), waiting for it to finish

    def join(self):
        if not self.done:  # wait in its joiners' line: finish() wakes us with how it ended
            return (yield (self.joiners.park,))
        if self.exception is not None:
            raise self.exception  # the child's exception, raised in the joiner
        return self.result

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
        self.ready.append((task, reply, error))

    def run(self, main, *args):
        self.main = self.spawn(None, main, args)
        while self.ready:
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
        if exception is not None and not task.joiners.tasks and task is not self.main:
            print("%r failed and nobody joins it: %s: %s" % (task, type(exception).__name__, exception))
        while task.joiners.tasks:
            task.joiners.wake_one(result, exception)


def spawn(fn, *args):
    return (yield (Kernel.spawn, fn, args))


class WaitQueue:
    """The tasks parked on one thing, first come first served."""

    def __init__(self):
        self.tasks = []

    def park(self, kernel, task):  # a trap's handler: `yield (queue.park,)` parks in the queue
        self.tasks.append(task)
        return PARK

    def wake_one(self, reply=None, error=None):  # a plain call: waking never waits
        task = self.tasks.pop(0)
        task.kernel.reschedule(task, reply, error)
        return task


class Event(WaitQueue):
    flag = False

    def wait(self):
        if not self.flag:  # no other task runs between this test and the park: no race
            yield (self.park,)

    def set(self):
        self.flag = True
        while self.tasks:
            self.wake_one()


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
def worker(name, go, lock, shared):
    yield from go.wait()
    print(name, "woke up")
    yield from lock.acquire()
    value = shared[0]
    yield  # other tasks run here, but none of them can take the lock
    shared[0] = value + 1
    print(name, "had the lock: counter", shared[0])
    lock.release()


def main():
    go, lock, shared = Event(), Lock(), [0]
    for name in ("a", "b", "c"):
        last = yield from spawn(worker, name, go, lock, shared)
    yield  # let them park
    print("main sets the event")
    go.set()
    yield from last.join()  # by then the lock has passed through every worker


Kernel().run(main)

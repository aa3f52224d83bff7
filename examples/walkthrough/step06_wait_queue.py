# Step 6: wake-ups. A task that waits for another one parks in a WaitQueue; whoever changes
# the state it waits for takes it out and reschedules it. No polling, no spinning, first come
# first served. An Event and a Lock, both built on that one queue.

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
        self.kernel = None  # the kernel it runs on: a plain call that wakes it needs it

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

    def spawn(self, gen, name):
        task = Task(gen, name)
        task.kernel = self
        self.ready.append(task)
        return task

    def reschedule(self, task, reply=None, error=None):
        """End a parked task's wait: it will get `reply` (or `error`) from its trap."""
        task.reply, task.error = reply, error
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


def reschedule(task, reply=None, error=None):
    """Wake a parked task from anywhere: a plain call, so set() and release() need no yield."""
    task.kernel.reschedule(task, reply, error)


def _park(kernel, task, queue):
    queue.tasks.append(task)
    return PARK


def park(queue):
    """Wait in `queue` until somebody takes this task out and reschedules it."""
    return (yield Trap(_park, queue))


class WaitQueue:
    """The tasks parked on one thing, in the order they came."""

    def __init__(self, what):
        self.what = what  # what they wait for, in words: "Event 'go'"
        self.tasks = []

    def wake_one(self, reply=None):
        reschedule(self.tasks.pop(0), reply)


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
    lock.waiters.tasks.append(task)
    return PARK


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
def waiter(name, event):
    print(name, "waits")
    yield from event.wait()
    print(name, "woke up")


def worker(name, lock, shared):
    yield from lock.acquire()
    print(name, "has the lock")
    value = shared[0]
    yield  # other tasks run here, but none of them can take the lock
    shared[0] = value + 1
    lock.release()


def main():
    go = Event("go")
    tasks = []
    for name in ("a", "b", "c"):
        tasks.append((yield from spawn(waiter, name, go)))
    yield  # let them park
    print("main sets the event")
    go.set()
    lock, shared = Lock("counter"), [0]
    for name in ("w1", "w2", "w3"):
        tasks.append((yield from spawn(worker, name, lock, shared)))
    for t in tasks:
        yield from t.join()
    print("counter:", shared[0])


Kernel().run(main)

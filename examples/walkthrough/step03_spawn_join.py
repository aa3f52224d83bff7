# Step 3: spawn and join. A task can start another one, and wait for it to finish: the first
# trap that cannot answer at once. It returns PARK; the task sleeps until the kernel
# reschedules it, with the child's result, or with the child's exception to raise.

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
def _current_task(kernel, task):
    return task


def current_task():
    return (yield Trap(_current_task))


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


# -- a program -----------------------------------------------------------------------------------
def square(n):
    for _ in range(n):
        yield  # pretend to work for n turns
    return n * n


def divide(a, b):
    yield
    return a // b


def main():
    tasks = []
    for n in (3, 1, 2):
        tasks.append((yield from spawn(square, n)))
    me = yield from current_task()
    print(me, "spawned", tasks)
    for t in tasks:
        print("joined", t, "->", (yield from t.join()))  # parks until t is done
    bad = yield from spawn(divide, 1, 0)
    try:
        yield from bad.join()
    except ZeroDivisionError:
        print("the joiner caught the child's ZeroDivisionError")
    return "main's result"


print(Kernel().run(main))

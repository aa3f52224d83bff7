# Step 3: spawn and join. A task can start another one, and wait for it to finish: the first
# trap that cannot answer at once. It returns PARK; the task sleeps until the kernel
# reschedules it, with the child's result, or with the child's exception to raise.

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
        if exception is not None and not task.joiners and task is not self.main:
            print("%r failed and nobody joins it: %s: %s" % (task, type(exception).__name__, exception))
        for joiner in task.joiners:
            self.reschedule(joiner, result, exception)

    def _current_task(self, task):  # a trap's handler: the kernel's side of current_task()
        return task


def current_task():
    return (yield (Kernel._current_task,))


def spawn(fn, *args):
    return (yield (Kernel.spawn, fn, args))


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

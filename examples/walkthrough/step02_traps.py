# Step 2: tasks and traps. A Task record keeps what the kernel knows about one generator, and
# a task talks to the kernel by yielding a trap: a tuple (handler, *args). The kernel calls
# handler(kernel, task, *args) and sends what it returns back in through the `yield`.

PARK = "PARK"  # what a trap's handler returns when the task must wait (used from step 3 on)


class Task:
    """One generator, and what the kernel must remember about it between its turns."""

    count = 0  # tasks made so far: the next one's id is count + 1

    def __init__(self, gen, name):
        Task.count += 1
        self.gen, self.name, self.id = gen, name, Task.count

    def __repr__(self):
        return "task %d %r" % (self.id, self.name)


class Kernel:
    def __init__(self):
        self.ready = []  # (task, reply, error): who runs next, and what its `yield` gives it

    def spawn(self, gen, name):
        task = Task(gen, name)
        self.ready.append((task, None, None))
        return task

    def reschedule(self, task, reply=None, error=None):
        """Put the task back in line: its `yield` will give it `reply` (or raise `error`)."""
        self.ready.append((task, reply, error))

    def run(self):
        while self.ready:
            batch, self.ready = self.ready, []
            for task, reply, error in batch:
                self.step(task, reply, error)

    def step(self, task, reply, error):
        """Run the task up to its next `yield`, then carry out the trap it yielded."""
        try:
            trap = task.gen.send(reply) if error is None else task.gen.throw(error)
        except StopIteration:
            return
        except Exception as exc:
            print("%r failed: %s: %s" % (task, type(exc).__name__, exc))
            return
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

    def _current_task(self, task):  # a trap's handler: the kernel's side of current_task()
        return task


def current_task():
    return (yield (Kernel._current_task,))


# -- a program -----------------------------------------------------------------------------------
def worker(n):
    me = yield from current_task()
    for i in range(n):
        print("%s step %d of %d" % (me.name, i + 1, n))
        yield
    print(me.name, "is", me)


def confused():
    try:
        yield current_task()  # forgot `from`: yields the generator itself
    except TypeError as exc:
        print("confused was told:", exc)


kernel = Kernel()
kernel.spawn(worker(2), "w1")
kernel.spawn(worker(1), "w2")
kernel.spawn(confused(), "confused")
kernel.run()

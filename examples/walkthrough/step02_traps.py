# Step 2: tasks and traps. A Task record keeps what the kernel knows about one generator, and
# a task talks to the kernel by yielding an instruction object, a Trap. The kernel dispatches
# it and sends the trap's reply back in through the `yield`.

PARK = "PARK"  # what a trap's handler returns when the task must wait (used from step 3 on)


class Task:
    """One generator, and what the kernel must remember about it between its turns."""

    next_id = 1

    def __init__(self, gen, name):
        self.gen, self.name = gen, name
        self.id, Task.next_id = Task.next_id, Task.next_id + 1
        self.reply = None  # sent into the generator when it next runs
        self.error = None  # or thrown into it, if set

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
        """Put the task back in line: it will get `reply` (or `error`) from its `yield`."""
        task.reply, task.error = reply, error
        self.ready.append(task)

    def run(self):
        while self.ready:
            batch, self.ready = self.ready, []
            for task in batch:
                self.step(task)

    def step(self, task):
        """Run `task` up to its next `yield`, then carry out what it yielded."""
        reply, error, task.reply, task.error = task.reply, task.error, None, None
        try:
            if error is not None:
                instruction = task.gen.throw(error)  # raise it at the task's `yield`
            else:
                instruction = task.gen.send(reply)  # the `yield` evaluates to `reply`
        except StopIteration:
            return
        except Exception as exc:
            print("%r failed: %s: %s" % (task, type(exc).__name__, exc))
            return
        self.dispatch(task, instruction)

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

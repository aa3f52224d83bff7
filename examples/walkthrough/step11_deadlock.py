# Step 11: deadlock. When no task is ready and tasks are still parked, nothing can ever wake them (this kernel has
# no timers or sockets): the kernel names who waits on what, then cancels them, so every `finally` runs.


class Deadlock(Exception):
    """Every task left is parked, and nothing can wake any of them."""


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
        self.result = None  # what it returned

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
        self.tasks = []  # every task that has not finished

    def spawn(self, parent, fn, args):  # also the handler of the spawn trap (parent asks)
        task = Task(fn(*args), fn.__name__)
        task.kernel = self  # the kernel it runs on: a plain call that wakes it needs it
        self.ready.append((task, None, None))
        self.tasks.append(task)
        return task

    def reschedule(self, task, reply=None, error=None):  # its trap returns `reply` or raises `error`
        task.wait = None
        self.ready.append((task, reply, error))

    def run(self, main, *args):
        main_task = self.spawn(None, main, args)
        self.run_until_idle()
        if self.tasks:  # all parked, and nothing left that could wake one: a deadlock
            report = ["every task waits, and nothing can wake any of them:"]
            report += ["  %r waits on %s" % (task, task.wait.what) for task in self.tasks]
            for task in list(self.tasks):
                task.cancel()  # out of its line, Cancelled thrown in: its `finally` runs
            self.run_until_idle()
            raise Deadlock("\n".join(report))
        return main_task.result

    def run_until_idle(self):
        while self.ready:
            batch, self.ready = self.ready, []
            for task, reply, error in batch:
                self.step(task, reply, error)

    def step(self, task, reply, error):
        """Run the task up to its next `yield`, then carry out the trap it yielded."""
        try:
            trap = task.gen.send(reply) if error is None else task.gen.throw(error)
        except (StopIteration, Cancelled) as end:  # it returned, or it ended cancelled
            task.result = getattr(end, "value", None)
            return self.tasks.remove(task)
        except Exception as exc:
            print("%r failed: %s: %s" % (task, type(exc).__name__, exc))
            return self.tasks.remove(task)
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


class Waiter:
    """A parked task's place in a line, with what it brings (a sender's value)."""

    def __init__(self, task, line, value, what):
        self.task, self.line, self.value, self.what = task, line, value, what  # what: in words
        line.append(self)
        task.wait = self

    def abort(self, task):
        self.line.remove(self)  # a cancelled waiter leaves the line


class Channel:
    """Unbuffered: every send meets a recv, and the value passes straight from one to the other."""

    def __init__(self, name):
        self.name, self.senders, self.receivers = name, [], []  # the lines of parked Waiters

    def send(self, value):
        yield (self._meet, self.receivers, self.senders, value)

    def recv(self):
        return (yield (self._meet, self.senders, self.receivers, None))

    def _meet(self, kernel, task, theirs, mine, value):  # the trap's handler, for either side
        if not theirs:  # nobody waits on the other side: wait in our own line
            Waiter(task, mine, value, "Channel %r %s" % (self.name, "recv" if mine is self.receivers else "send"))
            return PARK
        other = theirs.pop(0)
        kernel.reschedule(other.task, value)  # the hand-off: a receiver gets our value, a sender its reply
        return other.value  # a sender's value, if we receive


# -- a program -----------------------------------------------------------------------------------
def stuck(name, inbox, outbox):
    try:
        value = yield from inbox.recv()  # waits for the other one, which waits for this one
        yield from outbox.send(value + 1)
    finally:
        print(name + "'s finally runs")


def main():
    to_left, to_right = Channel("to left"), Channel("to right")
    yield from spawn(stuck, "left", to_left, to_right)
    yield from spawn(stuck, "right", to_right, to_left)  # main returns; these two wait on


try:
    Kernel().run(main)
except Deadlock as exc:
    print("Deadlock:", exc)

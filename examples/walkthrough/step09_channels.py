# Step 9: channels. An unbuffered Channel is a meeting point: send and recv each wait for the other side, and the
# value passes straight from one task to the other. Once it has, a cancel that comes later never takes it back.


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


class Waiter:
    """A parked task's place in a line, with what it brings (a sender's value)."""

    def __init__(self, task, line, value=None):
        self.task, self.line, self.value = task, line, value
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
            Waiter(task, mine, value)
            return PARK
        other = theirs.pop(0)
        kernel.reschedule(other.task, value)  # the hand-off: a receiver gets our value, a sender its reply
        return other.value  # a sender's value, if we receive


# -- a program -----------------------------------------------------------------------------------
def consumer(channel):
    got = []
    try:
        while True:
            got.append((yield from channel.recv()))
            yield  # a checkpoint: a cancel arrives at a `yield`, and by then the value is safe
    finally:
        print("  a consumer ends with", got)


def main():
    numbers = Channel("numbers")
    print("handed over, then cancelled:")
    t = yield from spawn(consumer, numbers)
    yield  # it parks in recv
    yield from numbers.send(1)  # hands 1 to it: its wait is over, and 1 is its
    t.cancel()  # too late for 1: it keeps it, and is cancelled at its next `yield`
    yield
    yield  # it runs on to that `yield`, and ends
    print("cancelled while parked, before any value:")
    t = yield from spawn(consumer, numbers)
    yield  # it parks in recv
    t.cancel()  # it leaves the receivers' line, so no value can go to it
    other = yield from spawn(consumer, numbers)
    yield from numbers.send(2)  # goes to the other consumer, not the cancelled one
    other.cancel()
    yield
    yield
    print("a sender cancelled while parked:")
    t = yield from spawn(numbers.send, 3)
    yield  # it parks in send: nobody receives
    t.cancel()  # it leaves the senders' line: 3 was never sent, and nobody thinks it was
    print("  nobody waits on the channel:", numbers.senders == numbers.receivers == [])


Kernel().run(main)

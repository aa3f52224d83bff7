# Step 10: select. Wait on several channels at once, and complete exactly one receive: the
# task parks in every channel's line, and the first sender to take one of its places withdraws
# all the others before anything else can run.

PARK = "PARK"  # what a trap's handler returns when the task must wait for somebody else


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

    def spawn(self, parent, fn, args):  # also the handler of the spawn trap (parent asks)
        task = Task(fn(*args), fn.__name__)
        task.kernel = self  # the kernel it runs on: a plain call that wakes it needs it
        self.ready.append((task, None, None))
        return task

    def reschedule(self, task, reply=None, error=None):  # its trap returns `reply` or raises `error`
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


def spawn(fn, *args):
    return (yield (Kernel.spawn, fn, args))


class Waiter:
    """A parked task's place in a line, with what it brings (a sender's value)."""

    def __init__(self, task, line, value=None, select=None):
        self.task, self.line, self.value, self.select = task, line, value, select  # select: or None
        line.append(self)

    def wake(self, reply):  # the other side took it out of its line: end its task's wait
        if self.select is not None:  # one place of a select: it wins, and every other one goes
            reply = self.select.fire(self, reply)
        self.task.kernel.reschedule(self.task, reply)


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
        other.wake(value)  # the hand-off: a receiver gets our value, a sender its reply
        return other.value  # a sender's value, if we receive


class Select:
    """What a task parked in select() waits in: a Waiter in each channel's line of receivers."""

    def __init__(self, task, channels):
        self.waiters = [Waiter(task, channel.receivers, None, self) for channel in channels]

    def fire(self, winner, value):  # before anything else can run, so nobody takes a second one
        for waiter in self.waiters:
            if waiter is not winner:  # the winner has left its line already
                waiter.line.remove(waiter)
        return self.waiters.index(winner), value


def _select(kernel, task, channels):
    for index, channel in enumerate(channels):
        if channel.senders:  # one can complete now: do it (genlet picks among the ready at random)
            return index, channel._meet(kernel, task, channel.senders, channel.receivers, None)
    Select(task, channels)  # none can: park in every channel's line
    return PARK


def select(*channels):
    """Receive from whichever channel has a sender first: return (its index, the value)."""
    return (yield (_select, channels))


# -- a program -----------------------------------------------------------------------------------
def main():
    a, b = Channel("a"), Channel("b")
    print("a sender already waits:")
    yield from spawn(b.send, "B")
    yield  # it parks in b's line of senders
    print("  select ->", (yield from select(a, b)))
    print("a parked select, then two senders:")
    yield from spawn(a.send, "first")
    yield from spawn(b.send, "second")
    print("  select ->", (yield from select(a, b)))  # parks: they have not run yet
    print("  the other sender still waits:", len(b.senders))
    print("  its value goes to the next receiver:", (yield from b.recv()))


Kernel().run(main)

# Step 9: channels. An unbuffered Channel is a meeting point: send and recv each wait for the
# other side, and the value passes straight from one task to the other. Once it has passed,
# the hand-off is final: a cancel that comes later never takes the value back.


class Cancelled(BaseException):
    """Thrown into a cancelled task. Not an Exception, so `except Exception` lets it pass."""


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
        self.joiners = WaitQueue("%r to finish" % self)  # the tasks parked in its join()
        self.wait = None  # what it is parked in (something with abort()), or None
        self.cancel_pending = False
        self.kernel = None  # the kernel it runs on: a plain call that wakes it needs it

    def join(self):
        return (yield Trap(_join, self))

    def cancel(self):
        if self.done:
            return
        if self.wait is not None:  # parked: leave the line, and wake up to Cancelled
            self.wait.abort(self)
            self.kernel.reschedule(self, None, Cancelled())
        else:  # running, or ready to run: Cancelled comes at its next `yield`
            self.cancel_pending = True

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
        task.reply, task.error, task.wait = reply, error, None
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
        except Cancelled:
            return self.finish(task, None, None)  # it ended cancelled: its joiners get None
        except Exception as exc:
            return self.finish(task, None, exc)
        self.dispatch(task, instruction)

    def finish(self, task, result, exception):
        """Record how the task ended, and hand that to every task parked in its join()."""
        task.done, task.result, task.exception = True, result, exception
        if exception is not None and not task.joiners.waiters and task.name != "main":
            print("%r failed and nobody joins it: %s: %s" % (task, type(exception).__name__, exception))
        while task.joiners.waiters:
            reschedule(task.joiners.pop().task, result, exception)

    def dispatch(self, task, instruction):
        """Carry out what the task yielded; a bare `yield` (None) just goes to the back."""
        reply = error = None
        if task.cancel_pending:  # every `yield` is where a pending cancel is delivered
            task.cancel_pending = False
            error = Cancelled()
        elif isinstance(instruction, Trap):
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
        return _park(kernel, task, other.joiners)  # finish() reschedules it
    if other.exception is not None:
        raise other.exception  # the child's exception, raised in the joiner
    return other.result


def reschedule(task, reply=None, error=None):
    """Wake a parked task from anywhere: a plain call, so set() and release() need no yield."""
    task.kernel.reschedule(task, reply, error)


def _park(kernel, task, queue, value=None):
    task.wait = Waiter(task, value, queue)
    queue.waiters.append(task.wait)
    return PARK


class Waiter:
    """One task's place in a WaitQueue, with what it brings (a sender's value)."""

    def __init__(self, task, value, queue):
        self.task, self.value, self.queue = task, value, queue

    def abort(self, task):
        self.queue.waiters.remove(self)  # a cancelled waiter leaves the line


class WaitQueue:
    """The tasks parked on one thing, in the order they came."""

    def __init__(self, what):
        self.what = what  # what they wait for, in words: "Channel 'c' recv"
        self.waiters = []

    def pop(self):
        """The first Waiter, out of the line; None if nobody waits."""
        return self.waiters.pop(0) if self.waiters else None


class Channel:
    """Unbuffered: every send meets a recv."""

    def __init__(self, name):
        self.senders = WaitQueue("Channel %r send" % name)
        self.receivers = WaitQueue("Channel %r recv" % name)

    def send(self, value):
        yield Trap(_send, self, value)

    def recv(self):
        return (yield Trap(_recv, self))


def _send(kernel, task, channel, value):
    receiver = channel.receivers.pop()
    if receiver is None:
        return _park(kernel, task, channel.senders, value)  # a receiver will take it
    reschedule(receiver.task, value)  # the hand-off: from here on the value is the receiver's
    return None


def _recv(kernel, task, channel):
    sender = channel.senders.pop()
    if sender is None:
        return _park(kernel, task, channel.receivers)  # a sender will hand us a value
    reschedule(sender.task)  # its send is complete
    return sender.value


# -- a program -----------------------------------------------------------------------------------
def producer(channel, values):
    for value in values:
        yield from channel.send(value)
        print("  sent", value)


def consumer(channel, count):
    got = []
    try:
        for _ in range(count):
            got.append((yield from channel.recv()))
            print("  received", got[-1])
            yield  # a checkpoint: a pending cancel arrives here, after the value is safe
    finally:
        print("  the consumer ends with", got)


def main():
    numbers = Channel("numbers")
    print("a rendezvous:")
    t = yield from spawn(consumer, numbers, 2)
    yield from producer(numbers, [1, 2])
    yield from t.join()
    print("handed over, then cancelled:")
    t = yield from spawn(consumer, numbers, 5)
    yield  # it parks in recv
    yield from numbers.send(3)  # hands 3 to it: its wait is over
    t.cancel()  # too late for 3: it keeps it, and is cancelled at its next checkpoint
    yield from t.join()
    print("cancelled while parked, before any value:")
    t = yield from spawn(consumer, numbers, 5)
    yield
    t.cancel()  # it leaves the receivers' line, so no value can go to it
    other = yield from spawn(consumer, numbers, 1)
    yield from numbers.send(4)  # goes to the other consumer, not the cancelled one
    yield from t.join()
    yield from other.join()
    print("a sender cancelled while parked:")
    t = yield from spawn(producer, numbers, [5])
    yield  # it parks in send: nobody receives
    t.cancel()  # it leaves the senders' line: 5 was never sent, and nobody thinks it was
    yield from t.join()
    print("  nobody waits on the channel:", numbers.senders.waiters == numbers.receivers.waiters == [])


Kernel().run(main)

# Step 11: deadlock. When no task is ready, no timer is set, and tasks are still parked,
# nothing can ever wake them: the kernel says so, naming who waits on what, instead of
# returning as if all were well or hanging. Then it cancels them, so every `finally` runs.
import heapq
import time

try:
    clock = time.monotonic  # seconds, never going backwards
except AttributeError:  # MicroPython has no monotonic(): milliseconds since some moment
    def clock():
        return time.ticks_ms() / 1000


class Deadlock(Exception):
    """Every task left is parked, and nothing can wake any of them."""


class Cancelled(BaseException):
    """Thrown into a task inside a cancelled scope; `scope` is the one whose `with` catches it."""

    def __init__(self, scope):
        super().__init__("cancelled")
        self.scope = scope


PARK = "PARK"  # what a trap's handler returns when the task must wait for somebody else


class Task:
    """One generator, and what the kernel must remember about it between its turns."""

    next_id = 1
    current = None  # the task running now

    def __init__(self, gen, name):
        self.gen = gen
        self.id = Task.next_id
        Task.next_id += 1
        self.name = name
        self.reply = None  # sent into the generator when it next runs
        self.error = None  # or thrown into it, if set
        self.done = False
        self.result = None  # what it returned
        self.exception = None  # or the exception that ended it
        self.joiners = WaitQueue("%r to finish" % self)  # the tasks parked in its join()
        self.wait = None  # what it is parked in (something with abort()), or None
        self.scopes = [CancelScope()]  # the task's own scope, then the `with` blocks it is in
        self.scopes[0].task = self
        self.kernel = None  # the kernel it runs on: plain calls like Event.set() need it

    def join(self):
        return (yield Trap(_join, self))

    def cancel(self):
        if not self.done:
            self.scopes[0].cancel()

    def __repr__(self):
        return "task %d %r" % (self.id, self.name)


class Trap:
    """An instruction: the kernel calls handler(kernel, task, *args) for the task."""

    def __init__(self, handler, *args):
        self.handler = handler
        self.args = args


class Kernel:
    def __init__(self):
        self.ready = []  # Tasks that can run
        self.tasks = []  # every task that has not finished
        self.timers = []  # a heap of [deadline, number, function to call]: the nearest first
        self.timer_count = 0  # numbers the timers, so that equal deadlines keep their order

    def add_timer(self, deadline, function):
        self.timer_count += 1
        entry = [deadline, self.timer_count, function]
        heapq.heappush(self.timers, entry)
        return entry

    def cancel_timer(self, entry):
        self.timers.remove(entry)  # O(n), and simple; genlet marks it dead instead
        heapq.heapify(self.timers)

    def spawn(self, gen, name):
        task = Task(gen, name)
        task.kernel = self
        self.tasks.append(task)
        self.ready.append(task)
        return task

    def reschedule(self, task, reply=None, error=None):
        """End a parked task's wait: it will get `reply` (or `error`) from its trap."""
        task.reply, task.error, task.wait = reply, error, None
        self.ready.append(task)

    def run(self, main):
        main_task = self.spawn(main(), "main")
        self.run_until_idle()
        if self.tasks:  # all parked, and nothing left that could wake one: a deadlock
            report = self.report()
            for task in list(self.tasks):
                task.cancel()  # out of its queue, Cancelled thrown in: its `finally` runs
            self.run_until_idle()
            raise Deadlock(report)
        if main_task.exception is not None:
            raise main_task.exception
        return main_task.result

    def run_until_idle(self):
        while self.ready or self.timers:
            if not self.ready:  # nothing to do until the nearest deadline: sleep till then
                time.sleep(max(0, self.timers[0][0] - clock()))
            self.expire_timers()
            batch, self.ready = self.ready, []
            for task in batch:
                self.step(task)

    def report(self):
        lines = ["every task waits, and nothing can wake any of them:"]
        for task in self.tasks:
            lines.append("  %r waits on %s" % (task, task.wait.describe()))
        return "\n".join(lines)

    def expire_timers(self):
        now = clock()
        while self.timers and self.timers[0][0] <= now:
            deadline, _, function = heapq.heappop(self.timers)
            function()

    def step(self, task):
        """Run `task` up to its next `yield`, then carry out what it yielded."""
        Task.current = task
        reply, error, task.reply, task.error = task.reply, task.error, None, None
        try:
            if error is not None:
                instruction = task.gen.throw(error)  # raise it at the task's `yield`
            else:
                instruction = task.gen.send(reply)  # the `yield` evaluates to `reply`
        except StopIteration as stop:
            self.finish(task, stop.value, None)
            return
        except Cancelled:
            self.finish(task, None, None)  # it ended cancelled: its joiners get None
            return
        except Exception as exc:
            self.finish(task, None, exc)
            return
        finally:
            Task.current = None
        self.dispatch(task, instruction)

    def finish(self, task, result, exception):
        """Record how the task ended, and hand that to every task parked in its join()."""
        task.done, task.result, task.exception = True, result, exception
        self.tasks.remove(task)
        if exception is not None and not task.joiners.waiters and task.name != "main":
            print("%r failed and nobody joins it: %s: %s" % (task, type(exception).__name__, exception))
        while task.joiners.waiters:
            reschedule(task.joiners.pop().task, result, exception)

    def dispatch(self, task, instruction):
        """Carry out what the task yielded; a bare `yield` (None) just goes to the back."""
        reply = error = None
        if cancel_target(task) is not None:  # at every `yield`, as long as the scope is cancelled
            error = Cancelled(cancel_target(task))
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


def cancel_target(task):
    """The scope whose Cancelled the task gets now: the outermost cancelled one it can see."""
    target = None
    for scope in reversed(task.scopes):  # from the innermost out
        if scope.cancelled:
            target = scope
        if scope.shield:
            break  # a shield hides every scope outside it
    return target


class CancelScope:
    def __init__(self, deadline=None, shield=False):
        self.deadline, self.shield = deadline, shield
        self.cancelled = self.cancelled_caught = False
        self.task = self.timer = None

    def __enter__(self):
        self.task = Task.current
        self.task.scopes.append(self)
        if self.deadline is not None:
            self.timer = self.task.kernel.add_timer(self.deadline, self.expire)
        return self

    def expire(self):
        self.timer = None  # popped from the heap: nothing to take out of it any more
        self.cancel()

    def __exit__(self, kind, exc, traceback):
        self.task.scopes.pop()
        if self.timer is not None:  # left before its deadline, or cancelled by hand
            self.task.kernel.cancel_timer(self.timer)
        if isinstance(exc, Cancelled) and exc.scope is self:
            self.cancelled_caught = True
            return True  # ours: swallow it, and go on after the `with`
        return False  # anybody else's: let it pass

    def cancel(self):
        if self.cancelled:
            return
        self.cancelled = True
        task = self.task
        if task.wait is not None and cancel_target(task) is not None:  # parked, and it can see it
            task.wait.abort(task)
            task.kernel.reschedule(task, None, Cancelled(cancel_target(task)))


def move_on_after(seconds):
    return CancelScope(clock() + seconds)


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


class Sleeping:
    """What a sleeping task waits in: its entry in the timer heap."""

    def __init__(self, kernel, entry):
        self.kernel, self.entry = kernel, entry

    def abort(self, task):
        self.kernel.cancel_timer(self.entry)

    def describe(self):
        return "a timer"


def _sleep(kernel, task, seconds):
    entry = kernel.add_timer(clock() + seconds, lambda: kernel.reschedule(task))
    task.wait = Sleeping(kernel, entry)
    return PARK  # expire_timers() reschedules it


def sleep(seconds):
    yield Trap(_sleep, seconds)


def reschedule(task, reply=None, error=None):
    """Wake a parked task from anywhere: a plain call, so set() and release() need no yield."""
    task.kernel.reschedule(task, reply, error)


def _park(kernel, task, queue, value=None):
    task.wait = Waiter(task, value, queue)
    queue.waiters.append(task.wait)
    return PARK


class Waiter:
    """One task's place in a WaitQueue, with what it brings (a sender's value)."""

    def __init__(self, task, value, queue, select=None):
        self.task, self.value, self.queue = task, value, queue
        self.select = select  # the Select this place is one of, or None

    def abort(self, task):
        self.queue.waiters.remove(self)  # a cancelled waiter leaves the line

    def describe(self):
        return self.queue.what


def wake(waiter, reply=None):
    """The other side takes `waiter` out of its line: end its task's wait with `reply`."""
    if waiter.select is not None:
        waiter.select.fire(waiter, reply)
    else:
        reschedule(waiter.task, reply)


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

    def send_op(self, value):
        return SendOp(self, value)

    def recv_op(self):
        return RecvOp(self)


class SendOp:
    def __init__(self, channel, value):
        self.channel, self.value = channel, value

    def ready(self):
        return len(self.channel.receivers.waiters) > 0

    def commit(self):
        wake(self.channel.receivers.pop(), self.value)  # the hand-off: the value is theirs

    def enroll(self, task, select):
        return Waiter(task, self.value, self.channel.senders, select)


class RecvOp:
    def __init__(self, channel):
        self.channel = channel

    def ready(self):
        return len(self.channel.senders.waiters) > 0

    def commit(self):
        sender = self.channel.senders.pop()
        wake(sender)  # its send is complete
        return sender.value

    def enroll(self, task, select):
        return Waiter(task, None, self.channel.receivers, select)


def _send(kernel, task, channel, value):
    op = SendOp(channel, value)
    return op.commit() if op.ready() else _park(kernel, task, channel.senders, value)


def _recv(kernel, task, channel):
    op = RecvOp(channel)
    return op.commit() if op.ready() else _park(kernel, task, channel.receivers)


class Select:
    """What a task parked in select() waits in: one Waiter in each op's queue."""

    def __init__(self, task):
        self.task, self.waiters = task, []

    def fire(self, winner, value):
        self.abort(self.task)  # withdraw every other place at once: nobody else can take one
        reschedule(self.task, (self.waiters.index(winner), value))

    def abort(self, task):
        for waiter in self.waiters:
            if waiter in waiter.queue.waiters:
                waiter.queue.waiters.remove(waiter)

    def describe(self):
        return "select of " + " or ".join([waiter.describe() for waiter in self.waiters])


def _select(kernel, task, ops):
    for index, op in enumerate(ops):
        if op.ready():  # one can complete now: do it (genlet picks among the ready at random)
            return index, op.commit()
    task.wait = select = Select(task)
    for op in ops:  # none can: park in all their queues
        waiter = op.enroll(task, select)
        waiter.queue.waiters.append(waiter)
        select.waiters.append(waiter)
    return PARK


def select(*ops):
    """Complete exactly one of the ops; return (its index, its value)."""
    return (yield Trap(_select, ops))


# -- a program -----------------------------------------------------------------------------------
def left(inbox, outbox):
    try:
        value = yield from inbox.recv()  # waits for right, which waits for us
        yield from outbox.send(value + 1)
    finally:
        print("left's finally runs")


def right(inbox, outbox, quit):
    try:
        index, value = yield from select(inbox.recv_op(), quit.recv_op())
        yield from outbox.send(value + 1)
    finally:
        print("right's finally runs")


def main():
    to_left, to_right, quit = Channel("to left"), Channel("to right"), Channel("quit")
    a = yield from spawn(left, to_left, to_right)
    yield from spawn(right, to_right, to_left, quit)
    yield from a.join()
    print("cannot happen")


try:
    Kernel().run(main)
except Deadlock as exc:
    print("Deadlock:", exc)

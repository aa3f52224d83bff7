# Step 8: timeouts as cancel scopes. A `with` block can be cancelled, by hand or by a deadline;
# scopes nest, the outermost cancelled one is the one that fires, only its own `with` catches
# it, and a shielded scope holds cancellation off. task.cancel() is the task's own scope.
import heapq
import time

try:
    clock = time.monotonic  # seconds, never going backwards
except AttributeError:  # MicroPython has no monotonic(): milliseconds since some moment
    def clock():
        return time.ticks_ms() / 1000


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
        self.gen, self.name = gen, name
        self.id, Task.next_id = Task.next_id, Task.next_id + 1
        self.reply = None  # sent into the generator when it next runs
        self.error = None  # or thrown into it, if set
        self.done = False
        self.result = self.exception = None  # what it returned, or the exception that ended it
        self.joiners = WaitQueue("%r to finish" % self)  # the tasks parked in its join()
        self.wait = None  # what it is parked in (something with abort()), or None
        self.scopes = [CancelScope()]  # the task's own scope, then the `with` blocks it is in
        self.scopes[0].task = self
        self.kernel = None  # the kernel it runs on: a plain call that wakes it needs it

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
        self.handler, self.args = handler, args


class Kernel:
    def __init__(self):
        self.ready = []  # Tasks that can run
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
        self.ready.append(task)
        return task

    def reschedule(self, task, reply=None, error=None):
        """End a parked task's wait: it will get `reply` (or `error`) from its trap."""
        task.reply, task.error, task.wait = reply, error, None
        self.ready.append(task)

    def run(self, main):
        main_task = self.spawn(main(), "main")
        while self.ready or self.timers:
            if not self.ready:  # nothing to do until the nearest deadline: sleep till then
                time.sleep(max(0, self.timers[0][0] - clock()))
            self.expire_timers()
            batch, self.ready = self.ready, []
            for task in batch:
                self.step(task)
        if main_task.exception is not None:
            raise main_task.exception
        return main_task.result

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
            return self.finish(task, stop.value, None)
        except Cancelled:
            return self.finish(task, None, None)  # it ended cancelled: its joiners get None
        except Exception as exc:
            return self.finish(task, None, exc)
        finally:
            Task.current = None
        self.dispatch(task, instruction)

    def finish(self, task, result, exception):
        """Record how the task ended, and hand that to every task parked in its join()."""
        task.done, task.result, task.exception = True, result, exception
        if exception is not None and not task.joiners.tasks and task.name != "main":
            print("%r failed and nobody joins it: %s: %s" % (task, type(exception).__name__, exception))
        while task.joiners.tasks:
            task.joiners.wake_one(result, exception)

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


def _sleep(kernel, task, seconds):
    entry = kernel.add_timer(clock() + seconds, lambda: kernel.reschedule(task))
    task.wait = Sleeping(kernel, entry)
    return PARK  # expire_timers() reschedules it


def sleep(seconds):
    yield Trap(_sleep, seconds)


def reschedule(task, reply=None, error=None):
    """Wake a parked task from anywhere: a plain call, so set() and release() need no yield."""
    task.kernel.reschedule(task, reply, error)


def _park(kernel, task, queue):
    queue.tasks.append(task)
    task.wait = queue
    return PARK


class WaitQueue:
    """The tasks parked on one thing, in the order they came."""

    def __init__(self, what):
        self.what = what  # what they wait for, in words: "task 1 'main' to finish"
        self.tasks = []

    def wake_one(self, reply=None, error=None):
        reschedule(self.tasks.pop(0), reply, error)

    def abort(self, task):
        self.tasks.remove(task)  # a cancelled waiter leaves the line


# -- a program -----------------------------------------------------------------------------------
def nested(outer_s, inner_s):
    with move_on_after(outer_s) as outer:
        with move_on_after(inner_s) as inner:
            yield from sleep(1)
        print("  after the inner block; inner caught it:", inner.cancelled_caught)
    print("  outer caught it:", outer.cancelled_caught)


def careful():
    with move_on_after(0.01) as scope:
        with CancelScope(shield=True):
            yield from sleep(0.03)  # the deadline passes here, behind the shield
            print("  the shielded sleep finished")
        yield  # out of the shield: the cancelled scope fires at once
        print("  cannot happen")
    print("  caught after the shield:", scope.cancelled_caught)


def main():
    print("inner deadline first:")
    yield from nested(0.04, 0.01)
    print("outer deadline first:")
    yield from nested(0.01, 0.04)
    print("a shield:")
    yield from careful()
    print("cancelled by hand:")
    with move_on_after(10) as scope:
        scope.cancel()
        yield  # raises here; and its 10 s timer must leave the heap with it
    print("  caught:", scope.cancelled_caught)
    print("the heap is empty:", kernel.timers == [])


kernel = Kernel()
kernel.run(main)

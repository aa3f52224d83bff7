# Step 8: timeouts as cancel scopes. A `with` block can be cancelled, by hand or by a deadline;
# scopes nest, the outermost cancelled one is the one that fires, only its own `with` catches
# it, and a shielded scope holds cancellation off. A sleep is a wait that only a deadline ends.
import heapq
import time

# seconds, never going backwards; MicroPython has no monotonic(), but milliseconds since some moment
clock = getattr(time, "monotonic", None) or (lambda: time.ticks_ms() / 1000)


class Cancelled(BaseException):
    """Thrown into a task in a cancelled scope: args[0] is the scope whose `with` catches it."""


PARK = "PARK"  # what a trap's handler returns when the task must wait for somebody else


class Task:
    """One generator, and what the kernel must remember about it between its turns."""

    count = 0  # tasks made so far: the next one's id is count + 1

    def __init__(self, gen, name):
        Task.count += 1
        self.gen, self.name, self.id = gen, name, Task.count
        self.wait = None  # the line it is parked in, or None
        self.scopes = []  # the cancel scopes (`with` blocks) it is in, the outermost first

    def cancel_target(self):  # the scope whose Cancelled it gets now: the outermost cancelled one it sees
        shields = [i for i, scope in enumerate(self.scopes) if scope.shield]
        seen = self.scopes[shields[-1] if shields else 0:]  # a shield hides every scope outside it
        cancelled = [scope for scope in seen if scope.cancelled]
        return cancelled[0] if cancelled else None

    def __repr__(self):
        return "task %d %r" % (self.id, self.name)


class Kernel:
    def __init__(self):
        self.ready = []  # (task, reply, error): who runs next, and what its `yield` gives it
        self.timers = []  # a heap of [deadline, id(scope), scope]: the nearest deadline first

    def park(self, task, line):  # the handler of a trap that waits in `line`
        line.append(task)
        task.wait = line
        return PARK  # somebody takes it out of the line and reschedules it

    def reschedule(self, task, reply=None, error=None):  # its trap returns `reply` or raises `error`
        task.wait = None
        self.ready.append((task, reply, error))

    def run(self, main):
        self.reschedule(Task(main(), "main"))
        while self.ready or self.timers:
            if not self.ready:  # nothing to do until the nearest deadline: sleep till then
                time.sleep(max(0, self.timers[0][0] - clock()))
            now = clock()
            while self.timers and self.timers[0][0] <= now:  # the scopes whose time has come
                heapq.heappop(self.timers)[2].cancel()
            batch, self.ready = self.ready, []
            for task, reply, error in batch:
                self.step(task, reply, error)

    def step(self, task, reply, error):
        """Run the task up to its next `yield`, then carry out the trap it yielded."""
        Task.current, task.kernel = task, self  # the running task, and its kernel: a `with` needs both
        try:
            trap = task.gen.send(reply) if error is None else task.gen.throw(error)
        except StopIteration:
            return
        reply = error = None
        if task.cancel_target() is not None:  # at every `yield`, as long as the scope is cancelled
            error = Cancelled(task.cancel_target())
        elif type(trap) is tuple:  # (handler, *args): what the handler returns is the reply
            try:
                reply = trap[0](self, task, *trap[1:])
            except Exception as exc:  # a trap that fails raises in the task, not the kernel
                error = exc
        elif trap is not None:  # a bare `yield` only goes to the back; anything else is a mistake
            error = TypeError("%r yielded a %r, not a trap (forgot `yield from`?)" % (task, type(trap).__name__))
        if reply is not PARK:  # PARK: somebody else will reschedule it
            self.reschedule(task, reply, error)

    def add_timer(self, deadline, scope):  # id(): so that heapq never compares two scopes
        heapq.heappush(self.timers, [deadline, id(scope), scope])

    def cancel_timers(self, scope):  # O(n), and simple; genlet marks its entries dead instead
        self.timers = [entry for entry in self.timers if entry[2] is not scope]
        heapq.heapify(self.timers)


class CancelScope:
    def __init__(self, deadline=None, shield=False):
        self.deadline, self.shield, self.cancelled, self.cancelled_caught = deadline, shield, False, False

    def __enter__(self):
        self.task, self.kernel = Task.current, Task.current.kernel
        self.task.scopes.append(self)
        if self.deadline is not None:
            self.kernel.add_timer(self.deadline, self)
        return self

    def __exit__(self, kind, exc, traceback):
        self.task.scopes.pop()
        self.kernel.cancel_timers(self)  # left before its deadline: its timer must go
        self.cancelled_caught = isinstance(exc, Cancelled) and exc.args[0] is self
        return self.cancelled_caught  # ours: swallow it, and go on after the `with`

    def cancel(self):
        self.cancelled, task = True, self.task
        if task.wait is not None and task.cancel_target() is not None:  # parked, and it sees it
            task.wait.remove(task)  # out of the line it waits in
            self.kernel.reschedule(task, None, Cancelled(task.cancel_target()))


def move_on_after(seconds):
    return CancelScope(clock() + seconds)


def sleep(seconds):
    with move_on_after(seconds):  # a sleep is a wait that only its own deadline ends
        yield (Kernel.park, [])  # a line of its own, that nobody wakes


# -- a program -----------------------------------------------------------------------------------
def nested(title, outer_s, inner_s):
    print(title)
    with move_on_after(outer_s) as outer:
        with move_on_after(inner_s) as inner:
            yield from sleep(1)
        print("  after the inner block; inner caught it:", inner.cancelled_caught)
    print("  outer caught it:", outer.cancelled_caught)


def main():
    yield from nested("inner deadline first:", 0.04, 0.01)
    yield from nested("outer deadline first:", 0.01, 0.04)
    print("a shield:")
    with move_on_after(0.01) as scope:
        with CancelScope(shield=True):
            yield from sleep(0.03)  # the deadline passes here, behind the shield
            print("  the shielded sleep finished")
        yield  # out of the shield: the cancelled scope fires at once
    print("  caught after the shield:", scope.cancelled_caught)
    print("the heap is empty:", kernel.timers == [])  # every scope took its timer with it


kernel = Kernel()
kernel.run(main)

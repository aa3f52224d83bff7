# Cancel scopes and nested timeouts: move_on_after, fail_after (genlet.TimeoutError on every
# interpreter), an inner scope never swallows an outer deadline, shields, level-triggered
# cancellation, finally blocks that run, a task cancelled before it starts.
import genlet


def now():
    return "%.2f" % genlet.clock()


def move_on():
    with genlet.move_on_after(1) as scope:
        yield from genlet.sleep(5)
        print("not reached")
    print("move_on_after: caught", scope.cancelled_caught, "at", now())
    with genlet.move_on_after(1) as scope:
        yield from genlet.sleep(0.5)
    print("finished in time: caught", scope.cancelled_caught, "at", now())


def fail():
    try:
        with genlet.fail_after(0.5):
            yield from genlet.sleep(5)
    except genlet.TimeoutError as exc:
        print("fail_after raised", type(exc).__name__, "(", exc, ") at", now())
        print("genlet.TimeoutError is an OSError:", isinstance(exc, OSError))


def nested():
    with genlet.move_on_after(1) as outer:
        with genlet.move_on_after(3) as inner:
            yield from genlet.sleep(10)
        print("not reached: the inner scope must not swallow the outer deadline")
    print("nested: outer caught", outer.cancelled_caught, "inner caught", inner.cancelled_caught, "at", now())
    with genlet.move_on_after(3) as outer:
        with genlet.move_on_after(1) as inner:
            yield from genlet.sleep(10)
        print("inner expired first, at", now())
        yield from genlet.sleep(1)
    print("nested: outer caught", outer.cancelled_caught, "inner caught", inner.cancelled_caught, "at", now())


def level_triggered():
    with genlet.move_on_after(1):
        try:
            yield from genlet.sleep(5)
        except genlet.Cancelled:
            print("cancelled once at", now())
        try:
            yield
        except genlet.Cancelled:
            print("and again at the next checkpoint")
            raise
    print("left the block at", now())


def shielded():
    with genlet.move_on_after(1) as scope:
        try:
            yield from genlet.sleep(5)
        finally:
            with genlet.CancelScope(shield=True):
                yield from genlet.sleep(2)  # cleanup that blocks, shielded
                print("shielded cleanup done at", now())
    print("shield: caught", scope.cancelled_caught, "at", now())


def victim(events):
    try:
        events.append("started")
        yield from genlet.sleep(10)
    finally:
        events.append("finally ran")


def task_cancel():
    events = []
    t = genlet.spawn(victim, events)
    yield from genlet.sleep(1)
    t.cancel()
    yield from t.wait()
    print("cancel a sleeping task:", events, t.cancelled())
    events = []
    t = genlet.spawn(victim, events)
    t.cancel()  # before it ever ran: it never starts
    yield from t.wait()
    print("cancel before start:", events, t.cancelled())


def deadline_in_the_past():
    with genlet.move_on_at(genlet.clock() - 1) as scope:
        print("the block starts")
        yield
        print("not reached")
    print("past deadline caught:", scope.cancelled_caught)


for part in (move_on, fail, nested, level_triggered, shielded, task_cancel, deadline_in_the_past):
    genlet.run(part, clock=genlet.VirtualClock())

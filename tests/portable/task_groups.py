# Task groups (structured concurrency): the body's value once every child has ended; a failing
# child cancels its siblings and the body; several failures come together as a TaskGroupError;
# children never outlive the group, even when the caller is cancelled.
import genlet

log = []


def child(name, seconds, fail=False):
    try:
        yield from genlet.sleep(seconds)
        if fail:
            raise ValueError(name + " failed")
        log.append(name + " done")
        return name
    except genlet.Cancelled:
        log.append(name + " cancelled")
        raise


def body(group, specs):
    for spec in specs:
        group.spawn(child, *spec)
    yield from genlet.sleep(0)
    return "body returned"


def all_fine():
    result = yield from genlet.task_group(body, [("a", 2), ("b", 1)])
    print("all fine:", result, log, "at", genlet.clock())


def one_fails():
    try:
        yield from genlet.task_group(body, [("a", 3), ("b", 1, True), ("c", 5)])
    except ValueError as exc:
        print("one fails:", exc, sorted(log), "at", genlet.clock())


def two_fail():
    try:
        yield from genlet.task_group(body, [("a", 1, True), ("b", 1, True)])
    except genlet.TaskGroupError as exc:
        print("two fail:", sorted([str(e) for e in exc.exceptions]))


def caller_cancelled():
    def outer():
        yield from genlet.task_group(body, [("a", 10), ("b", 20)])

    t = genlet.spawn(outer)
    yield from genlet.sleep(1)
    t.cancel()
    yield from t.wait()
    print("caller cancelled:", t.cancelled(), sorted(log), "at", genlet.clock())


for part in (all_fine, one_fails, two_fail, caller_cancelled):
    log = []
    genlet.run(part, clock=genlet.VirtualClock())

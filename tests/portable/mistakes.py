# Mistakes get explanations, in the task at fault, and everything else carries on: a
# generator yielded instead of `yield from`, a number, a tuple, an operation yielded with
# `yield`, a blocking call never waited on (also one the task then completes itself, and a
# free lock's acquire), a failure nobody joined (reported on stderr).
import genlet


def helper():
    yield


def yields(value_maker):
    try:
        yield value_maker()
    except TypeError as exc:
        text = str(exc)
        for hint in ("did you mean `yield from`", "a tuple", "genlet.sleep(", "not `yield`", "not a genlet trap"):
            if hint in text:
                return hint
        return text


def forgets_yield_from():
    try:
        genlet.sleep(1)  # noqa: GL001  # registers a wait, never waited on
        yield
    except TypeError as exc:
        return "without waiting for it" in str(exc)


def completes_its_own_wait():
    ch = genlet.Channel()
    ch.recv()  # noqa: GL001  # registered to wait, never waited on
    refused = False
    try:
        ch.send_nowait("x")  # would hand "x" to that wait: refused, nothing handed over
    except TypeError as exc:
        refused = "did nothing" in str(exc)
    yield
    receiver = genlet.spawn(ch.recv)
    yield
    ch.send_nowait("x")  # the value the refused call kept
    return refused, (yield from receiver.join())


def acquires_without_yield_from(lock):
    lock.acquire()  # taken, and the task is marked until its `yield from` runs
    try:
        yield
    except TypeError as exc:
        return str(exc).split(" called ")[1], lock.locked()
    finally:
        lock.release()


def unobserved():
    yield
    raise KeyError("nobody joins me")


def main():
    makers = [helper, lambda: 0.5, lambda: (1, 2), lambda: genlet.sleep(0), object]
    tasks = [genlet.spawn(yields, m) for m in makers]
    for t in tasks:
        print("hint:", (yield from t.join()))
    t = genlet.spawn(forgets_yield_from)
    print("a blocking call without yield from is explained:", (yield from t.join()))
    t = genlet.spawn(completes_its_own_wait)
    print("completing its own forgotten wait is refused, the value kept:", (yield from t.join()))
    t = genlet.spawn(acquires_without_yield_from, genlet.Lock())
    print("a free lock's acquire without yield from:", (yield from t.join()))
    genlet.spawn(unobserved, name="orphan")
    yield from genlet.sleep(1)
    print("the kernel carries on after an unjoined failure")
    try:
        genlet.spawn(len, "abc")
    except TypeError as exc:
        print("spawn of a plain function:", "not a generator" in str(exc))
    return "done"


print(genlet.run(main, clock=genlet.VirtualClock()))
try:
    genlet.sleep(1)  # noqa: GL001  # outside a task: refused
except RuntimeError as exc:
    print("outside a task:", "no genlet kernel is running" in str(exc))

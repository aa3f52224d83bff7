# select on the kernel's own op (task.join_op()): the first to finish wins, a timeout,
# default=True, None as a case that is never ready, and a fair choice among ready ops that a
# fixed seed makes the same on every interpreter.
import genlet


def after(seconds, value):
    yield from genlet.sleep(seconds)
    return value


def main():
    slow = genlet.spawn(after, 2, "slow")
    fast = genlet.spawn(after, 1, "fast")
    index, task = yield from genlet.select(slow.join_op(), None, fast.join_op())
    print("first to finish:", index, task.result, "at", genlet.clock())

    index, value = yield from genlet.select(slow.join_op(), timeout=0.5)
    print("timeout:", index, value, "at", genlet.clock())
    index, value = yield from genlet.select(slow.join_op(), default=True)
    print("default:", index, value)
    yield from slow.wait()

    done = [genlet.spawn(after, 0, i) for i in range(4)]
    yield from genlet.joinall(done)
    picks = []
    for _ in range(40):
        index, task = yield from genlet.select(*[t.join_op() for t in done])
        picks.append(index)
    print("picks among 4 ready ops (seed 7):", picks)
    print("every op was picked:", sorted(set(picks)) == [0, 1, 2, 3])


genlet.run(main, clock=genlet.VirtualClock(), seed=7)

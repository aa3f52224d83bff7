# sleep and timer order: deadlines fire in time order, ties in the order they were set;
# checkpoints go round robin; on the real clock (TicksClock on MicroPython) as on virtual time.
import genlet

log = []


def sleeper(name, seconds):
    yield from genlet.sleep(seconds)
    log.append(name)


def round_robin(name, turns):
    for i in range(turns):
        log.append("%s%d" % (name, i))
        yield


def timers():
    for name, seconds in (("c", 0.3), ("a", 0.1), ("d", 0.3), ("b", 0.2), ("e", 0.0)):
        genlet.spawn(sleeper, name, seconds)
    start = genlet.clock()
    yield from genlet.sleep(0.5)
    return genlet.clock() - start


def checkpoints():
    tasks = [genlet.spawn(round_robin, name, 3) for name in "xyz"]
    yield from genlet.sleep(0)
    log.append("main")
    yield from genlet.joinall(tasks)


def sleep_until():
    start = genlet.clock()
    yield from genlet.sleep_until(start + 0.25)
    log.append("until")
    yield from genlet.sleep_until(start)  # in the past: a checkpoint
    log.append("past")
    return genlet.clock() - start


elapsed = genlet.run(timers, clock=genlet.VirtualClock())
print("virtual:", " ".join(log), "elapsed %.2f" % elapsed)

log = []
genlet.run(checkpoints, clock=genlet.VirtualClock())
print("round robin:", " ".join(log))

log = []
print("sleep_until %.2f" % genlet.run(sleep_until, clock=genlet.VirtualClock()), " ".join(log))

# The real clock: short sleeps, far enough apart that their order is certain.
log = []


def real():
    for name, seconds in (("c", 0.06), ("a", 0.02), ("b", 0.04)):
        genlet.spawn(sleeper, name, seconds)
    start = genlet.clock()
    yield from genlet.sleep(0.08)
    return genlet.clock() - start


elapsed = genlet.run(real)
print("real:", " ".join(log), "slept at least 0.08:", elapsed >= 0.079, "and not far more:", elapsed < 2.0)

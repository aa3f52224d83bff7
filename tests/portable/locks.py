# Locks: mutual exclusion in FIFO order with `with (yield from lock)`, an uncontended acquire
# that does not suspend, acquire with a timeout, RLock re-entry, a release by the wrong task,
# and the hand-off rule: a waiter cancelled after the lock was handed to it still gets it.
import genlet

log = []


def worker(lock, name, hold):
    with (yield from lock):
        log.append(name + "+")
        yield from genlet.sleep(hold)
        log.append(name + "-")


def fifo():
    lock = genlet.Lock(name="db")
    tasks = [genlet.spawn(worker, lock, name, 1) for name in "abcd"]
    yield from genlet.joinall(tasks)
    print("fifo, one at a time:", " ".join(log), "at", genlet.clock())
    print("free again:", not lock.locked())


def timeouts():
    lock = genlet.Lock()
    holder = genlet.spawn(worker, lock, "h", 5)
    yield
    ok = yield from lock.acquire(timeout=1)
    print("acquire with timeout while held:", ok, "at", genlet.clock())
    yield from holder.join()
    ok = yield from lock.acquire(timeout=1)
    print("acquire once free:", ok, "at", genlet.clock())
    lock.release()


def reentrant():
    rlock = genlet.RLock()
    with (yield from rlock):
        with (yield from rlock):
            print("RLock taken twice by one task")
    print("RLock free again:", not rlock.locked())


def wrong_owner():
    lock = genlet.Lock()
    yield from lock.acquire()

    def thief():
        lock.release()
        yield

    t = genlet.spawn(thief)
    try:
        yield from t.join()
    except RuntimeError:
        print("release by another task raises RuntimeError")
    lock.release()


def handoff():
    lock = genlet.Lock()
    events = []

    def waiter():
        try:
            with (yield from lock):
                events.append("got the lock")
                yield  # the cancel arrives here, at its next checkpoint
                events.append("not reached")
        except genlet.Cancelled:
            events.append("cancelled at its next checkpoint; the with block released it: %s" % (not lock.locked()))
            raise

    yield from lock.acquire()
    w = genlet.spawn(waiter)
    yield  # w waits for the lock
    lock.release()  # handed to w ...
    w.cancel()  # ... then w is cancelled: it keeps the lock until its next checkpoint
    yield from w.wait()
    print("hand-off:", events, "lock free:", not lock.locked())


def left_held():
    # A task that ends holding a lock leaves it locked for good: the next task that asks for
    # it is told so (on the genlet logger, or stderr without logging), and task dumps name
    # the holder.
    lock = genlet.Lock(name="x")

    def forgets():
        yield from lock.acquire()

    yield from genlet.spawn(forgets, name="w").join()
    asker = genlet.spawn(lock.acquire, name="asker")
    yield
    print("left held:", asker.waiting_on)
    yield from asker.kill()


for part in (fifo, timeouts, reentrant, wrong_owner, handoff, left_held):
    log = []
    genlet.run(part, clock=genlet.VirtualClock())

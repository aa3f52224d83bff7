# Events, AsyncResult and Condition: set wakes every waiter, wait with a timeout, clear, an
# event in a select, a result or an error delivered once to many getters, and a condition
# variable's wait/notify.
import genlet


def waiter(event, name, log):
    yield from event.wait()
    log.append(name)


def events():
    event = genlet.Event()
    log = []
    for name in "xyz":
        genlet.spawn(waiter, event, name, log)
    yield from genlet.sleep(1)
    print("before set:", log, event.is_set())
    event.set()
    yield from genlet.sleep(0)
    print("after set, every waiter ran:", log)
    print("wait on a set event returns at once:", (yield from event.wait()))
    event.clear()
    print("wait with a timeout after clear:", (yield from event.wait(timeout=0.5)), "at", genlet.clock())
    genlet.spawn(setter, event, 2)
    index, value = yield from genlet.select(event.wait_op(), timeout=5)
    print("event in a select:", index, value, "at", genlet.clock())


def setter(event, delay):
    yield from genlet.sleep(delay)
    event.set()


def getter(result, log):
    try:
        log.append((yield from result.get()))
    except ValueError as exc:
        log.append("error " + str(exc))


def results():
    log = []
    ok = genlet.AsyncResult()
    bad = genlet.AsyncResult()
    tasks = [genlet.spawn(getter, ok, log) for _ in range(2)] + [genlet.spawn(getter, bad, log)]
    yield
    ok.set(42)
    bad.set_exception(ValueError("bad"))
    yield from genlet.joinall(tasks)
    print("AsyncResult:", log, ok.ready(), ok.successful(), bad.successful())


def conditions():
    cond = genlet.Condition()
    items = []
    log = []

    def consumer(name):
        with (yield from cond):
            while not items:
                yield from cond.wait()
            log.append("%s took %s" % (name, items.pop(0)))

    tasks = [genlet.spawn(consumer, n) for n in ("c1", "c2")]
    yield from genlet.sleep(1)
    for item in ("i1", "i2"):
        with (yield from cond):
            items.append(item)
            cond.notify()
        yield from genlet.sleep(1)
    yield from genlet.joinall(tasks)
    print("Condition:", log)


for part in (events, results, conditions):
    genlet.run(part, clock=genlet.VirtualClock())

# Queues: FIFO, a bounded queue whose put waits, get with a timeout, the nowait variants,
# LifoQueue and PriorityQueue, task_done/join, and a queue in a select.
import genlet


def producer(q, items):
    for item in items:
        yield from q.put(item)
        print("  put", item, "at", genlet.clock())


def consumer(q, n, log):
    for _ in range(n):
        yield from genlet.sleep(1)
        log.append((yield from q.get()))


def bounded():
    q = genlet.Queue(maxsize=2)
    log = []
    c = genlet.spawn(consumer, q, 4, log)
    yield from producer(q, "abcd")
    yield from c.join()
    print("bounded FIFO:", log, "at", genlet.clock())


def nowait_and_timeouts():
    q = genlet.Queue(1)
    q.put_nowait(1)
    try:
        q.put_nowait(2)
    except genlet.WouldBlock:
        print("full: put_nowait raises WouldBlock")
    print("get_nowait:", q.get_nowait(), "empty:", q.empty())
    try:
        yield from q.get(timeout=0.5)
    except genlet.TimeoutError:
        print("get with a timeout raises TimeoutError at", genlet.clock())


def kinds():
    lifo, prio = genlet.LifoQueue(), genlet.PriorityQueue()
    for item in (3, 1, 2):
        lifo.put_nowait(item)
        prio.put_nowait(item)
    print("LifoQueue:", [lifo.get_nowait() for _ in range(3)], "PriorityQueue:", [prio.get_nowait() for _ in range(3)])
    yield


def worker(q, done):
    while True:
        item = yield from q.get()
        yield from genlet.sleep(item)
        done.append(item)
        q.task_done()


def join():
    q = genlet.Queue()
    done = []
    workers = [genlet.spawn(worker, q, done) for _ in range(2)]
    for item in (3, 1, 2):
        q.put_nowait(item)
    yield from q.join()
    print("join waits for task_done of every item:", done, "at", genlet.clock())
    for w in workers:
        yield from w.kill()


def in_select():
    a, b = genlet.Queue(), genlet.Queue()
    genlet.spawn(producer, b, ["late"])
    index, value = yield from genlet.select(a.get_op(), b.get_op())
    print("queue in a select:", index, value)


for part in (bounded, nowait_and_timeouts, kinds, join, in_select):
    genlet.run(part, clock=genlet.VirtualClock())

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


def ties_that_do_not_compare():
    # (priority, dict): a tie compares the dicts, which raises. The putter of such an item gets
    # the TypeError (its item is not put); a getter always gets its item; nothing is lost.
    q = genlet.PriorityQueue(2)
    q.put_nowait((0, {"id": "first"}))
    q.put_nowait((1, {"id": "tie-a"}))
    outcome = []

    def putter(item):
        try:
            yield from q.put(item)
            outcome.append("put " + item[1]["id"])
        except TypeError:
            outcome.append("TypeError for " + item[1]["id"])

    tasks = [genlet.spawn(putter, (1, {"id": "tie-b"})), genlet.spawn(putter, (2, {"id": "later"}))]
    yield
    got = yield from q.get()
    yield from genlet.joinall(tasks)
    print("moved in:", outcome, "got", got[1]["id"], "left", q.qsize())
    q = genlet.PriorityQueue()
    for priority, tag in [(0, "x"), (1, "A"), (5, "B"), (2, "p"), (2, "q"), (6, "C"), (7, "D")]:
        q.put_nowait((priority, {"tag": tag}))
    try:
        q.put_nowait((0, {"tag": "y"}))
    except TypeError:
        print("a tie that does not compare: TypeError; still", q.qsize(), "items")
    print("get:", (yield from q.get())[1]["tag"])  # then (2, p) meets (2, q): never compared before
    print("drained:", [data["tag"] for _, data in (q.get_nowait() for _ in range(q.qsize()))])


for part in (bounded, nowait_and_timeouts, kinds, join, in_select, ties_that_do_not_compare):
    genlet.run(part, clock=genlet.VirtualClock())

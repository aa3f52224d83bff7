# Pools: at most `size` tasks at once, spawn waits for a free slot, map keeps the order of its
# input, join waits for all, and a failure in a pooled task is not lost.
import genlet

active = [0, 0]


def fetch(n):
    active[0] += 1
    active[1] = max(active[1], active[0])
    yield from genlet.sleep(1 + n % 3)
    active[0] -= 1
    return n * 10


def main():
    pool = genlet.Pool(3)
    started = []
    for n in range(7):
        yield from pool.spawn(fetch, n)
        started.append("%d@%s" % (n, genlet.clock()))
    print("spawn waits for a slot:", " ".join(started))
    yield from pool.join()
    print("most at once:", active[1], "all done at", genlet.clock(), "free:", pool.free_count())
    results = yield from pool.map(fetch, [5, 1, 4, 2])
    print("map keeps the input order:", results)

    def fails():
        yield
        raise ValueError("pooled failure")

    task = yield from pool.spawn(fails)
    try:
        yield from task.join()
    except ValueError as exc:
        print("a pooled task's failure reaches its joiner:", exc)


genlet.run(main, clock=genlet.VirtualClock())

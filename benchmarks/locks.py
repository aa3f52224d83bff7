# benchmarks/locks.py
"""lock: acquire and release, uncontended (one task) and contended (10 tasks handing it over).

Uncontended: one task acquires and releases a lock 1,000,000 times; nothing ever waits.
Contended: 10 tasks each take the lock 10,000 times and yield to the scheduler while holding
it, so the others queue up and every release hands the lock to a waiter. The figure is
acquisitions per second. (Where a library lets a releasing task take its lock straight back,
as asyncio does, that is its own behaviour and counts as measured.)
"""

from .harness import Workload, aio_run, impl_for, join_greenlet, need, rate

UNCONTENDED = Workload(
    "lock-uncontended", "Lock acquire + release, one task", "acquisitions/s",
    full=dict(tasks=1, rounds=1_000_000), quick=dict(tasks=1, rounds=100),
)  # fmt: skip
CONTENDED = Workload(
    "lock-contended", "Lock handed over between 10 tasks", "acquisitions/s",
    full=dict(tasks=10, rounds=10_000), quick=dict(tasks=10, rounds=10),
)  # fmt: skip


# fn(lib, tasks, rounds) for both workloads; ``tasks > 1`` means yield while holding the lock.
impl = impl_for(UNCONTENDED, CONTENDED)


@impl("genlet")
def genlet_lock(lib, tasks, rounds):
    import genlet

    Lock = need(genlet, "Lock")
    hold = tasks > 1

    def worker(lock):
        for _ in range(rounds):
            yield from lock.acquire()
            if hold:
                yield
            lock.release()

    def main():
        lock = Lock()
        spawned = [genlet.spawn(worker, lock) for _ in range(tasks)]
        for task in spawned:
            yield from task.join()

    return rate(tasks * rounds, genlet.run, main)


@impl("asyncio", "uvloop")
def asyncio_lock(lib, tasks, rounds):
    import asyncio

    hold = tasks > 1

    async def worker(lock):
        for _ in range(rounds):
            await lock.acquire()
            if hold:
                await asyncio.sleep(0)
            lock.release()

    async def main():
        lock = asyncio.Lock()
        spawned = [asyncio.ensure_future(worker(lock)) for _ in range(tasks)]
        for task in spawned:
            await task

    return rate(tasks * rounds, aio_run, lib, main)


@impl("trio")
def trio_lock(lib, tasks, rounds):
    import trio

    hold = tasks > 1

    async def worker(lock):
        for _ in range(rounds):
            await lock.acquire()
            if hold:
                await trio.sleep(0)
            lock.release()

    async def main():
        lock = trio.Lock()
        async with trio.open_nursery() as nursery:
            for _ in range(tasks):
                nursery.start_soon(worker, lock)

    return rate(tasks * rounds, trio.run, main)


@impl("curio")
def curio_lock(lib, tasks, rounds):
    import curio

    hold = tasks > 1

    async def worker(lock):
        for _ in range(rounds):
            await lock.acquire()
            if hold:
                await curio.sleep(0)
            await lock.release()

    async def main():
        lock = curio.Lock()
        spawned = [await curio.spawn(worker, lock) for _ in range(tasks)]
        for task in spawned:
            await task.join()

    return rate(tasks * rounds, curio.run, main)


@impl("gevent", "eventlet")
def greenlet_lock(lib, tasks, rounds):
    hub = __import__(lib)
    if lib == "gevent":
        import gevent.lock

        lock = gevent.lock.BoundedSemaphore(1)  # what gevent's threading.Lock is made of
    else:
        import eventlet.lock

        lock = eventlet.lock.Lock()
    hold = tasks > 1

    def worker():
        for _ in range(rounds):
            lock.acquire()
            if hold:
                hub.sleep(0)
            lock.release()

    def main():
        spawned = [hub.spawn(worker) for _ in range(tasks)]
        for greenlet in spawned:
            join_greenlet(lib, greenlet)

    return rate(tasks * rounds, main)


@impl("tinyio")
def tinyio_lock(lib, tasks, rounds):
    import tinyio

    hold = tasks > 1

    def worker(lock):
        for _ in range(rounds):
            with (yield lock()):
                if hold:
                    yield

    def main():
        lock = tinyio.Lock()
        yield [worker(lock) for _ in range(tasks)]

    return rate(tasks * rounds, lambda: tinyio.Loop().run(main()))

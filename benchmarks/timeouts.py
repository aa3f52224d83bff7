# benchmarks/timeouts.py
"""timeouts: 100,000 operations, each inside a ``fail_after`` that never fires.

1,000 tasks each do 100 operations (a ``sleep(0)``), every one wrapped in the library's
timeout (genlet and trio ``fail_after``, asyncio ``timeout``, curio ``timeout_after``, gevent
and eventlet ``Timeout``, tinyio ``timeout``), so about 1,000 deadlines are pending at any time.
The same run without the timeouts is timed too, twice each, alternating; the figure is the
difference between the faster of each, per operation: what arming and disarming a deadline
costs. Lower is better.
"""

import sys

from .harness import NoEquivalent, Workload, aio_run, elapsed, join_greenlet

W = Workload(
    "timeouts", "100,000 operations each inside a fail_after: cost per timeout", "µs/op",
    full=dict(tasks=1000, ops=100), quick=dict(tasks=10, ops=5), higher_is_better=False,
)  # fmt: skip

DEADLINE = 1000.0  # seconds: never reached


def impl(*libs):
    """Register ``fn(lib, tasks, ops, timed)``; the figure is µs per op that timed=True adds."""

    def register(fn):
        def overhead(lib, tasks, ops):
            plain, timed = [], []
            for _ in range(2):
                plain.append(elapsed(fn, lib, tasks, ops, False))
                timed.append(elapsed(fn, lib, tasks, ops, True))
            return (min(timed) - min(plain)) / (tasks * ops) * 1e6

        return W.impl(*libs)(overhead)

    return register


@impl("genlet")
def genlet_timeouts(lib, tasks, ops, timed):
    import genlet

    def worker():
        for _ in range(ops):
            if timed:
                with genlet.fail_after(DEADLINE):
                    yield from genlet.sleep(0)
            else:
                yield from genlet.sleep(0)

    def main():
        spawned = [genlet.spawn(worker) for _ in range(tasks)]
        for task in spawned:
            yield from task.join()

    genlet.run(main)


@impl("asyncio", "uvloop")
def asyncio_timeouts(lib, tasks, ops, timed):
    import asyncio

    if sys.version_info < (3, 11):
        raise NoEquivalent("asyncio.timeout needs Python 3.11")

    async def worker():
        for _ in range(ops):
            if timed:
                async with asyncio.timeout(DEADLINE):
                    await asyncio.sleep(0)
            else:
                await asyncio.sleep(0)

    async def main():
        spawned = [asyncio.ensure_future(worker()) for _ in range(tasks)]
        for task in spawned:
            await task

    aio_run(lib, main)


@impl("trio")
def trio_timeouts(lib, tasks, ops, timed):
    import trio

    async def worker():
        for _ in range(ops):
            if timed:
                with trio.fail_after(DEADLINE):
                    await trio.sleep(0)
            else:
                await trio.sleep(0)

    async def main():
        async with trio.open_nursery() as nursery:
            for _ in range(tasks):
                nursery.start_soon(worker)

    trio.run(main)


@impl("curio")
def curio_timeouts(lib, tasks, ops, timed):
    import curio

    async def worker():
        for _ in range(ops):
            if timed:
                async with curio.timeout_after(DEADLINE):
                    await curio.sleep(0)
            else:
                await curio.sleep(0)

    async def main():
        spawned = [await curio.spawn(worker) for _ in range(tasks)]
        for task in spawned:
            await task.join()

    curio.run(main)


@impl("gevent", "eventlet")
def greenlet_timeouts(lib, tasks, ops, timed):
    hub = __import__(lib)

    def worker():
        for _ in range(ops):
            if timed:
                with hub.Timeout(DEADLINE):
                    hub.sleep(0)
            else:
                hub.sleep(0)

    spawned = [hub.spawn(worker) for _ in range(tasks)]
    for greenlet in spawned:
        join_greenlet(lib, greenlet)


@impl("tinyio")
def tinyio_timeouts(lib, tasks, ops, timed):
    import tinyio

    def operation():
        yield

    def worker():
        for _ in range(ops):
            if timed:
                yield tinyio.timeout(operation(), DEADLINE)
            else:
                yield

    def main():
        yield [worker() for _ in range(tasks)]

    tinyio.Loop().run(main())

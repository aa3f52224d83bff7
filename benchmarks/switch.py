# benchmarks/switch.py
"""switch: 1,000 tasks, each giving control back to the scheduler 1,000 times.

``python -m benchmarks.switch`` runs just this (genlet, asyncio and the floor) in one run.

The cost of one task switch: a bare ``yield`` in genlet, ``sleep(0)`` (or its checkpoint) in
the others. Spawning and joining the tasks is timed too, but it is a thousandth of the work.
"""

from .harness import Workload, aio_run, join_greenlet, rate

W = Workload(
    "switch", "1,000 tasks × 1,000 yields", "switches/s",
    full=dict(tasks=1000, yields=1000), quick=dict(tasks=10, yields=10),
)  # fmt: skip


@W.impl("genlet")
def genlet_switch(lib, tasks, yields, run=None):
    """``run``: what runs ``main`` (default ``genlet.run``; traced.py passes a traced run)."""
    import genlet

    def worker():
        for _ in range(yields):
            yield

    def main():
        spawned = [genlet.spawn(worker) for _ in range(tasks)]
        for task in spawned:
            yield from task.join()

    return rate(tasks * yields, run or genlet.run, main)


@W.impl("asyncio", "uvloop")
def asyncio_switch(lib, tasks, yields):
    import asyncio

    async def worker():
        for _ in range(yields):
            await asyncio.sleep(0)

    async def main():
        spawned = [asyncio.ensure_future(worker()) for _ in range(tasks)]
        for task in spawned:
            await task

    return rate(tasks * yields, aio_run, lib, main)


@W.impl("trio")
def trio_switch(lib, tasks, yields):
    import trio

    async def worker():
        for _ in range(yields):
            await trio.sleep(0)

    async def main():
        async with trio.open_nursery() as nursery:
            for _ in range(tasks):
                nursery.start_soon(worker)

    return rate(tasks * yields, trio.run, main)


@W.impl("curio")
def curio_switch(lib, tasks, yields):
    import curio

    async def worker():
        for _ in range(yields):
            await curio.sleep(0)

    async def main():
        spawned = [await curio.spawn(worker) for _ in range(tasks)]
        for task in spawned:
            await task.join()

    return rate(tasks * yields, curio.run, main)


@W.impl("gevent", "eventlet")
def greenlet_switch(lib, tasks, yields):
    hub = __import__(lib)  # gevent and eventlet spell these three calls the same way

    def worker():
        for _ in range(yields):
            hub.sleep(0)

    def main():
        spawned = [hub.spawn(worker) for _ in range(tasks)]
        for greenlet in spawned:
            join_greenlet(lib, greenlet)

    return rate(tasks * yields, main)


@W.impl("tinyio")
def tinyio_switch(lib, tasks, yields):
    import tinyio

    def worker():
        for _ in range(yields):
            yield

    def main():
        yield [worker() for _ in range(tasks)]

    return rate(tasks * yields, lambda: tinyio.Loop().run(main()))


if __name__ == "__main__":  # python -m benchmarks.switch: the kernel issue's figure, in one run
    import sys

    from .run import main

    sys.exit(main(["--only", "switch,floor", "--libs", "genlet,asyncio", "--no-pypy", "--no-micropython"] + sys.argv[1:]))

# benchmarks/timers.py
"""timers: 100,000 tasks each sleeping a random time in [0, 0.2] s; the figure is the overhead.

Every library sleeps the same list of durations (seeded). The run cannot end before the
longest sleep, so the figure is the wall time beyond it: what spawning, arming, firing and
joining 100,000 timers cost. Lower is better.
"""

import random

from .harness import Workload, aio_run, elapsed, join_greenlet

W = Workload(
    "timers", "100,000 tasks sleeping 0–0.2 s: time beyond 0.2 s", "s overhead",
    full=dict(tasks=100_000, longest=0.2), quick=dict(tasks=50, longest=0.005), higher_is_better=False,
)  # fmt: skip


def durations(tasks, longest):
    """The same sleeps for every library: seeded, in [0, longest], the longest included."""
    chosen = random.Random(7).random
    return [longest * chosen() for _ in range(tasks - 1)] + [longest]


def impl(*libs):
    """Register ``fn(lib, sleeps)`` (it runs them all); the figure is time beyond the longest."""

    def register(fn):
        def overhead(lib, tasks, longest):
            sleeps = durations(tasks, longest)
            return elapsed(fn, lib, sleeps) - longest

        return W.impl(*libs)(overhead)

    return register


@impl("genlet")
def genlet_timers(lib, sleeps):
    import genlet

    def sleeper(seconds):
        yield from genlet.sleep(seconds)

    def main():
        spawned = [genlet.spawn(sleeper, seconds) for seconds in sleeps]
        for task in spawned:
            yield from task.join()

    genlet.run(main)


@impl("asyncio", "uvloop")
def asyncio_timers(lib, sleeps):
    import asyncio

    async def main():
        spawned = [asyncio.ensure_future(asyncio.sleep(seconds)) for seconds in sleeps]
        for task in spawned:
            await task

    aio_run(lib, main)


@impl("trio")
def trio_timers(lib, sleeps):
    import trio

    async def main():
        async with trio.open_nursery() as nursery:
            for seconds in sleeps:
                nursery.start_soon(trio.sleep, seconds)

    trio.run(main)


@impl("curio")
def curio_timers(lib, sleeps):
    import curio

    async def main():
        spawned = [await curio.spawn(curio.sleep, seconds) for seconds in sleeps]
        for task in spawned:
            await task.join()

    curio.run(main)


@impl("gevent", "eventlet")
def greenlet_timers(lib, sleeps):
    hub = __import__(lib)
    spawned = [hub.spawn(hub.sleep, seconds) for seconds in sleeps]
    for greenlet in spawned:
        join_greenlet(lib, greenlet)


@impl("tinyio")
def tinyio_timers(lib, sleeps):
    import tinyio

    def main():
        yield [tinyio.sleep(seconds) for seconds in sleeps]

    tinyio.Loop().run(main())

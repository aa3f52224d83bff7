# benchmarks/memory.py
"""memory: bytes per blocked task, with 100,000 tasks parked on one event.

Each task counts itself and waits on the library's ``Event``. Once all of them wait, the figure
is the memory in use divided by the number of tasks, measured two ways, each in its own fresh
process: ``memory`` with ``tracemalloc`` (what Python allocated: exact, and the same on every
machine) and ``memory-rss`` (what the process holds: includes what the allocators keep and what
``tracemalloc`` cannot see, such as memory a C extension takes from ``malloc``).
"""

import gc

from .harness import NoEquivalent, Workload, aio_run, impl_for, join_greenlet, need, rss_bytes

BY_TRACEMALLOC = Workload(
    "memory", "bytes per task parked on an event (tracemalloc)", "bytes/task",
    full=dict(tasks=100_000, how="tracemalloc"), quick=dict(tasks=100, how="tracemalloc"),
    higher_is_better=False,
)  # fmt: skip
BY_RSS = Workload(
    "memory-rss", "bytes per task parked on an event (RSS)", "bytes/task",
    full=dict(tasks=100_000, how="rss"), quick=dict(tasks=100, how="rss"), higher_is_better=False,
)  # fmt: skip


# fn for both ways of measuring.
impl = impl_for(BY_RSS, BY_TRACEMALLOC)


class Meter:
    """Memory in use now, minus what was in use when the meter started, per task."""

    def __init__(self, how):
        self.tracemalloc = None
        gc.collect()
        if how == "tracemalloc":
            try:
                import tracemalloc
            except ImportError:  # PyPy has none: its row reads n/a, and memory-rss still measures
                raise NoEquivalent("this interpreter has no tracemalloc (see memory-rss)")
            self.tracemalloc = tracemalloc
            tracemalloc.start()
        self.base = self.now()

    def now(self):
        return rss_bytes() if self.tracemalloc is None else self.tracemalloc.get_traced_memory()[0]

    def per_task(self, tasks):
        gc.collect()
        used = self.now() - self.base
        if self.tracemalloc is not None:
            self.tracemalloc.stop()
        return used / tasks


@impl("genlet")
def genlet_memory(lib, tasks, how):
    import genlet

    Event = need(genlet, "Event")
    parked = [0]

    def sleeper(event):
        parked[0] += 1
        yield from event.wait()

    def main():
        event = Event()
        meter = Meter(how)
        spawned = [genlet.spawn(sleeper, event) for _ in range(tasks)]
        while parked[0] < tasks:
            yield
        figure = meter.per_task(tasks)
        event.set()
        for task in spawned:
            yield from task.join()
        return figure

    return genlet.run(main)


@impl("asyncio", "uvloop")
def asyncio_memory(lib, tasks, how):
    import asyncio

    parked = [0]

    async def sleeper(event):
        parked[0] += 1
        await event.wait()

    async def main():
        event = asyncio.Event()
        meter = Meter(how)
        spawned = [asyncio.ensure_future(sleeper(event)) for _ in range(tasks)]
        while parked[0] < tasks:
            await asyncio.sleep(0)
        figure = meter.per_task(tasks)
        event.set()
        for task in spawned:
            await task
        return figure

    return aio_run(lib, main)


@impl("trio")
def trio_memory(lib, tasks, how):
    import trio

    parked = [0]
    figure = []

    async def sleeper(event):
        parked[0] += 1
        await event.wait()

    async def main():
        event = trio.Event()
        meter = Meter(how)
        async with trio.open_nursery() as nursery:
            for _ in range(tasks):
                nursery.start_soon(sleeper, event)
            while parked[0] < tasks:
                await trio.sleep(0)
            figure.append(meter.per_task(tasks))
            event.set()

    trio.run(main)
    return figure[0]


@impl("curio")
def curio_memory(lib, tasks, how):
    import curio

    parked = [0]

    async def sleeper(event):
        parked[0] += 1
        await event.wait()

    async def main():
        event = curio.Event()
        meter = Meter(how)
        spawned = [await curio.spawn(sleeper, event) for _ in range(tasks)]
        while parked[0] < tasks:
            await curio.sleep(0)
        figure = meter.per_task(tasks)
        await event.set()
        for task in spawned:
            await task.join()
        return figure

    return curio.run(main)


@impl("gevent", "eventlet")
def greenlet_memory(lib, tasks, how):
    hub = __import__(lib)
    if lib == "gevent":
        import gevent.event

        event = gevent.event.Event()
        wake = event.set
    else:
        import eventlet.event

        event = eventlet.event.Event()
        wake = event.send
    parked = [0]

    def sleeper():
        parked[0] += 1
        event.wait()

    meter = Meter(how)
    spawned = [hub.spawn(sleeper) for _ in range(tasks)]
    while parked[0] < tasks:
        hub.sleep(0)
    figure = meter.per_task(tasks)
    wake()
    for greenlet in spawned:
        join_greenlet(lib, greenlet)
    return figure


@impl("tinyio")
def tinyio_memory(lib, tasks, how):
    import tinyio

    parked = [0]

    def sleeper(event):
        parked[0] += 1
        yield from event.wait()

    def main():
        event = tinyio.Event()
        meter = Meter(how)
        spawned = [sleeper(event) for _ in range(tasks)]
        yield set(spawned)  # start them in the background
        while parked[0] < tasks:
            yield
        figure = meter.per_task(tasks)
        event.set()
        yield spawned
        return figure

    return tinyio.Loop().run(main())

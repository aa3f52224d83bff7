# benchmarks/spawn.py
"""spawn: 100,000 tasks that return at once, spawned and then joined one by one.

The cost of a task's whole life: creating it, scheduling it once, finishing it and handing its
result to the joiner. The ``floor`` row does the same work on the least kernel that can (see
``floor_spawn``): how far genlet is from it is what its features cost.
"""

from .harness import Workload, aio_run, join_greenlet, rate

W = Workload("spawn", "100,000 tasks spawned and joined", "tasks/s", full=dict(tasks=100_000), quick=dict(tasks=50))


@W.impl("genlet")
def genlet_spawn(lib, tasks):
    import genlet

    def child():
        return None
        yield  # a generator that returns at once

    def main():
        spawned = [genlet.spawn(child) for _ in range(tasks)]
        for task in spawned:
            yield from task.join()

    return rate(tasks, genlet.run, main)


@W.impl("asyncio", "uvloop")
def asyncio_spawn(lib, tasks):
    import asyncio

    async def child():
        return None

    async def main():
        spawned = [asyncio.ensure_future(child()) for _ in range(tasks)]
        for task in spawned:
            await task

    return rate(tasks, aio_run, lib, main)


@W.impl("trio")
def trio_spawn(lib, tasks):
    import trio

    async def child():
        return None

    async def main():
        async with trio.open_nursery() as nursery:  # the nursery joins them all at its end
            for _ in range(tasks):
                nursery.start_soon(child)

    return rate(tasks, trio.run, main)


@W.impl("curio")
def curio_spawn(lib, tasks):
    import curio

    async def child():
        return None

    async def main():
        spawned = [await curio.spawn(child) for _ in range(tasks)]
        for task in spawned:
            await task.join()

    return rate(tasks, curio.run, main)


@W.impl("gevent", "eventlet")
def greenlet_spawn(lib, tasks):
    hub = __import__(lib)

    def child():
        return None

    def main():
        spawned = [hub.spawn(child) for _ in range(tasks)]
        for greenlet in spawned:
            join_greenlet(lib, greenlet)

    return rate(tasks, main)


@W.impl("tinyio")
def tinyio_spawn(lib, tasks):
    import tinyio

    def child():
        return None
        yield

    def main():
        yield [child() for _ in range(tasks)]

    return rate(tasks, lambda: tinyio.Loop().run(main()))


@W.impl("floor")
def floor_spawn(lib, tasks):
    """The least a generator kernel can do for this work, to measure genlet's features against.

    A task is a record of three slots (its function, its generator, its result), started at its
    first step (as genlet starts a generator function's task); one deque of them; a join reads
    the result. No cancellation, names, joiners, ring of live tasks or error reports.
    """
    from collections import deque

    class Task:
        __slots__ = ("fn", "gen", "result")

        def __init__(self, fn):
            self.fn = fn
            self.gen = self.result = None

    def child():
        return None
        yield

    def run():
        ready = deque()
        spawned = []
        for _ in range(tasks):
            task = Task(child)
            ready.append(task)
            spawned.append(task)
        while ready:
            task = ready.popleft()
            task.gen = task.fn()
            try:
                task.gen.send(None)
            except StopIteration as stop:
                task.result, task.gen = stop.value, None
        for task in spawned:
            task.result

    return rate(tasks, run)

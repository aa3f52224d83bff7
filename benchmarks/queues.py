# benchmarks/queues.py
"""queue: put and get on each library's Queue(64), alone and between two tasks.

``queue-put-get``: one task puts an item and gets it back, 1,000,000 times; nothing ever
waits, so this is the cost of the two operations themselves. ``queue``: a producer and a
consumer pass 200,000 items through the queue. genlet ``Queue`` (genlet.sync; the channel
version of the second is ``pipeline``), asyncio, curio, gevent and eventlet ``Queue``, and trio's
queue, a memory channel. The figure is items per second. ``queue-put-get`` has a ``floor`` row:
the same calls on a queue with no checks at all (``floor_queue``), which no pure-Python queue
with this API can beat.
"""

from .harness import Workload, aio_run, impl_for, join_greenlet, need, rate

SOLO = Workload(
    "queue-put-get", "Queue(64) put + get in one task", "items/s",
    full=dict(items=1_000_000, tasks=1), quick=dict(items=100, tasks=1),
)  # fmt: skip
PAIR = Workload(
    "queue", "Queue(64) from a producer to a consumer", "items/s",
    full=dict(items=200_000, tasks=2), quick=dict(items=100, tasks=2),
)  # fmt: skip
CAPACITY = 64


# fn(lib, items, tasks) for both: one task (put, get), or two (put | get).
impl = impl_for(SOLO, PAIR)


@impl("genlet")
def genlet_queue(lib, items, tasks):
    import genlet

    Queue = need(genlet, "Queue")

    def producer(queue, solo):
        for i in range(items):
            yield from queue.put(i)
            if solo:
                yield from queue.get()

    def main():
        queue = Queue(CAPACITY)
        if tasks == 1:
            return (yield from producer(queue, True))
        task = genlet.spawn(producer, queue, False)
        for _ in range(items):
            yield from queue.get()
        yield from task.join()

    return rate(items, genlet.run, main)


@impl("asyncio", "uvloop")
def asyncio_queue(lib, items, tasks):
    import asyncio

    async def producer(queue, solo):
        for i in range(items):
            await queue.put(i)
            if solo:
                await queue.get()

    async def main():
        queue = asyncio.Queue(CAPACITY)
        if tasks == 1:
            return await producer(queue, True)
        task = asyncio.ensure_future(producer(queue, False))
        for _ in range(items):
            await queue.get()
        await task

    return rate(items, aio_run, lib, main)


@impl("trio")
def trio_queue(lib, items, tasks):
    import trio

    async def producer(sender, receiver):
        for i in range(items):
            await sender.send(i)
            if receiver is not None:
                await receiver.receive()

    async def main():
        sender, receiver = trio.open_memory_channel(CAPACITY)
        if tasks == 1:
            return await producer(sender, receiver)
        async with trio.open_nursery() as nursery:
            nursery.start_soon(producer, sender, None)
            for _ in range(items):
                await receiver.receive()

    return rate(items, trio.run, main)


@impl("curio")
def curio_queue(lib, items, tasks):
    import curio

    async def producer(queue, solo):
        for i in range(items):
            await queue.put(i)
            if solo:
                await queue.get()

    async def main():
        queue = curio.Queue(CAPACITY)
        if tasks == 1:
            return await producer(queue, True)
        task = await curio.spawn(producer, queue, False)
        for _ in range(items):
            await queue.get()
        await task.join()

    return rate(items, curio.run, main)


@impl("gevent", "eventlet")
def greenlet_queue(lib, items, tasks):
    hub = __import__(lib)
    queue = __import__(lib + ".queue").queue.Queue(CAPACITY)

    def producer(solo):
        for i in range(items):
            queue.put(i)
            if solo:
                queue.get()

    def main():
        if tasks == 1:
            return producer(True)
        greenlet = hub.spawn(producer, False)
        for _ in range(items):
            queue.get()
        join_greenlet(lib, greenlet)

    return rate(items, main)


for _workload in (SOLO, PAIR):
    _workload.lacks("it has no queue", "tinyio")


@SOLO.impl("floor")
def floor_queue(lib, items, tasks):
    """The least a queue with genlet's API can do: ``yield from q.put(item)`` and
    ``yield from q.get()`` over a deque, with no checks at all (no size, no waiters, no
    counts). Nothing waits, so no kernel is needed to drive it."""
    from collections import deque

    def completed(value):
        return value
        yield

    class Queue:
        __slots__ = ("_push", "_pop")

        def __init__(self):
            items = deque()
            self._push, self._pop = items.append, items.popleft

        def put(self, item):
            self._push(item)
            return ()

        def get(self):
            return completed(self._pop())

    def producer(queue):
        for i in range(items):
            yield from queue.put(i)
            yield from queue.get()

    return rate(items, lambda: [None for _ in producer(Queue())])
